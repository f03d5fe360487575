"""Preflight of the new root's size against what ``ceremony verify`` accepts.

``run`` verifies its staging folder before it seals and refuses a bundle
that would fail, but by then every passphrase has been typed. Here, before
anything is asked: every key the new root names takes at least so many
bytes of root.json (its algorithm's smallest form, compact JSON, keyid
included), so a root certain to exceed the size TUF clients and ``verify``
accept is refused at once, naming how many keys it lists. The figure is a
lower bound: what passes here is still checked in full before sealing.
No side effects.
"""

from __future__ import annotations

from ceremony.engine.preflight_result import PreflightResult
from ceremony.script.plan import Plan
from ceremony.verify.limits import ROOT_MAX_BYTES

#: the fewest bytes one key takes in root.json, by algorithm (measured: a
#: python-tuf key object with its keyid, written compact)
MIN_KEY_BYTES = {
    "ed25519": 190,
    "ecdsa-p256": 320,
    "ecdsa-p384": 355,
    "rsa-3072": 770,
    "rsa-4096": 945,
}
_ANY_KEY = min(MIN_KEY_BYTES.values())  # an imported key, its algorithm not yet read
_TOP_ROLES = ("root", "targets", "snapshot", "timestamp")


def check_root_size(plan: Plan, result: PreflightResult) -> None:
    """Refuse a new root that cannot fit in ROOT_MAX_BYTES."""
    names = {name for role in plan.roles if role.name in _TOP_ROLES for name in role.keys}
    least = sum(least_key_bytes(plan, name) for name in names)
    if least > ROOT_MAX_BYTES:
        result.add(
            "size of root.json",
            f"the new root names {len(names):,} keys, which take at least {least:,} bytes, "
            f"more than the {ROOT_MAX_BYTES:,} a root file may have (TUF clients and "
            "`ceremony verify` refuse a larger one): name fewer keys in roles:",
        )


def least_key_bytes(plan: Plan, name: str) -> int:
    """The fewest bytes key ``name`` takes, compact, with its keyid (MIN_KEY_BYTES)."""
    try:
        algorithm = plan.key(name).algorithm
    except KeyError:  # a key of the current bundle
        return _ANY_KEY
    return MIN_KEY_BYTES.get(algorithm, _ANY_KEY)
