"""A stop (SIGTERM, Ctrl-C, SIGHUP) as the sealing sitting seals: once the bundle
is named it lands once it is sealed, undoes nothing, and says the bundle's path
and that it verifies (the sittings of tests/test_sittings.py, made again here).
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

from sittings_helpers import sitting_env
from test_sittings import world  # noqa: F401  (the fixture: request and signature files)

from ceremony import describe
from ceremony.cli import main
from ceremony.events import BundleSealed, Event
from ceremony.signals import Stopped
from ceremony.verify import verify_bundle


def test_a_stop_as_the_sealed_bundle_is_named_lands_once_it_is_sealed(world):  # noqa: F811
    """SIGTERM at a real `ceremony seal`'s rename of the bundle into place, and at
    the two points after it (held there by tests/kill_driver.py): the bundle is
    sealed and verifies, and the sitting says so; nothing is undone."""
    top, room = world["top"], world["top"] / "stopper"
    driver = str(Path(__file__).with_name("kill_driver.py"))
    signatures = [f"media/{f.name}" for f in world["files"]]

    def seal_with(mode: str, point: int, output: str) -> subprocess.Popen[str]:
        env = {**sitting_env(room), "KILL_DRIVER_READY": str(top / f"{output}.ready")}
        return subprocess.Popen(
            [sys.executable, driver, mode, str(point), "seal", "media/request", *signatures,
             "--current", "media/1-boot", "-o", f"media/{output}"],
            cwd=top, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    err = seal_with("count", 0, "counted").communicate(timeout=600)[1].splitlines()
    points = err[err.index(next(e for e in err if e.startswith("write points: "))) + 1:]
    renamed = points.index(next(p for p in points if p.endswith("rename media/counted"))) + 1
    for point in (renamed, renamed + 1, renamed + 2):
        output = top / "media" / f"stopped-{point}"
        child = seal_with("pause", point, output.name)
        ready, deadline = top / f"{output.name}.ready", time.monotonic() + 600
        while not ready.exists():
            assert child.poll() is None, child.communicate()[1]
            assert time.monotonic() < deadline, "the write point was never reached"
            time.sleep(0.05)
        child.send_signal(signal.SIGTERM)
        stderr = child.communicate(timeout=600)[1]
        where = points[point - 1]
        assert child.returncode == 143, (where, stderr)
        assert stderr.endswith(
            f"ceremony: stopped by SIGTERM; the bundle media/{output.name} is sealed and "
            f"verifies (`ceremony verify media/{output.name}`); nothing was undone\n"
        ), (where, stderr)
        assert "nothing was sealed" not in stderr and "Traceback" not in stderr, where
        assert verify_bundle(output).ok, where
        assert sorted(p.name for p in output.parent.glob(f"*{output.name}*")) == [
            output.name], where  # no staging, no mark, no abandoned copy


def test_a_stop_as_the_sealed_bundle_is_shown_says_it_is_sealed(
    world, monkeypatch, capsys  # noqa: F811
):
    """The stop lands as `ceremony seal` prints the sealed bundle (in the CLI's loop,
    not the seal's): the bundle stays, and the sitting says so."""
    shown = describe.describe

    def stopped_at_the_seal(event: Event) -> str | None:
        if isinstance(event, BundleSealed):
            raise Stopped(signal.SIGTERM)
        return shown(event)

    monkeypatch.setattr(describe, "describe", stopped_at_the_seal)
    monkeypatch.chdir(world["top"])
    code = main(["seal", "media/request", *[f"media/{f.name}" for f in world["files"]],
                 "--current", "media/1-boot", "-o", "media/shown"])
    err = capsys.readouterr().err
    assert code == 143, err
    assert err.endswith("ceremony: stopped by SIGTERM; the bundle media/shown is sealed and "
                        "verifies (`ceremony verify media/shown`); nothing was undone\n"), err
    assert verify_bundle(world["top"] / "media" / "shown").ok
