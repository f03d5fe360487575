"""Preflight of a DCT delegation's new targets.json against what ``ceremony verify`` accepts.

A delegate ceremony writes each GUN's targets.json (metadata/GUN/targets.json)
with the script's signers and delegations added to the server's current one;
``ceremony verify`` refuses a metadata file above 5,000,000 bytes, and ``run``
found out only as it sealed, once every key was made. Here, before anything
is asked: the new file of the GUN whose current targets.json is the largest
is built as the ceremony builds it (kinds/delegate.py), the keys of the current
bundle and the imported ones as they are, each key made today as a stand-in
shorter than any real one, and written as notary writes it, its signatures
left out. The figure is a lower bound: what passes here is still checked in
full before sealing. No side effects.
"""

from __future__ import annotations

from datetime import datetime

from ceremony.engine.preflight_result import PreflightResult
from ceremony.engine.public_keys import imported_public_key
from ceremony.errors import CeremonyError
from ceremony.flavors.dct.keys import notary_key
from ceremony.flavors.dct.kinds.delegate import delegated_targets
from ceremony.flavors.dct.notary.keyids import key_for_public_key
from ceremony.flavors.dct.notary.model import Metadata, PublicKey
from ceremony.flavors.dct.state import DctState
from ceremony.script.plan import Plan
from ceremony.verify.limits import METADATA_MAX_BYTES
from hsm.algorithms import ALGORITHMS


def check_targets_size(
    plan: Plan, state: DctState, now: datetime, result: PreflightResult
) -> None:
    """Refuse a delegation whose largest new targets.json cannot fit in METADATA_MAX_BYTES."""
    known = [gun for gun in state.scope if state.guns[gun].targets_bytes is not None]
    if not known:  # preflight says each GUN's is missing
        return
    gun = max(known, key=lambda name: len(state.guns[name].targets_bytes or b""))
    current = state.guns[gun].targets
    assert current is not None  # it has targets_bytes
    keys: dict[str, PublicKey] = {}

    def key_of(name: str) -> PublicKey:
        if name not in keys:
            keys[name] = _key_or_stand_in(plan, state, name)
        return keys[name]

    try:
        targets = delegated_targets(plan, current.signed, key_of, now)
    except CeremonyError:  # a threshold above its keys: the script's checks say so
        return
    least = len(Metadata(targets).to_bytes())
    if least > METADATA_MAX_BYTES:
        delegations = targets.delegations
        listed = sum(len(role.keyids) for role in delegations.roles)
        paths = sum(len(role.paths) for role in delegations.roles)
        result.add(
            f"size of targets.json {gun}",
            f"the new targets.json of {gun} delegates to {len(delegations.roles):,} roles "
            f"with {len(delegations.keys):,} keys (listed {listed:,} times) and {paths:,} "
            f"path patterns, which take at least {least:,} bytes, more than the "
            f"{METADATA_MAX_BYTES:,} a metadata file may have (`ceremony verify` refuses a "
            "larger one): name fewer keys and paths in signers: and delegations:",
            subject=gun, subject_kind="GUN",
        )


def _key_or_stand_in(plan: Plan, state: DctState, name: str) -> PublicKey:
    """The notary key ``name`` stands for: the current bundle's or an imported one as
    it is, else (a key made today, or one preflight could not read) a stand-in shorter
    than any real key of its kind (its public part its name)."""
    if name in state.keys:
        return notary_key(state.keys[name])
    public_key = imported_public_key(plan, name)
    if public_key is not None:
        return key_for_public_key(public_key)
    try:
        algorithm = ALGORITHMS.get(plan.key(name).algorithm)
    except KeyError:  # no such key: preflight says so
        algorithm = None
    return PublicKey(algorithm.keytype if algorithm is not None else "ecdsa", name.encode())
