"""``ceremony next`` for TUF: a renew or rotate-root script from the newest bundle.

The bundle is verified (an expired root is let pass: renewing it is the point;
so, for any kind, is a Sigstore mirror's expired snapshot or timestamp, which
an online signer re-signs: the script's preflight judges it), and the script
written names its current keys by the names the bundle gives them. Expiries
are extended by the periods the bundle's own script used (``expires: 1y``
stays ``1y``; a date becomes the defaults below). A renew keeps every key and
threshold; a rotation keeps the root keys and replaces the keys of the roles
``--replace`` names, or the roles the ``policy:`` gives a rotation period, or
else every online role (targets, snapshot, timestamp: the quarterly rotation).
A new key is named after the one it replaces (``timestamp-1`` ->
``timestamp-2``) with the same algorithm. The ``policy:`` block is carried as
it was, and so are the passphrase sources of the keys that sign
(ceremony/lifecycle/next_parts.py).
"""

from __future__ import annotations

import os

from ceremony.engine.keyring import kept_by_holder
from ceremony.errors import CeremonyError
from ceremony.flavors.tuf.script_rules import RULES
from ceremony.flavors.tuf.verified import VerifiedBundle
from ceremony.lifecycle.next_parts import (
    away_lines,
    carried,
    closing,
    head_lines,
    last_script,
    new_name,
    opening,
    period,
    refuse_expired,
    renewal,
    room_first,
    root_role,
    script_text,
)
from ceremony.script.expiry import length_of
from ceremony.script.kind_fields import COMMON_FIELDS

TYPE_CHECKING = False
if TYPE_CHECKING:  # types only: datetime.py runs its pure-Python twin first, and the
    # command line gives its paths as text, as pathlib writes them (cli/quick.py)
    from datetime import datetime
    from pathlib import Path

ONLINE = ("targets", "snapshot", "timestamp")
DEFAULT_PERIODS = {"root": "1y", "targets": "180d", "snapshot": "30d", "timestamp": "7d"}
CARRIED = ("rehearsal", "network", "output-media", "accept-risk", "spare-keys")


def next_script(
    bundle: str | Path, kind: str, folder: str | Path, *, replace: tuple[str, ...] | None,
    at: datetime, guns: tuple[str, ...] = (),
) -> str:
    if guns:
        raise CeremonyError(
            "--guns picks GUNs of a Docker Content Trust bundle: this bundle has one root "
            "for all it signs",
            where=str(bundle),
            todo="leave out --guns",
        )
    current = VerifiedBundle.read(bundle, at=at, renew_expired=True)
    root = current.newest_root()
    assert root.version is not None and root.expires is not None  # verify read both
    # a Sigstore mirror's snapshot or timestamp expires between ceremonies when an online
    # signer re-signs it: the script's preflight judges that by its mirror-signer
    expired = [line for line in current.expired if line not in current.expired_online]
    refuse_expired(bundle, kind, expired, f"root version {root.version}")
    last = last_script(current.contents)
    names = {record.keyid: name for name, record in current.keys.items()}
    root_keys = [names[keyid] for keyid in root.roles["root"].keyids if keyid in names]
    threshold = root.roles["root"].threshold
    kept = {name for name, record in current.keys.items() if kept_by_holder(record)}
    version = root.version + 1
    output = os.path.join(os.path.dirname(bundle), f"{_name(bundle)}-{kind}-v{version}")
    fields: dict[str, object] = {
        **opening("tuf", kind, f"to root version {version}", bundle, output, folder),
        **carried(last, CARRIED, COMMON_FIELDS + RULES[kind].fields, kind),
        "sign-with": room_first(root_keys, kept, threshold),
    }
    shortened: list[str] = []
    if kind == "renew":
        fields.update(renewal(last, bool(current.expired), DEFAULT_PERIODS))
        targets = current.newest_targets()
        expires = targets.expires if targets is not None else None
        root_span = length_of(str(fields["root-expires"]))
        # renewed too, by its key: when it has expired, or would outlive the renewed root
        # (preflight refuses a root that expires before the targets it carries)
        if expires is not None and (
            at >= expires or (root_span is not None and expires > at + root_span)
        ):
            fields["targets-expires"] = _within_root(
                "targets", period(last, "targets", DEFAULT_PERIODS), fields["root-expires"],
                shortened)
            fields["sign-with"] = room_first(root_keys, kept, threshold) + [
                names[keyid] for keyid in root.roles["targets"].keyids if keyid in names]
    else:
        keys, roles = _rotation(current, last, names, replace)
        fields["keys"] = keys
        root_rule = root_role(last, root_keys, threshold, DEFAULT_PERIODS)
        for name, rule in roles.items():
            assert isinstance(rule, dict)  # _rotation's
            rule["expires"] = _within_root(name, rule["expires"], root_rule["expires"],
                                           shortened)
        fields["roles"] = {"root": root_rule, **roles}
    away = shortened + away_lines(fields, kind, kept)
    closing(fields, last, current.contents)
    head = head_lines(bundle, f"root version {root.version}, expires {root.expires:%Y-%m-%d}",
                      root_keys, threshold) + away
    if expired:
        head.append("THE CURRENT ROOT HAS EXPIRED: " + "; ".join(expired))
    return script_text(head, fields)


def _within_root(role: str, length: object, root_length: object, said: list[str]) -> object:
    """``length`` for ``role``'s expiry, or the root's when that is shorter: the root
    outlives every role it signs (validate refuses a script where it would not),
    which ``said`` gets a line about."""
    assert isinstance(length, str) and isinstance(root_length, str)  # period()'s
    role_span, root_span = length_of(length), length_of(root_length)
    if role_span is None or root_span is None or role_span <= root_span:
        return length
    said.append(f"{role} expires in {root_length}, as the root does, not {length}: a role "
                "may not outlive the root.")
    return root_length


def _name(path: str | Path) -> str:
    """``Path(path).name`` of a path as pathlib writes it: its last part, none for ``.``."""
    text = os.fspath(path)
    return "" if text == "." else os.path.basename(text)


def _rotation(
    current: VerifiedBundle, last: dict[str, object], names: dict[str, str],
    replace: tuple[str, ...] | None,
) -> tuple[list[dict[str, object]], dict[str, object]]:
    """The new keys and the roles that change, for the keys being replaced."""
    root = current.newest_root()
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
            replaced[old] = new_name(old, set(current.keys) | set(replaced.values()))
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
            "expires": period(last, role, DEFAULT_PERIODS),
        }
    return keys, roles
