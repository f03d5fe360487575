"""The one way this tool reads a file from media, which is hostile input.

A file is opened without following a symbolic link (and, when asked, only
through a folder that is not one either: a link planted on the medium would
read a file of this machine), without blocking (a pipe or device is refused
before anything is read from it), and must be a plain file; it is read up to
a size limit, never further, and a file larger than the limit is refused
before it is read whole. Every refusal is an UnsafeFileError whose
``reason`` says why, for each caller to word for its own operator.

Nothing here writes, follows a link, or reads past a limit.
"""

from __future__ import annotations

import errno
import os
import stat
from functools import partial
from typing import TYPE_CHECKING, BinaryIO

from ceremony.errors import UnsafeFileError

if TYPE_CHECKING:  # loaded where a Path is made: `ceremony verify` makes none
    from pathlib import Path

_CHUNK = 1 << 20
_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
_FOLDER_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


def open_plain_file(path: Path | str, *, linked_folder: bool = True) -> tuple[BinaryIO, int]:
    """The open file at ``path`` and its size, when it is a plain file and
    not a symbolic link; with ``linked_folder`` False the folder holding it
    must not be a symbolic link either. The caller closes the file."""
    descriptor, size = _open_plain(path, linked_folder)
    return os.fdopen(descriptor, "rb", buffering=0), size


def open_plain_descriptor(path: Path | str) -> tuple[int, int]:
    """As :func:`open_plain_file` (the folder may be a link), but the bare
    descriptor, for a caller reading thousands of small files (no file object
    to make, and check again, for each); the caller closes it."""
    return _open_plain(path, True)


def _open_plain(path: Path | str, linked_folder: bool) -> tuple[int, int]:
    """The open descriptor of the plain file at ``path`` and its size (see
    :func:`open_plain_file`); the caller closes it."""
    if linked_folder:
        descriptor = _open_file(path, None)
    else:
        from pathlib import Path

        path = Path(path)
        try:
            folder = os.open(path.parent, _FOLDER_FLAGS)
        except OSError as error:
            if os.path.islink(path.parent):
                raise UnsafeFileError(
                    str(path), "linked folder", cause=error, folder=path.parent.name
                ) from None
            raise UnsafeFileError(str(path), "folder unreadable", cause=error) from None
        try:
            descriptor = _open_file(path, folder)
        finally:
            os.close(folder)
    return descriptor, _plain_size(descriptor, path)


def _plain_size(descriptor: int, path: Path | str) -> int:
    """The size of the open ``descriptor``'s file; closed, and UnsafeFileError,
    when it is not a plain file."""
    status = os.fstat(descriptor)
    if not stat.S_ISREG(status.st_mode):
        os.close(descriptor)
        raise UnsafeFileError(str(path), "not plain")
    return status.st_size


def _open_file(path: Path | str, folder: int | None) -> int:
    try:
        if folder is None:
            return os.open(path, _FLAGS)
        return os.open(os.path.basename(path), _FLAGS, dir_fd=folder)
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise UnsafeFileError(str(path), "link", cause=error) from None
        if error.errno == errno.ENOENT:
            raise UnsafeFileError(str(path), "missing", cause=error) from None
        raise UnsafeFileError(str(path), "unreadable", cause=error) from None


def read_at_most(file: BinaryIO | int, limit: int, size: int | None = None) -> bytes:
    """At most ``limit`` bytes of ``file`` (a file, or a descriptor), read in
    chunks, to its end (OSError passes). ``size``: what the file's status said
    it holds; the first read asks for one byte more, and a read that came back
    short is followed by one asking for a single byte, to find the end without
    a chunk's buffer each."""
    read = partial(os.read, file) if isinstance(file, int) else file.read
    chunks: list[bytes] = []
    total = 0
    want = _CHUNK if size is None else size + 1
    while total < limit:
        chunk = read(min(want, limit - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
        want = 1 if len(chunk) < want else _CHUNK  # short: most likely the end
    return b"".join(chunks)


def read_plain_file(path: Path | str, limit: int, *, linked_folder: bool = True) -> bytes:
    """The bytes of the plain file at ``path``, at most ``limit`` of them (see
    :func:`open_plain_file`); UnsafeFileError says why a file was not read."""
    descriptor, size = _open_plain(path, linked_folder)  # no file object: read once
    try:
        if size > limit:
            raise UnsafeFileError(str(path), "too large", limit=limit, size=size)
        try:
            content = read_at_most(descriptor, limit + 1, size)  # no 1 MiB buffer for a small file
        except OSError as error:
            raise UnsafeFileError(str(path), "unreadable", cause=error) from None
    finally:
        os.close(descriptor)
    if len(content) > limit:
        raise UnsafeFileError(str(path), "too large", limit=limit)
    return content
