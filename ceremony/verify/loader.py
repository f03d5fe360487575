"""Reads a bundle directory from media, which is treated as hostile input.

Walks the directory without following symbolic links, opens each regular file
without following links either (through the one reader of files on media,
ceremony.bundle.reading), hashes every file, and keeps in memory the
files the checks parse, each within its size limit, and other small files
(key files, custody records) for a ceremony that builds on the bundle. Links, devices,
oversized files and unreadable files become problems, never exceptions; a
FIFO or device is never opened. Judging what was read is the core's job.

A bundle's writer reads every file it wrote back from the medium before the
bundle is verified in staging (ceremony/bundle/writer.py): it gives those bytes
here (``read_back``), and each such file is taken as read there, not read a
second time; the folders are still walked, each entry met judged as ever, and
any other file read here. The same limits hold for both.
"""

from __future__ import annotations

import errno
import os
import stat
from typing import TYPE_CHECKING

from ceremony.bundle.reading import open_plain_descriptor, read_at_most, read_plain_file
from ceremony.errors import BundleError, UnsafeFileError
from ceremony.verify.contents import BundleContents, MediaFile
from ceremony.verify.digest import sha256_hex
from ceremony.verify.errors import TooManyFilesError
from ceremony.verify.limits import (
    FILE_MAX_BYTES,
    KEPT_TOTAL_BYTES,
    MAX_DEPTH,
    MAX_FILES,
    kept_limit,
    kept_quietly,
)
from ceremony.verify.problem import Problem, safe_path

if TYPE_CHECKING:  # a bundle's path is walked as it is given: pathlib costs start-up
    from collections.abc import Mapping
    from os import PathLike
    from pathlib import Path

    #: a file's kept limit (limits.kept_limit), and whether its size is within it
    _Limit = tuple[tuple[int, str] | None, bool]

_LINK = "a symbolic link; a bundle holds only plain files"


def read_bundle(
    path: str | PathLike[str], *, read_back: Mapping[str, tuple[bytes, str]] | None = None
) -> BundleContents:
    """Everything in the bundle directory at ``path``, read within limits.
    ``read_back``: the files its writer has just read back from the medium (by
    path inside the bundle: their bytes and sha256), taken as read, not read again."""
    contents = BundleContents()
    try:
        top = os.lstat(path)
    except OSError as error:
        contents.problems.append(Problem(safe_path(str(path)), _reason(error)))
        contents.found = False
        return contents
    if stat.S_ISLNK(top.st_mode):
        contents.problems.append(Problem(
            safe_path(str(path)),
            "a symbolic link: a bundle is checked where it is, never through a link (one "
            "planted on the media would show another bundle); give the real folder",
        ))
        contents.found = False
        return contents
    if not stat.S_ISDIR(top.st_mode):
        contents.problems.append(Problem(safe_path(str(path)), "not a directory: not a bundle"))
        contents.found = False
        return contents
    try:
        _walk(path, "", 0, contents, read_back or {})
    except TooManyFilesError:  # what was not read is not "missing": nothing more is judged
        contents.found = False
        contents.problems.append(
            Problem(
                safe_path(str(path)),
                f"more than {MAX_FILES:,} files and folders: not a bundle; stopped reading",
            )
        )
    return contents


def _walk(
    directory: str | PathLike[str],
    prefix: str,
    depth: int,
    contents: BundleContents,
    read_back: Mapping[str, tuple[bytes, str]],
) -> None:
    try:
        with os.scandir(directory) as listing:
            entries = sorted(listing, key=lambda entry: entry.name)
    except OSError as error:
        contents.problems.append(Problem(safe_path(prefix or "."), _reason(error)))
        return
    contents.entries_seen += len(entries)
    if contents.entries_seen > MAX_FILES:
        raise TooManyFilesError
    for entry in entries:
        relative = prefix + entry.name
        try:
            if entry.is_symlink():
                contents.refused.add(relative)
                contents.problems.append(Problem(safe_path(relative), _LINK))
            elif entry.is_dir(follow_symlinks=False):
                if depth + 1 >= MAX_DEPTH:
                    contents.problems.append(
                        Problem(safe_path(relative), "folders nested too deep for a bundle")
                    )
                else:
                    _walk(entry.path, relative + "/", depth + 1, contents, read_back)
            elif entry.is_file(follow_symlinks=False):
                given = read_back.get(relative)
                contents.files[relative] = (
                    _read_file(entry.path, relative, contents)
                    if given is None
                    else _taken(relative, given[0], given[1], contents)
                )
            else:
                contents.refused.add(relative)
                contents.problems.append(
                    Problem(safe_path(relative), "not a plain file (a device, socket or pipe)")
                )
        except OSError as error:
            contents.refused.add(relative)
            contents.problems.append(Problem(safe_path(relative), _reason(error)))


def _read_file(full_path: str, relative: str, contents: BundleContents) -> MediaFile:
    where = safe_path(relative)
    try:
        descriptor, size = open_plain_descriptor(full_path)
    except UnsafeFileError as error:
        contents.refused.add(relative)
        contents.problems.append(Problem(where, _refusal(error, "")))
        return MediaFile(0, None, None)
    try:
        limit = _limit(where, relative, size, contents)
        if limit is None:
            return MediaFile(size, None, None)
        try:
            data = read_at_most(descriptor, FILE_MAX_BYTES + 1, size)
        except OSError as error:
            contents.problems.append(Problem(where, _reason(error)))
            return MediaFile(size, None, None)
    finally:
        os.close(descriptor)
    if len(data) > FILE_MAX_BYTES:
        contents.problems.append(Problem(where, "grew while being read; not read"))
        return MediaFile(size, None, None)
    return _kept(relative, data, sha256_hex(data), limit, contents)


def _taken(relative: str, data: bytes, sha256: str, contents: BundleContents) -> MediaFile:
    """A file its writer read back from the medium (``data``, whose digest is
    ``sha256``), judged as :func:`_read_file` judges a file of that size read here."""
    limit = _limit(safe_path(relative), relative, len(data), contents)
    if limit is None:
        return MediaFile(len(data), None, None)
    return _kept(relative, data, sha256, limit, contents)


def _limit(where: str, relative: str, size: int, contents: BundleContents) -> _Limit | None:
    """``relative``'s kept limit and whether ``size`` is within it (a problem
    when not); None when a file of ``size`` bytes is not read at all."""
    if size > FILE_MAX_BYTES:
        contents.problems.append(
            Problem(where, f"{size:,} bytes, more than any bundle file may have; not read",
                    too_large=True)
        )
        return None
    limit = kept_limit(relative)
    keep = limit is not None and size <= limit[0]
    if limit is not None and not keep:
        contents.problems.append(
            Problem(where, f"{size:,} bytes, more than the {limit[0]:,} a {limit[1]} may have",
                    too_large=True)
        )
    return limit, keep


def _kept(
    relative: str, data: bytes, sha256: str, limit: _Limit, contents: BundleContents
) -> MediaFile:
    """The file read, its bytes kept in memory when within its limits."""
    kept_as, keep = limit
    if kept_as is not None:
        keep = keep and len(data) <= kept_as[0]
    else:  # a file no check parses: kept, when small, for a ceremony building on it
        keep = kept_quietly(relative, len(data))
    keep = keep and contents.kept_bytes + len(data) <= KEPT_TOTAL_BYTES
    if keep:
        contents.kept_bytes += len(data)
    return MediaFile(len(data), sha256, data if keep else None)


def _reason(error: OSError) -> str:
    if error.errno == errno.ENOENT:
        return "does not exist"
    if error.errno in (errno.EACCES, errno.EPERM):
        return "cannot be read: permission denied"
    if error.errno == errno.ELOOP:
        return _LINK
    return f"cannot be read: {os.strerror(error.errno) if error.errno else error}"


def _refusal(error: UnsafeFileError, what: str) -> str:
    """Why a bundle file was not read, in verify's words; ``what`` names the
    file for people ("a root file")."""
    if error.reason == "not plain":
        return "not a plain file"
    if error.reason == "too large":
        return f"more than the {error.limit:,} bytes {what} may have"
    if error.reason == "link":
        return _LINK
    if error.cause is not None:
        return _reason(error.cause)
    return error.what


def read_file_within(path: Path | str, limit: int, what: str) -> bytes:
    """The bytes of one plain file of at most ``limit`` bytes (not through a
    link), or a :class:`BundleError` saying why not; ``what`` names the file
    for people ("a root file")."""
    try:
        return read_plain_file(path, limit)
    except UnsafeFileError as error:
        raise BundleError(_refusal(error, what), where=safe_path(str(path))) from None
