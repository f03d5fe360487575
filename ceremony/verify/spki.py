"""Public keys from PEM SubjectPublicKeyInfo, and a key's DER identity, at little cost.

``cryptography``'s PEM loader lives in its serialization package, whose
import also loads its SSH and cipher modules: about twice what the signature
checks themselves cost ``ceremony verify`` at start-up. The forms this tool
and notary write (Ed25519, and P-256 or P-384 points uncompressed, as
PEM in 64-column lines) are recognised here by their fixed DER prefix and
made through the key classes' own constructors, which check the point;
anything else, and anything slightly off, goes to ``cryptography``'s full
loader, loaded then. So a key is accepted or refused exactly as that loader
would, and the same key gives the same identity on either path.
"""

from __future__ import annotations

import binascii
import re
from typing import TYPE_CHECKING

from cryptography.hazmat.primitives.asymmetric import ec, ed25519

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes

#: DER SubjectPublicKeyInfo up to the key's bytes -> (the curve or None for Ed25519, their length)
_PREFIXES: dict[bytes, tuple[type[ec.EllipticCurve] | None, int]] = {
    bytes.fromhex("302a300506032b6570032100"): (None, 32),
    bytes.fromhex("3059301306072a8648ce3d020106082a8648ce3d030107034200"): (ec.SECP256R1, 65),
    bytes.fromhex("3076301006072a8648ce3d020106052b81040022036200"): (ec.SECP384R1, 97),
}
_ED25519_PREFIX, _P256_PREFIX, _P384_PREFIX = _PREFIXES
#: an Ed25519 key's DER SubjectPublicKeyInfo is this and its 32 bytes
ED25519_SPKI_PREFIX = _ED25519_PREFIX
_PEM = re.compile(
    rb"-----BEGIN PUBLIC KEY-----\n((?:[A-Za-z0-9+/]{64}\n)*[A-Za-z0-9+/]{1,63}={0,2}\n)"
    rb"-----END PUBLIC KEY-----\n?"
)


def load_pem_public_key(pem: bytes) -> PublicKeyTypes:
    """The public key of a PEM SubjectPublicKeyInfo; ``ValueError`` or
    ``cryptography``'s ``UnsupportedAlgorithm`` when it is none, as its loader says."""
    found = _PEM.fullmatch(pem)
    if found is not None:
        try:
            der = binascii.a2b_base64(found.group(1).replace(b"\n", b""), strict_mode=True)
        except binascii.Error:
            der = b""
        key = _from_der(der)
        if key is not None:
            return key
    from cryptography.hazmat.primitives import serialization

    return serialization.load_pem_public_key(pem)


def _from_der(der: bytes) -> PublicKeyTypes | None:
    """The key, when ``der`` is one of the usual forms exactly; else None."""
    for prefix, (curve, size) in _PREFIXES.items():
        if len(der) == len(prefix) + size and der.startswith(prefix):
            data = der[len(prefix):]
            if curve is None:
                return ed25519.Ed25519PublicKey.from_public_bytes(data)
            if data[0] != 4:  # compressed: left to the full loader
                return None
            return ec.EllipticCurvePublicKey.from_encoded_point(curve(), data)
    return None


def spki_der(key: PublicKeyTypes) -> bytes:
    """The key's DER SubjectPublicKeyInfo: equal for equal keys."""
    if isinstance(key, ed25519.Ed25519PublicKey):
        return _ED25519_PREFIX + key.public_bytes_raw()
    if isinstance(key, ec.EllipticCurvePublicKey) and key.curve.name in ("secp256r1", "secp384r1"):
        size = (key.curve.key_size + 7) // 8
        numbers = key.public_numbers()
        prefix = _P256_PREFIX if size == 32 else _P384_PREFIX
        return prefix + b"\x04" + numbers.x.to_bytes(size, "big") + numbers.y.to_bytes(size, "big")
    from cryptography.hazmat.primitives import serialization

    return key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
