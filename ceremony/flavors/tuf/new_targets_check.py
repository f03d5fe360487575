"""Preflight of a delegation's new targets.json: its size, and its roles' order.

The new file is built as the ceremony builds it (kinds/delegate.py), from the
current targets.json and the script: the keys of the current bundle and the
imported ones as they are, each key made today as a stand-in of its
algorithm's fewest bytes (MIN_KEY_BYTES). Then, before anything is asked:

- its size. ``ceremony verify`` (and python-tuf's ngclient, by default) refuses
  a targets.json above 5,000,000 bytes, and ``run`` found out only as it sealed,
  once every key was made. The file is laid out as the bundle writes it, its
  signatures left out: the figure is a lower bound, short of the real file by a
  few hundred bytes a key made today and a signature; what passes here is still
  checked in full before sealing.
- its order. TUF clients ask delegated roles in the order the file lists them
  (a terminating one ends the search), and a role the script replaces keeps its
  place in the current file while a new one goes after them all: a script whose
  own order the new file would not keep is refused, rather than signing an order
  nobody reviewed.

No side effects.
"""

from __future__ import annotations

import hashlib
import json

# python-tuf and securesystemslib document these as their API but list no __all__:
# mypy's strict re-export rule cannot see them as exported
from securesystemslib.signer import Key, SSlibKey
from tuf.api.metadata import Metadata, Targets

from ceremony.engine.preflight_result import PreflightResult
from ceremony.engine.public_keys import imported_public_key
from ceremony.engine.size_preflight import least_key_bytes
from ceremony.flavors.tuf.current import CurrentBundle
from ceremony.flavors.tuf.kinds.delegate import delegated_targets
from ceremony.script.plan import Plan
from ceremony.tufmeta.metadata import metadata_bytes
from ceremony.tufmeta.work import public_tuf_key, tuf_key
from ceremony.verify.limits import METADATA_MAX_BYTES


def check_new_targets(plan: Plan, current: CurrentBundle, result: PreflightResult) -> None:
    """Refuse a delegation whose new targets.json cannot fit in METADATA_MAX_BYTES, or
    would list the script's roles in another order than the script's."""
    targets, least = measured_targets(plan, current)
    assert targets.delegations is not None and targets.delegations.roles is not None
    roles = targets.delegations.roles
    _check_order(plan, current, list(roles), result)
    if least > METADATA_MAX_BYTES:
        named = len(targets.delegations.keys)
        listed = sum(len(role.keyids) for role in roles.values())
        paths = sum(len(role.paths or ()) for role in roles.values())
        result.add(
            "size of targets.json",
            f"the new targets.json delegates to {len(roles):,} roles with {named:,} keys "
            f"(listed {listed:,} times) and {paths:,} path patterns, which take at least "
            f"{least:,} bytes, more than the {METADATA_MAX_BYTES:,} a metadata file may "
            "have (TUF clients and `ceremony verify` refuse a larger one): name fewer keys "
            "and paths in delegations: (a delegated role can delegate on in its own "
            "metadata)",
        )


def _check_order(
    plan: Plan, current: CurrentBundle, written: list[str], result: PreflightResult
) -> None:
    """The script's delegations in the new file's order (``written``) as the script
    lists them: else the first one out of place."""
    listed = [delegation.name for delegation in plan.details.delegations]
    named = set(listed)
    kept = [name for name in written if name in named]
    for name, first in zip(listed, kept, strict=False):
        if name != first:
            version = current.targets.signed.version if current.targets is not None else 0
            result.add(
                f"delegations.{name}",
                f"{name} is listed before {first}, but the new targets.json would list "
                f"{first} first: {first} is a delegated role of targets.json version "
                f"{version} and keeps its place there, each new role going after those, "
                "and TUF clients ask delegated roles in the order listed (a terminating one "
                f"ends the search); list {first} before {name} in delegations:",
            )
            return


def measured_targets(plan: Plan, current: CurrentBundle) -> tuple[Targets, int]:
    """The new targets.json's signed part, built with the keys known today and
    stand-ins, and the fewest bytes the file takes."""
    before = current.targets.signed if current.targets is not None else None
    keys: dict[str, Key] = {}

    def key_of(name: str) -> Key:
        if name not in keys:
            keys[name] = _key_or_stand_in(plan, current, name)
        return keys[name]

    targets = delegated_targets(plan, before, key_of)
    return targets, len(metadata_bytes(Metadata(targets)))


def _key_or_stand_in(plan: Plan, current: CurrentBundle, name: str) -> Key:
    """The key ``name`` stands for: the current bundle's or an imported one as it is,
    else (a key made today, or one preflight could not read) a stand-in of its
    algorithm's fewest bytes."""
    if name in current.keys:
        return tuf_key(current.keys[name])
    public_key = imported_public_key(plan, name)
    if public_key is not None:
        return public_tuf_key(public_key)
    return _stand_in(name, least_key_bytes(plan, name))


def _stand_in(name: str, size: int) -> Key:
    """A key of its own keyid whose key object, written compact with its keyid, takes
    ``size`` bytes (its public value padded to that)."""
    keyid = hashlib.sha256(f"stand-in {name}".encode()).hexdigest()
    empty = SSlibKey(keyid, "stand-in", "stand-in", {"public": ""})
    written = len(json.dumps({keyid: empty.to_dict()}, separators=(",", ":"))) - 2
    return SSlibKey(keyid, "stand-in", "stand-in", {"public": "0" * max(size - written, 0)})
