"""keys/index.json: every key of the bundle by name, matched to its public key.

Each entry's PEM (under keys/public/) must hold the key its keyid names in
the metadata, with the algorithm the entry says; every key the newest root
and targets.json rely on must be listed; every PEM must belong to an entry.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ceremony.verify.contents import BundleContents
from ceremony.verify.errors import MalformedJSONError, UnusableKeyError
from ceremony.verify.keys import PublicKey, identity_of_pem
from ceremony.verify.limits import KEY_INDEX
from ceremony.verify.manifest import is_bundle_path
from ceremony.verify.problem import Problem, safe_path, short, shown
from ceremony.verify.strict_json import parse_json

PUBLIC_DIR = "keys/public/"
KEYS_DIR = "keys/"
STORED = "age-file:"  # a key file inside the bundle; others live on tokens


def read_key_index(data: bytes) -> dict[str, dict[str, Any]]:
    """The entries of a key index by name; MalformedJSONError when unreadable."""
    index = parse_json(data)
    if not isinstance(index, dict) or not isinstance(index.get("keys"), dict):
        raise MalformedJSONError("not an object with keys by name")
    return {
        name: entry for name, entry in index["keys"].items() if isinstance(entry, dict)
    }


def check_key_index(
    contents: BundleContents,
    known_keys: dict[str, PublicKey],
    required: dict[str, str],
    problems: list[Problem],
) -> None:
    """``known_keys``: every usable key in the bundle's metadata, by keyid;
    ``required``: keyids that must be listed, with what relies on them."""

    def problem(what: str) -> None:
        problems.append(Problem(KEY_INDEX, what))

    if KEY_INDEX in contents.refused:
        return
    if KEY_INDEX not in contents.files:
        problem("missing: every bundle lists its keys by name")
        return
    data = contents.content(KEY_INDEX)
    if data is None:
        return
    try:
        index = parse_json(data)
    except MalformedJSONError as error:
        problem(str(error))
        return
    if not isinstance(index, dict) or not isinstance(index.get("keys"), dict):
        problem("not an object with keys by name")
        return
    if index.get("format") != 1:
        problem(f"format is {shown(index.get('format'))}; this tool reads format 1")

    listed_keyids: dict[str, str] = {}
    named_pems: set[str] = set()
    for name, entry in index["keys"].items():
        label = f"key {shown(name)}"
        keyid = entry.get("keyid") if isinstance(entry, dict) else None
        if not isinstance(keyid, str):
            problem(f"{label} has no keyid")
            continue
        if keyid in listed_keyids:
            problem(f"{label} and key {shown(listed_keyids[keyid])} have the same keyid")
        listed_keyids.setdefault(keyid, name)
        public_path = entry.get("public")
        if not isinstance(public_path, str) or not public_path.startswith(PUBLIC_DIR):
            problem(f"{label}: public is {shown(public_path)}, not a file under {PUBLIC_DIR}")
            continue
        named_pems.add(public_path)
        _check_entry(contents, label, keyid, entry, public_path, known_keys, problem)
        location = entry.get("location")
        if isinstance(location, str) and location.startswith(STORED):
            stored = location.removeprefix(STORED)
            if not stored.startswith(KEYS_DIR) or not is_bundle_path(stored):
                problem(f"{label}: location {shown(location)} is not a key file inside this "
                        "bundle")

    for keyid, relied_on_by in required.items():
        if keyid not in listed_keyids:
            problem(f"the {relied_on_by} key {short(keyid)} is not listed")
    for path in contents.files:
        if path.startswith(PUBLIC_DIR) and path not in named_pems:
            problems.append(
                Problem(safe_path(path), f"not the public file of any key in {KEY_INDEX}")
            )


def _check_entry(
    contents: BundleContents,
    label: str,
    keyid: str,
    entry: dict[str, Any],
    public_path: str,
    known_keys: dict[str, PublicKey],
    problem: Callable[[str], None],
) -> None:
    if public_path not in contents.files:
        problem(f"{label}: {safe_path(public_path)} is missing")
        return
    pem = contents.content(public_path)
    if pem is None:
        return
    try:
        algorithm, identity = identity_of_pem(pem)
    except UnusableKeyError:
        problem(f"{label}: {safe_path(public_path)} holds no PEM public key")
        return
    if entry.get("algorithm") != algorithm:
        problem(
            f"{label} says algorithm {shown(entry.get('algorithm'))}, "
            f"but {safe_path(public_path)} holds an {algorithm} key"
        )
    known = known_keys.get(keyid)
    if known is None:
        problem(f"{label}: keyid {short(keyid)} is in no root or targets metadata of this bundle")
    elif known.identity != identity:
        problem(f"{label}: {safe_path(public_path)} is not the key {short(keyid)} in the metadata")
