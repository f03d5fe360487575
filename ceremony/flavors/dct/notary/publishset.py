"""The upload set ``scripts/dct-publish`` posts to a Notary server.

A publish set is a folder: ``<gun>/<role>.json`` for every file of every GUN
(delegated roles nest: ``<gun>/targets/releases.json``) and
``dct-publish.json``, which lists, GUN by GUN and in upload order, each file's
role, path and sha256, and ``"rehearsal": true`` when a rehearsal made it (the
publish script then refuses it unless told ``--rehearsal``). The publish
script checks every hash before it sends a byte. Files are created
exclusively and fsynced; nothing is overwritten.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from ceremony.bundle.files import write_new
from ceremony.flavors.dct.notary.errors import DctError
from ceremony.flavors.dct.notary.repository import GunUpdate
from ceremony.flavors.dct.notary.validate import check_delegation_role, check_gun

MANIFEST = "dct-publish.json"
FORMAT = 1


def _write_new(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        write_new(path, data)
    except FileExistsError:
        raise DctError(
            "the file already exists", where=str(path),
            todo="Write the publish set to a new, empty folder",
        ) from None


def publish_set_files(updates: list[GunUpdate], *, rehearsal: bool = False) -> dict[str, bytes]:
    """The files of a publish set for ``updates``, by path inside it, manifest last;
    ``rehearsal``: the manifest says a rehearsal made it."""
    files_by_path: dict[str, bytes] = {}
    entries = []
    for update in updates:
        check_gun(update.gun)
        files = []
        for role, data in update.files.items():
            if role not in ("root", "targets", "snapshot", "timestamp"):
                check_delegation_role(role, parent=role.rsplit("/", 1)[0])
            relative = f"{update.gun}/{role}.json"
            files_by_path[relative] = data
            sha256 = hashlib.sha256(data).hexdigest()
            files.append({"role": role, "path": relative, "sha256": sha256})
        entries.append({"gun": update.gun, "files": files})
    said: dict[str, object] = {"format": FORMAT, "guns": entries}
    if rehearsal:
        said["rehearsal"] = True
    manifest = json.dumps(said, indent=2, sort_keys=True) + "\n"
    files_by_path[MANIFEST] = manifest.encode()
    return files_by_path


def write_publish_set(
    folder: Path, updates: list[GunUpdate], *, rehearsal: bool = False
) -> Path:
    """Write ``updates`` as a publish set under ``folder``; returns the manifest's path."""
    folder = Path(folder)
    for relative, data in publish_set_files(updates, rehearsal=rehearsal).items():
        _write_new(folder / relative, data)
    return folder / MANIFEST
