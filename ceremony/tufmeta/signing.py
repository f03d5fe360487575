"""Signing metadata and counting signatures against thresholds.

Every key that is here today and belongs to a group signs; each signature is
checked against the signer's public key before it is added (hsm's
``sign_checked``), and each group's meter and threshold are counted as
python-tuf's ``get_verification_result`` counts them: each key the root
names for the role, verified with securesystemslib against that root's key.
A root rotation has two groups, the current root's keys and the new root's
keys, and both must be met before anything is written.

The canonical bytes are made once (tufmeta/metadata.py). Inside
:func:`ceremony.checked.remembering` (a ceremony's run) a signature is
checked once: the signer's check and every count after it ask the same
question (this key, this scheme, this signature, over these bytes), and the
first answer is the answer. Outside it every count checks again.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

# securesystemslib and python-tuf document these as their API but list no __all__:
# mypy's strict re-export rule cannot see them as exported
from securesystemslib.exceptions import UnverifiedSignatureError
from securesystemslib.signer import Key, Signature
from tuf.api.metadata import Metadata, Root

from ceremony.checked import remembered
from ceremony.engine.context import Context
from ceremony.engine.keyring import KeyRecord
from ceremony.engine.tokens import before_signing
from ceremony.errors import CeremonyError
from ceremony.events import Event, SignatureAdded, ThresholdMet
from ceremony.threshold import ThresholdResult
from ceremony.tufmeta.metadata import built, signed_bytes
from ceremony.verify.canonical import canonical_bytes

if TYPE_CHECKING:
    from hsm.signer import KeySigner


@dataclass(frozen=True)
class SignerGroup:
    """Keys that must reach a threshold: e.g. "current root v3" or "new root v4"."""

    label: str  # "old" or "new" (root), "targets"
    root: Root  # the root that names the keys and the threshold
    role: str  # the role in that root ("root", "targets")

    def keyids(self) -> list[str]:
        return list(self.root.roles[self.role].keyids)

    @property
    def threshold(self) -> int:
        return self.root.roles[self.role].threshold


def build_and_sign(
    ctx: Context, md: Metadata[Any], groups: list[SignerGroup]
) -> Generator[Event, None, dict[str, Any]]:
    """The event that ``md`` was built, then :func:`sign`: its canonical bytes made once
    for both. Returns ``md.signed.to_dict()`` as it was signed, for
    :func:`~ceremony.tufmeta.metadata.metadata_bytes` to lay out again."""
    signed: dict[str, Any] = md.signed.to_dict()
    payload = canonical_bytes(signed)
    yield built(md, payload, signed)
    yield from sign(ctx, md, groups, payload)
    return signed


def sign(
    ctx: Context, md: Metadata[Any], groups: list[SignerGroup], payload: bytes | None = None
) -> Iterator[Event]:
    """Sign ``md`` with every open key of every group; check every threshold.
    ``payload`` is ``md``'s :func:`signed_bytes` when the caller made them already."""
    role = md.signed.type
    version = md.signed.version
    tallies = [_Tally(group) for group in groups]  # the groups' keys, looked up once
    wanted: list[KeyRecord] = []
    for tally in tallies:
        for keyid in tally.keyids:
            record = ctx.key_by_keyid(keyid)
            # one record per key (by identity: comparing records compares every field)
            if record and record.signer is not None and all(w is not record for w in wanted):
                wanted.append(record)
    if payload is None:
        payload = signed_bytes(md)
    digest = hashlib.sha256(payload).digest()
    yield from _count(md, payload, tallies, digest)  # the meters start at 0 of N
    known = {keyid: (key, asked) for tally in tallies for keyid, key, asked in tally.keys}
    for record in wanted:
        yield from before_signing(record)  # "touch the YubiKey now", when it needs one
        signer = record.signer
        assert signer is not None  # wanted for its open signer
        check = functools.partial(_signer_check, signer, _asked(signer, known), digest)
        signature = signer.sign_checked(payload, check)
        md.signatures[signature.keyid] = signature
        yield SignatureAdded(role=role, version=version, key=record.name, keyid=record.keyid)
        mine = [tally for tally in tallies if record.keyid in tally.keyids]
        yield from _count(md, payload, mine, digest)
    for tally in tallies:
        counted = tally.counted(payload, md.signatures, digest)
        if not counted.met:
            missing = [
                ctx.key_by_keyid(keyid) or keyid for keyid in sorted(counted.unsigned)
            ]
            raise CeremonyError(
                f"{role} version {version} has {counted.words()} from the "
                f"{describe(tally.group)}",
                todo="bring the keyholders of "
                + ", ".join(k.name if isinstance(k, KeyRecord) else k[:8] for k in missing)
                + " and add them to sign-with",
            )


def _count(
    md: Metadata[Any], payload: bytes, tallies: list[_Tally], digest: bytes
) -> Iterator[Event]:
    for tally in tallies:
        counted = tally.counted(payload, md.signatures, digest)
        yield ThresholdMet(
            role=md.signed.type,
            version=md.signed.version,
            group=tally.group.label,
            have=counted.have,
            need=counted.need,
        )


def verification(
    group: SignerGroup, payload: bytes, signatures: dict[str, Signature], digest: bytes
) -> ThresholdResult:
    """The group's keys that signed ``payload`` and those that did not, counted as
    python-tuf's ``Root.get_verification_result`` counts them (a keyid the root has
    no key for is neither), each signature checked through :func:`_verifies`."""
    return _Tally(group).counted(payload, signatures, digest)


class _Tally:
    """A group's keys as :func:`sign` counts them again and again: its keyids, the
    root's key for each (a keyid with none is counted neither way), its threshold,
    and what a check by each key asks (:func:`_key_question`), looked up once."""

    __slots__ = ("group", "keyids", "keys", "need")

    def __init__(self, group: SignerGroup) -> None:
        self.group = group
        self.keyids = group.keyids()
        self.need = group.threshold
        known = group.root.keys
        self.keys = [
            (keyid, key, _key_question(key))
            for keyid in self.keyids
            if (key := known.get(keyid)) is not None
        ]

    def counted(
        self, payload: bytes, signatures: dict[str, Signature], digest: bytes
    ) -> ThresholdResult:
        signed: set[str] = set()
        unsigned: set[str] = set()
        for keyid, key, asked in self.keys:
            signature = signatures.get(keyid)
            if signature is not None and _verifies(key, asked, signature, payload, digest):
                signed.add(keyid)
            else:
                unsigned.add(keyid)
        return ThresholdResult(self.need, frozenset(signed), frozenset(unsigned))


def _key_question(key: Key) -> tuple[object, ...]:
    """What a signature check's answer depends on in the key: its id, type, scheme and
    public value (with the signature and the payload's digest, the whole question)."""
    keyval = repr(sorted(key.keyval.items()))
    return ("tuf signature", key.keyid, key.keytype, key.scheme, keyval)


def _verifies(
    key: Key, asked: tuple[object, ...], signature: Signature, payload: bytes, digest: bytes
) -> bool:
    """securesystemslib's check of ``signature`` by ``key`` over ``payload``, as
    python-tuf makes it, asked once per question inside a remembering block
    (``asked``: :func:`_key_question` of ``key``)."""

    def check() -> bool:
        try:
            key.verify_signature(signature, payload)
        except UnverifiedSignatureError:
            return False
        return True

    if signature.keyid != key.keyid:  # securesystemslib refuses it: no question to share
        return check()
    return remembered((asked, signature.signature, digest), check)


def _asked(
    signer: KeySigner, known: dict[str, tuple[Key, tuple[object, ...]]]
) -> tuple[object, ...]:
    """:func:`_key_question` of the signer's TUF key: the tally's, made already, when the
    root's key of that keyid is that key (the same fields, so the same question)."""
    key, asked = known.get(signer.public_key.keyid, (None, ()))
    return asked if key == signer.public_key else _key_question(signer.public_key)


def _signer_check(
    signer: KeySigner, asked: tuple[object, ...], digest: bytes, raw: bytes, payload: bytes
) -> bool:
    """The signer's own check of a signature it just made, asked as the counts ask it
    (the signer's TUF key is the key the root names by the same keyid; ``asked``: its
    :func:`_key_question`)."""
    return remembered(
        (asked, raw.hex(), digest), functools.partial(signer.verifies, raw, payload)
    )


def describe(group: SignerGroup) -> str:
    if group.role == "root":
        which = "current" if group.label == "old" else "new"
        return f"{which} root (version {group.root.version})"
    return f"{group.role} role of root version {group.root.version}"
