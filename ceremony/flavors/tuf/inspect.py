"""``ceremony inspect`` for TUF: what a root.json or targets.json says.

:func:`inspect_tuf` reads one metadata file, or the newest root of a bundle
directory, and returns plain data (the ``--json`` output): roles with their
thresholds, keys with short id, algorithm and where each key lives (from the
bundle's keys/index.json when the file is inside a bundle, else "unknown"),
version, expiry and days left. :func:`tuf_lines` turns that into
lines of text. Reading is as strict as ``ceremony verify`` (size limits,
strict JSON), but signatures are not checked here: that is verify's job.
The shape of the facts and the text helpers are ceremony/inspect.py's.
Nothing here prints.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from ceremony.errors import BundleError
from ceremony.flavors.tuf.claims import root_versions
from ceremony.flavors.tuf.verify.metadata import (
    TOP_LEVEL_ROLES,
    RoleRule,
    SignedFile,
    read_metadata,
)
from ceremony.inspect import (
    UNKNOWN,
    columns,
    days_words,
    delegation_rows,
    key_rows,
    role_rows,
    signatures_line,
)
from ceremony.verify.errors import MalformedJSONError, UnusableKeyError
from ceremony.verify.limits import (
    KEY_INDEX,
    KEY_INDEX_MAX_BYTES,
    METADATA_MAX_BYTES,
    REHEARSAL,
    ROOT_MAX_BYTES,
)
from ceremony.verify.loader import read_file_within
from ceremony.verify.problem import Problem, safe_path
from ceremony.verify.strict_json import parse_json
from ceremony.verify.times import as_utc, utc_text


def inspect_tuf(path: Path, *, at: datetime | None = None) -> dict[str, Any]:
    """What the metadata at ``path`` says, as plain data; ``path`` may be a
    root.json, a targets.json or a bundle directory (its newest root).
    ``at`` is the time days left are counted from (default now)."""
    path = Path(path)
    bundle: Path | None
    if path.is_dir() and not path.is_symlink():
        bundle, path = path, _newest_root(path)
    else:
        bundle = _bundle_around(path)
    data = read_file_within(path, METADATA_MAX_BYTES, "a metadata file")
    kind = _metadata_type(path, data)
    if kind == "root" and len(data) > ROOT_MAX_BYTES:
        raise BundleError(
            f"{len(data):,} bytes, more than the {ROOT_MAX_BYTES:,} a root file may have",
            where=safe_path(str(path)),
        )
    problems: list[Problem] = []
    file = read_metadata(str(path), data, kind, problems)
    if file is None:
        raise BundleError(problems[0].what, where=problems[0].where)

    index = _key_index(bundle, problems) if bundle else {}
    moment = as_utc(at)
    facts: dict[str, Any] = {  # the --json output
        "path": str(path),
        "bundle": str(bundle) if bundle else None,
        "type": kind,
        "version": file.version,
        "spec_version": file.signed.get("spec_version"),
        "expires": file.expires_text,
        "days_left": None,
        "expired": None,
        "checked_at": utc_text(moment),
    }
    if file.expires is not None:
        facts["days_left"] = math.floor((file.expires - moment).total_seconds() / 86400)
        facts["expired"] = moment >= file.expires
    if kind == "root":
        facts["consistent_snapshot"] = file.signed.get("consistent_snapshot")
    # root roles in the spec's order; delegations keep theirs: it is the search order
    facts["roles"] = [
        _role_facts(file, name, file.roles[name]) for name in roles_in_order(file)
    ]
    facts["keys"] = _keys_facts(file, index)
    facts["signatures"] = list(file.signatures)
    if bundle:
        facts["rehearsal"] = (bundle / REHEARSAL).exists()
        facts["root_versions"] = root_versions(bundle)
    facts["problems"] = [str(problem) for problem in problems]
    return facts


def _newest_root(bundle: Path) -> Path:
    metadata = bundle / "metadata"
    versions = root_versions(bundle)
    if versions:
        return metadata / f"{versions[-1]}.root.json"
    if (metadata / "root.json").exists():
        return metadata / "root.json"
    raise BundleError(
        "no root metadata here (metadata/N.root.json)",
        where=safe_path(str(bundle)),
        todo="give a bundle directory, a root.json or a targets.json",
    )


def _bundle_around(path: Path) -> Path | None:
    """The bundle a metadata file belongs to, when it sits in one."""
    candidate = path.parent.parent
    if path.parent.name == "metadata" and (candidate / KEY_INDEX).is_file():
        return candidate
    return None


def _metadata_type(path: Path, data: bytes) -> str:
    try:
        document = parse_json(data)
    except MalformedJSONError as error:
        raise BundleError(str(error), where=safe_path(str(path))) from None
    signed = document.get("signed") if isinstance(document, dict) else None
    kind = signed.get("_type") if isinstance(signed, dict) else None
    if not isinstance(kind, str) or kind not in ("root", "targets"):
        raise BundleError(
            "not root or targets metadata",
            where=safe_path(str(path)),
            todo="inspect reads a root.json, a targets.json or a bundle directory",
        )
    return kind


def _key_index(
    bundle: Path, problems: list[Problem]
) -> dict[str, tuple[str, dict[str, Any]]]:
    """keys/index.json by keyid: (name, entry); empty, with a problem saying
    why, when it cannot be read (a hostile index never hides as "unknown")."""
    # here, not atop, as in _keys_facts: the key checks (cryptography) are for inspect;
    # status only asks inspects_tuf whether a path is TUF's
    from ceremony.verify.key_index import read_key_index

    try:
        data = read_file_within(bundle / KEY_INDEX, KEY_INDEX_MAX_BYTES, "a key index")
        entries = read_key_index(data)
    except (BundleError, MalformedJSONError) as error:
        what = error.what if isinstance(error, BundleError) else str(error)
        problems.append(Problem(KEY_INDEX, f"{what}; the keys' names and places are unknown"))
        return {}
    return {
        entry["keyid"]: (name, entry)
        for name, entry in entries.items()
        if isinstance(entry.get("keyid"), str)
    }


def _role_facts(file: SignedFile, name: str, rule: RoleRule) -> dict[str, object]:
    role: dict[str, object] = {
        "name": name,
        "threshold": rule.threshold,
        "keyids": list(rule.keyids),
    }
    if file.signed.get("_type") == "targets":
        for delegated in (file.signed.get("delegations") or {}).get("roles") or []:
            if isinstance(delegated, dict) and delegated.get("name") == name:
                for field in ("paths", "path_hash_prefixes", "terminating"):
                    if field in delegated:
                        role[field] = delegated[field]
    return role


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _keys_facts(
    file: SignedFile, index: dict[str, tuple[str, dict[str, Any]]]
) -> list[dict[str, Any]]:
    from ceremony.verify.keys import KeyRing

    ring = KeyRing()
    keys: list[dict[str, Any]] = []
    for keyid, key in file.keys.items():
        try:
            algorithm = ring.load(key).algorithm_name
        except UnusableKeyError:
            algorithm = UNKNOWN
        name, entry = index.get(keyid, (None, {}))
        keys.append(
            {
                "keyid": keyid,
                "short_id": keyid[:8],
                "algorithm": algorithm,
                "keytype": key.get("keytype") if isinstance(key, dict) else None,
                "scheme": key.get("scheme") if isinstance(key, dict) else None,
                "name": name,
                "holder": _text(entry.get("holder")),
                "location": _text(entry.get("location")) or UNKNOWN,
                "roles": [role for role, rule in file.roles.items() if keyid in rule.keyids],
            }
        )
    order = {name: place for place, name in enumerate(roles_in_order(file))}

    def first_role_then_name(key: dict[str, Any]) -> tuple[int, str, str]:
        place = min((order[role] for role in key["roles"]), default=len(order))
        return place, key["name"] or "", key["keyid"]

    return sorted(keys, key=first_role_then_name)


def roles_in_order(file: SignedFile) -> list[str]:
    if file.signed.get("_type") == "root":
        return [name for name in TOP_LEVEL_ROLES if name in file.roles]
    return list(file.roles)


# --- text ---------------------------------------------------------------------


def tuf_lines(facts: Mapping[str, Any]) -> list[str]:
    """Lines of text for people, from what :func:`inspect_tuf` returned."""
    shown_path = safe_path(facts["path"])
    history = ""
    versions = facts.get("root_versions")
    if versions:
        history = f"; the bundle holds root versions {versions[0]} to {versions[-1]}"
    lines = [
        f"{shown_path}: {facts['type']} version {facts['version']}"
        f" (spec {safe_path(str(facts['spec_version']))}){history}",
        f"expires {facts['expires'] or 'unreadable'}"
        f"{days_words(facts['days_left'], facts['expired'])}",
    ]
    if facts.get("rehearsal"):
        lines.append("REHEARSAL bundle: these keys are not for production")
    title = "roles" if facts["type"] == "root" else "delegations"
    lines += ["", title]
    if facts["roles"]:
        lines += columns(role_rows(facts["roles"]))
    else:
        lines.append("  none")
    paths = delegation_rows(facts["roles"])
    if paths:
        lines += ["", "delegated paths (a client asks the delegations in this order)"]
        lines += columns(paths)
    lines += ["", "keys"]
    if facts["keys"]:
        lines += columns(key_rows(facts["keys"]))
    else:
        lines.append("  none")
    lines += ["", signatures_line(facts["signatures"])]
    if facts["problems"]:
        lines += ["", "problems"] + [f"  {problem}" for problem in facts["problems"]]
    return lines
