"""Careful writes to removable media: all or nothing, never over anything.

A directory of files is written to a hidden staging directory beside its
final name, each file created exclusively (O_EXCL), fsynced, dropped from the
page cache and read back to compare; then the staging directory is renamed
into place with RENAME_NOREPLACE, and the parent is fsynced. Either the whole
directory appears or nothing does; an existing name is never replaced.

Reading a copy back goes through the one reader of files on media
(ceremony.bundle.reading), worded here for custody copies.

Errors are MediaError with the path and what to do. Nothing here knows what
the files mean; it is the layer the export bundle can share.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
import shutil
from pathlib import Path

from ceremony.bundle.files import INCOMPLETE, fsync_dir, rename_no_replace, write_new
from ceremony.bundle.reading import read_plain_file
from ceremony.bundle.writer import INCOMPLETE_NOTE
from ceremony.errors import MediaError, UnsafeFileError, system_reason


def write_directory(target: Path, files: dict[str, bytes], *, marked: bool = False) -> Path:
    """Create ``target`` holding ``files`` (name -> bytes), each checked.

    ``marked``: its first file is the bundle writer's INCOMPLETE mark, for
    what a ceremony writes before its bundle is sealed (custody copies, share
    sheets): the engine removes the mark once the bundle is sealed, and until
    then recovery refuses the folder and ``ceremony clean`` removes it.

    Raises MediaError if ``target`` exists, its parent is missing or not
    writable, or a file reads back different from what was written (a
    faulty medium). On any failure nothing is left behind.
    """
    target = Path(target)
    parent = target.parent
    if not parent.is_dir():
        raise MediaError(
            f"{parent} is not a directory",
            todo="check that the medium is inserted and mounted",
        )
    if target.exists() or target.is_symlink():
        raise MediaError(
            f"{target} already exists",
            todo="nothing was overwritten; use a medium without a copy of this ceremony",
        )
    staging = parent / f".{target.name}.incomplete-{secrets.token_hex(4)}"
    try:
        os.mkdir(staging, 0o700)
    except OSError as error:
        raise MediaError(
            f"cannot write to {parent} ({system_reason(error)})",
            todo="check that the medium is mounted read-write and has free space",
        ) from None
    if marked:
        files = {INCOMPLETE: INCOMPLETE_NOTE.encode(), **files}
    try:
        for name, content in files.items():
            _write_file(staging / name, content)
        for name, content in files.items():
            _check_file(staging / name, content, target / name)
        _fsync_directory(staging)
        _rename_noreplace(staging, target)
        _fsync_directory(parent)
    except BaseException:
        # stopped before the rename, or (a signal) just after it: staging is
        # gone only once it became the target, which did not exist before
        renamed = not staging.exists() and target.is_dir() and not target.is_symlink()
        shutil.rmtree(target if renamed else staging, ignore_errors=True)
        raise
    return target


def remove_directory(target: Path) -> None:
    """Remove a directory this process wrote (to undo a half-done set)."""
    shutil.rmtree(target, ignore_errors=True)
    with contextlib.suppress(MediaError):
        _fsync_directory(Path(target).parent)


def same_medium(a: Path, b: Path) -> bool:
    """Whether two existing paths are on the same filesystem (device)."""
    return os.stat(a).st_dev == os.stat(b).st_dev


def read_limited(path: Path, limit: int) -> bytes:
    """The bytes of a plain file on hostile media, at most ``limit`` of them.

    Neither the file nor the folder holding it may be a symbolic link (a
    link planted on the medium would read a file of this machine); a pipe,
    device or socket is refused without blocking on it; a file larger than
    ``limit`` is refused before it is read whole. Raises MediaError whose
    ``what`` completes a sentence that starts with the file's name ("is a
    symbolic link"), or ``FileNotFoundError`` when the file is not there.
    """
    path = Path(path)
    try:
        return read_plain_file(path, limit, linked_folder=False)
    except UnsafeFileError as error:
        if error.reason == "missing" and isinstance(error.cause, FileNotFoundError):
            raise error.cause from None
        if error.reason == "too large":
            raise _too_large(path, limit) from None
        raise _refused(path, error.what) from None


def _refused(path: Path, what: str) -> MediaError:
    return MediaError(
        what, where=str(path),
        todo="ceremony writes only plain files there, never links: this is not a copy it "
        "wrote; nothing was read through it",
    )


def _too_large(path: Path, limit: int) -> MediaError:
    return MediaError(
        f"is larger than the {limit:,} bytes any file ceremony writes there", where=str(path),
        todo="this is not a file ceremony wrote; use another copy",
    )


def _write_file(path: Path, content: bytes) -> None:
    try:
        write_new(path, content, 0o600)
    except OSError as error:
        raise MediaError(
            f"writing {path} failed ({system_reason(error)})",
            todo="check that the medium is mounted read-write, has free space and is not failing",
        ) from None


def _check_file(path: Path, content: bytes, final: Path) -> None:
    try:
        back = path.read_bytes()
    except OSError as error:
        raise MediaError(
            f"reading back {final} failed ({system_reason(error)})",
            todo="the medium is failing; use another one",
        ) from None
    if hashlib.sha256(back).digest() != hashlib.sha256(content).digest():
        raise MediaError(
            f"{final} reads back different from what was written",
            todo="the medium is faulty; nothing was kept on it; use another one",
        )


def _fsync_directory(path: Path) -> None:
    try:
        fsync_dir(path)
    except OSError as error:
        raise MediaError(f"cannot sync {path} ({system_reason(error)})") from None


def _rename_noreplace(source: Path, target: Path) -> None:
    try:
        rename_no_replace(source, target)
    except FileExistsError:
        raise MediaError(
            f"{target} appeared while it was being written",
            todo="nothing was overwritten; use a medium without a copy of this ceremony",
        ) from None
    except OSError as error:
        raise MediaError(f"cannot rename into {target} ({system_reason(error)})") from None
