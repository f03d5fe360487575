"""A DCT bundle's keys/index.json: every key by name, matched to the metadata.

Each entry's PEM must hold the key its ``keyid`` names (notary's canonical
id, what ``notary key list`` shows) with the algorithm it says; each GUN it
claims must have that key under the id given (an x509 id in a root role, a
canonical id elsewhere); every root and targets key of every GUN's newest
root must be listed; a stored private key (age file, notary key file) must
be in the bundle; every PEM under keys/public/ must belong to an entry.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from cryptography.exceptions import UnsupportedAlgorithm

from ceremony.checked import read_once
from ceremony.errors import CeremonyError
from ceremony.flavors.dct import layout
from ceremony.flavors.dct.notary.keyids import canonical_keyid
from ceremony.flavors.dct.verify.roots import GunFacts
from ceremony.verify.contents import BundleContents
from ceremony.verify.destroyed import check_destroyed
from ceremony.verify.errors import MalformedJSONError, UnusableKeyError
from ceremony.verify.key_index import read_key_index
from ceremony.verify.keys import key_of_pem
from ceremony.verify.problem import Problem, safe_path, short, shown

PUBLIC_DIR = "keys/public/"


def check_dct_keys(
    contents: BundleContents, guns: dict[str, GunFacts], problems: list[Problem]
) -> None:
    def problem(what: str) -> None:
        problems.append(Problem(layout.KEY_INDEX, what))

    data = contents.content(layout.KEY_INDEX)
    if layout.KEY_INDEX not in contents.files:
        problem("missing: every bundle lists its keys by name")
        return
    if data is None:
        return
    try:
        entries = read_key_index(data)
    except MalformedJSONError as error:
        problem(str(error))
        return
    known = _keys_in_metadata(guns)
    listed: dict[str, str] = {}
    pems: set[str] = set()
    for name, entry in entries.items():
        label = f"key {shown(name)}"
        keyid, public = entry.get("keyid"), entry.get("public")
        if (
            not isinstance(keyid, str)
            or not isinstance(public, str)
            or not public.startswith(PUBLIC_DIR)
        ):
            problem(f"{label} needs a keyid and a public file under {PUBLIC_DIR}")
            continue
        if keyid in listed:
            problem(f"{label} and key {shown(listed[keyid])} have the same keyid")
        listed.setdefault(keyid, name)
        pems.add(public)
        _check_entry(contents, label, keyid, entry, public, known, problem)
    still_named: dict[str, str] = {}
    for (gun, role), keyids in _required(guns).items():
        for canonical in keyids:
            still_named.setdefault(canonical, f"the {role} role of {gun}")
            if canonical not in listed:
                problem(f"the {role} key {short(canonical)} of {gun} is not listed")
    check_destroyed(contents, still_named, problems)
    for path in contents.files:
        if path.startswith(PUBLIC_DIR) and path not in pems:
            problems.append(
                Problem(safe_path(path), f"not the public file of any key in {layout.KEY_INDEX}")
            )


#: (gun, id the metadata uses) -> canonical id
KnownKeys = dict[tuple[str, str], str]


def _keys_in_metadata(guns: dict[str, GunFacts]) -> KnownKeys:
    """(gun, id the metadata uses) -> canonical id, for every key of every GUN."""
    known: KnownKeys = {}
    for gun, facts in guns.items():
        if facts.newest is not None:
            for keyid, key in facts.newest.signed.keys.items():
                known[(gun, keyid)] = canonical_keyid(key)
        if facts.targets is not None:
            for keyid, key in facts.targets.signed.delegations.keys.items():
                known[(gun, keyid)] = canonical_keyid(key)
    return known


def _required(guns: dict[str, GunFacts]) -> dict[tuple[str, str], set[str]]:
    required: dict[tuple[str, str], set[str]] = {}
    for gun, facts in guns.items():
        if facts.newest is None:
            continue
        root = facts.newest.signed
        for role in ("root", "targets"):
            required[(gun, role)] = {
                canonical_keyid(root.keys[keyid])
                for keyid in root.roles[role].keyids
                if keyid in root.keys
            }
    return required


def _check_entry(
    contents: BundleContents,
    label: str,
    keyid: str,
    entry: dict[str, Any],  # as parsed from keys/index.json
    public: str,
    known: KnownKeys,
    problem: Callable[[str], None],
) -> None:
    pem = contents.content(public)
    if public not in contents.files:
        problem(f"{label}: {safe_path(public)} is missing")
        return
    if pem is None:
        return
    # the same key file (the current bundle's, then the sealed one's): read once in a seal
    read = read_once(("dct public key file", pem), functools.partial(_key_file, pem))
    if read is None:
        problem(f"{label}: {safe_path(public)} holds no public key notary can use")
        return
    algorithm, canonical = read
    if canonical != keyid:
        problem(f"{label}: {safe_path(public)} is key {short(canonical)}, not {short(keyid)}")
    if entry.get("algorithm") != algorithm:
        problem(
            f"{label} says algorithm {shown(entry.get('algorithm'))}, but its key is {algorithm}"
        )
    guns = entry.get("guns") or {}
    if not isinstance(guns, dict):
        problem(f"{label}: guns is not an object of GUN to key id")
        guns = {}
    for gun, metadata_id in guns.items():
        # an id that is not a string (hostile JSON) names no key
        if not isinstance(metadata_id, str) or known.get((gun, metadata_id)) != keyid:
            problem(
                f"{label} says it is key {short(str(metadata_id))} of {shown(gun)}, but that GUN's "
                "metadata has no such key"
            )
    location = entry.get("location")
    if not isinstance(location, str):
        problem(f"{label} has no location")
        return
    kind, _, relpath = location.partition(":")
    if kind in ("age-file", "notary-file") and relpath not in contents.files:
        problem(f"{label}: its private key file {safe_path(relpath)} is not in the bundle")


def _key_file(pem: bytes) -> tuple[str, str] | None:
    """A public key file's algorithm and notary's canonical id for its key; None
    when it holds no key notary can use."""
    try:
        algorithm, public_key = key_of_pem(pem)
        return algorithm, canonical_keyid(public_key)
    except (UnusableKeyError, ValueError, UnsupportedAlgorithm, CeremonyError):
        return None
