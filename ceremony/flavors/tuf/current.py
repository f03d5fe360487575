"""Reading the current bundle a ceremony builds on.

A rotation or delegation starts from the newest bundle on media. Before
anything is built on it, the whole bundle is verified (``ceremony verify``'s
checks); only then are its root history, targets metadata, key index and
encrypted key files read. Media is hostile input: sizes are bounded and
every failure is reported as a BundleError naming the file.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from tuf.api.metadata import Metadata, Root, Targets

from ceremony.errors import BundleError

MAX_FILE = 4 * 1024 * 1024
_ROOT_NAME = re.compile(r"^([1-9][0-9]*)\.root\.json$")


@dataclass
class CurrentBundle:
    path: Path
    root_history: list[bytes]  # 1.root.json ... N.root.json, in order
    root: Metadata[Root]
    targets_bytes: bytes | None
    targets: Metadata[Targets] | None
    index: dict  # keys/index.json "keys"
    rehearsal: bool
    key_files: dict[str, bytes] = field(default_factory=dict)  # relpath -> bytes

    @property
    def root_version(self) -> int:
        return self.root.signed.version

    def key_file(self, relpath: str) -> bytes:
        if relpath not in self.key_files:
            self.key_files[relpath] = read_bounded(self.path / relpath, self.path)
        return self.key_files[relpath]


def read_bounded(path: Path, bundle: Path) -> bytes:
    where = str(path.relative_to(bundle)) if path.is_relative_to(bundle) else str(path)
    try:
        if path.is_symlink():
            raise BundleError("is a symbolic link; bundles hold plain files only", where=where)
        size = path.stat().st_size
        if size > MAX_FILE:
            raise BundleError(f"is {size} bytes, larger than any bundle file", where=where)
        return path.read_bytes()
    except FileNotFoundError:
        raise BundleError("is missing", where=where, todo="check this is a whole bundle") from None
    except OSError as error:
        raise BundleError(f"cannot be read: {error.strerror}", where=where) from None


def read_current(path: Path, *, at: datetime | None = None) -> CurrentBundle:
    """Verify the bundle at ``path``, then read what a ceremony needs of it."""
    from ceremony.verify import verify_bundle

    if not path.is_dir():
        raise BundleError(
            "no bundle here", where=str(path), todo="check the `current:` path in the script"
        )
    report = verify_bundle(path, at=at)
    if not report.ok:
        first = report.problems[0]
        raise BundleError(
            f"the current bundle does not verify ({len(report.problems)} problem(s)); "
            f"first: {first}",
            where=str(path),
            todo=f"run `ceremony verify {path}` and resolve every problem first",
        )
    metadata = path / "metadata"
    versions = sorted(
        int(m.group(1)) for p in metadata.iterdir() if (m := _ROOT_NAME.match(p.name))
    )
    history = [read_bounded(metadata / f"{v}.root.json", path) for v in versions]
    root = Metadata[Root].from_bytes(history[-1])
    targets_path = metadata / "targets.json"
    targets_bytes = read_bounded(targets_path, path) if targets_path.exists() else None
    targets = Metadata[Targets].from_bytes(targets_bytes) if targets_bytes else None
    try:
        index = json.loads(read_bounded(path / "keys" / "index.json", path))["keys"]
    except (ValueError, KeyError, TypeError):
        raise BundleError("is not a key index", where="keys/index.json") from None
    return CurrentBundle(
        path=path,
        root_history=history,
        root=root,
        targets_bytes=targets_bytes,
        targets=targets,
        index=index,
        rehearsal=(path / "REHEARSAL").exists(),
    )
