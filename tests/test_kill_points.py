"""A ceremony stopped anywhere leaves a whole bundle or named leftovers, never half of one.

A rehearsal bootstrap with custody (one root key, a 2-of-3 share split, two
custody copies, share sheets) runs in a child process (tests/kill_driver.py)
that copies its whole folder at each point where something reaches the medium:
every file written and synced, every folder synced, every rename. That copy is
what a SIGKILL there leaves, since a killed process runs nothing more; real
SIGKILLs at four of the points (the first, the custody copies, the sealing)
leave the same files as the copies. After each
kill the output is either absent or a bundle that verifies; everything else
the attempt left is named by the next run (``leftovers_beside``), refused by
``verify`` and removed by ``ceremony clean``'s own function, key files
overwritten first. Every custody copy and sheets folder left is either
unmarked beside a sealed bundle, or marked INCOMPLETE, named as a leftover
and (a copy) refused by recovery. Then SIGTERM, SIGHUP and Ctrl-C (SIGINT) are sent at a
point after the custody copies are written: each stops the ceremony the same
way, with the signal's exit code, no bundle, no staging, no custody copy and
no sheet left, and the attempt's transcript saying what stopped it. The same
signal sent while the bundle is named and its marks and the copies' marks are
removed is held until they are done: the run says the bundle is sealed, and
leaves it, its custody copies and its sheets whole, and no abandoned transcript.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from kill_driver import printed_points
from quick_scrypt.sitecustomize import python_path
from test_recover import SHARES, Room, small_room

from ceremony.bundle.leftovers import leftovers_beside, remove_leftover
from ceremony.bundle.writer import is_marked
from ceremony.custody import ArchiveCopyError, read_copies
from ceremony.engine import run_ceremony
from ceremony.events import BundleSealed
from ceremony.script.load import load_script
from ceremony.signals import Stopped
from ceremony.verify import verify_bundle

DRIVER = Path(__file__).with_name("kill_driver.py")
ROOT = DRIVER.parent.parent
SECRET = "correct horse battery 1"


def room(folder: Path) -> Path:
    """A custody rehearsal in ``folder``: its script, and a secrets file for --yes runs."""
    folder.mkdir(parents=True, exist_ok=True)
    script = small_room(folder, SHARES)
    secrets = folder / "secrets.yaml"
    secrets.write_text(f"root-alice: {SECRET}\n")
    secrets.chmod(0o600)
    return script


def drive(mode: str, point: int, folder: Path, **options: object) -> subprocess.Popen[str]:
    env = dict(os.environ, PYTHONPATH=python_path(ROOT), **{k: str(v) for k, v in options.items()})
    return subprocess.Popen(
        [sys.executable, str(DRIVER), mode, str(point), "run", "bootstrap.yaml", "--yes",
         "--secrets", "secrets.yaml"],
        cwd=folder, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


@pytest.fixture(scope="module")
def one_run(tmp_path_factory) -> tuple[list[str], Path]:
    """One whole run: its write points in order (with the folder cut off), and
    the folder as it stood at each (``NN``, from 01), copied by the driver."""
    folder = tmp_path_factory.mktemp("count")
    room(folder)
    snapshots = tmp_path_factory.mktemp("at-point")
    child = drive("snapshot", 0, folder, KILL_DRIVER_SNAPSHOTS=snapshots)
    points = printed_points(child, str(folder), timeout=300)
    assert len(list(snapshots.iterdir())) == len(points)
    return points, snapshots


@pytest.fixture(scope="module")
def write_points(one_run) -> list[str]:
    return one_run[0]


def test_the_write_points_cover_the_custody_the_sheets_and_the_sealing(write_points):
    kinds = {point.split()[0] for point in write_points}
    assert kinds == {"write", "fsync", "rename"}
    assert write_points[0].startswith("write /.out.incomplete-")
    assert write_points[0].endswith("/INCOMPLETE")  # the mark comes first
    assert any("/media-a/" in p for p in write_points)
    assert any("/media-b/" in p for p in write_points)
    assert any(p.startswith("rename /sheets/shares-") for p in write_points)
    # the bundle's mark goes, then those of the custody copies and the sheets
    assert write_points[-6:-3] == ["rename /out", "fsync ", "fsync /out"]
    assert [p.split("/")[1] for p in write_points[-3:]] == ["media-a", "media-b", "sheets"]
    assert all(p.startswith("fsync ") for p in write_points[-3:])


def test_a_kill_at_every_write_point_leaves_a_whole_bundle_or_named_leftovers(
    tmp_path_factory, one_run
):
    write_points, snapshots = one_run

    def killed_at(point: int) -> Path:
        folder = tmp_path_factory.mktemp(f"kill-{point:02d}")
        room(folder)
        child = drive("kill", point, folder)
        child.communicate(timeout=120)
        assert child.returncode == -signal.SIGKILL, f"point {point} was never reached"
        return folder

    # Real SIGKILLs at the first point, while custody is written, and around the
    # sealing leave what the run's copy at that point holds: so the copies stand
    # for a kill at every point (a killed process runs nothing more).
    last = len(write_points)
    custody = next(i for i, p in enumerate(write_points, 1) if "/media-b/" in p)
    sample = sorted({1, custody, last - 3, last - 1})
    with ThreadPoolExecutor(max_workers=2) as pool:
        for point, folder in zip(sample, pool.map(killed_at, sample), strict=True):
            assert tree(folder) == tree(snapshots / f"{point:02d}"), write_points[point - 1]
    folders = [snapshots / f"{point:02d}" for point in range(1, last + 1)]

    sealed, refused_copies = [], 0
    for point, folder in enumerate(folders, start=1):
        where = f"killed at {write_points[point - 1]}"
        out = folder / "out"
        custody = [folder / "media-a", folder / "media-b", folder / "sheets"]
        named = {leftover.path for leftover in leftovers_beside(out, custody)}
        hidden = set(folder.glob(".out.incomplete-*"))
        for medium in custody:
            hidden |= set(medium.glob(".*.incomplete-*"))
        assert hidden <= named, where  # every staging folder is named
        for leftover in named - set(custody_outputs(custody)):  # none verifies as a bundle
            report = verify_bundle(leftover)
            assert not report.ok, where
            assert any("INCOMPLETE" in str(problem) for problem in report.problems), where
        whole = out.exists() and out not in named
        if whole:
            assert verify_bundle(out).ok, where  # whole, or not there at all
            sealed.append(point)
        for made in custody_outputs(custody):  # marked and named, or the bundle is sealed
            assert (made in named) if is_marked(made) else whole, f"{made}, {where}"
            if is_marked(made) and made.name.startswith("custody-"):
                with pytest.raises(ArchiveCopyError) as refused:
                    read_copies([made])
                assert f"{made}: is from a ceremony whose bundle was never sealed" in str(
                    refused.value), where
                assert f"remove it with `ceremony clean {made}`" in str(refused.value), where
                refused_copies += 1
        for leftover in named:
            remove_leftover(leftover)
        left = {p.name for p in folder.iterdir()}
        assert left <= {"out", "bootstrap.yaml", "secrets.yaml", "online", "media-a",
                        "media-b", "sheets"}, where
        for medium in custody:
            assert all(whole and not is_marked(p) for p in medium.iterdir()), where
    # from the removal of the bundle's mark on, the bundle is sealed; a kill before
    # the copies' marks are gone too leaves them marked, named as leftovers
    assert sealed == list(range(len(write_points) - 3, len(write_points) + 1))
    assert refused_copies > 8  # the kills after the copies are written left them marked


def tree(folder: Path) -> list[str]:
    """The paths under ``folder``, with the random parts of names made alike."""
    random = re.compile(r"\d{8}T\d{6}Z?|\d{4}-\d\d-\d\dT[\d:.]+Z?|[0-9a-f]{8,}")
    return sorted(random.sub("*", str(p.relative_to(folder))) for p in folder.rglob("*"))


def custody_outputs(media: list[Path]) -> list[Path]:
    """The custody copies and sheets folders under their final names."""
    return [path for medium in media for path in sorted(medium.iterdir())
            if path.name.startswith(("custody-", "shares-"))]


def stopped_by(signum: int, folder: Path, point: int) -> tuple[int, str]:
    ready = folder / "ready"
    child = drive("pause", point, folder, KILL_DRIVER_READY=ready)
    deadline = time.monotonic() + 60
    while not ready.exists():
        assert child.poll() is None, child.communicate()[1]
        assert time.monotonic() < deadline, "the write point was never reached"
        time.sleep(0.05)
    child.send_signal(signum)
    _out, err = child.communicate(timeout=60)
    return child.returncode, err


SIGNALS = [
    (signal.SIGTERM, 143, "stopped by SIGTERM"),
    (signal.SIGHUP, 129, "stopped by SIGHUP"),
    (signal.SIGINT, 130, "interrupted (Ctrl-C)"),
]


def test_a_stop_signal_after_the_custody_is_written_leaves_nothing_but_the_transcript(
    tmp_path, write_points
):
    # the point where the sheets have just been renamed into place
    point = 1 + next(i for i, p in enumerate(write_points) if p.startswith("rename /sheets/"))

    def stopped(case: tuple[signal.Signals, int, str]) -> tuple[Path, int, str]:
        folder = tmp_path / case[0].name
        room(folder)
        return (folder, *stopped_by(case[0], folder, point))

    with ThreadPoolExecutor(max_workers=2) as pool:
        runs = list(pool.map(stopped, SIGNALS))
    for (signum, code, words), (folder, returncode, err) in zip(SIGNALS, runs, strict=True):
        assert returncode == code, (signum.name, err)
        assert err.endswith(f"ceremony: {words}; nothing was sealed\n"), err
        assert "Traceback" not in err
        assert not (folder / "out").exists()
        assert leftovers_beside(folder / "out") == []
        for medium in ("media-a", "media-b", "sheets"):  # custody and sheets removed
            assert list((folder / medium).iterdir()) == [], (signum.name, medium)
        [attempt] = folder.glob("out.abandoned-*.jsonl")
        last = json.loads(attempt.read_text().splitlines()[-1])
        assert (last["event"], last["reason"], last["how"]) == (
            "ceremony-abandoned", words, "stopped"
        )


def test_a_stop_signal_as_the_bundle_is_named_lands_once_it_is_sealed(tmp_path, write_points):
    # the bundle renamed into place, its mark removed, a custody copy's mark removed
    last = len(write_points)
    points = [last - 5, last - 3, last - 2]
    assert [write_points[p - 1].split("/")[:2] for p in points] == [
        ["rename ", "out"], ["fsync ", "out"], ["fsync ", "media-a"]]

    def stopped(point: int) -> tuple[Path, int, str]:
        folder = tmp_path / f"at-{point}"
        room(folder)
        return (folder, *stopped_by(signal.SIGTERM, folder, point))

    with ThreadPoolExecutor(max_workers=2) as pool:
        runs = list(pool.map(stopped, points))
    for point, (folder, returncode, err) in zip(points, runs, strict=True):
        where = write_points[point - 1]
        assert returncode == 143, (where, err)
        assert err.endswith(f"ceremony: stopped by SIGTERM; the bundle {folder / 'out'} is "
                            "sealed\n"), (where, err)
        assert "nothing was sealed" not in err and "Traceback" not in err, (where, err)
        assert verify_bundle(folder / "out").ok, where
        assert list(folder.glob("out.abandoned-*")) == [], where  # nothing was abandoned
        custody = [folder / "media-a", folder / "media-b", folder / "sheets"]
        assert leftovers_beside(folder / "out", custody) == [], where
        made = custody_outputs(custody)  # the copies and sheets stay, unmarked
        assert len(made) == 3 and not any(is_marked(path) for path in made), where


def test_a_stop_as_the_front_end_shows_the_sealed_bundle_undoes_nothing(tmp_path):
    """The headless front end throws a stop that lands while it prints into the
    engine (cli/ceremonies.py): at the sealed bundle, nothing is undone."""
    events = run_ceremony(load_script(small_room(tmp_path, SHARES)), Room())
    for event in events:
        if isinstance(event, BundleSealed):
            with pytest.raises(Stopped) as stop:
                events.throw(Stopped(signal.SIGTERM))
            break
    assert stop.value.done == f"the bundle {tmp_path / 'out'} is sealed"
    assert stop.value.left == ()  # no key named as unused, no attempt's transcript
    assert verify_bundle(tmp_path / "out").ok
    assert list(tmp_path.glob("out.abandoned-*")) == []
    custody = [tmp_path / "media-a", tmp_path / "media-b", tmp_path / "sheets"]
    assert leftovers_beside(tmp_path / "out", custody) == []
    assert len(custody_outputs(custody)) == 3
