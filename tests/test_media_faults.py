"""Media that fail mid-run, and links planted on them: nothing half-made survives.

A real tmpfs fills up, or is remounted read-only, at a chosen write point of
a ceremony (``ceremony.bundle.files.write_point``); a symbolic link is
planted on the media before the run or while it runs. Each time the run
stops with a clear message and exit 3, nothing is written through a link,
and what is left is either nothing or a leftover the next run names and
``ceremony clean`` removes, which never verifies as a bundle.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from media_devices import tmpfs
from test_run_headless import PASS, small_bootstrap
from witness import witnessed

from ceremony.bundle import files
from ceremony.bundle.leftovers import leftovers_beside, remove_leftover
from ceremony.bundle.writer import BundleWriter
from ceremony.cli import main
from ceremony.errors import MediaError
from ceremony.verify import verify_bundle


@pytest.fixture(autouse=True)
def passphrases(monkeypatch) -> None:
    for name, value in PASS.items():
        monkeypatch.setenv(name, value)


@pytest.fixture
def at_write_point(monkeypatch) -> Iterator[Callable[[str, Callable[[], None]], None]]:
    """``at_write_point(text, act)``: run ``act`` once, at the first write
    point whose words contain ``text``."""
    armed: list[tuple[str, Callable[[], None]]] = []

    def point(where: str) -> None:
        if armed and armed[0][0] in where:
            _text, act = armed.pop()
            act()

    monkeypatch.setattr(files, "write_point", point)
    yield lambda text, act: armed.append((text, act))


def rehearsal_on(medium: Path, folder: Path) -> Path:
    """A rehearsal bootstrap in ``folder`` writing its bundle to ``medium``."""
    return small_bootstrap(folder, output=str(medium / "out"), extra="rehearsal: true\n")


def fill(folder: Path) -> None:
    with open(folder / "filler", "wb") as filler:
        try:
            while True:
                filler.write(b"\0" * (1 << 20))
                filler.flush()
        except OSError:
            pass


def test_a_medium_that_fills_up_mid_run_stops_the_ceremony_and_keeps_nothing(
    tmp_path, at_write_point, capsys
):
    with tmpfs(tmp_path / "medium", size="16m") as medium:
        script = rehearsal_on(medium, tmp_path)
        at_write_point("/keys/offline/root-a.age", lambda: fill(medium))
        assert main(witnessed(["run", str(script), "--yes"])) == 3
        err = capsys.readouterr().err
        assert err.startswith("ceremony: writing keys/offline/root-b.age to ")
        assert err.endswith(
            "failed: No space left on device. check the media has room and is not failing; "
            "nothing was kept\n"
        )
        # no staging left; the attempt's transcript, once the staging made room for it
        left = sorted(p.name for p in medium.iterdir())
        assert left[0] == "filler" and all(n.startswith("out.abandoned-") for n in left[1:])
        (medium / "filler").unlink()
        assert main(witnessed(["run", str(script), "--yes"])) == 0  # and nothing in the way after
        assert verify_bundle(medium / "out").ok


def test_a_medium_remounted_read_only_mid_run_leaves_a_named_leftover(
    tmp_path, at_write_point, capsys
):
    with tmpfs(tmp_path / "medium", size="16m") as medium:
        script = rehearsal_on(medium, tmp_path)

        def read_only() -> None:
            subprocess.run(["mount", "-o", "remount,ro", str(medium)], check=True)

        at_write_point("/metadata/1.root.json", read_only)
        assert main(witnessed(["run", str(script), "--yes"])) == 3
        err = capsys.readouterr().err
        assert err.startswith("ceremony: writing metadata/root.json to ")
        assert "failed: Read-only file system" in err
        [staging] = medium.glob(".out.incomplete-*")  # it could not be removed
        assert not verify_bundle(staging).ok
        subprocess.run(["mount", "-o", "remount,rw", str(medium)], check=True)
        assert main(["validate", str(script)]) == 0
        out = capsys.readouterr().out
        assert (
            f"WARNING: {staging} is the staging folder of a ceremony that never ended; it is "
            f"not used. Remove it with `ceremony clean {staging}` (its key files are "
            "overwritten first)"
        ) in out
        assert [leftover.path for leftover in leftovers_beside(medium / "out")] == [staging]
        remove_leftover(staging)
        assert sorted(medium.iterdir()) == []


def test_read_only_just_before_the_rename_stops_the_sealing(tmp_path, at_write_point, capsys):
    with tmpfs(tmp_path / "medium", size="16m") as medium:
        script = rehearsal_on(medium, tmp_path)

        def read_only() -> None:
            subprocess.run(["mount", "-o", "remount,ro", str(medium)], check=True)

        at_write_point("fsync " + str(medium / ".out.incomplete-"), read_only)
        assert main(witnessed(["run", str(script), "--yes"])) == 3
        err = capsys.readouterr().err
        assert "Read-only file system" in err
        assert not (medium / "out").exists()
        subprocess.run(["mount", "-o", "remount,rw", str(medium)], check=True)
        for leftover in leftovers_beside(medium / "out"):
            assert not verify_bundle(leftover.path).ok
            remove_leftover(leftover.path)
        assert sorted(medium.iterdir()) == []



def test_a_file_that_reads_back_different_stops_the_sealing_and_keeps_nothing(
    tmp_path, at_write_point
):
    """The bundle's files are synced in one go, then each is read back from the
    medium before anything names the bundle (in batches: more files than one
    batch here): a medium that gives back other bytes (here: changed after the
    sync) stops it, and nothing is kept."""
    writer = BundleWriter(tmp_path / "out")
    writer.write("keys/root.key", b"sealed key", private=True)
    for n in range(260):
        assert writer.write(f"metadata/{n}.root.json", b'{"signed": {}}\n').sha256

    def damaged() -> None:
        (writer.staging / "metadata" / "259.root.json").write_bytes(b'{"signed": []}\n')

    at_write_point(f"fsync {writer.staging}", damaged)
    with pytest.raises(MediaError) as refused:
        writer.finish({"format": 1})
    assert refused.value.message() == (
        "metadata/259.root.json read back different from what was written. the media is "
        "failing: use other media; nothing was kept"
    )
    assert sorted(tmp_path.iterdir()) == []


# -- links planted on the media ----------------------------------------------------


def test_an_output_that_is_a_link_is_refused_before_anything_is_done(tmp_path, capsys):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    script = small_bootstrap(tmp_path)
    (tmp_path / "out").symlink_to(elsewhere / "bundle")
    assert main(["validate", str(script)]) == 1
    out = capsys.readouterr().out
    assert (
        f"[FAIL] output: {tmp_path / 'out'} is a symbolic link: a bundle is written only where the "
        "script names, never through a link (one planted on the media would send it "
        "elsewhere); name the real folder"
    ) in out
    assert main(witnessed(["run", str(script), "--yes"])) == 3
    assert list(elsewhere.iterdir()) == []


def test_a_link_in_the_middle_of_the_output_path_is_refused(tmp_path, capsys):
    (tmp_path / "real").mkdir()
    (tmp_path / "media").symlink_to(tmp_path / "real")
    script = small_bootstrap(tmp_path, output="media/out")
    assert main(["validate", str(script)]) == 1
    assert f"[FAIL] output: {tmp_path / 'media'} is a symbolic link" in capsys.readouterr().out


def test_a_custody_medium_that_is_a_link_is_refused(tmp_path, capsys):
    from test_recover import SHARES, small_room

    script = small_room(tmp_path, SHARES)
    (tmp_path / "media-b").rmdir()
    (tmp_path / "media-b").symlink_to(tmp_path / "media-a")
    assert main(["validate", str(script)]) == 1
    assert (
        f"[FAIL] custody copy {tmp_path / 'media-b'}: {tmp_path / 'media-b'} is a symbolic link: "
        "custody is written only where the script names, never through a link (one planted "
        "on the media would send it elsewhere); name the real folder"
    ) in capsys.readouterr().out


def test_a_link_planted_while_the_ceremony_runs_is_not_written_through(
    tmp_path, at_write_point, capsys
):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    script = small_bootstrap(tmp_path)
    at_write_point("/MANIFEST.json", lambda: (tmp_path / "out").symlink_to(elsewhere))
    assert main(witnessed(["run", str(script), "--yes"])) == 3
    assert capsys.readouterr().err == (
        f"ceremony: {tmp_path / 'out'} became a symbolic link while a bundle was being "
        "written; nothing was written through it. find out who made it, then choose a new "
        "output folder in the script\n"
    )
    assert list(elsewhere.iterdir()) == []
    assert list(tmp_path.glob(".out.incomplete-*")) == []
