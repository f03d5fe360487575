"""Notary metadata folders that are not bundles: server state on media, client trust dirs.

Two layouts hold one GUN's notary metadata per folder, the GUN being the
folder's path (GUNs have slashes): what ``scripts/dct-fetch-keys --state``
writes (``<gun>/root.json``, ``<gun>/N.root.json``, ``<gun>/targets.json``)
and a notary or Docker client's trust dir (``tuf/<gun>/metadata/root.json``,
``targets.json``, ``snapshot.json``, ``timestamp.json``: the metadata that
client trusts now). :func:`gun_folders` finds them; only folders whose root
file is notary root metadata (``"_type": "Root"``) count, so a TUF
repository is never taken for one. The walk is bounded and follows no link.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from ceremony.errors import BundleError
from ceremony.verify.errors import MalformedJSONError
from ceremony.verify.limits import MAX_DEPTH as BUNDLE_DEPTH
from ceremony.verify.limits import METADATA_MAX_BYTES
from ceremony.verify.loader import read_file_within
from ceremony.verify.strict_json import parse_json

# A GUN's parts are folders, here and in a bundle (below metadata/ and publish/):
# Docker's grammar has no bound, the media's reading has (verify/limits.py), so
# check_gun refuses a deeper GUN before any key is made
MOST_GUN_PARTS = BUNDLE_DEPTH - 2
MAX_DEPTH = MOST_GUN_PARTS  # a GUN's folder is as deep as its name has parts
MAX_FOLDERS = 10_000
_VERSIONED = re.compile(r"([1-9][0-9]{0,8})\.root\.json")


def gun_folders(path: Path) -> list[tuple[str, Path]]:
    """(GUN, the folder of its metadata) under ``path``, a state folder or a trust
    dir, sorted by GUN; empty when ``path`` is neither."""
    if not path.is_dir() or path.is_symlink():
        return []
    trust = path / "tuf"
    if trust.is_dir() and not trust.is_symlink():
        found = _walk(trust, "metadata")
    else:
        found = _walk(path, "")
    return sorted((gun, folder) for gun, folder in found if _is_notary_root(newest_root(folder)))


def newest_root(folder: Path) -> Path:
    """The root a GUN's folder holds now: root.json, else the highest N.root.json."""
    versions = [int(m.group(1)) for entry in _names(folder) if (m := _VERSIONED.fullmatch(entry))]
    if (folder / "root.json").is_file() or not versions:
        return folder / "root.json"
    return folder / f"{max(versions)}.root.json"


def _walk(top: Path, inner: str) -> list[tuple[str, Path]]:
    """(GUN, data folder) for each folder under ``top`` whose ``inner`` folder holds roots."""
    found: list[tuple[str, Path]] = []
    stack = [(top, 0)]
    while stack:
        folder, depth = stack.pop()
        if len(found) + len(stack) > MAX_FOLDERS:
            raise BundleError("has too many folders to be notary metadata", where=str(top),
                              todo="name the state folder or trust dir itself")
        data = folder / inner if inner else folder
        held = _names(data) if not _is_link(data) else []
        if folder != top and ("root.json" in held or any(map(_VERSIONED.fullmatch, held))):
            found.append((folder.relative_to(top).as_posix(), data))
            continue
        if depth < MAX_DEPTH:
            stack += [(sub, depth + 1) for sub in _subfolders(folder)]
    return found


def _names(folder: Path) -> list[str]:
    try:
        return sorted(os.listdir(folder))
    except OSError:
        return []


def _subfolders(folder: Path) -> list[Path]:
    """The folders in ``folder``, links left out; none where it cannot be read (a
    folder the walk may not enter, as /proc's, is not notary metadata)."""
    try:
        with os.scandir(folder) as entries:
            return sorted(folder / entry.name for entry in entries
                          if _entry_is_folder(entry))
    except OSError:
        return []


def _entry_is_folder(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir(follow_symlinks=False)
    except OSError:
        return False


def _is_link(path: Path) -> bool:
    try:
        return path.is_symlink()
    except OSError:
        return True  # unreadable: not entered


def _is_notary_root(path: Path) -> bool:
    if not path.is_file() or path.is_symlink():
        return False
    try:
        document = parse_json(read_file_within(path, METADATA_MAX_BYTES, "a metadata file"))
    except (BundleError, MalformedJSONError):
        return False
    signed = document.get("signed") if isinstance(document, dict) else None
    return isinstance(signed, dict) and signed.get("_type") == "Root"
