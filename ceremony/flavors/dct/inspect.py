"""``ceremony inspect`` for Docker Content Trust: a DCT bundle, or a notary root.json.

ceremony/inspect.py hands over when the path is a DCT bundle (it has
``metadata/dct.json``) or a notary root file (``"_type": "Root"``). The
facts are plain data, the ``--json`` output: per GUN, the newest root's
version, expiry and days left, its roles with thresholds, its targets.json's
delegations with their paths (inside a bundle), and its keys with
notary's short id (the id the root uses), the canonical id (what ``notary
key list`` shows), the algorithm, the root certificate's CN and expiry, and,
inside a bundle, each key's name, holder and where it lives (age file,
notary key file, ``pkcs11:`` URI) from keys/index.json. Reading is strict
and bounded like verify's, but signatures are not checked: that is
``ceremony verify``'s job. Nothing here prints.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any, Required, TypedDict

from ceremony.errors import BundleError, CeremonyError
from ceremony.flavors.dct import layout
from ceremony.flavors.dct.folders import gun_folders, newest_root
from ceremony.flavors.dct.notary.keyids import canonical_keyid, certificate_of, public_key_of
from ceremony.flavors.dct.notary.model import Metadata, PublicKey, Root, Targets, is_of_type
from ceremony.flavors.dct.notary.validate import common_name_of
from ceremony.inspect import (
    UNKNOWN,
    columns,
    days_words,
    delegation_rows,
    key_rows,
    role_rows,
    signatures_line,
)
from ceremony.verify.errors import MalformedJSONError
from ceremony.verify.limits import KEY_INDEX_MAX_BYTES, METADATA_MAX_BYTES, REHEARSAL
from ceremony.verify.loader import read_file_within
from ceremony.verify.problem import safe_path
from ceremony.verify.strict_json import parse_json
from ceremony.verify.times import as_utc, utc_text
from hsm.algorithms import algorithm_of_public_key

ROLE_ORDER = ("root", "targets", "snapshot", "timestamp")
#: keys/index.json by canonical id: (key name, its entry as parsed)
KeyIndex = dict[str, tuple[str, dict[str, Any]]]


class KeyFacts(TypedDict, total=False):
    """What inspect says of one key of a root (``--json``: one object of ``keys``)."""

    keyid: Required[str]
    short_id: Required[str]
    canonical_id: Required[str | None]
    keytype: Required[str]
    algorithm: Required[str]
    roles: Required[list[str]]
    cn: str | None  # a root certificate's
    cert_expires: str
    cert_days_left: int
    name: str | None  # from keys/index.json, as holder and location
    holder: str | None
    location: str


def inspects_dct(path: Path) -> bool:
    """Whether ``path`` is a DCT bundle, a notary root file, or a folder of GUNs'
    notary metadata (a ``dct-fetch-keys --state`` folder, a client's trust dir)."""
    if path.is_dir() and not path.is_symlink():
        return (path / layout.DCT_INDEX).is_file() or bool(gun_folders(path))
    try:
        document = parse_json(read_file_within(path, METADATA_MAX_BYTES, "a metadata file"))
    except (BundleError, MalformedJSONError):
        return False  # inspect.py says what is wrong with it
    signed = document.get("signed") if isinstance(document, dict) else None
    return isinstance(signed, dict) and signed.get("_type") == "Root"


def inspect_dct(path: Path, *, at: datetime | None = None) -> dict[str, Any]:
    """The facts of a DCT bundle or of one notary root.json (see the module text)."""
    path = Path(path)
    moment = as_utc(at)
    if path.is_dir() and not (path / layout.DCT_INDEX).is_file():
        return _gun_folders(path, moment)
    if path.is_dir():
        return _bundle(path, moment)
    bundle = _bundle_around(path)
    index = _key_index(bundle) if bundle else {}
    root = _root(path, index, moment)
    return {
        "flavor": "dct",
        "path": str(path),
        "bundle": str(bundle) if bundle else None,
        "checked_at": utc_text(moment),
        "guns": [root],
    }


def _bundle(bundle: Path, moment: datetime) -> dict[str, Any]:
    listed = _json(bundle / layout.DCT_INDEX, "the DCT index")
    entries = listed.get("guns") if isinstance(listed, dict) else None
    if not isinstance(entries, list):
        raise BundleError(
            "has no list of GUNs", where=safe_path(layout.DCT_INDEX), todo="run ceremony verify"
        )
    index = _key_index(bundle)
    guns = []
    for entry in entries:
        gun = entry.get("gun") if isinstance(entry, dict) else None
        if not isinstance(gun, str) or "/.." in f"/{gun}" or gun.startswith("/"):
            raise BundleError(f"names a GUN that is no path: {safe_path(str(gun))}",
                              where=safe_path(layout.DCT_INDEX), todo="run ceremony verify")
        facts = _root(bundle / layout.newest_root_path(gun), index, moment, gun=gun)
        facts["delegations"] = _delegations(bundle / layout.targets_path(gun))
        facts["history_from"] = entry.get("history_from")
        facts["targets_version"] = entry.get("targets_version")
        facts["changed"] = entry.get("changed")
        guns.append(facts)
    return {
        "flavor": "dct",
        "path": str(bundle),
        "bundle": str(bundle),
        "checked_at": utc_text(moment),
        "rehearsal": (bundle / REHEARSAL).exists(),
        "guns": guns,
    }


def _gun_folders(path: Path, moment: datetime) -> dict[str, Any]:
    """A state folder or trust dir: each GUN's root as the folder holds it now."""
    folders = gun_folders(path)
    if not folders:
        raise BundleError(
            "holds no notary metadata (no <gun>/root.json, no tuf/<gun>/metadata/root.json)",
            where=safe_path(str(path)),
            todo="give a DCT bundle, a dct-fetch-keys --state folder or a notary trust dir",
        )
    return {
        "flavor": "dct",
        "path": str(path),
        "bundle": None,
        "checked_at": utc_text(moment),
        "guns": [_root(newest_root(folder), {}, moment, gun=gun) for gun, folder in folders],
    }


def _bundle_around(path: Path) -> Path | None:
    """The DCT bundle a ``metadata/<gun>/root.json`` sits in (GUNs have slashes)."""
    for parent in path.parents:
        if (parent / layout.DCT_INDEX).is_file():
            return parent
    return None


def _json(path: Path, what: str) -> Any:  # parsed JSON, not yet checked
    try:
        return parse_json(read_file_within(path, KEY_INDEX_MAX_BYTES, what))
    except MalformedJSONError as error:
        raise BundleError(str(error), where=safe_path(str(path))) from None


def _key_index(bundle: Path) -> KeyIndex:
    """keys/index.json by canonical id: (name, entry); empty when it cannot be read."""
    try:
        keys = _json(bundle / layout.KEY_INDEX, "a key index").get("keys")
    except (BundleError, AttributeError):
        return {}
    if not isinstance(keys, dict):
        return {}
    return {
        entry["keyid"]: (name, entry)
        for name, entry in keys.items()
        if isinstance(entry, dict) and isinstance(entry.get("keyid"), str)
    }


def _days(until: datetime, moment: datetime) -> int:
    return math.floor((until - moment).total_seconds() / 86400)


def notary_file(path: Path) -> Metadata[Any]:
    """A notary metadata file, read as strictly and boundedly as verify reads it."""
    data = read_file_within(path, METADATA_MAX_BYTES, "a metadata file")
    try:
        return Metadata.from_bytes(data, safe_path(str(path)))
    except CeremonyError as error:
        raise BundleError(error.what, where=safe_path(str(path)), todo="run ceremony verify") \
            from None


def _root(
    path: Path, index: KeyIndex, moment: datetime, gun: str | None = None
) -> dict[str, Any]:
    read = notary_file(path)
    if not is_of_type(read, Root):
        raise BundleError("is not notary root metadata", where=safe_path(str(path)))
    metadata = read
    root = metadata.signed
    expires = root.expires_at
    keys = [_key(keyid, key, root, index, moment) for keyid, key in root.keys.items()]
    names = [cn for key in keys if "root" in key["roles"] for cn in [key.get("cn")] if cn]
    roles = [name for name in ROLE_ORDER if name in root.roles]
    roles += sorted(set(root.roles) - set(roles))
    order = {name: place for place, name in enumerate(roles)}
    keys.sort(key=lambda k: (min((order[r] for r in k["roles"]), default=99), k["keyid"]))
    return {
        "gun": gun or (names[0] if names else None),
        "path": str(path),
        "type": "root",
        "version": root.version,
        "expires": root.expires,
        "days_left": _days(expires, moment),
        "expired": moment >= expires,
        "roles": [
            {"name": name, "threshold": root.roles[name].threshold,
             "keyids": list(root.roles[name].keyids)}
            for name in roles
        ],
        "keys": keys,
        "signatures": [signature.keyid for signature in metadata.signatures],
    }


def _delegations(path: Path) -> list[dict[str, Any]]:
    """The delegated roles of a GUN's targets.json in the bundle (name, threshold,
    keyids, paths: ``""`` is every path; Notary v1 has no terminating flag)."""
    if not path.is_file():
        return []
    read = notary_file(path)
    if not is_of_type(read, Targets):
        raise BundleError("is not notary targets metadata", where=safe_path(str(path)))
    return [
        {"name": role.name, "threshold": role.threshold, "keyids": list(role.keyids),
         "paths": list(role.paths)}
        for role in read.signed.delegations.roles
    ]


def _key(keyid: str, key: PublicKey, root: Root, index: KeyIndex, moment: datetime) -> KeyFacts:
    facts: KeyFacts = {
        "keyid": keyid,
        "short_id": keyid[:8],
        "canonical_id": None,
        "keytype": key.keytype,
        "algorithm": UNKNOWN,
        "roles": [name for name, rule in root.roles.items() if keyid in rule.keyids],
    }
    try:
        facts["canonical_id"] = canonical_keyid(key)
        facts["algorithm"] = algorithm_of_public_key(public_key_of(key)).name
    except Exception:  # noqa: BLE001 - an unusable key is shown as unknown; verify says why
        pass
    if key.keytype.endswith("-x509"):
        try:
            certificate = certificate_of(key)
            facts["cn"] = common_name_of(certificate)
            facts["cert_expires"] = utc_text(certificate.not_valid_after_utc)
            facts["cert_days_left"] = _days(certificate.not_valid_after_utc, moment)
        except Exception:  # noqa: BLE001 - as above
            facts["cn"] = None
    canonical = facts["canonical_id"]
    found = index.get(canonical) if canonical is not None else None
    name, entry = found if found is not None else (None, {})
    facts["name"] = name
    facts["holder"] = entry.get("holder") if isinstance(entry.get("holder"), str) else None
    location = entry.get("location")
    facts["location"] = location if isinstance(location, str) else (
        "notary server"  # a bundle holds every key but the server's own
        if index and not name and set(facts["roles"]) & {"timestamp", "snapshot"}
        else UNKNOWN
    )
    return facts


# --- text ---------------------------------------------------------------------


def _short_location(location: str) -> str:
    """A notary key file's 64-digit name shortened for the screen (--json has it all)."""
    return re.sub(r"/([0-9a-f]{8})[0-9a-f]{56}\.key\Z", r"/\1....key", location)


def dct_lines(facts: Mapping[str, Any]) -> list[str]:
    """Lines of text for people, from what :func:`inspect_dct` returned."""
    count = len(facts["guns"])
    lines = [f"{safe_path(facts['path'])}: Docker Content Trust, {count} GUN{'s' * (count != 1)}"]
    if facts.get("rehearsal"):
        lines.append("REHEARSAL bundle: these keys are not for production")
    for gun in facts["guns"]:
        lines += [
            "",
            f"{safe_path(str(gun['gun']))}: root version {gun['version']}, expires "
            f"{safe_path(gun['expires'])}{days_words(gun['days_left'], gun['expired'])}",
        ]
        lines += ["  roles"] + columns(role_rows(gun["roles"]), indent="    ")
        keys = [
            {**key, "location": _short_location(key["location"]), "certificate": _certificate(key)}
            for key in gun["keys"]
        ]
        lines += ["  keys"] + columns(key_rows(keys, "certificate"), indent="    ")
        lines.append(f"  {signatures_line(gun['signatures'])}")
        delegations = gun.get("delegations") or []
        if delegations:
            lines += ["  delegations (targets.json)"]
            lines += columns(role_rows(delegations), indent="    ")
            shown = [
                {**role, "paths": [path or "every path" for path in role["paths"]]}
                for role in delegations
            ]
            lines += ["  delegated paths (Notary v1 has no terminating flag)"]
            lines += columns(delegation_rows(shown), indent="    ")
    return lines


def _certificate(key: Mapping[str, Any]) -> str:
    if not key.get("cn"):
        return ""
    return f"CN={safe_path(key['cn'])} until {safe_path(key['cert_expires'][:10])}"
