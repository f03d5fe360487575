"""Reading the bundle of the last Docker Content Trust ceremony (``current:``).

The whole bundle is verified first (``ceremony verify``'s checks: root
chains, signatures, manifest, transcript); then its GUNs, root histories,
targets files, key index and custody records are taken from the contents
verify read, in memory, into a :class:`DctState`. Nothing is read from the
media a second time. Every failure is a BundleError naming the file. A bundle
whose roots have expired is refused naming ``renew``, and taken by a renew
whose script says ``current-root-expired: renew`` (engine/current.py's rule).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from ceremony.engine.current import refuse_no_folder, verified_or_expired
from ceremony.engine.custody_records import records_in_contents
from ceremony.engine.keyring import KeyRecord
from ceremony.errors import BundleError
from ceremony.flavors.dct import layout
from ceremony.flavors.dct.state import DctState, GunState
from ceremony.verify import verify_bundle
from ceremony.verify.contents import BundleContents
from ceremony.verify.errors import MalformedJSONError
from ceremony.verify.strict_json import parse_json


def read_dct_bundle(
    path: Path, *, at: datetime | None = None, renew_expired: bool = False
) -> DctState:
    """Verify the DCT bundle at ``path``, then take what a ceremony needs of it;
    ``renew_expired``: expiry is its only fault that is let pass (a renew's)."""
    refuse_no_folder(path)
    report = verify_bundle(path, at=at)
    if report.flavor != "dct":
        raise BundleError(
            "this is no ceremony bundle (no MANIFEST.json names its flavor)"
            if report.flavor is None
            else f"this is a {report.flavor} bundle, not a Docker Content Trust one",
            where=str(path),
            todo="name the folder of the last dct ceremony's bundle",
        )
    contents, expired = verified_or_expired(report, path, renew_expired=renew_expired)
    state = DctState(
        source="bundle",
        path=path,
        rehearsal=report.rehearsal,
        contents=contents,
        custody_records=records_in_contents(contents),
        expired=expired,
    )
    for entry in _json(contents, layout.DCT_INDEX)["guns"]:
        gun = entry["gun"]
        first, newest = entry["history_from"], entry["root_version"]
        history = [_file(contents, layout.root_path(gun, v)) for v in range(first, newest + 1)]
        state.guns[gun] = GunState(
            gun=gun,
            history=history,
            history_from=first,
            snapshot=entry.get("snapshot", "server"),
            targets_bytes=contents.content(layout.targets_path(gun)),
        )
    for name, entry in _json(contents, layout.KEY_INDEX)["keys"].items():
        state.keys[name] = KeyRecord(
            name=name,
            keyid=entry["keyid"],
            algorithm=entry["algorithm"],
            backend=entry.get("backend", "software"),
            location=entry["location"],
            public_pem=_file(contents, entry["public"]).decode("ascii"),
            holder=entry.get("holder"),
            roles=set(entry.get("roles", [])),
            repositories=dict(entry.get("guns", {})),
            passphrase="" if entry.get("passphrase", name) == name else entry["passphrase"],
        )
    return state


def _file(contents: BundleContents, relpath: str) -> bytes:
    data = contents.content(relpath)
    if data is None:
        raise BundleError("is missing from the verified bundle", where=relpath)
    return data


def _json(contents: BundleContents, relpath: str) -> dict[str, Any]:
    try:
        value = parse_json(_file(contents, relpath))
    except MalformedJSONError:
        raise BundleError("is not JSON", where=relpath) from None
    if not isinstance(value, dict):
        raise BundleError("is not a JSON object", where=relpath)
    return value
