"""One TUF metadata file read strictly: its envelope, signed part and rules.

Parses the bytes once, canonicalizes ``signed`` once (the bytes every
signature covers), and checks the shape a strict client requires: ``_type``,
``spec_version`` major 1, ``version`` >= 1, ``expires`` exactly
``YYYY-MM-DDTHH:MM:SSZ``, one signature per keyid; for a root, exactly the
four top-level roles, each keyid present in ``keys``, thresholds >= 1; for
targets, the delegations. What is wrong becomes a problem line; whatever
could still be read is returned so later checks can go on.
"""

# No `from __future__ import annotations` here: typing.NamedTuple compiles a string
# annotation, and a process's first compile() costs `ceremony verify` a millisecond
# (docs/design/performance.md, perfstart).

import re
from collections.abc import Callable
from typing import Any, NamedTuple, TypeGuard

from ceremony.flavors.tuf.verify.envelope import read_canonical, read_strictly
from ceremony.verify.problem import Problem, short, shown
from ceremony.verify.times import UTC, datetime

TOP_LEVEL_ROLES = ("root", "targets", "snapshot", "timestamp")
_SPEC_VERSION = re.compile(r"1\.[0-9]{1,9}(\.[0-9]{1,9})?")
_EXPIRES = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z")

#: adds a problem line about the file being read
Report = Callable[[str], None]


class RoleRule(NamedTuple):
    """Which keys may sign for a role, and how many must."""

    name: str
    keyids: tuple[str, ...]
    threshold: int


class SignedFile:
    """A metadata file: what it says and the signatures over it (a plain
    class: see BundleContents)."""

    def __init__(
        self,
        path: str,
        signed: dict[str, Any],
        payload: bytes,
        signatures: dict[str, bytes | None],
    ) -> None:
        self.path = path
        self.signed = signed  # parsed JSON, checked field by field as it is read
        self.payload = payload  # canonical JSON of ``signed``: what signatures cover
        self.signatures = signatures  # keyid -> signature (None: not hex)
        self.version: int | None = None
        self.expires: datetime | None = None
        self.expires_text: str | None = None
        self.keys: dict[str, object] = {}  # root keys or delegation keys
        self.roles: dict[str, RoleRule] = {}

    def __repr__(self) -> str:
        return f"SignedFile({self.path!r}, version {self.version})"


def _whole_number(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _hex_bytes(text: str) -> bytes | None:
    """The bytes ``text`` spells in hex digits (pairs, nothing else), or None."""
    try:
        value = bytes.fromhex(text)
    except ValueError:
        return None
    # fromhex also skips whitespace between pairs; a signature has none
    return value if 2 * len(value) == len(text) else None


def parse_expires(text: object) -> datetime | None:
    """The UTC time in an ``expires`` field, or None if it is not exactly
    ``YYYY-MM-DDTHH:MM:SSZ``."""
    if not isinstance(text, str):
        return None
    if _EXPIRES.fullmatch(text) is None:
        return None
    try:  # the form is checked above: the digits are read as datetime() would
        return datetime.fromisoformat(text[:-1]).replace(tzinfo=UTC)
    except ValueError:
        return None


def read_metadata(
    path: str, data: bytes, expected_type: str, problems: list[Problem]
) -> SignedFile | None:
    """The metadata in ``data``; None when even its envelope cannot be read."""

    def problem(what: str) -> None:
        problems.append(Problem(path, what))

    envelope = read_canonical(data) or read_strictly(data, problem)
    if envelope is None:
        return None
    signed, signature_list, payload = envelope

    signatures: dict[str, bytes | None] = {}
    for entry in signature_list:
        keyid = entry.get("keyid") if isinstance(entry, dict) else None
        sig = entry.get("sig") if isinstance(entry, dict) else None
        if not isinstance(keyid, str) or not isinstance(sig, str):
            problem("a signature entry lacks a keyid or sig string")
            continue
        if keyid in signatures:
            problem(f"two signatures for keyid {short(keyid)}; one per keyid is allowed")
            continue
        signatures[keyid] = _hex_bytes(sig)

    file = SignedFile(path, signed, payload, signatures)
    _check_common(file, expected_type, problem)
    if expected_type == "root":
        _check_root(file, problem)
    elif expected_type == "targets":
        _check_targets(file, problem)
    return file


def _check_common(file: SignedFile, expected_type: str, problem: Report) -> None:
    signed = file.signed
    if signed.get("_type") != expected_type:
        problem(f"signed._type is {shown(signed.get('_type'))}, not {expected_type!r}")
    spec_version = signed.get("spec_version")
    if not isinstance(spec_version, str) or not _SPEC_VERSION.fullmatch(spec_version):
        problem(
            f"signed.spec_version is {shown(spec_version)}; "
            "only TUF spec version 1.x is understood"
        )
    version = signed.get("version")
    if _whole_number(version) and version >= 1:
        file.version = version
    else:
        problem(f"signed.version is {shown(version)}, not a whole number from 1")
    expires_text = signed.get("expires")
    file.expires = parse_expires(expires_text)
    if file.expires is None:
        problem(
            f"signed.expires is {shown(expires_text)}, "
            "not a UTC time of the form YYYY-MM-DDTHH:MM:SSZ"
        )
    else:
        file.expires_text = expires_text


def _usual_rule(name: str, rule: object, keys: dict[str, object]) -> RoleRule | None:
    """The rule, when there is nothing to say about it (the usual case), in
    few steps; None sends it to :func:`_read_rule`. Keyids that all name keys
    of the file are all strings (every JSON field name is one)."""
    if type(rule) is not dict:
        return None
    keyids, threshold = rule.get("keyids"), rule.get("threshold")
    if type(keyids) is list and type(threshold) is int and 1 <= threshold <= len(keyids):
        try:
            distinct = set(keyids)
        except TypeError:  # a list or object among the keyids
            return None
        if len(distinct) == len(keyids) and distinct <= keys.keys():
            return RoleRule(name, tuple(keyids), threshold)
    return None


def _read_rule(
    name: str, where: str, rule: object, keys: dict[str, object], problem: Report
) -> RoleRule | None:
    usual = _usual_rule(name, rule, keys)
    if usual is not None:
        return usual
    if not isinstance(rule, dict):
        problem(f"{where} is not an object with keyids and threshold")
        return None
    keyids, threshold = rule.get("keyids"), rule.get("threshold")
    if not isinstance(keyids, list) or not all(isinstance(k, str) for k in keyids):
        problem(f"{where}.keyids is not a list of keyids")
        return None
    if not _whole_number(threshold) or threshold < 1:
        problem(f"{where}.threshold is {shown(threshold)}, not a whole number from 1")
        return None
    seen: set[str] = set()
    for keyid in keyids:
        if keyid in seen:
            problem(f"{where} lists keyid {short(keyid)} twice")
        elif keyid not in keys:
            problem(f"{where} names keyid {short(keyid)}, which has no key in this file")
        seen.add(keyid)
    if threshold > len(seen):
        problem(f"{where} needs {threshold} signatures but lists only {len(seen)} keys")
    return RoleRule(name, tuple(dict.fromkeys(keyids)), threshold)


def _read_keys(where: str, keys: object, problem: Report) -> dict[str, object]:
    if not isinstance(keys, dict):
        problem(f"{where} is not an object of keys by keyid")
        return {}
    return keys


def _check_root(file: SignedFile, problem: Report) -> None:
    signed = file.signed
    if not isinstance(signed.get("consistent_snapshot"), bool):
        problem("signed.consistent_snapshot is missing or not true/false")
    file.keys = _read_keys("signed.keys", signed.get("keys"), problem)
    roles = signed.get("roles")
    if not isinstance(roles, dict):
        problem("signed.roles is not an object of roles")
        return
    for name in TOP_LEVEL_ROLES:
        if name not in roles:
            problem(f"signed.roles lacks the {name} role")
    for name, rule in roles.items():
        if name not in TOP_LEVEL_ROLES:
            problem(f"signed.roles has {shown(name)}, which is not a top-level role")
            continue
        read = _usual_rule(name, rule, file.keys) or _read_rule(
            name, f"signed.roles.{name}", rule, file.keys, problem
        )
        if read is not None:
            file.roles[name] = read


def _check_targets(file: SignedFile, problem: Report) -> None:
    signed = file.signed
    if not isinstance(signed.get("targets"), dict):
        problem("signed.targets is missing or not an object")
    delegations = signed.get("delegations")
    if delegations is None:
        return
    if not isinstance(delegations, dict):
        problem("signed.delegations is not an object")
        return
    file.keys = _read_keys("signed.delegations.keys", delegations.get("keys"), problem)
    roles, succinct = delegations.get("roles"), delegations.get("succinct_roles")
    if (roles is None) == (succinct is None):
        problem("signed.delegations needs either roles or succinct_roles")
        return
    if succinct is not None:
        rule = _read_rule(
            "succinct_roles", "signed.delegations.succinct_roles", succinct, file.keys, problem
        )
        if rule is not None:
            file.roles[rule.name] = rule
        return
    if not isinstance(roles, list):
        problem("signed.delegations.roles is not a list")
        return
    for index, role in enumerate(roles):
        where = f"signed.delegations.roles[{index}]"
        name = role.get("name") if isinstance(role, dict) else None
        if not isinstance(name, str) or not name:
            problem(f"{where} has no name")
            continue
        if name in file.roles:
            problem(f"{where} delegates {shown(name)} a second time")
            continue
        rule = _read_rule(name, where, role, file.keys, problem)
        if rule is not None:
            file.roles[name] = rule
