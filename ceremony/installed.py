"""The software in the room: one digest of the tool's installed files and its lock.

Every ceremony records this digest when it starts, and ``ceremony version
--verbose`` prints it, so the witnesses can compare it with the one the
offline kit's install.sh printed (and the kit's KIT.json holds). It is the
sha256 of a listing in ``sha256sum`` format: one line per file of the tool's
packages (``ceremony/...`` and ``hsm/...``, sorted, Python's caches left
out), then one line for the lock the environment was installed from,
``requirements.lock``, and, in an environment the offline kit made, one for
``install-requirements.txt``, what pip was told to install (it pins the
wheels the kit built from source by their own hashes, which the lock cannot
know). Copies of both are kept in ``share/ceremony/`` of the venv. So
anyone can recompute it with coreutils alone; docs/runbooks/install-offline.md shows
how. The same listing is made from the kit's files before installing them.

This module reads files only: it never writes, prints, prompts or reaches a
network, and imports nothing from the rest of the tool.
"""

from __future__ import annotations

import hashlib
import sys
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

#: the tool's own top-level packages, as its wheel holds them
PACKAGES = ("ceremony", "hsm")
LOCK_NAME = "requirements.lock"
#: where an environment keeps the lock it was installed from (under sys.prefix)
LOCK_IN_ENVIRONMENT = Path("share", "ceremony", LOCK_NAME)
#: what the offline kit told pip to install, kept beside the lock
REQUIREMENTS_NAME = "install-requirements.txt"
REQUIREMENTS_IN_ENVIRONMENT = Path("share", "ceremony", REQUIREMENTS_NAME)


@dataclass(frozen=True)
class SoftwareDigest:
    """The digest and what went into it."""

    digest: str
    files: int
    #: the sha256 of the recorded lock; "" when the environment recorded none
    lock_sha256: str
    #: the folder holding the packages, and the lock's path ("" when none)
    packages_dir: str
    lock_path: str
    #: the same for the kit's install-requirements.txt ("" when the environment has none)
    requirements_sha256: str = ""
    requirements_path: str = ""


def listing(files: Iterable[tuple[str, bytes]], lock: bytes | None,
            requirements: bytes | None = None) -> str:
    """The ``sha256sum``-style listing the digest is taken of."""
    hashed = sorted(((name, hashlib.sha256(data).hexdigest()) for name, data in files),
                    key=lambda pair: pair[0].encode())  # the order of `LC_ALL=C sort`
    lines = [f"{sha256}  {name}\n" for name, sha256 in hashed]
    for name, data in ((LOCK_NAME, lock), (REQUIREMENTS_NAME, requirements)):
        if data is not None:
            lines.append(f"{hashlib.sha256(data).hexdigest()}  {name}\n")
    return "".join(lines)


def digest_of(files: Iterable[tuple[str, bytes]], lock: bytes | None,
              requirements: bytes | None = None) -> str:
    return hashlib.sha256(listing(files, lock, requirements).encode()).hexdigest()


def recorded(relative: Path) -> tuple[bytes | None, str, str]:
    """A file the environment keeps under ``sys.prefix``: its bytes, path and sha256."""
    path = Path(sys.prefix) / relative
    if not path.is_file():
        return None, "", ""
    data = path.read_bytes()
    return data, str(path), hashlib.sha256(data).hexdigest()


def is_cache(relative: str) -> bool:
    return "__pycache__" in relative.split("/") or relative.endswith(".pyc")


def package_files(packages_dir: Path) -> Iterator[tuple[str, bytes]]:
    """The tool's files under ``packages_dir``, as (relative path, bytes)."""
    for package in PACKAGES:
        for path in sorted((packages_dir / package).rglob("*")):
            relative = path.relative_to(packages_dir).as_posix()
            if path.is_file() and not is_cache(relative):
                yield relative, path.read_bytes()


def wheel_files(wheel: Path) -> Iterator[tuple[str, bytes]]:
    """The same files as they lie in the tool's wheel, before installing it."""
    with zipfile.ZipFile(wheel) as archive:
        for entry in archive.infolist():
            top = entry.filename.split("/", 1)[0]
            if top in PACKAGES and not entry.is_dir() and not is_cache(entry.filename):
                yield entry.filename, archive.read(entry)


def installed_digest() -> SoftwareDigest:
    """The digest of the running tool's files and what its environment was installed from."""
    packages_dir = Path(__file__).resolve().parent.parent
    lock, lock_path, lock_sha256 = recorded(LOCK_IN_ENVIRONMENT)
    requirements, requirements_path, requirements_sha256 = recorded(REQUIREMENTS_IN_ENVIRONMENT)
    files = list(package_files(packages_dir))
    return SoftwareDigest(
        digest=digest_of(files, lock, requirements),
        files=len(files),
        lock_sha256=lock_sha256,
        packages_dir=str(packages_dir),
        lock_path=lock_path,
        requirements_sha256=requirements_sha256,
        requirements_path=requirements_path,
    )
