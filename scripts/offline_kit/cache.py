"""The download cache shared by kit builds, under the user's cache folder.

Each entry is a folder named by what it holds (``wheels-<key>``: the locked
wheels for one lock and target; ``debs-<key>``: one exact set of Debian
packages; ``built-<key>``: one wheel built from a locked sdist), renamed
into place whole. Its contents are checked again every time a kit is built
from it. Entries no build used for 30 days are removed.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

KEEP_DAYS = 30
PREFIXES = ("wheels-", "debs-", "built-")


def default_folder() -> Path:
    """The cache under the user's cache folder (``$XDG_CACHE_HOME`` or ~/.cache)."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base, "ceremony", "offline-kit")


def entry(cache: Path, name: str, fill: Callable[[Path], None]) -> Path:
    """The entry ``name``; the first time, ``fill`` makes it in a folder renamed into place."""
    folder = cache / name
    if not folder.is_dir():
        cache.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=f"{name.split('-')[0]}-partial-", dir=cache))
        try:
            fill(work)
            work.chmod(0o755)
            work.rename(folder)
        finally:
            shutil.rmtree(work, ignore_errors=True)
    os.utime(folder)  # used now: kept from pruning
    return folder


def prune(cache: Path, keep_days: int = KEEP_DAYS) -> None:
    """Remove entries, and leftovers of interrupted builds, older than ``keep_days``."""
    if not cache.is_dir():
        return
    oldest = time.time() - keep_days * 86400
    for entry in cache.iterdir():
        if entry.name.startswith(PREFIXES) and entry.is_dir() and not entry.is_symlink() \
                and entry.stat().st_mtime < oldest:
            shutil.rmtree(entry, ignore_errors=True)
