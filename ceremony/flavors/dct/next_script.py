"""``ceremony next`` for Docker Content Trust: a renew or rotate-root script.

The bundle is verified (an expired root is let pass: renewing it is the
point) and its GUNs read; the root keys and threshold of the GUNs the
script is for (``--guns``, else all) must agree. A bundle whose GUNs have
different roots (a rotation of some GUNs only) is refused, naming each
group of GUNs that share their root keys and the ``ceremony next ... --guns``
command that writes its script: each group has its own keyholders, so its
own ceremony. A script for some GUNs names them in ``guns:``, and its
output and ``published:`` folders end with the first GUN's path. Keys
are named as the last script named them (a per-GUN repository key
``repo-2-5b6f5cbd`` is ``repo-2``). Expiries are extended by the lengths the
bundle's own script used, else notary's defaults. A renew keeps every key
and threshold, and renews each GUN's targets.json too when one has expired.
A rotation keeps the root keys and replaces the repository (targets) keys,
the ones CI holds online: the quarterly rotation; ``--replace`` may name
them by key. The timestamp and snapshot keys are the Notary server's: a
head comment says how to rotate those. A script that signs targets.json
again names ``published:``, a folder beside the bundle that
``scripts/dct-fetch-keys --state`` must fill first (the head says the
command): only the server has the newest targets.json.
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

from ceremony.engine.keyring import KeyRecord, kept_by_holder
from ceremony.errors import CeremonyError
from ceremony.flavors.dct.current import read_dct_bundle
from ceremony.flavors.dct.fields import RULES
from ceremony.flavors.dct.state import DctState
from ceremony.lifecycle import next_parts as parts
from ceremony.script.kind_fields import COMMON_FIELDS

#: notary's own expiries (plan.DEFAULT_EXPIRY), as lengths a script writes
DEFAULT_PERIODS = {"root": "10y", "targets": "3y"}
CARRIED = ("rehearsal", "network", "output-media", "repository-keys", "spare-keys",
           "accept-risk")
SERVER_ROLES = ("timestamp", "snapshot")


def next_script(
    bundle: Path, kind: str, folder: Path, *, replace: tuple[str, ...] | None, at: datetime,
    guns: tuple[str, ...] = (),
) -> str:
    state = read_dct_bundle(bundle, at=at, renew_expired=True)
    parts.refuse_expired(bundle, kind, state.expired, "the DCT roots of the bundle")
    last = parts.last_script(state.contents)
    chosen = _chosen(state, bundle, guns)
    root_keys, threshold = _root_keys(state, bundle, chosen, kind)
    kept = {script_name(record) for record in state.keys.values() if kept_by_holder(record)}
    versions = ", ".join(sorted({str(state.guns[gun].root_version) for gun in chosen}))
    expired_targets = [gun for gun in chosen if (signed := state.guns[gun].targets) is not None
                       and at >= signed.signed.expires_at]
    # a new targets.json (renewed or signed by a new key) builds on the server's newest
    needs_published = kind != "renew" or bool(expired_targets)
    part = f"-{_slug(chosen[0])}" if guns else ""
    published = bundle.parent / f"{bundle.name}-state{part}"
    output = bundle.parent / f"{bundle.name}-{kind}{part}"
    fields: dict[str, object] = {
        **parts.opening("dct", kind, "of the DCT roots", bundle, output, folder),
        **({"guns": list(chosen)} if guns else {}),
        **({"published": os.path.relpath(published, folder)} if needs_published else {}),
        **parts.carried(last, CARRIED, COMMON_FIELDS + RULES[kind].fields, kind),
        "sign-with": parts.room_first(root_keys, kept, threshold),
    }
    if kind == "renew":
        fields.update(parts.renewal(last, bool(state.expired), DEFAULT_PERIODS))
        if expired_targets:  # renewed too, by the repository keys CI holds
            fields["targets-expires"] = parts.period(last, "targets", DEFAULT_PERIODS)
    else:
        keys, holders, targets = _rotation(state, replace, chosen)
        if holders:
            fields["keyholders"] = [{"name": holder} for holder in holders]
        fields["keys"] = keys
        root = parts.root_role(last, root_keys, threshold, DEFAULT_PERIODS)
        fields["roles"] = {"root": root,
                           "targets": {"keys": targets, **_length(last, "targets")}}
    away = parts.away_lines(fields, kind, kept)
    parts.closing(fields, last, state.contents)
    head = parts.head_lines(bundle, f"{len(chosen)} GUN(s), root version {versions}",
                            root_keys, threshold) + away
    if needs_published:
        head.append(
            "published: first fetch the server's state there: scripts/dct-fetch-keys --state "
            f"--server URL --ca CA --out {published} {' '.join(chosen)}")
    if kind != "renew":
        head.append("The server's timestamp and snapshot keys are its own: to replace one, "
                    "fetch its new key with `scripts/dct-fetch-keys --rotate snapshot` and "
                    "name that folder in server-keys:.")
    if state.expired:
        head.append("THE CURRENT ROOTS HAVE EXPIRED: " + "; ".join(state.expired))
    return parts.script_text(head, fields)


def script_name(record: KeyRecord) -> str:
    """The name the script gave a key (a per-GUN key's record adds its id's start)."""
    return record.passphrase or record.name


def _chosen(state: DctState, bundle: Path, guns: tuple[str, ...]) -> list[str]:
    """The GUNs the script is for: ``guns`` (each one of the bundle's), else all."""
    unknown = [gun for gun in guns if gun not in state.guns]
    if unknown:
        raise CeremonyError(
            f"--guns {', '.join(unknown)}: not a GUN of this bundle",
            where=str(bundle),
            todo=f"name GUNs of the bundle: {', '.join(state.guns)}",
        )
    return list(dict.fromkeys(guns)) if guns else list(state.guns)


def _root_keys(
    state: DctState, bundle: Path, chosen: list[str], kind: str
) -> tuple[list[str], int]:
    """The root keys the ``chosen`` GUNs share, in the first one's order, and their
    threshold; refused, naming each group and its command, when they differ."""
    groups: dict[tuple[tuple[str, ...], int], list[str]] = {}
    for gun in chosen:
        role = state.guns[gun].root.signed.roles["root"]
        names = tuple(
            script_name(record) for keyid in role.keyids for record in state.keys.values()
            if record.repositories.get(gun) == keyid and "root" in record.roles)
        groups.setdefault((names, role.threshold), []).append(gun)
    if len(groups) != 1:
        said = "; ".join(f"{', '.join(guns)} (root keys {', '.join(names)}, threshold "
                         f"{threshold})" for (names, threshold), guns in groups.items())
        commands = "; ".join(
            f"ceremony next {bundle} --kind {kind} --guns {','.join(guns)} "
            f"-o {bundle.name}-{kind}-{_slug(guns[0])}.yaml" for guns in groups.values())
        raise CeremonyError(
            f"the GUNs have different root keys or thresholds, so each group is its own "
            f"ceremony: {said}",
            where=str(bundle),
            todo=f"write one script per group and review each: {commands}",
        )
    ((names, threshold),) = groups
    return list(names), threshold


def _slug(gun: str) -> str:
    """A GUN's repository path as a file name's end: ``example.com/org/app`` is ``org-app``."""
    return gun.partition("/")[2].replace("/", "-")


def _rotation(
    state: DctState, replace: tuple[str, ...] | None, chosen: list[str]
) -> tuple[list[dict[str, object]], list[str], list[str]]:
    """The new repository keys of the ``chosen`` GUNs, their holders, and the targets
    keys after."""
    current: dict[str, KeyRecord] = {}
    for record in state.keys.values():
        if "targets" in record.roles and set(record.repositories) & set(chosen):
            current.setdefault(script_name(record), record)
    root = {script_name(r) for r in state.keys.values() if "root" in r.roles}
    for item in replace or ("targets",):
        if item in root:
            raise CeremonyError(
                f"{item} is a root key: each needs its keyholder",
                todo="write the new root key and its holder into the script by hand",
            )
        if item in SERVER_ROLES:
            raise CeremonyError(
                f"the Notary server holds the {item} key",
                todo=f"fetch its new key with `scripts/dct-fetch-keys --rotate {item}` and name "
                "that folder in server-keys: of a rotate-root",
            )
        if item != "targets" and item not in current:
            raise CeremonyError(
                f"{item!r} is neither targets nor a repository key of the current bundle",
                todo="name targets, or keys: " + ", ".join(sorted(current)),
            )
    taken = {script_name(record) for record in state.keys.values()}
    keys: list[dict[str, object]] = []
    holders: list[str] = []
    after: list[str] = []
    for name, record in current.items():
        if replace and "targets" not in replace and name not in replace:
            after.append(name)
            continue
        new = parts.new_name(name, taken)
        taken.add(new)
        keys.append({"name": new, **({"holder": record.holder} if record.holder else {}),
                     "algorithm": record.algorithm})
        if record.holder and record.holder not in holders:
            holders.append(record.holder)
        after.append(new)
    return keys, holders, after


def _length(last: dict[str, object], role: str) -> dict[str, object]:
    """``expires:`` when the last script gave ``role`` a length; else notary's default."""
    length = parts.period(last, role, {role: ""})
    return {"expires": length} if length else {}
