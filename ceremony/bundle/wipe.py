"""Taking a file off media for good: overwrite, sync, unlink, sync, check (decommission).

A key file or a custody copy that held a destroyed key is removed this way:
every byte is overwritten with random bytes, synced (``fsync``), dropped
from the page cache and read back to check the overwrite; then the name is
unlinked, the folder synced, and the name looked up again to prove it gone.
Every folder on the way is opened without following a symbolic link, and
the file itself with ``O_NOFOLLOW``: media brought into the room may have
been in an attacker's hands, and a link planted on them would turn the
overwrite against another file. Only plain files with one name are taken:
a symbolic link, a named pipe, a device, a socket, or a file with a second
name (a hard link, whose bytes stay reachable under it) is refused.

What this proves, and what it does not: the file's bytes, as the file
system shows them, were replaced and read back replaced, and its name is
gone. On flash media (USB sticks, SD cards, SSDs) the controller writes the
new bytes to fresh cells and keeps the old ones until it erases them, and a
journalling or copy-on-write file system, a snapshot or a backup may keep
other copies; those can be read with forensic tools. The files removed are
age-encrypted, so what is left is ciphertext whose passphrase or shares are
retired at the same time; the medium itself is destroyed physically
(docs/runbooks/key-destruction.md) when that is not enough.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ceremony.bundle import files
from ceremony.bundle.files import linked_part
from ceremony.errors import MediaError

CHUNK = 1 << 20
#: how the certificate and the docs say what a wipe does and does not prove
LIMITS = (
    "overwritten with random bytes, synced and read back, then unlinked and the folder "
    "synced: the file system no longer holds it. Flash media and journalling file systems "
    "may keep older copies of the (age-encrypted) bytes in cells the tool cannot reach; "
    "destroy the medium for more"
)


@dataclass(frozen=True)
class Wiped:
    """One file taken off its medium: what it was, and that it is gone."""

    path: str
    size: int
    sha256: str  # of the bytes it held (ciphertext): ties it to the bundle that listed it


def wipe_problem(path: Path, *, folder: bool = False) -> str | None:
    """Why ``path`` cannot be wiped (None: it can), with no side effect: a plain file
    with one name, or (``folder``) a folder holding only such files, reached through
    no symbolic link."""
    linked = linked_part(path)
    if linked is not None:
        return (f"{linked} is a symbolic link: nothing is removed through a link (one "
                "planted on the media would point the overwrite at another file); name the "
                "real path")
    try:
        status = os.lstat(path)
    except FileNotFoundError:
        return f"{path} does not exist: check the path (or whether it was removed already)"
    except OSError as error:
        return f"{path} cannot be examined: {error.strerror}"
    for writable in (path.parent, path) if folder else (path.parent,):
        if not os.access(writable, os.W_OK | os.X_OK):
            return (f"{writable} is not writable, so nothing in it can be wiped: mount its "
                    "medium read-write")
    if folder:
        if not stat.S_ISDIR(status.st_mode):
            return f"{path} is {_kind(status.st_mode)}, not a custody copy's folder"
        try:
            entries = sorted(os.scandir(path), key=lambda e: e.name)
        except OSError as error:
            return f"{path} cannot be listed: {error.strerror}"
        for entry in entries:
            problem = _file_problem(Path(entry.path), entry.stat(follow_symlinks=False))
            if problem is not None:
                return problem
        return None
    return _file_problem(path, status)


def _file_problem(path: Path, status: os.stat_result) -> str | None:
    if not stat.S_ISREG(status.st_mode):
        return (f"{path} is {_kind(status.st_mode)}, not a plain file: only plain files are "
                "wiped (a link, pipe or device on the media is not what the bundle wrote); "
                "remove it by hand and name the file itself")
    if status.st_nlink != 1:
        return (f"{path} has {status.st_nlink} names (hard links): overwriting it would change "
                "the file under its other names, and unlinking it would leave its bytes "
                f"reachable there; find them (find MEDIUM -samefile {path}) and remove them first")
    return None


def _kind(mode: int) -> str:
    for test, words in ((stat.S_ISLNK, "a symbolic link"), (stat.S_ISFIFO, "a named pipe (FIFO)"),
                        (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
                        (stat.S_ISSOCK, "a socket"), (stat.S_ISDIR, "a folder")):
        if test(mode):
            return words
    return "a plain file"


def wipe_file(path: Path, *, sha256: str = "") -> Wiped:
    """Overwrite, sync and unlink the plain file at ``path``; a MediaError if it is not
    one (checked again on the open file, whatever preflight saw), if it no longer holds
    the bytes of digest ``sha256`` (when given), or if anything fails."""
    with _folder(path.parent) as parent:
        return _wipe_in(parent, path, sha256)


def wipe_folder(path: Path) -> list[Wiped]:
    """Wipe every file of the folder at ``path`` (plain files only: any other entry
    stops it before a byte changes), then remove the folder and sync its parent."""
    problem = wipe_problem(path, folder=True)
    if problem is not None:
        raise MediaError(problem, todo="nothing was removed")
    with _folder(path) as folder:
        wiped = [_wipe_in(folder, path / name) for name in sorted(os.listdir(folder))]
    with _folder(path.parent) as parent:
        os.rmdir(path.name, dir_fd=parent)
        os.fsync(parent)
        _gone(parent, path)
    return wiped


def _wipe_in(parent: int, path: Path, expected: str = "") -> Wiped:
    flags = os.O_RDWR | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC
    try:
        fd = os.open(path.name, flags, dir_fd=parent)
    except OSError as error:
        raise MediaError(wipe_problem(path) or f"{path} cannot be opened: {error.strerror}",
                         todo="nothing was removed") from None
    try:
        status = os.fstat(fd)
        problem = _file_problem(path, status)
        if problem is not None:
            raise MediaError(problem, todo="nothing was removed")
        digest = hashlib.sha256()
        while chunk := os.read(fd, CHUNK):
            digest.update(chunk)
        if expected and digest.hexdigest() != expected:
            raise MediaError(f"{path} changed since preflight read it",
                             todo="nothing was removed; find out who changed the medium")
        written = hashlib.sha256()
        for offset in range(0, status.st_size, CHUNK):
            noise = os.urandom(min(CHUNK, status.st_size - offset))
            written.update(noise)
            os.pwrite(fd, noise, offset)
        os.fsync(fd)
        files.write_point(f"overwrite {path}")
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        back = hashlib.sha256()
        for offset in range(0, status.st_size, CHUNK):
            back.update(os.pread(fd, CHUNK, offset))
        if back.digest() != written.digest():
            raise MediaError(f"{path} did not read back as overwritten",
                             todo="the medium may be failing: destroy it physically")
    except OSError as error:
        raise MediaError(f"{path} could not be overwritten: {error.strerror}",
                         todo="destroy the medium physically") from None
    finally:
        os.close(fd)
    os.unlink(path.name, dir_fd=parent)
    os.fsync(parent)
    files.write_point(f"unlink {path}")
    _gone(parent, path)
    return Wiped(str(path), status.st_size, digest.hexdigest())


def _gone(parent: int, path: Path) -> None:
    try:
        os.stat(path.name, dir_fd=parent, follow_symlinks=False)
    except FileNotFoundError:
        return
    raise MediaError(f"{path} is still there after it was removed",
                     todo="destroy the medium physically")


@contextmanager
def _folder(path: Path) -> Iterator[int]:
    """A descriptor of the folder ``path``, each part opened without following a link."""
    here = Path(os.path.abspath(path))
    fd = os.open("/", os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        for part in here.parts[1:]:
            try:
                next_fd = os.open(part, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW
                                  | os.O_CLOEXEC, dir_fd=fd)
            except OSError as error:
                linked = linked_part(here)
                raise MediaError(
                    f"{linked} is a symbolic link: nothing is removed through a link"
                    if linked is not None else f"{here} cannot be opened: {error.strerror}",
                    todo="nothing was removed") from None
            os.close(fd)
            fd = next_fd
        yield fd
    finally:
        os.close(fd)
