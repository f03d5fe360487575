"""Reading the bundle of the last Docker Content Trust ceremony (``current:``).

The whole bundle is verified first (``ceremony verify``'s DCT checks: root
chains, signatures, manifest, transcript); only then are its GUNs, root
histories, targets files and key index read into a :class:`DctState`.
Media is hostile input: every file is bounded, every failure a BundleError
naming the file.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from ceremony.flavors.dct import layout
from ceremony.flavors.dct.state import DctState, GunState, KeyEntry, read_bounded
from ceremony.errors import BundleError


def read_dct_bundle(path: Path, *, at: datetime | None = None) -> DctState:
    """Verify the DCT bundle at ``path``, then read what a ceremony needs of it."""
    from ceremony.verify import verify_bundle

    if not path.is_dir():
        raise BundleError("no bundle here", where=str(path), todo="check the `current:` path")
    manifest = _json(path, "MANIFEST.json")
    if manifest.get("flavor") != "dct":
        raise BundleError(
            f"this is a {manifest.get('flavor', 'tuf')} bundle, not a Docker Content Trust one",
            where=str(path),
            todo="name the bundle of the last dct ceremony in current:",
        )
    report = verify_bundle(path, at=at)
    if not report.ok:
        raise BundleError(
            f"the current bundle does not verify ({len(report.problems)} problem(s)); "
            f"first: {report.problems[0]}",
            where=str(path),
            todo=f"run `ceremony verify {path}` and resolve every problem first",
        )
    index = _json(path, layout.DCT_INDEX)
    state = DctState(source="bundle", path=path, rehearsal=(path / "REHEARSAL").exists())
    for entry in index["guns"]:
        gun = entry["gun"]
        first, newest = entry["history_from"], entry["root_version"]
        history = [
            read_bounded(path / layout.root_path(gun, v), path) for v in range(first, newest + 1)
        ]
        targets = path / layout.targets_path(gun)
        state.guns[gun] = GunState(
            gun=gun,
            history=history,
            history_from=first,
            snapshot=entry.get("snapshot", "server"),
            targets_bytes=read_bounded(targets, path) if targets.exists() else None,
        )
    for name, entry in _json(path, layout.KEY_INDEX)["keys"].items():
        state.keys[name] = KeyEntry(
            name=name,
            keyid=entry["keyid"],
            algorithm=entry["algorithm"],
            backend=entry.get("backend", "software"),
            location=entry["location"],
            public_pem=read_bounded(path / entry["public"], path).decode("ascii"),
            holder=entry.get("holder"),
            roles=set(entry.get("roles", [])),
            guns=dict(entry.get("guns", {})),
            passphrase=entry.get("passphrase") or name,
        )
    return state


def _json(path: Path, relpath: str) -> dict:
    try:
        value = json.loads(read_bounded(path / relpath, path))
    except ValueError:
        raise BundleError("is not JSON", where=relpath) from None
    if not isinstance(value, dict):
        raise BundleError("is not a JSON object", where=relpath)
    return value
