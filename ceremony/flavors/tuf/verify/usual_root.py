"""A root version with nothing to say about it, read in few steps.

A long root history is mostly versions that differ from the one before by a
key or two: the same roles, the same keys, the same spec version. The full
reading (envelope.py's canonical read, metadata.py's fields and rules,
signatures.py's usable keys) makes some forty small steps per version to find
nothing wrong. :func:`read_usual_root` makes the same checks in one pass and,
where a key object or a role's rule is equal to one an earlier version held
and that was found usual, takes what was read of it then (its loaded key,
its rule, its canonical bytes) instead of working it out again.

It answers only for a version whose ``signed`` part holds exactly the seven
fields of a root, each usual; then the canonical bytes of ``signed`` (what
every signature covers) are put together from those pieces, each written as
the canonical encoder writes it (tests hold them to it). A file in any
layout but canonical JSON (ceremony's own bundles, python-tuf's indented
one) is read strictly, as the full reading reads it (no field twice). A
file written as canonical JSON (python-tuf's default) is read without the
duplicate check, and taken only if its bytes equal ``{"signatures":`` + the
canonical signatures + ``,"signed":`` + the payload put together + ``}``:
the one canonical encoding of what it holds, as envelope.py's canonical read
requires (so no field is there twice, and the signatures are checked over
the very bytes on disk). It gives an answer only when the full reading would
add no problem line and read the same; anything else, however small, gives
None, and the version is read fully (which says what is wrong). So the
outcome is the full reading's, whichever path a version takes:
tests/test_verify_usual_root.py holds the two to each other.

Equal JSON values are read the same way except for ``1`` and ``true`` (equal
in Python, different on the wire and in meaning): a remembered key object
holds only strings, so one equal to it is the same object byte for byte; a
remembered rule holds only its keyids and threshold, and is taken again only
when the threshold is an ``int``. Nothing remembered outlives one bundle's
check (one :class:`UsualRoots`).
"""

from __future__ import annotations

from typing import Any

from ceremony.flavors.tuf.verify.metadata import (
    _SPEC_VERSION,
    TOP_LEVEL_ROLES,
    RoleRule,
    SignedFile,
    _hex_bytes,
    _usual_rule,
    parse_expires,
)
from ceremony.verify.canonical import canonical_bytes
from ceremony.verify.digest import sha256_hex
from ceremony.verify.errors import MalformedJSONError
from ceremony.verify.keys import KeyRing, PublicKey, usual_key_fields
from ceremony.verify.strict_json import parse_json, parse_json_unchecked_keys

#: the fields of a root's signed part, in canonical (sorted) order
_ROOT_FIELDS = (
    "_type", "consistent_snapshot", "expires", "keys", "roles", "spec_version", "version"
)
_ROLE_NAMES = tuple(sorted(TOP_LEVEL_ROLES))
_ROLE_SET = frozenset(TOP_LEVEL_ROLES)


class UsualRoots:
    """What the usual versions of one root history had, for the next ones."""

    def __init__(self, ring: KeyRing) -> None:
        self.ring = ring
        # keyid -> (a key object of only strings whose keyid is right, its loaded
        # key, b'"keyid":' + its canonical bytes)
        self.keys: dict[str, tuple[dict[str, Any], PublicKey, bytes]] = {}
        # role name -> (its rule object, of only keyids and threshold, as last found
        # usual; the rule; its keyids; b'"name":' + its canonical bytes)
        self.rules: dict[str, tuple[dict[str, Any], RoleRule, frozenset[str], bytes]] = {}
        self.spec_versions: set[str] = set()  # found to match _SPEC_VERSION
        self.expires: dict[str, Any] = {}  # text -> its time, when it parses


def read_usual_root(
    path: str, data: bytes, usual: UsualRoots
) -> tuple[SignedFile, dict[str, PublicKey]] | None:
    """The version in ``data`` and its usable keys by keyid, when reading it
    fully would find nothing to say (no problem line); else None."""
    # canonical JSON is read without the duplicate check, and taken only if its
    # bytes prove there is nothing twice (below); any other layout is read strictly
    canonical = data.startswith(b'{"signatures":[') and data.endswith(b"}}")
    if canonical:
        document = parse_json_unchecked_keys(data)
    else:
        try:
            document = parse_json(data)
        except MalformedJSONError:
            return None
    if type(document) is not dict or len(document) != 2:
        return None
    signed, signature_list = document.get("signed"), document.get("signatures")
    if type(signed) is not dict or type(signature_list) is not list:
        return None

    signatures: dict[str, bytes | None] = {}
    # the canonical bytes of each entry {"keyid": ..., "sig": ...}, when its sig is
    # hex and its keyid ASCII with no '"' or '\\' (no escape in either)
    entries: list[str] | None = []
    for entry in signature_list:
        if type(entry) is not dict:
            return None
        keyid, sig = entry.get("keyid"), entry.get("sig")
        if type(keyid) is not str or type(sig) is not str or keyid in signatures:
            return None
        signature = signatures[keyid] = _hex_bytes(sig)
        if canonical and entries is not None:
            if (
                signature is not None and len(entry) == 2 and keyid.isascii()
                and '"' not in keyid and "\\" not in keyid
            ):
                entries.append(f'{{"keyid":"{keyid}","sig":"{sig}"}}')
            else:
                entries = None

    if len(signed) != len(_ROOT_FIELDS):
        return None
    version, spec_version, expires_text, consistent_snapshot, keys, roles = (
        signed.get("version"), signed.get("spec_version"), signed.get("expires"),
        signed.get("consistent_snapshot"), signed.get("keys"), signed.get("roles"),
    )
    if (
        signed.get("_type") != "root"
        or type(version) is not int
        or version < 1
        or type(consistent_snapshot) is not bool
        or type(spec_version) is not str
        or type(expires_text) is not str
        or type(keys) is not dict
        or type(roles) is not dict
        or len(roles) != len(_ROLE_NAMES)
    ):
        return None
    if spec_version not in usual.spec_versions:
        if _SPEC_VERSION.fullmatch(spec_version) is None:
            return None
        usual.spec_versions.add(spec_version)
    expires = usual.expires.get(expires_text)
    if expires is None:
        expires = parse_expires(expires_text)
        if expires is None:
            return None
        usual.expires[expires_text] = expires

    keys_found = _usable_keys(keys, usual)
    if keys_found is None:
        return None
    usable, keys_bytes = keys_found
    rules_found = _usual_rules(roles, keys, usual)
    if rules_found is None:
        return None
    rules, roles_bytes = rules_found

    # the canonical encoding of signed, from its pieces (each field's text needs no
    # escape: "root", a time and a spec version of digits, hex keyids, whole numbers)
    payload = b'{"_type":"root","consistent_snapshot":%s,"expires":"%s","keys":%s,"roles":%s,'\
        b'"spec_version":"%s","version":%d}' % (
            b"true" if consistent_snapshot else b"false", expires_text.encode(), keys_bytes,
            roles_bytes, spec_version.encode(), version,
        )
    if canonical:
        if entries is not None:
            signatures_bytes = f"[{','.join(entries)}]".encode()  # ASCII
        else:
            try:
                signatures_bytes = canonical_bytes(signature_list)
            except ValueError:
                return None
        if data != b'{"signatures":%s,"signed":%s}' % (signatures_bytes, payload):
            return None

    file = SignedFile(path, signed, payload, signatures)
    file.version, file.expires, file.expires_text = version, expires, expires_text
    file.keys, file.roles = keys, rules
    return file, usable


def _usable_keys(
    keys: dict[str, Any], usual: UsualRoots
) -> tuple[dict[str, PublicKey], bytes] | None:
    """Every key of ``keys`` by keyid, and the canonical bytes of ``keys``, when
    each is of the usual shape, has its right keyid, loads, and is a public key
    no other keyid names; else None."""
    usable: dict[str, PublicKey] = {}
    known_keys = usual.keys
    identities: set[bytes] = set()
    pieces: list[bytes] = []
    in_order, last = True, ""  # whether the keyids come sorted (both layouts sort them)
    for keyid, key in keys.items():
        known = known_keys.get(keyid)
        if known is None or known[0] != key:
            known = _first_seen(keyid, key, usual)
            if known is None:
                return None
        public_key = known[1]
        identity = public_key.identity
        if identity in identities:
            return None
        identities.add(identity)
        usable[keyid] = public_key
        pieces.append(known[2])
        in_order, last = in_order and last < keyid, keyid
    if not in_order:
        pieces = [known_keys[keyid][2] for keyid in sorted(keys)]
    return usable, b"{%s}" % b",".join(pieces)


def _first_seen(
    keyid: str, key: object, usual: UsualRoots
) -> tuple[dict[str, Any], PublicKey, bytes] | None:
    fields = usual_key_fields(key)
    if fields is None:
        return None
    keytype, scheme, public = fields
    text = keytype + scheme + public
    if text.isascii() and '"' not in text and "\\" not in text:  # no escapes: its strings
        key_bytes = b'{"keytype":"%s","keyval":{"public":"%s"},"scheme":"%s"}' % (
            keytype.encode(), public.encode(), scheme.encode()
        )
    else:
        try:
            key_bytes = canonical_bytes(key)
        except ValueError:  # a string that is not valid Unicode
            return None
    right_keyid, loaded = usual.ring.known(key, lambda _: sha256_hex(key_bytes))
    if right_keyid != keyid or isinstance(loaded, str):
        return None
    assert type(key) is dict  # the usual shape
    known = usual.keys[keyid] = (key, loaded, b'"%s":%s' % (keyid.encode(), key_bytes))
    return known


def _usual_rules(
    roles: dict[str, Any], keys: dict[str, Any], usual: UsualRoots
) -> tuple[dict[str, RoleRule], bytes] | None:
    """The four roles' rules in the file's order, and the canonical bytes of
    ``roles``, when each rule holds only keyids of ``keys`` (all found usable)
    and a threshold, with nothing to say about it; else None."""
    rules: dict[str, RoleRule] = {}
    known_rules = usual.rules
    pieces: list[bytes] = []
    for name, rule in roles.items():
        if name not in _ROLE_SET:
            return None
        known = known_rules.get(name)
        if (
            known is None
            or known[0] != rule
            or type(rule["threshold"]) is not int
            or not keys.keys() >= known[2]
        ):
            read = _usual_rule(name, rule, keys)
            if read is None or len(rule) != 2:
                return None
            known = known_rules[name] = (
                rule, read, frozenset(read.keyids),
                b'"%s":{"keyids":["%s"],"threshold":%d}' % (
                    name.encode(), '","'.join(read.keyids).encode(), read.threshold
                ),
            )
        rules[name] = known[1]
        pieces.append(known[3])
    # len(roles) is 4 (checked by the caller), each one of the four names
    if tuple(rules) != _ROLE_NAMES:  # not in their sorted order
        pieces = [known_rules[name][3] for name in _ROLE_NAMES]
    return rules, b"{%s}" % b",".join(pieces)
