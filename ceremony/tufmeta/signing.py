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
from collections.abc import Iterator
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


def build_and_sign(ctx: Context, md: Metadata[Any], groups: list[SignerGroup]) -> Iterator[Event]:
    """The event that ``md`` was built, then :func:`sign`: its canonical bytes made once
    for both."""
    payload = signed_bytes(md)
    yield built(md, payload)
    yield from sign(ctx, md, groups, payload)


def sign(
    ctx: Context, md: Metadata[Any], groups: list[SignerGroup], payload: bytes | None = None
) -> Iterator[Event]:
    """Sign ``md`` with every open key of every group; check every threshold.
    ``payload`` is ``md``'s :func:`signed_bytes` when the caller made them already."""
    role = md.signed.type
    version = md.signed.version
    wanted: list[KeyRecord] = []
    for group in groups:
        for keyid in group.keyids():
            record = ctx.key_by_keyid(keyid)
            if record and record.signer is not None and record not in wanted:
                wanted.append(record)
    if payload is None:
        payload = signed_bytes(md)
    digest = hashlib.sha256(payload).digest()
    yield from count(md, payload, groups, digest)  # the meters start at 0 of N
    for record in wanted:
        yield from before_signing(record)  # "touch the YubiKey now", when it needs one
        signer = record.signer
        assert signer is not None  # wanted for its open signer
        signature = signer.sign_checked(payload, functools.partial(_signer_check, signer, digest))
        md.signatures[signature.keyid] = signature
        yield SignatureAdded(role=role, version=version, key=record.name, keyid=record.keyid)
        yield from count(md, payload, [g for g in groups if record.keyid in g.keyids()], digest)
    for group in groups:
        counted = verification(group, payload, md.signatures, digest)
        if not counted.met:
            missing = [
                ctx.key_by_keyid(keyid) or keyid for keyid in sorted(counted.unsigned)
            ]
            raise CeremonyError(
                f"{role} version {version} has {counted.words()} from the {describe(group)}",
                todo="bring the keyholders of "
                + ", ".join(k.name if isinstance(k, KeyRecord) else k[:8] for k in missing)
                + " and add them to sign-with",
            )


def count(
    md: Metadata[Any], payload: bytes, groups: list[SignerGroup], digest: bytes | None = None
) -> Iterator[Event]:
    """Where each group's threshold stands now."""
    digest = digest or hashlib.sha256(payload).digest()
    for group in groups:
        counted = verification(group, payload, md.signatures, digest)
        yield ThresholdMet(
            role=md.signed.type,
            version=md.signed.version,
            group=group.label,
            have=counted.have,
            need=group.threshold,
        )


def verification(
    group: SignerGroup, payload: bytes, signatures: dict[str, Signature], digest: bytes
) -> ThresholdResult:
    """The group's keys that signed ``payload`` and those that did not, counted as
    python-tuf's ``Root.get_verification_result`` counts them (a keyid the root has
    no key for is neither), each signature checked through :func:`_verifies`."""
    signed: set[str] = set()
    unsigned: set[str] = set()
    for keyid in group.keyids():
        key = group.root.keys.get(keyid)
        if key is None:
            continue
        signature = signatures.get(keyid)
        if signature is not None and _verifies(key, signature, payload, digest):
            signed.add(keyid)
        else:
            unsigned.add(keyid)
    return ThresholdResult(group.threshold, frozenset(signed), frozenset(unsigned))


def _question(key: Key, signature: str, digest: bytes) -> tuple[object, ...]:
    """What a signature check's answer depends on: the key (its id, type, scheme and
    public value), the signature, the payload's digest."""
    keyval = repr(sorted(key.keyval.items()))
    return ("tuf signature", key.keyid, key.keytype, key.scheme, keyval, signature, digest)


def _verifies(key: Key, signature: Signature, payload: bytes, digest: bytes) -> bool:
    """securesystemslib's check of ``signature`` by ``key`` over ``payload``, as
    python-tuf makes it, asked once per question inside a remembering block."""

    def check() -> bool:
        try:
            key.verify_signature(signature, payload)
        except UnverifiedSignatureError:
            return False
        return True

    if signature.keyid != key.keyid:  # securesystemslib refuses it: no question to share
        return check()
    return remembered(_question(key, signature.signature, digest), check)


def _signer_check(signer: KeySigner, digest: bytes, raw: bytes, payload: bytes) -> bool:
    """The signer's own check of a signature it just made, asked as the counts ask it
    (the signer's TUF key is the key the root names by the same keyid)."""
    return remembered(
        _question(signer.public_key, raw.hex(), digest),
        functools.partial(signer.verifies, raw, payload),
    )


def describe(group: SignerGroup) -> str:
    if group.role == "root":
        which = "current" if group.label == "old" else "new"
        return f"{which} root (version {group.root.version})"
    return f"{group.role} role of root version {group.root.version}"
