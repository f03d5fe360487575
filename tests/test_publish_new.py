"""A file written whole takes its name by a hard link, never over anything.

``write_new_whole`` writes each output under a hidden name, then gives it its
own with ``publish_new``: a second name (``os.link``, which never replaces a
name) and the hidden one dropped; where the link cannot be made, the rename
without replacing (``rename_no_replace``, ``renameat2``) that every output took
before. Here the two are held to each other: the same refusals of a name
that is taken (a file, a link to one, a dangling link, a folder), with the
same error, and nothing changed; the same file in place (a link in place of
the hidden file named, not followed, as a rename names it). A file at its
filesystem's limit of names (a real ext4 medium) is renamed instead. A stop
that lands while the file has both names leaves neither, as a stop right
after a rename left nothing.
"""

from __future__ import annotations

import errno
import os
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from media_devices import loop_medium

from ceremony.bundle import files
from ceremony.bundle.files import partial_path, publish_new, rename_no_replace, write_new_whole
from ceremony.signals import Stopped


def taken_by_a_file(target: Path) -> None:
    target.write_bytes(b"already here")


def taken_by_a_link_to_a_file(target: Path) -> None:
    (target.parent / "elsewhere").write_bytes(b"elsewhere")
    target.symlink_to(target.parent / "elsewhere")


def taken_by_a_dangling_link(target: Path) -> None:
    target.symlink_to(target.parent / "nothing")


def taken_by_a_folder(target: Path) -> None:
    target.mkdir()


TAKEN = [taken_by_a_file, taken_by_a_link_to_a_file, taken_by_a_dangling_link,
         taken_by_a_folder]


def state(folder: Path) -> dict[str, tuple[str, bytes | str | None]]:
    """Every name in ``folder``: what it is and what it holds."""
    found: dict[str, tuple[str, bytes | str | None]] = {}
    for path in sorted(folder.iterdir()):
        if path.is_symlink():
            found[path.name] = ("link", os.readlink(path))
        elif path.is_dir():
            found[path.name] = ("folder", None)
        else:
            found[path.name] = ("file", path.read_bytes())
    return found


@pytest.mark.parametrize("taken", TAKEN, ids=lambda taken: taken.__name__)
@pytest.mark.parametrize("publish", [publish_new, rename_no_replace],
                         ids=["link", "rename"])
def test_a_taken_name_is_refused_alike_and_nothing_changes(tmp_path, taken, publish):
    target = tmp_path / "out.yaml"
    taken(target)
    source = partial_path(target)
    source.write_bytes(b"whole\n")
    before = state(tmp_path)
    with pytest.raises(FileExistsError) as refused:
        publish(source, target)
    assert (refused.value.errno, refused.value.strerror, refused.value.filename) == (
        errno.EEXIST, os.strerror(errno.EEXIST), str(target))
    assert state(tmp_path) == before


def published_by(publish: Callable[[Path, Path], None], folder: Path) -> tuple[object, ...]:
    """What ``publish`` leaves of a file written under its hidden name."""
    folder.mkdir()
    target = folder / "out.yaml"
    source = partial_path(target)
    source.write_bytes(b"whole\n")
    source.chmod(0o640)
    publish(source, target)
    status = target.lstat()
    return state(folder), status.st_nlink, oct(status.st_mode)


def test_the_link_leaves_what_the_rename_left(tmp_path):
    assert published_by(publish_new, tmp_path / "a") == published_by(
        rename_no_replace, tmp_path / "b") == ({"out.yaml": ("file", b"whole\n")}, 1, "0o100640")


@pytest.mark.parametrize("publish", [publish_new, rename_no_replace], ids=["link", "rename"])
def test_a_hidden_name_made_a_link_is_named_not_followed(tmp_path, publish):
    """A hidden file swapped for a symbolic link before it is named: the name given
    is the link's, as a rename gives it; the file it points to gets no second name."""
    (tmp_path / "elsewhere").write_bytes(b"elsewhere")
    target = tmp_path / "out.yaml"
    source = partial_path(target)
    source.symlink_to(tmp_path / "elsewhere")
    publish(source, target)
    assert state(tmp_path) == {"elsewhere": ("file", b"elsewhere"),
                               "out.yaml": ("link", str(tmp_path / "elsewhere"))}
    assert (tmp_path / "elsewhere").stat().st_nlink == 1


def test_write_new_whole_leaves_each_file_whole_under_its_one_name(tmp_path):
    outputs = [(tmp_path / "a.txt", b"first\n"), (tmp_path / "b.txt", b"second\n" * 1000)]
    write_new_whole(outputs)
    assert state(tmp_path) == {path.name: ("file", data) for path, data in outputs}
    assert all(path.lstat().st_nlink == 1 for path, _ in outputs)


def test_a_file_at_its_limit_of_names_is_renamed_instead(tmp_path, monkeypatch):
    """ext4 gives a file at most 65,000 names: the link fails (EMLINK), and the
    file is renamed without replacing, as before; the same file in place."""
    with loop_medium(tmp_path / "medium.img", tmp_path / "medium", size_mb=32) as (medium, _):
        target = medium / "out.yaml"
        names = medium / "names"
        names.mkdir()
        seen: list[str] = []

        def more_names(where: str) -> None:  # once the hidden file is written and synced
            seen.append(where)
            if where.startswith("write "):
                hidden = where.removeprefix("write ")
                for number in range(64_999):
                    os.link(hidden, names / str(number))

        monkeypatch.setattr(files, "write_point", more_names)
        write_new_whole([(target, b"whole\n")])
        assert seen[1:] == [f"rename {target}", f"fsync {medium}"]
        assert target.read_bytes() == b"whole\n" and target.lstat().st_nlink == 65_000
        assert sorted(os.listdir(medium)) == ["lost+found", "names", "out.yaml"]
        with pytest.raises(OSError) as limit:  # it was at its limit when it was published
            os.link(target, medium / "another")
        assert limit.value.errno == errno.EMLINK


@pytest.mark.parametrize("stopped_at", [0, 1], ids=["first", "second"])
def test_a_stop_while_a_file_has_both_names_leaves_nothing(tmp_path, stopped_at):
    outputs = [(tmp_path / "a.txt", b"first\n"), (tmp_path / "b.txt", b"second\n")]
    links = 0

    def profile(frame: object, event: str, arg: object) -> None:
        """Raise a stop as a signal's handler would, as soon as a link returns."""
        nonlocal links
        if event == "c_return" and arg is os.link:
            links += 1
            if links == stopped_at + 1:
                sys.setprofile(None)
                raise Stopped(15)

    sys.setprofile(profile)
    try:
        with pytest.raises(Stopped):
            write_new_whole(outputs)
    finally:
        sys.setprofile(None)
    assert links == stopped_at + 1  # the stop came right after a link
    assert list(tmp_path.iterdir()) == []
