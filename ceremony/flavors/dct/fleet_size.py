"""How many GUNs one DCT bundle can hold, known before any key is made.

``ceremony verify`` refuses a bundle past any of its ceilings (verify/limits.py),
and ``run`` verifies its staging folder before it seals: a script listing more
GUNs than a bundle holds would make every key, ask every passphrase, and end
with nothing. Each ceiling grows with the GUNs, by so much a GUN, so much more
for each root key that signs or stays, so much for each character of the GUN's
name and for each older root version the bundle carries (measured on real
bundles of 10, 100 and 1,000 GUNs, and on every kind the flavor runs:
docs/reference/dct.md, "How many GUNs one bundle holds"; the figures below are
the largest kind's, rounded up, plus a margin).
metadata/dct.json binds first with a few ECDSA root keys (some 6,700 GUNs fit;
the bound says 6,346 with one root key), the files verify keeps in memory with
more root keys or RSA ones.

:func:`fleet_problems` refuses, in the script's checks, a script whose listed
GUNs cannot fit; :func:`check_fleet_size` does the same in preflight for the
GUNs of the current bundle a ceremony works on (all of them when the script
lists none), with their real root histories and their current roots' keys,
which stay in its key index and its roots. An estimate is an upper bound:
what passes here is still verified in full before it is sealed.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from ceremony.engine.keyring import KeyRecord
from ceremony.engine.preflight_result import PreflightResult
from ceremony.flavors.dct.plan import dct_spec
from ceremony.flavors.dct.state import DctState
from ceremony.script.plan import Plan
from ceremony.script.rules import Problem
from ceremony.verify.limits import (
    KEPT_TOTAL_BYTES,
    KEY_INDEX_MAX_BYTES,
    MANIFEST_MAX_BYTES,
    MAX_FILES,
    METADATA_MAX_BYTES,
    TRANSCRIPT_MAX_BYTES,
)

MARGIN = 1.05  # every per-GUN figure is the largest measured, rounded up, and 5% more


@dataclass(frozen=True)
class Growth:
    """How one ceiling of a bundle grows: ``fixed`` whatever the GUNs, then for
    each GUN ``per_gun``, ``per_name_char`` for each character of its name (and
    ``per_name_char_root_key`` more for each root key: the name is in each root
    key's certificate and key index entry), ``per_name_part`` for each part of
    it (``/``), ``per_root_key`` for each root key that signs it or that it
    names (``per_rsa_key`` more for an RSA one; a renewal warns once for each
    whose certificate it outlives), and for each older
    root version the bundle keeps ``per_older_root`` (plus ``per_older_root_key``
    and ``per_older_rsa_key`` for each key it names); ``per_offline_snapshot``
    when each GUN has a snapshot key made here. ``per_gun_on_bundle``, when
    given, stands for ``per_gun`` in a ceremony that builds on a bundle and
    writes less a GUN than a bootstrap (ON_BUNDLE)."""

    what: str
    ceiling: int
    fixed: int
    per_gun: int
    per_name_char: int = 0
    per_name_char_root_key: int = 0
    per_name_part: int = 0
    per_root_key: int = 0
    per_rsa_key: int = 0
    per_older_root: int = 0
    per_older_root_key: int = 0
    per_older_rsa_key: int = 0
    per_offline_snapshot: int = 0
    per_gun_on_bundle: int | None = None

    def per_each(self, fleet: Fleet) -> float:
        """What one GUN of ``fleet`` adds (bytes, or files and folders), with the margin."""
        keys, rsa = fleet.root_keys, fleet.rsa_keys
        per_gun = self.per_gun
        if fleet.on_bundle and self.per_gun_on_bundle is not None:
            per_gun = self.per_gun_on_bundle
        name = (self.per_name_char + self.per_name_char_root_key * keys) * fleet.name_chars
        raw = (per_gun + name
               + self.per_name_part * fleet.name_parts
               + self.per_root_key * keys + self.per_rsa_key * rsa
               + self.per_offline_snapshot * fleet.offline_snapshot
               + fleet.older * (self.per_older_root + self.per_older_root_key * keys
                                + self.per_older_rsa_key * rsa))
        return raw * MARGIN

    def most(self, fleet: Fleet) -> int:
        """The most GUNs like ``fleet``'s within the ceiling."""
        return int((self.ceiling - self.fixed) // self.per_each(fleet))


@dataclass(frozen=True)
class Fleet:
    """What a bundle's size depends on besides how many GUNs: their names' average
    length and parts, the root keys that sign each (how many RSA), how many
    older root versions of each GUN the bundle keeps, whether each GUN has a
    snapshot key of its own (``snapshot: offline``), and whether the ceremony is
    one of ON_BUNDLE's kinds."""

    name_chars: float
    name_parts: float
    root_keys: int
    rsa_keys: int = 0
    older: int = 0
    offline_snapshot: bool = False
    on_bundle: bool = False

    @classmethod
    def of(cls, guns: Sequence[str], root_keys: int, rsa_keys: int = 0, *, older: int = 0,
           offline_snapshot: bool = False, on_bundle: bool = False) -> Fleet:
        count = max(len(guns), 1)
        return cls(sum(len(gun) for gun in guns) / count,
                   sum(gun.count("/") + 1 for gun in guns) / count,
                   max(root_keys, 1), rsa_keys, older, offline_snapshot, on_bundle)


#: the kinds measured to write less a GUN than a bootstrap: their transcript 3,410 to
#: 3,820 bytes a GUN with one root key and names of 37 characters (a rotation in one
#: room or signed in sittings and sealed, a renewal, a delegation), 4,080 for a
#: decommission of one of three root keys; a bootstrap's 5,550. A recover writes more
#: than a bootstrap (6,130 bytes: a new targets key and targets.json for each GUN, and
#: its current root kept) and is held to the bootstrap's figures, which it sets
ON_BUNDLE = ("rotate-root", "renew", "delegate", "decommission")


# Measured per GUN on real bootstraps, rotations and seals of 10, 100 and 1,000
# GUNs (names of 37 and 108 characters; one and three root keys; ECDSA P-256
# and RSA-4096; snapshot: offline), renewals and delegations of 10 and 100, and
# every kind on bundles of 2 and 8 GUNs with one and three root keys and names of
# 37 and 105 characters (tests/test_dct_fleet_size.py), the largest kind's figure
# rounded up: a recovery's for per_gun and the name's characters (its transcript
# needs 4,767 a GUN beside the other terms and grows 17 a character with three
# root keys; its files kept in memory 11,826 and 80; its manifest 6 a character),
# a renewal's with three root keys for per_root_key and per_gun_on_bundle (some
# 490 a root key: its certificate warnings; 2,451), a bootstrap's with three root
# keys for the key index (4 a character); the fixed parts are
# generous (many keys, keyholders, tokens). Files and folders: 7 files a GUN,
# and 2 folders for each part of its name (in metadata/ and publish/, counted
# as if no two GUNs shared one).
GROWTH = (
    Growth("files and folders", MAX_FILES, fixed=1_000, per_gun=7, per_name_part=2,
           per_older_root=1, per_offline_snapshot=3),
    Growth("MANIFEST.json", MANIFEST_MAX_BYTES, fixed=40_000, per_gun=1_020,
           per_name_char=6, per_older_root=200, per_offline_snapshot=540),
    Growth("transcript.jsonl", TRANSCRIPT_MAX_BYTES, fixed=100_000, per_gun=4_770,
           per_name_char=14, per_name_char_root_key=1, per_root_key=490, per_older_root=320,
           per_offline_snapshot=2_950, per_gun_on_bundle=2_460),
    Growth("keys/index.json", KEY_INDEX_MAX_BYTES, fixed=20_000, per_gun=510,
           per_name_char=1, per_name_char_root_key=1, per_root_key=120,
           per_offline_snapshot=580),
    Growth("metadata/dct.json", METADATA_MAX_BYTES, fixed=2_000, per_gun=565,
           per_name_char=5, per_offline_snapshot=270),
    Growth("the files `ceremony verify` keeps in memory", KEPT_TOTAL_BYTES, fixed=400_000,
           per_gun=11_830, per_name_char=30, per_name_char_root_key=17, per_root_key=4_100,
           per_rsa_key=7_300, per_older_root=1_100, per_older_root_key=1_210,
           per_older_rsa_key=2_420, per_offline_snapshot=6_200),
)


@dataclass(frozen=True)
class Bound:
    """The most GUNs a bundle holds for one fleet, and the ceiling that says so."""

    most: int
    growth: Growth


def bound(fleet: Fleet) -> Bound:
    """The ceiling that binds first for GUNs like ``fleet``'s, and at how many."""
    return min((Bound(growth.most(fleet), growth) for growth in GROWTH), key=lambda b: b.most)


def refusal(count: int, found: Bound, root_keys: int, *, listed: bool = True) -> tuple[str, str]:
    """What is wrong and what to do, for ``count`` GUNs past ``found`` (``listed``:
    in the script's guns:, else all of the current bundle's)."""
    keys = f"{root_keys} root key{'s' * (root_keys != 1)}"
    what = (
        f"{count:,} GUNs are more than one bundle holds: with {keys}, at most {found.most:,} "
        f"(past that its {found.growth.what} would exceed the {found.growth.ceiling:,} "
        f"{'entries' if found.growth.ceiling == MAX_FILES else 'bytes'} `ceremony verify` "
        "accepts, and the ceremony would make every key only to be refused before it seals)"
    )
    todo = (
        f"Split the fleet into several ceremonies of at most {found.most:,} GUNs each, "
        "one script and one bundle for each part" + ("" if listed else ", naming its GUNs in guns:")
    )
    return what, todo


def _root_keys(plan: Plan, current: Mapping[str, KeyRecord]) -> tuple[int, int]:
    """How many keys sign each GUN's new root, are named in it (the current bundle's
    root keys, ``current``, stay in its key index and its roots) or are delegated
    to, and how many of them are RSA."""
    root, dct = plan.role("root"), dct_spec(plan)
    names = set(plan.sign_with) | set(root.keys if root is not None else ())
    names |= {key for signer in dct.signers for key in signer.keys}
    names |= {key for delegation in dct.delegations for key in delegation.keys}
    names |= {name for name, record in current.items() if "root" in record.roles}
    rsa = 0
    for name in names:
        try:
            algorithm = plan.key(name).algorithm
        except KeyError:  # a key of the current bundle; unknown ones counted as RSA, the larger
            algorithm = current[name].algorithm if name in current else "rsa"
        rsa += algorithm.startswith("rsa")
    return len(names), rsa


def root_keys_kept(state: DctState, guns: Sequence[str]) -> dict[str, KeyRecord]:
    """The keys of ``state``'s bundle that are root keys of the current root of one
    of ``guns`` (keys rotated out of every root are left out: they grow no GUN)."""
    kept = {keyid for gun in guns for keyid in state.guns[gun].canonical_ids("root")}
    return {name: record for name, record in state.keys.items() if record.keyid in kept}


def fleet_of(plan: Plan, guns: Sequence[str], older: int, offline: bool,
             current: Mapping[str, KeyRecord]) -> Fleet:
    """The fleet ``plan`` works on: ``guns``, each with up to ``older`` root versions
    already, a snapshot key made here (``offline``, or as the script says), and the
    root keys of the current bundle that stay, ``current`` (:func:`root_keys_kept`;
    empty before the bundle is read)."""
    return Fleet.of(guns, *_root_keys(plan, current), older=older,
                    offline_snapshot=offline or _offline(plan), on_bundle=plan.kind in ON_BUNDLE)


def _offline(plan: Plan) -> bool:
    return dct_spec(plan).snapshot == "offline" or plan.role("snapshot") is not None


def fleet_problems(plan: Plan) -> Iterator[Problem]:
    """A script listing more GUNs than one bundle holds (the script's check)."""
    guns = dct_spec(plan).guns
    if not guns:
        return
    older = 0 if plan.kind == "bootstrap" else 1  # a rotation keeps the current root
    fleet = fleet_of(plan, guns, older, False, {})
    found = bound(fleet)
    if len(guns) > found.most:
        yield Problem("guns", *refusal(len(guns), found, fleet.root_keys))


def note_bundle_room(fleet: Fleet, count: int, result: PreflightResult) -> None:
    """Tell preflight's free-space check what a bundle of ``count`` GUNs like
    ``fleet``'s takes at the most: the bytes of its files (all of them are what
    ``verify`` keeps), and its files and folders."""
    for growth in GROWTH:
        if growth.ceiling == KEPT_TOTAL_BYTES:
            result.bundle_bytes = int(growth.fixed + growth.per_each(fleet) * count)
        elif growth.ceiling == MAX_FILES:
            result.bundle_entries = int(growth.fixed + growth.per_each(fleet) * count)


def check_fleet_size(plan: Plan, scope: Sequence[str], older: int, offline: bool,
                     current: Mapping[str, KeyRecord], result: PreflightResult) -> None:
    """Preflight of a ceremony on GUNs of its current bundle (``scope``: all of them
    when the script lists none), whose GUNs hold up to ``older`` root versions each
    (more than the script's checks assume), whose snapshot keys may be made here
    (``offline``) and whose current root keys, ``current``, stay."""
    fleet = fleet_of(plan, scope, older, offline, current)
    note_bundle_room(fleet, len(scope), result)
    found = bound(fleet)
    if len(scope) > found.most:
        listed = bool(dct_spec(plan).guns)
        what, todo = refusal(len(scope), found, fleet.root_keys, listed=listed)
        result.add("bundle size", f"{what}: {todo[0].lower()}{todo[1:]}")
