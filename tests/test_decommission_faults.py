"""A decommission that cannot finish leaves the current bundle whole, and a true record.

Nothing is destroyed before the new bundle is sealed (steps/destroy.py). From
copies of the session's rehearsal (root-bob's key file in 4-recover, the
current bundle, and a custody copy holding it, both named in ``wipe:``), on
media mounted for the test (tmpfs; the tests run as root):
- the output medium fills, or turns read-only, once ``destroy`` is typed: the
  write fails, nothing is wiped, the current bundle verifies, and the same
  script run again on the mended medium seals the bundle and destroys the key;
- the medium of the files to wipe turns read-only right after the seal: both
  bundles verify (nothing was wiped), and the run ends with an error naming each
  file NOT wiped and what to do, as the destruction record beside the bundle does;
- SIGKILL at every point where something reaches a medium (a copy of the folder
  at each, taken by tests/kill_driver.py, and real kills at some): before the
  seal nothing is destroyed and the current bundle verifies; after it the new
  bundle verifies and names the key to destroy, and a destruction record, where
  there is one, is whole, chains on from the bundle's transcript and says wiped
  only what is gone; killed as the record is written, the part it left is named
  as a leftover, with what to do, and by the record's reader;
- SIGTERM after the first wipe: the run says the bundle is sealed and what is
  left, and the record lists the custody copy as not reached;
- SIGTERM as the bundle is renamed into place: it lands once the bundle is
  sealed; the run says so, writes no abandoned transcript, wipes nothing, and
  its record names everything as not reached;
- a stop as the front end shows the destruction's end: the record ends once.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from destruction_lines import destruction
from kill_driver import printed_points
from pdf_reading import squeezed

from ceremony.bundle import files
from ceremony.bundle.destruction_record import destruction_record_path, read_destruction_record
from ceremony.bundle.leftovers import leftovers_beside, remove_leftover
from ceremony.bundle.writer import is_marked
from ceremony.cli import main
from ceremony.engine import run_ceremony
from ceremony.errors import CeremonyError, MediaError
from ceremony.events import DestructionEnded
from ceremony.operator import Confirmation
from ceremony.script.load import load_script
from ceremony.signals import Stopped
from ceremony.verify import verify_bundle

DRIVER = Path(__file__).with_name("kill_driver.py")
ROOT = DRIVER.parent.parent
HEADER = "format: 1\nflavor: tuf\nrehearsal: true\nnetwork: allowed\noutput-media: any-device\n"
BOB = Path("keys/offline/root-bob.age")


@contextmanager
def tmpfs(path: Path, size: str = "32m") -> Iterator[Path]:
    path.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
                   check=True)
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


def remount(path: Path, how: str) -> None:
    subprocess.run(["mount", "-o", f"remount,{how}", str(path)], check=True)


def room(rehearsal, media: Path, output: Path, folder: Path | None = None) -> Path:
    """The current bundle and a custody copy on ``media``; the decommission script
    (in ``folder``, else beside the output) destroying root-bob, its key file and the
    copy named in wipe:, the bundle written to ``output``. Paths are relative to the
    script's folder when everything is in it (the kill tests copy that folder)."""
    source, _, _ = rehearsal
    for name in ("4-recover", "custody-a"):
        shutil.copytree(source / name, media / name, symlinks=True)
    folder = folder or output.parent
    [custody] = (media / "custody-a").glob("custody-*")

    def shown(path: Path) -> Path:
        return path.relative_to(folder) if path.is_relative_to(folder) else path

    script = folder / "dec.yaml"
    script.write_text(
        HEADER + f"ceremony: decommission\ntitle: destroy bob's key\n"
        f"current: {shown(media / '4-recover')}\noutput: {shown(output)}\n"
        "sign-with: [root-alice, root-dave]\ndestroy: [root-bob]\n"
        f"wipe:\n  key-files: [{shown(media / '4-recover' / BOB)}]\n"
        f"  custody-copies: [{shown(custody)}]\n")
    return script


def held(media: Path) -> dict[str, str]:
    """sha256 of every file of the current bundle and the custody copy on ``media``."""
    return {str(p.relative_to(media)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(media.rglob("*")) if p.is_file()
            and p.parts[len(media.parts)] in ("4-recover", "custody-a")}


class AtQuestion:
    """The rehearsal's operator, doing ``then`` once the question ``at`` is answered."""

    def __init__(self, inner: object, at: str, then: Callable[[], None]) -> None:
        self.inner, self.at, self.then = inner, at, then
        self.asked: Confirmation | None = None

    def __getattr__(self, name: str) -> object:
        return getattr(self.inner, name)

    def confirm(self, request: Confirmation) -> bool:
        agreed = bool(self.inner.confirm(request))  # type: ignore[attr-defined]
        if request.id == self.at:
            self.asked = request
            self.then()
        return agreed


def fill(medium: Path) -> None:
    """Take every free byte of ``medium`` (another writer filling it)."""
    fd = os.open(medium / "filler", os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        while True:
            os.write(fd, bytes(1 << 16))
    except OSError:
        pass
    finally:
        os.close(fd)


@pytest.mark.parametrize("fault", ["full", "read-only"])
def test_a_write_that_fails_after_destroy_is_typed_destroys_nothing(rehearsal, tmp_path, fault):
    _, operator, _ = rehearsal
    with tmpfs(tmp_path / "media") as media, tmpfs(tmp_path / "out") as out:
        script = room(rehearsal, media, out / "dec", tmp_path)
        before = held(media)

        def fault_now() -> None:
            fill(out) if fault == "full" else remount(out, "ro")

        at_destroy = AtQuestion(copy.deepcopy(operator), "confirm/destroy", fault_now)
        with pytest.raises(MediaError) as error:
            list(run_ceremony(load_script(script), at_destroy))  # type: ignore[arg-type]
        said = str(error.value)
        assert ("No space left on device" if fault == "full" else "Read-only file system") \
            in said, said
        # what `destroy` agreed to says the order this kept
        assert at_destroy.asked is not None
        assert at_destroy.asked.detail.startswith(
            "First the new bundle, without them (a stored key's file left out of it), is "
            "written, read back, verified and sealed; nothing is destroyed before")
        assert "Then each key on a token is destroyed there" in at_destroy.asked.detail
        assert held(media) == before  # not one byte wiped
        assert verify_bundle(media / "4-recover").ok
        assert not (out / "dec").exists() and not destruction_record_path(out / "dec").exists()
        # mended, the same script runs again: sealed, then destroyed, then recorded
        if fault == "full":
            (out / "filler").unlink()
        else:
            remount(out, "rw")
        list(run_ceremony(load_script(script), copy.deepcopy(operator)))
        assert verify_bundle(out / "dec").ok
        assert not (media / "4-recover" / BOB).exists()
        assert destruction(out / "dec")[-1]["not_destroyed"] == []


def test_a_wipe_that_fails_after_the_seal_is_named_and_both_bundles_verify(
    rehearsal, tmp_path, monkeypatch
):
    _, operator, _ = rehearsal
    with tmpfs(tmp_path / "media") as media:
        output = tmp_path / "dec"
        script = room(rehearsal, media, output)
        before = held(media)
        sealed_at = f"rename {output}"
        monkeypatch.setattr(files, "write_point", lambda where: remount(media, "ro")
                            if where == sealed_at else None)
        with pytest.raises(CeremonyError) as error:
            list(run_ceremony(load_script(script), copy.deepcopy(operator)))
        said = str(error.value)
        assert said.startswith(f"the bundle {output} is sealed, but the destruction is not "
                               "finished: NOT destroyed: key file of root-bob at "
                               f"{media / '4-recover' / BOB}: "), said
        assert "; custody copy of " in said, said
        assert "is not writable, so nothing in it can be wiped: mount its medium read-write" \
            in said
        assert f"the record of what was done is {destruction_record_path(output)}" in said
        assert held(media) == before
        assert verify_bundle(output).ok and verify_bundle(media / "4-recover").ok
        lines = destruction(output)
        assert not [e for e in lines if e["event"] == "file-wiped"]
        (kept,) = [e for e in lines if e["event"] == "key-destroyed"]
        assert "were NOT wiped" in kept["proof"]
        assert len(lines[-1]["not_destroyed"]) == 2 and "by hand" in lines[-1]["todo"]


def test_a_stop_as_the_destructions_end_is_shown_ends_the_record_once(rehearsal, tmp_path):
    """The headless front end throws a stop that lands while it prints the last
    event into the engine (cli/ceremonies.py): the destruction had ended."""
    _, operator, _ = rehearsal
    media, output = tmp_path / "media", tmp_path / "dec"
    media.mkdir()
    events = run_ceremony(load_script(room(rehearsal, media, output)), copy.deepcopy(operator))
    for event in events:
        if isinstance(event, DestructionEnded):
            with pytest.raises(Stopped) as stop:
                events.throw(Stopped(signal.SIGTERM))
            break
    lines = destruction(output)
    assert [e["event"] for e in lines].count("destruction-ended") == 1, lines
    assert lines[-1]["event"] == "destruction-ended" and lines[-1]["not_destroyed"] == []
    assert stop.value.done == (f"the bundle {output} is sealed, and the destruction ended: "
                               f"all was done; see {destruction_record_path(output)}")
    assert verify_bundle(output).ok and not (media / "4-recover" / BOB).exists()


# -- kills -----------------------------------------------------------------------------


def kill_room(rehearsal, folder: Path) -> None:
    """Everything in ``folder`` (the kill driver copies it whole), and a secrets file
    with the rehearsal's passphrases for a --yes run."""
    _, operator, _ = rehearsal
    folder.mkdir(parents=True, exist_ok=True)
    room(rehearsal, folder, folder / "dec", folder)
    secrets = folder / "secrets.yaml"
    secrets.write_text("".join(f"{key}: {json.dumps(value)}\n"
                               for key, value in operator._passphrases.items()))
    secrets.chmod(0o600)


def drive(mode: str, point: int, folder: Path, **options: object) -> subprocess.Popen[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT), **{k: str(v) for k, v in options.items()})
    return subprocess.Popen(
        [sys.executable, str(DRIVER), mode, str(point), "run", "dec.yaml", "--yes",
         "--secrets", "secrets.yaml"],
        cwd=folder, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


class Points:
    """One whole run: its write points in order (its folder cut off), the folder it ran
    in, the folder as it stood at each point (``NN``, from 01), a copy of the folder
    before it ran, and what the current bundle and custody copy held then."""

    def __init__(self, written: list[str], origin: Path, snapshots: Path, pristine: Path,
                 before: dict[str, str]) -> None:
        self.written, self.origin, self.snapshots = written, origin, snapshots
        self.pristine, self.before = pristine, before

    def at(self, name: str) -> int:
        return self.written.index(name) + 1

    def fresh(self, folder: Path) -> Path:
        shutil.copytree(self.pristine, folder, symlinks=True)
        return folder


@pytest.fixture(scope="module")
def points(rehearsal, tmp_path_factory) -> Points:
    folder = tmp_path_factory.mktemp("decommission-count")
    kill_room(rehearsal, folder)
    pristine = tmp_path_factory.mktemp("decommission-room") / "room"
    shutil.copytree(folder, pristine, symlinks=True)
    snapshots = tmp_path_factory.mktemp("decommission-at")
    child = drive("snapshot", 0, folder, KILL_DRIVER_SNAPSHOTS=snapshots)
    written = printed_points(child, str(folder), timeout=600)
    return Points(written, folder, snapshots, pristine, held(pristine))


def judge(folder: Path, before: dict[str, str], origin: Path) -> str:
    """What a kill left in ``folder`` (a run in ``origin``): "before the seal" (nothing
    destroyed, the current bundle verifies) or "after the seal" (the new bundle
    verifies, and the record, if any, is whole and true: what it says wiped is gone,
    and what is gone it says wiped, or stopped while it was being wiped); an
    assertion fails otherwise."""
    bundle = folder / "dec"
    if not bundle.is_dir() or is_marked(bundle):
        assert held(folder) == before, folder
        assert verify_bundle(folder / "4-recover").ok, folder
        assert not destruction_record_path(bundle).exists()
        return "before the seal"
    assert verify_bundle(bundle).ok, folder
    planned = [json.loads(line) for line in (bundle / "transcript.jsonl").read_text().splitlines()]
    assert [e["key"] for e in planned if e["event"] == "key-to-destroy"] == ["root-bob"]
    if destruction_record_path(bundle).exists():
        head = json.loads((bundle / "MANIFEST.json").read_text())["transcript_head"]
        record = read_destruction_record(bundle, head)
        assert not record.problem and record.ended is not None, record.problem
        wiped = {e["path"].replace(str(origin), str(folder))
                 for e in record.lines if e["event"] == "file-wiped"}
        assert all(not os.path.lexists(path) for path in wiped), folder
        bob = folder / "4-recover" / BOB
        assert str(bob) in wiped or bob.exists() or any(
            f"{origin / '4-recover' / BOB}: stopped while" in item
            for item in record.ended["not_destroyed"]), folder
    return "after the seal"


def test_a_kill_at_any_point_leaves_the_current_bundle_or_a_sealed_one_and_a_true_record(
    points, tmp_path
):
    bob = f"/4-recover/{BOB}"
    for name in ("rename /dec", f"overwrite {bob}", f"unlink {bob}"):
        assert name in points.written, points.written
    assert points.at("rename /dec") < points.at(f"overwrite {bob}")  # nothing wiped before
    seen = [judge(points.snapshots / f"{i:02d}", points.before, points.origin)
            for i in range(1, len(points.written) + 1)]
    assert seen.count("before the seal") >= 1 and seen[-1] == "after the seal"
    # killed mid-wipe, there is no record: the printed certificate says so, key by key
    cut = points.snapshots / f"{points.at(f'overwrite {bob}'):02d}"
    assert not destruction_record_path(cut / "dec").exists()
    assert main(["record", str(cut / "dec"), "-o", str(tmp_path / "record.pdf")]) == 0
    text = squeezed((tmp_path / "record.txt").read_text())
    for words in ("there is no destruction record at", "the destruction after the seal did "
                  "not finish", "a key not proved destroyed here is not destroyed",
                  "Destroyed: NO: not in the destruction record"):
        assert squeezed(words) in text, words
    # real SIGKILLs: at the seal, mid-wipe (overwritten, not unlinked), at the record
    for point in (points.at("rename /dec"), points.at(f"overwrite {bob}"), len(points.written)):
        folder = points.fresh(tmp_path / f"killed-{point}")
        child = drive("kill", point, folder)
        child.communicate(timeout=600)
        assert child.returncode == -signal.SIGKILL
        assert judge(folder, points.before, folder) == seen[point - 1]


def test_sigterm_after_the_first_wipe_says_what_is_left(points, tmp_path):
    folder = points.fresh(tmp_path / "stopped")
    ready = folder / "ready"
    child = drive("pause", points.at(f"unlink /4-recover/{BOB}"), folder, KILL_DRIVER_READY=ready)
    deadline = time.monotonic() + 300
    while not ready.exists():
        assert child.poll() is None, child.communicate()[1]
        assert time.monotonic() < deadline, "the write point was never reached"
        time.sleep(0.05)
    ready.unlink()
    child.send_signal(signal.SIGTERM)
    _out, err = child.communicate(timeout=120)
    assert child.returncode == 143, err
    assert "stopped by SIGTERM; the bundle " in err and " is sealed, but the destruction " \
        "stopped: NOT destroyed: key file of root-bob at " in err, err
    assert "stopped while it was being done; check it by hand" in err
    assert "not reached (stopped by SIGTERM)" in err
    assert judge(folder, points.before, folder) == "after the seal"
    ended = destruction(folder / "dec")[-1]
    assert ended["destroyed"] == []
    stopped, unreached = ended["not_destroyed"]
    assert stopped.startswith(f"key file of root-bob at {folder / '4-recover' / BOB}: stopped")
    assert unreached.startswith("custody copy of ")
    assert unreached.endswith("not reached (stopped by SIGTERM)")
    assert not (folder / "4-recover" / BOB).exists()
    assert (next((folder / "custody-a").glob("custody-*")) / "bundle.age").is_file()


def test_sigterm_as_the_bundle_is_named_seals_it_and_names_the_destruction_not_begun(
    points, tmp_path
):
    folder = points.fresh(tmp_path / "at-the-seal")
    ready = folder / "ready"
    child = drive("pause", points.at("rename /dec"), folder, KILL_DRIVER_READY=ready)
    deadline = time.monotonic() + 300
    while not ready.exists():
        assert child.poll() is None, child.communicate()[1]
        assert time.monotonic() < deadline, "the write point was never reached"
        time.sleep(0.05)
    child.send_signal(signal.SIGTERM)  # held until the bundle is named and unmarked
    _out, err = child.communicate(timeout=120)
    assert child.returncode == 143, err
    bob = folder / "4-recover" / BOB
    assert f"stopped by SIGTERM; the bundle {folder / 'dec'} is sealed, but the destruction " \
        f"was not begun: NOT destroyed: key file of root-bob at {bob}: not reached " \
        "(stopped by SIGTERM); custody copy of " in err, err
    assert f"see {destruction_record_path(folder / 'dec')}" in err, err
    assert "nothing was sealed" not in err and "Traceback" not in err, err
    assert list(folder.glob("dec.abandoned-*")) == []
    assert judge(folder, points.before, folder) == "after the seal"
    assert held(folder) == points.before  # nothing wiped
    ended = destruction(folder / "dec")[-1]
    assert ended["destroyed"] == [] and len(ended["not_destroyed"]) == 2
    assert all(item.endswith("not reached (stopped by SIGTERM)")
               for item in ended["not_destroyed"])


def test_a_kill_as_the_record_is_written_leaves_its_part_named_with_what_to_do(points, tmp_path):
    [point] = [i for i, name in enumerate(points.written, 1)
               if name.startswith("write /.dec.destruction.jsonl.partial-")]
    folder = tmp_path / "killed"
    shutil.copytree(points.snapshots / f"{point:02d}", folder, symlinks=True)
    [part] = folder.glob(".dec.destruction.jsonl.partial-*")
    assert judge(folder, points.before, points.origin) == "after the seal"
    [named] = leftovers_beside(folder / "dec")
    assert named.path == part
    assert named.what == (
        "part of the destruction record 'dec.destruction.jsonl', whose writing was stopped (a "
        "kill after the seal) before it was whole; it is not the record: check what was "
        "destroyed by hand, as docs/runbooks/key-destruction.md says (If the destruction did "
        "not finish)")
    head = json.loads((folder / "dec" / "MANIFEST.json").read_text())["transcript_head"]
    problem = read_destruction_record(folder / "dec", head).problem
    assert problem.startswith(f"there is no destruction record at {folder / 'dec'}."), problem
    assert f"; {part} is a part of it a kill left while it was written: it is not the " \
        "record: check what was destroyed by hand" in problem, problem
    assert remove_leftover(part) == named.what  # what `ceremony clean` does
    assert not part.exists() and leftovers_beside(folder / "dec") == []
    assert verify_bundle(folder / "dec").ok
