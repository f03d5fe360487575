"""Notary signatures: made through any key backend, checked as notary checks them.

Notary's methods differ from TUF's encodings:

- ``ecdsa``: raw ``r||s`` (each padded to the curve size) over SHA-256, on
  every curve. Backends return DER, which this module converts. A P-384 key
  would have to sign a SHA-256 digest, which ceremony's backends (SHA-384 on
  P-384) do not do, so P-384 keys are refused for signing notary metadata.
- ``rsapss``: RSASSA-PSS, SHA-256, MGF1-SHA-256, 32-byte salt (as the backends sign).
- ``eddsa``: plain Ed25519.

A signer is anything shaped like :class:`hsm.signer.KeySigner` (a
:class:`RawSigner`): it has ``crypto_public_key`` and ``sign_raw(payload)``.
Signing here does not check each signature (that would cost more than the
signing); :func:`verify_role` checks finished metadata, and the builders
(``repository.py``) and the dct kinds check every signature before handing
files out. Verification does no I/O.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes
from cryptography.hazmat.primitives.asymmetric.utils import (
    Prehashed,
    decode_dss_signature,
    encode_dss_signature,
)

from ceremony.checked import remembered
from ceremony.flavors.dct.notary import canonical as cjson
from ceremony.flavors.dct.notary.errors import DctError, NotaryFormatError
from ceremony.flavors.dct.notary.keyids import (
    X509_KEYTYPES,
    key_for_public_key,
    public_key_and_spki,
    spki_der,
)
from ceremony.flavors.dct.notary.model import Metadata, PublicKey, Signature, SignedT
from ceremony.threshold import ThresholdResult, threshold_result

_PSS = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32)


class RawSigner(Protocol):
    """What signs for notary: a public key, and raw signatures in the key
    backend's own encoding (DER for ECDSA). :class:`hsm.signer.KeySigner`
    and every backend's signer are one, and so is :class:`NotarySigner`."""

    @property
    def crypto_public_key(self) -> PublicKeyTypes: ...

    def sign_raw(self, payload: bytes) -> bytes: ...


def method_for(public_key: PublicKeyTypes) -> str:
    """Notary's signature method name for a key, or a clear refusal."""
    if isinstance(public_key, ec.EllipticCurvePublicKey):
        if not isinstance(public_key.curve, ec.SECP256R1):
            raise DctError(
                f"an ECDSA {public_key.curve.name} key cannot sign notary metadata here: "
                "notary verifies ECDSA over SHA-256 on every curve, and the key backends "
                "sign this curve over SHA-384",
                todo="Use an ECDSA P-256 key for Docker Content Trust",
            )
        return "ecdsa"
    if isinstance(public_key, rsa.RSAPublicKey):
        if public_key.key_size < 2048:
            raise DctError(
                f"an RSA key of {public_key.key_size} bits is too short for notary",
                todo="Use RSA of 2048 bits or more, or ECDSA P-256",
            )
        return "rsapss"
    if isinstance(public_key, ed25519.Ed25519PublicKey):
        return "eddsa"
    raise DctError(f"a {type(public_key).__name__} cannot sign notary metadata")


def der_to_raw(der: bytes, curve: ec.EllipticCurve) -> bytes:
    """An ECDSA DER signature as notary's raw ``r||s``."""
    return _der_to_raw(der, (curve.key_size + 7) // 8)


class NotarySigner:
    """A signer prepared for notary: its method, key object and canonical id worked out once.

    Wraps anything shaped like :class:`hsm.signer.KeySigner`; making one
    refuses a key notary cannot use before anything is signed. Wrap a key once
    and pass the wrapper to every GUN's operation.
    """

    def __init__(self, signer: RawSigner) -> None:
        if isinstance(signer, NotarySigner):
            signer = signer.signer
        self.signer: RawSigner = signer
        self.crypto_public_key: PublicKeyTypes = signer.crypto_public_key
        self.method = method_for(self.crypto_public_key)
        # a file of one signature by this key (its id a SHA-256 in hex: plain)
        self.file_layout = cjson.one_signature_layout(self.method)
        self.key: PublicKey = key_for_public_key(self.crypto_public_key)
        self.keyid = self.key.keyid
        self.spki = spki_der(self.crypto_public_key)
        # the keytype of this key's root certificates in root.json (None: cannot be a root key)
        self.x509_keytype = {"ecdsa": "ecdsa-x509", "rsa": "rsa-x509"}.get(self.key.keytype)
        public_key = self.crypto_public_key
        curve = public_key.curve if isinstance(public_key, ec.EllipticCurvePublicKey) else None
        self._raw_size = (curve.key_size + 7) // 8 if curve is not None else 0

    def sign_raw(self, payload: bytes) -> bytes:
        """The backend's own encoding (DER for ECDSA): what X.509 wants."""
        return self.signer.sign_raw(payload)

    def sign_raw_many(self, payloads: Sequence[bytes]) -> list[bytes]:
        """:meth:`sign_raw` of each payload, as one batch when the backend
        signs batches (a token: one hop to its thread for all of them)."""
        many = getattr(self.signer, "sign_raw_many", None)
        if many is None:
            return [self.signer.sign_raw(payload) for payload in payloads]
        signatures: list[bytes] = many(payloads)
        return signatures

    def sign(self, payload: bytes, keyid: str | None = None) -> Signature:
        """A notary signature over ``payload`` (raw ``r||s`` for ECDSA)."""
        return Signature(keyid or self.keyid, self.method, self.sign_notary(payload))

    def sign_many(self, payloads: Sequence[bytes], keyids: Sequence[str]) -> list[Signature]:
        """:meth:`sign` of each payload under its keyid, as one batch."""
        method = self.method
        return [
            Signature(keyid, method, sig)
            for sig, keyid in zip(self.sign_notary_many(payloads), keyids, strict=True)
        ]

    def sign_notary(self, payload: bytes) -> bytes:
        """The bytes of :meth:`sign`'s signature (``Signature.sig``) alone."""
        raw = self.signer.sign_raw(payload)
        return _der_to_raw(raw, self._raw_size) if self._raw_size else raw

    def sign_notary_many(self, payloads: Sequence[bytes]) -> list[bytes]:
        """:meth:`sign_notary` of each payload, as one batch."""
        raws = self.sign_raw_many(payloads)
        size = self._raw_size
        return [_der_to_raw(raw, size) for raw in raws] if size else raws


def _der_to_raw(der: bytes, size: int) -> bytes:
    """An ECDSA DER signature as ``r||s`` of ``size`` bytes each. The usual DER (a
    SEQUENCE of short length holding two positive INTEGERs, minimally encoded, of
    at most ``size`` bytes each) is cut apart directly; anything else goes through
    ``decode_dss_signature``, which refuses what is malformed. A test holds the two
    to the same bytes."""
    if len(der) >= 8 and der[0] == 0x30 and der[1] == len(der) - 2 < 0x80 and der[2] == 0x02:
        r_end = 4 + der[3]
        if r_end + 2 <= len(der) and der[r_end] == 0x02 and r_end + 2 + der[r_end + 1] == len(der):
            r, s = der[4:r_end], der[r_end + 2 :]
            if _minimal_positive(r, size) and _minimal_positive(s, size):
                return r[-size:].rjust(size, b"\0") + s[-size:].rjust(size, b"\0")
    r_int, s_int = decode_dss_signature(der)
    return r_int.to_bytes(size, "big") + s_int.to_bytes(size, "big")


def _minimal_positive(integer: bytes, size: int) -> bool:
    """The content of a DER INTEGER that is positive, minimally encoded, and fits
    ``size`` bytes (a leading zero byte is there only to keep the sign)."""
    if not integer or integer[0] & 0x80:
        return False
    if integer[0] == 0:
        return len(integer) > 1 and integer[1] & 0x80 != 0 and len(integer) <= size + 1
    return len(integer) <= size


def notary_signer(signer: RawSigner) -> NotarySigner:
    """``signer`` prepared for notary (a :class:`NotarySigner` is returned as it is)."""
    return signer if isinstance(signer, NotarySigner) else NotarySigner(signer)


def sign_payload(signer: RawSigner, payload: bytes, keyid: str | None = None) -> Signature:
    """One notary signature by ``signer`` over ``payload`` (canonical signed bytes).

    ``keyid`` is the id the metadata knows the key by: for a root key, the
    x509 id of the GUN's certificate; by default, the canonical id.
    """
    return notary_signer(signer).sign(payload, keyid)


def sign_metadata(
    metadata: Metadata[SignedT], signers: Sequence[tuple[RawSigner, str | None]]
) -> Metadata[SignedT]:
    """Add a signature by each ``(signer, keyid)`` to ``metadata``; returns it.

    An existing signature by the same keyid is replaced, as notary does.
    """
    payload = metadata.signed_bytes()
    for signer, keyid in signers:
        signature = sign_payload(signer, payload, keyid)
        if metadata.signatures and any(s.keyid == signature.keyid for s in metadata.signatures):
            metadata.signatures = [s for s in metadata.signatures if s.keyid != signature.keyid]
        metadata.signatures.append(signature)
    return metadata


# -- verification ------------------------------------------------------------


def verify_signature(
    key: PublicKey, signature: Signature, payload: bytes, digest: bytes | None = None
) -> bool:
    """True when ``signature`` over ``payload`` verifies as notary would verify it.
    Inside :func:`ceremony.checked.remembering`, the same signature by the same key
    over the same bytes is checked once. ``digest``: the payload's sha256, when the
    caller checks several signatures over it (hashed here otherwise)."""
    try:
        public_key, spki = public_key_and_spki(key)
    except NotaryFormatError:
        return False
    if digest is None:
        digest = hashlib.sha256(payload).digest()
    method = signature.method
    base_type = X509_KEYTYPES.get(key.keytype, key.keytype)
    # the key's type in the metadata must be the key's own: a hostile "ecdsa"
    # key that holds an RSA key verifies nothing
    if (
        method == "ecdsa" and base_type == "ecdsa"
        and isinstance(public_key, ec.EllipticCurvePublicKey)
    ):
        check = functools.partial(_verify_ecdsa, public_key, signature.sig, digest)
    elif (
        method in ("rsapss", "rsapkcs1v15") and base_type == "rsa"
        and isinstance(public_key, rsa.RSAPublicKey)
    ):
        if public_key.key_size < 2048:
            return False
        scheme = _PSS if method == "rsapss" else padding.PKCS1v15()
        check = functools.partial(_verify, public_key.verify, signature.sig, digest, scheme,
                                  Prehashed(hashes.SHA256()))
    elif (
        method == "eddsa" and key.keytype == "ed25519"
        and isinstance(public_key, ed25519.Ed25519PublicKey)
    ):
        if len(signature.sig) != 64:
            return False
        check = functools.partial(_verify, public_key.verify, signature.sig, payload)
    else:
        return False
    return remembered((spki, method, signature.sig, digest), check)


def _verify_ecdsa(public_key: ec.EllipticCurvePublicKey, sig: bytes, digest: bytes) -> bool:
    """Raw ``r||s`` over a SHA-256 digest, each half the curve's size."""
    size = (public_key.curve.key_size + 7) // 8
    if len(sig) != 2 * size:
        return False
    der = encode_dss_signature(int.from_bytes(sig[:size], "big"), int.from_bytes(sig[size:], "big"))
    return _verify(public_key.verify, der, digest, ec.ECDSA(Prehashed(hashes.SHA256())))


def _verify(verify: Callable[..., None], *args: Any) -> bool:
    try:
        verify(*args)
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


def verify_role(
    metadata: Metadata[SignedT], keys: dict[str, PublicKey], threshold: int, role: str
) -> ThresholdResult:
    """Count the distinct keys in ``keys`` with a valid signature on ``metadata``.

    Checked against the canonical form of ``signed`` as read (never a
    re-serialization). A key whose id does not match its content never counts.
    """
    payload = metadata.signed_bytes()
    digest = hashlib.sha256(payload).digest()  # once for all its signatures
    valid: list[str] = []
    for signature in metadata.signatures:
        key = keys.get(signature.keyid)
        if key is None or signature.keyid in valid or key.keyid != signature.keyid:
            continue
        if verify_signature(key, signature, payload, digest):
            valid.append(signature.keyid)
    return threshold_result(keys, threshold, valid)
