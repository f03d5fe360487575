"""Writing a bundle so that it appears whole or not at all.

Files are created exclusively in a hidden staging directory beside the
target (``.NAME.incomplete-XXXXXXXX``). Its first file is :data:`INCOMPLETE`
(synced at once), which ``ceremony verify`` refuses: a staging folder (left
by a kill, renamed by hand) never passes as a bundle. When the ceremony ends
well, MANIFEST.json is written last (:meth:`finish`), every file is synced
in one go and read back from the medium (a file that reads back different
stops the sealing), the engine verifies the staging folder (from the bytes
read back: :meth:`take_read_back`; no file is read a second time), and
:meth:`seal` gives it its final
name with ``renameat2(RENAME_NOREPLACE)`` (no directory is ever replaced,
not even an empty one), then removes the marker. When the ceremony stops,
the staging directory is removed, key files overwritten first. Nothing here
ever overwrites a file, and nothing is written through a symbolic link.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, TypedDict

from ceremony.bundle.files import (
    INCOMPLETE,
    create_new,
    fsync_dir,
    linked_part,
    open_medium,
    read_back,
    remove_overwriting,
    rename_no_replace,
    sync_medium,
    write_new,
)
from ceremony.errors import MediaError

if TYPE_CHECKING:
    from ceremony.events import FileWritten

REHEARSAL_NOTE = (
    "This bundle was made by a REHEARSAL (`ceremony rehearse` or a script with\n"
    "`rehearsal: true`). Its keys and metadata are for practice only: never\n"
    "publish them and never build a production ceremony on them.\n"
)


INCOMPLETE_NOTE = (
    "NOT A BUNDLE. This folder was being written by a ceremony and was never\n"
    "sealed: the ceremony stopped (or the machine did) before it ended. Nothing\n"
    "here may be used. Remove it with `ceremony clean PATH`, which overwrites the\n"
    "key files before removing them.\n"
)
#: a staging folder's name: ``.NAME.incomplete-`` and 8 hex digits
STAGING_NAME = re.compile(r"^\.(?P<name>.+)\.incomplete-[0-9a-f]{8}\Z")


def is_marked(folder: Path) -> bool:
    """Whether ``folder`` still holds the :data:`INCOMPLETE` mark (a link counts)."""
    mark = folder / INCOMPLETE
    return mark.is_symlink() or mark.exists()


def remove_mark(folder: Path) -> None:
    """Remove ``folder``'s :data:`INCOMPLETE` mark and sync the folder, so the
    removal is on the medium before anything that follows. Raises OSError."""
    (folder / INCOMPLETE).unlink()
    fsync_dir(folder)


#: who names a ceremony's output: its script (``output:``)
SCRIPT_NAMES = "the script names"


def link_problem(path: Path, what: str, named: str = SCRIPT_NAMES) -> str | None:
    """Why ``what`` ("a bundle", "a signature file") cannot be written at ``path``:
    a symbolic link in it (:func:`linked_part`, the first from the root down,
    named), or None. The one rule for everything the ceremony and its sittings
    write, in the one set of words; ``named`` says who names the place."""
    linked = linked_part(path)
    if linked is None:
        return None
    return (
        f"{linked} is a symbolic link: {what} is written only where {named}, never "
        "through a link (one planted on the media would send it elsewhere); name the "
        "real folder"
    )


def output_problem(output: Path, what: str = "a bundle", named: str = SCRIPT_NAMES
                   ) -> str | None:
    """Why ``output`` cannot receive ``what`` (a folder: a bundle, a request), or
    None. No side effects."""
    problem = link_problem(output, what, named)
    if problem is not None:
        return problem
    if output.exists():
        new = ("name a new output in the script (then review it again)" if named == SCRIPT_NAMES
               else "name a new folder")
        return (f"{output} already exists: {what} is never written over anything; "
                f"{new} or use an empty medium")
    parent = output.parent
    if not parent.is_dir():
        return f"the folder {parent} does not exist: mount the media or create the folder"
    if not os.access(parent, os.W_OK | os.X_OK):
        return f"the folder {parent} is not writable: check the media is mounted read-write"
    return None


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def canonical_json_bytes(value: object) -> bytes:
    """Readable, stable JSON for the files this tool writes for people."""
    return (json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()


class ManifestEntry(TypedDict):
    """What MANIFEST.json says of one file: its sha256 and size."""

    sha256: str
    size: int


class BundleWriter:
    """Writes one bundle into staging, then seals it under its final name.

    ``what`` it writes ("a bundle", "the sealed bundle") and who ``named`` its
    place word its refusals as :func:`output_problem` does; ``todo`` says what
    to do when the place cannot take it."""

    def __init__(self, output: Path, *, what: str = "a bundle", named: str = SCRIPT_NAMES,
                 todo: str = "choose a new output folder in the script") -> None:
        problem = output_problem(output, what, named)
        if problem:
            raise MediaError(problem, todo=todo)
        self.output = output
        self.what, self.todo = what, todo
        self.staging = output.parent / f".{output.name}.incomplete-{secrets.token_hex(4)}"
        try:
            os.mkdir(self.staging, 0o700)
        except OSError as error:
            raise MediaError(
                f"cannot create a folder in {output.parent}: {error.strerror}",
                todo="check the media is mounted read-write and has room",
            ) from None
        self.files: dict[str, ManifestEntry] = {}
        self._root = os.fspath(self.staging)  # files are named by text: no Path per file
        self._folders: set[str] = {self._root}  # made in staging: not made again
        self.sealed = False
        self.manifest_sha256 = ""
        self._medium: int | None = None  # the staging folder, for the one sync
        # each file as read back from the medium (its bytes, its sha256), until verified
        self._read_back: dict[str, tuple[bytes, str]] = {}
        try:
            write_new(self.staging / INCOMPLETE, INCOMPLETE_NOTE.encode())
            self._medium = open_medium(self.staging)
        except OSError as error:
            self.discard()
            raise MediaError(
                f"cannot write in {output.parent}: {error.strerror}",
                todo="check the media is mounted read-write and has room",
            ) from None

    def write(self, relpath: str, data: bytes, *, private: bool = False) -> FileWritten:
        """Create ``relpath`` exclusively; :meth:`finish` syncs it and reads it back."""
        if relpath in self.files or relpath.startswith("/") or ".." in relpath.split("/"):
            raise MediaError(f"refusing to write {relpath!r} twice or outside the bundle")
        path = f"{self._root}/{relpath}"
        folder = path.rpartition("/")[0]
        try:
            if folder not in self._folders:
                os.makedirs(folder, mode=0o700, exist_ok=True)  # as Path.mkdir(parents=True)
                self._folders.add(folder)
            create_new(path, data, 0o600 if private else 0o644)
        except OSError as error:
            raise MediaError(
                f"writing {relpath} to {self.output.parent} failed: {error.strerror}",
                todo="check the media has room and is not failing; nothing was kept",
            ) from None
        digest = sha256_hex(data)
        self.files[relpath] = {"sha256": digest, "size": len(data)}
        from ceremony.events import FileWritten  # not loaded by verify, which reads only

        return FileWritten(path=relpath, sha256=digest, size=len(data))

    def finish(self, manifest_fields: Mapping[str, object]) -> str:
        """Write MANIFEST.json last, sync the medium in one go (its folders
        with it; where there is no ``syncfs``, each file, then each folder), and
        read every file back from the medium; the bundle is then whole in
        staging, to be verified before :meth:`seal`. Returns the manifest's
        sha256."""
        manifest: dict[str, object] = dict(manifest_fields)
        manifest["files"] = dict(sorted(self.files.items()))
        data = canonical_json_bytes(manifest)
        self.write("MANIFEST.json", data)
        written = self.files.pop("MANIFEST.json")
        if self._sync_and_read_back({**self.files, "MANIFEST.json": written}):
            self.manifest_sha256 = sha256_hex(data)
            return self.manifest_sha256
        try:
            for folder, _dirs, _files in os.walk(self.staging, topdown=False):
                fsync_dir(Path(folder))
        except OSError as error:
            self.discard()
            raise MediaError(
                f"syncing the bundle to {self.output.parent} failed: {error.strerror}",
                todo="check the media; nothing was kept",
            ) from None
        self.manifest_sha256 = sha256_hex(data)
        return self.manifest_sha256

    def _sync_and_read_back(self, written: Mapping[str, ManifestEntry]) -> bool:
        """Sync what was written (one ``syncfs``, or each file where there is
        none), then read every file back from the medium; any difference or
        error discards the staging folder. True when the medium was synced
        whole (folders included)."""
        try:
            synced = self._medium is not None and sync_medium(self._medium, self.staging)
            self._close_medium()
            paths = [f"{self._root}/{relpath}" for relpath in written]
            with contextlib.closing(read_back(paths, sync=not synced)) as backs:
                for (relpath, entry), (_path, back) in zip(written.items(), backs, strict=True):
                    if len(back) != entry["size"] or sha256_hex(back) != entry["sha256"]:
                        raise MediaError(
                            f"{relpath} read back different from what was written",
                            todo="the media is failing: use other media; nothing was kept",
                        )
                    self._read_back[relpath] = (back, entry["sha256"])
            return synced
        except MediaError:
            self.discard()
            raise
        except OSError as error:
            self.discard()
            where = Path(error.filename or self.staging)
            what = ("syncing the bundle to" if where == self.staging else
                    f"reading {where.relative_to(self.staging).as_posix()} back from")
            raise MediaError(
                f"{what} {self.output.parent} failed: {error.strerror}",
                todo="check the media has room and is not failing; nothing was kept",
            ) from None

    def take_read_back(self) -> dict[str, tuple[bytes, str]]:
        """Every file :meth:`finish` read back from the medium, by path inside the
        bundle: its bytes and sha256, for the verification of the staging folder
        (``read_bundle(..., read_back=...)``); the writer keeps them no longer."""
        read_back, self._read_back = self._read_back, {}
        return read_back

    def _close_medium(self) -> None:
        if self._medium is not None:
            fd, self._medium = self._medium, None
            os.close(fd)

    def seal(self) -> None:
        """Give the finished bundle its name, then remove the marker."""
        linked = linked_part(self.output)
        if linked is not None:
            self.discard()
            raise MediaError(
                f"{linked} became a symbolic link while {self.what} was being written; "
                "nothing was written through it",
                todo=f"find out who made it, then {self.todo}",
            )
        try:
            os.chmod(self.staging, 0o755)
            rename_no_replace(self.staging, self.output)
            fsync_dir(self.output.parent)
        except FileExistsError:
            self.discard()
            raise MediaError(
                f"{self.output} appeared while {self.what} was being written; nothing was "
                "replaced",
                todo=f"find out who wrote it, then {self.todo}",
            ) from None
        except OSError as error:
            self.discard()
            raise MediaError(
                f"sealing {self.what} at {self.output} failed: {error.strerror}",
                todo="check the media; nothing was written",
            ) from None
        self.sealed = True
        try:  # a kill before this leaves a named leftover that verify refuses
            remove_mark(self.output)
        except OSError as error:
            raise MediaError(
                f"the bundle at {self.output} is written, but its {INCOMPLETE} mark could "
                f"not be removed: {error.strerror}",
                todo=f"check the medium; `ceremony verify {self.output}` refuses it until "
                "the mark is gone: run `ceremony clean` on it and run the ceremony again",
            ) from None

    def discard(self) -> None:
        """Remove the staging folder (key files overwritten first), if not sealed."""
        self._read_back.clear()
        with contextlib.suppress(OSError):
            self._close_medium()
        if not self.sealed and self.staging.is_dir() and not self.staging.is_symlink():
            # a failing medium: the leftover is named at the next run
            with contextlib.suppress(OSError):
                remove_overwriting(self.staging)
