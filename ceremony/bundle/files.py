"""The one way this tool puts a file or a folder on media.

Files are created exclusively (never over anything), written whole, fsynced
and dropped from the page cache so that a read-back comes from the medium;
folders are renamed into place with ``renameat2(RENAME_NOREPLACE)``, so not
even an empty folder is replaced, and a file written whole under a hidden name
takes its own by a hard link, which is never made over anything either
(:func:`publish_new`; renamed so where there are no hard links). A folder of
many files (a bundle) writes each with :func:`create_new`, then syncs them all
in one go (:func:`sync_medium`, ``syncfs``) and reads each back from the medium
(:func:`read_back`, in batches asked for together): one sync where one per
file costs more than the rest of the writing. These functions raise plain ``OSError``
(``FileExistsError`` when a name is taken): each caller says in its own
words what failed and what to do.

Every point where something reaches the medium (a file written and synced,
a folder synced, a rename) calls :data:`write_point`, which does nothing
unless a fault test sets it to stop the process right there.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
from collections.abc import Callable, Generator, Sequence
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:  # pathlib is loaded where a Path is made: verify reads INCOMPLETE only
    from pathlib import Path

    #: a file's name: a Path, or its text (a bundle's many files are named by text); for
    #: the type checker only (a TypeVar of named types compiles them: verify compiles none)
    P = TypeVar("P", str, Path)

#: the first file of a staging folder; verify refuses a folder holding it
INCOMPLETE = "INCOMPLETE"
_AT_FDCWD = -100
_RENAME_NOREPLACE = 1
#: the kinds of file whose bytes are overwritten before they are removed
OVERWRITTEN = (".age", ".key")


def _no_fault(where: str) -> None:
    return None


#: called with "write PATH", "fsync PATH" or "rename PATH" after each of them
#: (a file written, synced at once or later by :func:`sync_medium`; a folder
#: or a whole medium synced; a rename), and "overwrite PATH", "unlink PATH" as
#: a wipe goes (bundle/wipe.py); the fault tests set it to kill the process at
#: one chosen point
write_point: Callable[[str], None] = _no_fault


def write_new(path: str | Path, data: bytes, mode: int = 0o644) -> None:
    """Create ``path`` (it must not exist) holding ``data``, synced to the medium."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        _write_all(fd, data)
        os.fsync(fd)
        _drop_cached(fd)
    finally:
        os.close(fd)
    write_point(f"write {path}")


def create_new(path: str | Path, data: bytes, mode: int = 0o644) -> None:
    """Create ``path`` (it must not exist) holding ``data``, not yet synced: the
    caller syncs it with the rest (:func:`sync_medium`) and reads it back
    (:func:`read_back`) before anything names it."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        _write_all(fd, data)
    finally:
        os.close(fd)
    write_point(f"write {path}")


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _drop_cached(fd: int) -> None:
    if hasattr(os, "posix_fadvise"):
        # so that a read-back comes from the medium, not the page cache
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)


def open_medium(folder: Path) -> int:
    """A descriptor of ``folder`` for :func:`sync_medium`, opened before the
    writing: the errors of writing it back to the medium after this are
    reported by the sync."""
    return os.open(folder, os.O_RDONLY | os.O_DIRECTORY)


def sync_medium(fd: int, where: Path) -> bool:
    """Sync everything written to the medium holding ``fd``'s folder
    (``where``), in one go (``syncfs``; Linux reports through it every error of
    writing back since ``fd`` was opened). False where there is no ``syncfs``:
    :func:`read_back` is then told to sync each file."""
    import ctypes  # only writing needs it: `ceremony verify` reads

    syncfs = getattr(ctypes.CDLL(None, use_errno=True), "syncfs", None)
    if syncfs is None:
        return False
    if syncfs(fd) != 0:
        code = ctypes.get_errno()
        raise OSError(code, os.strerror(code), str(where))
    write_point(f"fsync {where}")
    return True


#: files read back at a time: each holds a descriptor open (a laptop's usual limit is 1,024)
_READ_BACK_BATCH = 256


def read_back(
    paths: Sequence[P], *, sync: bool = False
) -> Generator[tuple[P, bytes], None, None]:
    """Each of ``paths`` with its bytes as the medium holds them: dropped from
    the page cache (synced first when ``sync``: where the medium was not synced
    whole), then read. The reads of a batch are asked for together
    (``POSIX_FADV_WILLNEED``), so the medium serves them in fewer, larger
    requests. Never follows a link; an OSError names the file."""
    for start in range(0, len(paths), _READ_BACK_BATCH):
        batch = paths[start : start + _READ_BACK_BATCH]
        opened: list[tuple[P, int]] = []
        try:
            for path in batch:
                opened.append((path, _open_dropped(path, sync)))
            for path, fd in opened:
                yield path, _read_all(path, fd)
        finally:
            for _path, fd in opened:
                os.close(fd)


def _open_dropped(path: str | Path, sync: bool) -> int:
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    try:
        if sync:
            os.fsync(fd)
        _drop_cached(fd)
        if hasattr(os, "posix_fadvise"):
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_WILLNEED)
    except OSError as error:
        os.close(fd)
        raise OSError(error.errno, error.strerror, str(path)) from None
    return fd


def _read_all(path: str | Path, fd: int) -> bytes:
    chunks = []
    try:
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
    except OSError as error:
        raise OSError(error.errno, error.strerror, str(path)) from None
    return b"".join(chunks)


def fsync_dir(path: str | Path) -> None:
    """Sync a folder's entries (some filesystems refuse: that is not an error)."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    except OSError as error:
        if error.errno not in (errno.EINVAL, errno.ENOTSUP):
            raise
    finally:
        os.close(fd)
    write_point(f"fsync {path}")


def rename_no_replace(source: str | Path, target: str | Path) -> None:
    """Rename ``source`` to ``target``; ``FileExistsError`` if ``target`` exists at all."""
    import ctypes  # only writing needs it: `ceremony verify` reads

    libc = ctypes.CDLL(None, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is not None:
        result = renameat2(
            _AT_FDCWD, os.fsencode(source), _AT_FDCWD, os.fsencode(target), _RENAME_NOREPLACE
        )
        if result == 0:
            write_point(f"rename {target}")
            return
        code = ctypes.get_errno()
        if code == errno.EEXIST:
            raise FileExistsError(code, os.strerror(code), str(target))
        if code not in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
            raise OSError(code, os.strerror(code), str(target))
    # Filesystems without RENAME_NOREPLACE (some FAT drivers): check, then
    # rename. One operator, one offline machine: nothing else writes here.
    from ceremony.bundle.path_kinds import name_taken  # `ceremony verify` writes nothing

    if name_taken(target):
        raise FileExistsError(errno.EEXIST, "exists", str(target))
    os.rename(source, target)
    write_point(f"rename {target}")


def publish_new(source: str | Path, target: str | Path) -> None:
    """Give the whole file ``source`` (written under a hidden name in ``target``'s
    folder) the name ``target``, then drop its hidden name; ``FileExistsError`` if
    ``target`` exists at all. A second name (a hard link) is never made over
    anything, as :func:`rename_no_replace` (which loads ctypes for ``renameat2``)
    renames; where the filesystem makes no hard links (FAT: EPERM) or the link
    fails for any other reason, the file is renamed by :func:`rename_no_replace`,
    which says what is wrong in its own words. Stopped between the two, the file
    has both names: :func:`write_new_whole` removes both, and a file left under its
    hidden name is a leftover (``ceremony clean`` unlinks it)."""
    try:
        os.link(source, target, follow_symlinks=False)  # the name itself, as rename takes it
    except FileExistsError:
        raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), str(target)) from None
    except OSError:
        rename_no_replace(source, target)
        return
    os.unlink(source)
    write_point(f"rename {target}")


#: a file or folder written under a hidden name, then renamed into place once whole:
#: ``.NAME.partial-XXXXXXXX``; one a stopped write left behind is a leftover (leftovers.py)
PARTIAL_NAME = re.compile(r"\.(?P<name>.+)\.partial-[0-9a-f]{8}")


def partial_path(path: P) -> P:
    """The hidden name ``path`` is written under until it is whole (never one found
    there: eight random hex digits); beside it, a Path or text as ``path`` is."""
    if not isinstance(path, str):
        return path.with_name(f".{path.name}.partial-{os.urandom(4).hex()}")
    name = "" if path == "." else os.path.basename(path)
    if not name:  # as Path.with_name refuses it
        raise ValueError(f"{path!r} has an empty name")
    return os.path.join(os.path.dirname(path), f".{name}.partial-{os.urandom(4).hex()}")


def _folder(path: P) -> P:
    """The folder holding ``path``: its ``parent``, for text too (as pathlib writes
    paths: text from cli/quick.py's ``path_text``)."""
    if not isinstance(path, str):
        return path.parent
    return os.path.dirname(path) or "."


def write_new_whole(outputs: Sequence[tuple[P, bytes]]) -> None:
    """Create each path of ``outputs`` (none may exist) holding its bytes, all whole
    or none: each is written under a hidden name in its folder and synced, then all
    take their names in order (:func:`publish_new`; the last is the one a reader
    looks for), never over anything. If a write or rename fails, or the run is stopped (a signal
    turned into an exception), what was written is removed and the error passes."""
    staged: list[tuple[P, P]] = []
    placed: list[P] = []
    try:
        for path, data in outputs:
            hidden = partial_path(path)
            staged.append((hidden, path))  # before it is made: a failed write leaves it
            write_new(hidden, data)
        for hidden, path in staged:
            try:
                publish_new(hidden, path)
            finally:  # named, even when stopped right after: it is ours to remove
                if not os.path.lexists(hidden) or _same_file(hidden, path):
                    placed.append(path)
        for folder in dict.fromkeys(_folder(path) for path, _ in outputs):
            fsync_dir(folder)
    except BaseException:
        for path in [hidden for hidden, _ in staged] + placed:
            with contextlib.suppress(OSError):
                os.unlink(path)
        raise


def _same_file(one: str | Path, other: str | Path) -> bool:
    """Whether ``one`` and ``other`` are two names of one file (neither followed)."""
    try:
        first, second = os.lstat(one), os.lstat(other)
    except OSError:
        return False
    return (first.st_dev, first.st_ino) == (second.st_dev, second.st_ino)


def linked_part(path: Path) -> Path | None:
    """The first part of ``path`` (from the root down, ``path`` itself included)
    that is a symbolic link, or None. A link planted on the media would send
    what is written through it somewhere else."""
    from pathlib import Path

    here = Path(os.path.abspath(path))
    parts = [here, *here.parents][::-1]
    for part in parts:
        if part.is_symlink():
            return part
    return None


def remove_overwriting(folder: Path) -> None:
    """Remove ``folder`` and everything in it, without following any link;
    key files (encrypted as they are) are overwritten with zeros and synced
    first, so what they held does not stay on the medium's free space."""
    from pathlib import Path

    for top, dirs, files in os.walk(folder, topdown=False):
        for name in files:
            path = Path(top) / name
            if name.endswith(OVERWRITTEN) and not path.is_symlink():
                _overwrite(path)
            path.unlink(missing_ok=True)
        for name in dirs:
            path = Path(top) / name
            if path.is_symlink():
                path.unlink()
            else:
                path.rmdir()
    folder.rmdir()


def _overwrite(path: Path) -> None:
    """Zero a key file the tool wrote. Anything else is only unlinked: a pipe
    (opening it to write would wait for ever) or a file with a second name,
    a hard link planted on the medium, whose bytes belong to another file
    (a sealed bundle's key) that zeroing this one would destroy."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return  # it is removed below all the same
    try:
        status = os.fstat(fd)
        if stat.S_ISREG(status.st_mode) and status.st_nlink == 1:
            os.write(fd, b"\0" * status.st_size)
            os.fsync(fd)
    finally:
        os.close(fd)
