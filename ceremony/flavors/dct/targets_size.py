"""Preflight of a DCT delegation's new targets.json against what ``ceremony verify`` accepts.

A delegate ceremony writes each GUN's targets.json (metadata/GUN/targets.json)
with the script's signers and delegations added to the server's current one;
``ceremony verify`` refuses a metadata file above 5,000,000 bytes, and ``run``
found out only as it sealed, once every key was made. Here, before anything
is asked, every GUN's new file is held to the limit. A GUN's is built as the
ceremony builds it (kinds/delegate.py), the keys of the current bundle and the
imported ones as they are, each key made today as a stand-in shorter than any
real one, and written as notary writes it, its signatures left out: a lower
bound, and what passes here is still checked in full before sealing.

Building every GUN's file would cost a fleet's worth of copies, so each GUN is
first bounded from above without reading it (:func:`_at_most`): its current
file's length, what the model may write beyond the file's own layout, and what
the script's additions take built on an empty targets.json (adding only adds,
and nothing added to a GUN takes more than it takes alone). Only a GUN whose
bound passes the limit is built: a GUN smaller today that gains more (it holds
fewer of the script's delegations already) is refused too. No side effects.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from ceremony.engine.preflight_result import PreflightResult
from ceremony.engine.public_keys import imported_public_key
from ceremony.errors import CeremonyError
from ceremony.flavors.dct.keys import notary_key
from ceremony.flavors.dct.kinds.delegate import delegated_targets
from ceremony.flavors.dct.notary.keyids import key_for_public_key
from ceremony.flavors.dct.notary.model import Metadata, PublicKey
from ceremony.flavors.dct.notary.targets import build_targets, next_targets
from ceremony.flavors.dct.state import DctState
from ceremony.script.plan import Plan
from ceremony.verify.limits import METADATA_MAX_BYTES
from hsm.algorithms import ALGORITHMS

_KeyOf = Callable[[str], PublicKey]  # the key a script's name stands for

#: what the model writes that a file it reads may leave out: ``"keys":{},"roles":[]``
#: in ``delegations``
_FIELDS_LEFT_OUT = 20
#: ... and in each key object, ``"private":null,``
_PRIVATE_LEFT_OUT = 15
#: what one more digit of the version and a comma before the first key and the first
#: role the script adds (in a file that has some already) take beyond the additions alone
_JOINS = 3


def check_targets_size(
    plan: Plan, state: DctState, now: datetime, result: PreflightResult
) -> None:
    """Refuse a delegation whose new targets.json, for any GUN, cannot fit in
    METADATA_MAX_BYTES."""
    known = [gun for gun in state.scope if state.guns[gun].targets_bytes is not None]
    if not known:  # preflight says each GUN's is missing
        return
    keys: dict[str, PublicKey] = {}

    def key_of(name: str) -> PublicKey:
        if name not in keys:
            keys[name] = _key_or_stand_in(plan, state, name)
        return keys[name]

    try:
        added = _added(plan, key_of, now)
    except CeremonyError:  # a threshold above its keys: the script's checks say so
        return
    for gun in known:  # built only when its bound does not show it fits
        if _at_most(state.guns[gun].targets_bytes or b"", added) > METADATA_MAX_BYTES:
            _check_gun(plan, state, gun, key_of, now, result)


def _added(plan: Plan, key_of: _KeyOf, now: datetime) -> int:
    """The bytes the script's signers and delegations take in a targets.json that has
    none: built on an empty one and measured against it, the same version and expiry."""
    empty = build_targets(now=now)
    bare = next_targets(empty, expires=plan.targets_expires, now=now)
    grown = delegated_targets(plan, empty, key_of, now)
    return len(Metadata(grown).to_bytes()) - len(Metadata(bare).to_bytes())


def _at_most(data: bytes, added: int) -> int:
    """At least the bytes the new targets.json of a GUN whose current one is ``data``
    takes as :func:`_check_gun` measures it, ``added`` the script's additions alone.

    Written afresh, a file read takes no more than it did but for what the model
    writes that the file may lay out shorter: ``<``, ``>``, ``&`` (and U+2028/9) as
    escapes (6 bytes for 1, or for 3), ``"private":null`` in each key object, and
    the empty ``keys`` and ``roles`` of ``delegations``; its signatures are left out.
    Any other layout is as long or longer: whitespace, escapes the model does not
    write, ``null`` for an empty list. So no byte takes more than 6 (a key object's
    ``"private":null`` is less than 5 bytes more for each of its own), which settles
    most files at once. A larger one is counted: key objects by ``"keyval"``, which
    holds when no string in the file has an escape (a backslash) to spell the word
    otherwise, and then no string holds the quoted word either; a file with a
    backslash is measured in full (notary writes one only for ``<>&"\\`` or
    U+2028/9 in a name or path).
    """
    beyond = _FIELDS_LEFT_OUT + added + _JOINS
    if 6 * len(data) + beyond <= METADATA_MAX_BYTES:
        return 6 * len(data) + beyond
    if b"\\" in data:
        return METADATA_MAX_BYTES + 1  # built in full
    escaped = sum(data.count(c) for c in (b"<", b">", b"&"))
    separators = sum(data.count(c.encode()) for c in ("\u2028", "\u2029"))
    return (len(data) + 5 * escaped + 3 * separators
            + _PRIVATE_LEFT_OUT * data.count(b'"keyval"') + beyond)


def _check_gun(plan: Plan, state: DctState, gun: str, key_of: _KeyOf, now: datetime,
               result: PreflightResult) -> None:
    """Build ``gun``'s new targets.json as the ceremony will, and refuse it when it
    cannot fit."""
    current = state.guns[gun].targets
    assert current is not None  # it has targets_bytes
    try:
        targets = delegated_targets(plan, current.signed, key_of, now)
    except CeremonyError:  # a threshold above its keys: the script's checks say so
        return
    least = len(Metadata(targets).to_bytes())
    if least <= METADATA_MAX_BYTES:
        return
    delegations = targets.delegations
    listed = sum(len(role.keyids) for role in delegations.roles)
    paths = sum(len(role.paths) for role in delegations.roles)
    result.add(
        f"size of targets.json {gun}",
        f"the new targets.json of {gun} delegates to {len(delegations.roles):,} roles "
        f"with {len(delegations.keys):,} keys (listed {listed:,} times) and {paths:,} "
        f"path patterns, which take at least {least:,} bytes (its current one "
        f"{len(state.guns[gun].targets_bytes or b''):,}), more than the "
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
