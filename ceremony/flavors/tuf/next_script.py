"""``ceremony next`` for TUF: a renew or rotate-root script from the newest bundle.

The bundle is verified (an expired root is let pass: renewing it is the
point), and the script written names its current keys by the names the
bundle gives them. Expiries are extended by the periods the bundle's own
script used (``expires: 1y`` stays ``1y``; a date becomes the defaults
below). A renew keeps every key and threshold; a rotation keeps the root
keys and replaces the keys of the roles ``--replace`` names, or the roles
the ``policy:`` gives a rotation period, or else every online role
(targets, snapshot, timestamp: the quarterly rotation). A new key is named
after the one it replaces (``timestamp-1`` -> ``timestamp-2``) with the same
algorithm. The ``policy:`` block is carried as it was.
"""

from __future__ import annotations

import os
import re
from datetime import datetime
from pathlib import Path

import yaml

from ceremony.errors import CeremonyError
from ceremony.flavors.tuf.current import CurrentBundle, read_current
from ceremony.flavors.tuf.script import RULES
from ceremony.script.expiry import length_of
from ceremony.script.flavor_fields import COMMON_FIELDS
from ceremony.script.yamlload import load_yaml

ONLINE = ("targets", "snapshot", "timestamp")
DEFAULT_PERIODS = {"root": "1y", "targets": "180d", "snapshot": "30d", "timestamp": "7d"}
CARRIED = ("rehearsal", "network", "output-media", "accept-risk", "spare-keys")
_NUMBERED = re.compile(r"(.*)-([0-9]+)")


def next_script(
    bundle: Path, kind: str, folder: Path, *, replace: tuple[str, ...] | None, at: datetime
) -> str:
    current = read_current(bundle, at=at, renew_expired=True)
    root = current.root_signed
    if current.expired and kind != "renew":
        raise CeremonyError(
            f"root version {root.version} has expired ({'; '.join(current.expired)}): a "
            f"{kind} cannot build on it",
            where=str(bundle),
            todo="renew it first: ceremony next BUNDLE --kind renew -o renew.yaml",
        )
    last = _last_script(current)
    names = {record.keyid: name for name, record in current.keys.items()}
    root_keys = [names[keyid] for keyid in root.roles["root"].keyids if keyid in names]
    threshold = root.roles["root"].threshold
    version = root.version + 1
    allowed = COMMON_FIELDS + RULES[kind].fields
    if kind == "renew":  # no new root keys: no recoverability risk to accept
        allowed = tuple(name for name in allowed if name != "accept-risk")
    output = bundle.parent / f"{bundle.name}-{kind}-v{version}"
    fields: dict[str, object] = {
        "format": 1,
        "ceremony": kind,
        "flavor": "tuf",
        "title": f"{'Renewal' if kind == 'renew' else 'Rotation'} to root version {version}",
        "current": os.path.relpath(bundle, folder),
        "output": os.path.relpath(output, folder),
        **{name: last[name] for name in CARRIED if name in last and name in allowed},
        "sign-with": root_keys[:threshold],
    }
    if kind == "renew":
        fields["root-expires"] = _period(last, "root")
        if current.expired:
            fields["current-root-expired"] = "renew"
        targets = current.targets
        if targets is not None and targets.signed.is_expired(at):  # renewed too, by its key
            fields["targets-expires"] = _period(last, "targets")
            fields["sign-with"] = root_keys[:threshold] + [
                names[keyid] for keyid in root.roles["targets"].keyids if keyid in names]
    else:
        keys, roles = _rotation(current, last, names, replace)
        fields["keys"] = keys
        fields["roles"] = {
            "root": {"keys": root_keys, "threshold": threshold, "expires": _period(last, "root")},
            **roles,
        }
    if "policy" in last:
        fields["policy"] = last["policy"]
    head = [
        f"# Written by `ceremony next` from {bundle} (root version {root.version}, "
        f"expires {root.expires:%Y-%m-%d}).",
        "# Review every line before the ceremony.",
        f"# sign-with: any {threshold} of the current root keys: {', '.join(root_keys)}.",
    ]
    if current.expired:
        head.append("# THE CURRENT ROOT HAS EXPIRED: " + "; ".join(current.expired))
    body = yaml.safe_dump(fields, sort_keys=False, default_flow_style=None, width=100)
    return "\n".join(head) + "\n" + body


def _last_script(current: CurrentBundle) -> dict[str, object]:
    """The bundle's own script (ceremony.yaml), as plain data; empty if unreadable."""
    assert current.contents is not None
    data = current.contents.content("ceremony.yaml")
    try:
        value = load_yaml(data.decode(), "ceremony.yaml") if data else {}
    except (CeremonyError, UnicodeDecodeError):
        return {}
    return _plain(value) if isinstance(value, dict) else {}


def _plain(value: object) -> dict[str, object]:
    """YamlMapping and YamlList as dict and list (yaml.safe_dump writes those)."""
    def convert(item: object) -> object:
        if isinstance(item, dict):
            return {str(k): convert(v) for k, v in item.items()}
        if isinstance(item, list):
            return [convert(v) for v in item]
        return item

    plain = convert(value)
    assert isinstance(plain, dict)
    return plain


def _period(last: dict[str, object], role: str) -> str:
    """The length the last script gave ``role``'s expiry, else the default."""
    roles = last.get("roles") if isinstance(last.get("roles"), dict) else {}
    assert isinstance(roles, dict)
    spec = roles.get(role)
    expires = spec.get("expires") if isinstance(spec, dict) else None
    if role == "root" and expires is None:
        expires = last.get("root-expires")
    if isinstance(expires, str) and length_of(expires) is not None:
        return expires
    return DEFAULT_PERIODS.get(role, "180d")


def _rotation(
    current: CurrentBundle, last: dict[str, object], names: dict[str, str],
    replace: tuple[str, ...] | None,
) -> tuple[list[dict[str, object]], dict[str, object]]:
    """The new keys and the roles that change, for the keys being replaced."""
    root = current.root_signed
    policy = last.get("policy") if isinstance(last.get("policy"), dict) else {}
    assert isinstance(policy, dict)
    rotation = policy.get("rotation")
    wanted = replace or (tuple(rotation) if isinstance(rotation, dict) and rotation else ONLINE)
    replaced: dict[str, str] = {}  # old key name -> new
    for item in wanted:
        if item in root.roles:
            if item == "root":
                raise CeremonyError(
                    "root keys are not replaced by --replace: each needs its keyholder",
                    todo="write the new root key and its holder into the script by hand",
                )
            olds = [names[k] for k in root.roles[item].keyids if k in names]
        elif item in current.keys:
            olds = [item]
        else:
            raise CeremonyError(
                f"{item!r} is neither a role nor a key of the current bundle",
                todo=f"name roles ({', '.join(ONLINE)}) or keys: "
                + ", ".join(sorted(current.keys)),
            )
        for old in olds:
            if old in (names[k] for k in root.roles["root"].keyids if k in names):
                raise CeremonyError(
                    f"{old} is a root key: each needs its keyholder",
                    todo="write the new root key and its holder into the script by hand",
                )
            replaced[old] = _new_name(old, set(current.keys) | set(replaced.values()))
    keys: list[dict[str, object]] = [
        {"name": new, "algorithm": current.keys[old].algorithm} for old, new in replaced.items()
    ]
    roles: dict[str, object] = {}
    for role in ONLINE:
        rule = root.roles[role]
        olds = [names.get(k, k) for k in rule.keyids]
        if not any(old in replaced for old in olds):
            continue
        roles[role] = {
            "keys": [replaced.get(old, old) for old in olds],
            "threshold": rule.threshold,
            "expires": _period(last, role),
        }
    return keys, roles


def _new_name(old: str, taken: set[str]) -> str:
    match = _NUMBERED.fullmatch(old)
    stem, number = (match.group(1), int(match.group(2))) if match else (old, 1)
    while f"{stem}-{number + 1}" in taken:
        number += 1
    return f"{stem}-{number + 1}"
