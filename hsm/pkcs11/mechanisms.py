"""How each allowed algorithm is spelled in PKCS#11, and back again.

For every algorithm on the allow-list (hsm.algorithms) this module knows the
key type, the key-pair generation mechanism, the curve parameters, and how a
signature is asked for and turned into TUF's encoding:

- ECDSA: the host hashes the payload (SHA-256, or SHA-384 for P-384) and the
  token signs the digest with ``CKM_ECDSA``; its raw r||s becomes DER.
  (Hashing mechanisms such as ``CKM_ECDSA_SHA256`` are missing on SoftHSM and
  many cards, so they are never used.)
- Ed25519: the token signs the whole payload with ``CKM_EDDSA``; raw 64 bytes.
- RSA: the host hashes with SHA-256 and the token signs with
  ``CKM_RSA_PKCS_PSS`` (MGF1-SHA-256, salt 32), as TUF's rsassa-pss-sha256.

It also reads public keys off a token into ``cryptography`` objects. Pure
code: no PKCS#11 calls, no I/O.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes, PublicKeyTypes
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from pkcs11 import MGF, Attribute, KeyType, Mechanism

from hsm.algorithms import ALGORITHMS, Algorithm, algorithm
from hsm.errors import UnsupportedAlgorithmError

# The public keys a token's allowed key pairs carry.
PublicKeyOnToken = ed25519.Ed25519PublicKey | ec.EllipticCurvePublicKey | rsa.RSAPublicKey
# The parameter of a signing mechanism: (hash, MGF, salt length) for RSA-PSS.
MechanismParam = tuple[Mechanism, MGF, int]

# DER-encoded curve names as CKA_EC_PARAMS (OIDs; SoftHSM reports Ed25519
# back as the printable string "edwards25519", so both are accepted).
P256_PARAMS = bytes.fromhex("06082a8648ce3d030107")
P384_PARAMS = bytes.fromhex("06052b81040022")
ED25519_PARAMS = bytes.fromhex("06032b6570")
ED25519_NAME_PARAMS = b"\x13\x0cedwards25519"


@dataclass(frozen=True)
class TokenAlgorithm:
    """One allowed algorithm as a PKCS#11 token sees it."""

    algorithm: Algorithm
    key_type: KeyType
    generate_mechanism: Mechanism
    sign_mechanism: Mechanism
    key_bits: int  # as mechanism info counts key sizes
    ec_params: bytes | None = None
    accepted_ec_params: tuple[bytes, ...] = ()

    @property
    def name(self) -> str:
        return self.algorithm.name

    @property
    def point_size(self) -> int:
        """Length of the raw public point (EC) or key (Ed25519)."""
        if self.key_type == KeyType.EC_EDWARDS:
            return 32
        return 1 + 2 * ((self.key_bits + 7) // 8)

    def sign_request(self, payload: bytes) -> tuple[bytes, Mechanism, MechanismParam | None]:
        """What to hand the token to sign ``payload``: data, mechanism, param."""
        if self.key_type == KeyType.EC:
            hashed = hashlib.sha384 if self.key_bits == 384 else hashlib.sha256
            return hashed(payload).digest(), Mechanism.ECDSA, None
        if self.key_type == KeyType.EC_EDWARDS:
            return payload, Mechanism.EDDSA, None
        return (
            hashlib.sha256(payload).digest(),
            Mechanism.RSA_PKCS_PSS,
            (Mechanism.SHA256, MGF.SHA256, 32),
        )

    def tuf_signature(self, token_signature: bytes) -> bytes:
        """The token's signature in TUF's encoding (DER for ECDSA)."""
        if self.key_type != KeyType.EC:
            return token_signature
        half = len(token_signature) // 2
        if len(token_signature) != 2 * ((self.key_bits + 7) // 8):
            raise ValueError("an ECDSA signature of the wrong length came back")
        r = int.from_bytes(token_signature[:half], "big")
        s = int.from_bytes(token_signature[half:], "big")
        return encode_dss_signature(r, s)

    # public keys ---------------------------------------------------------
    def public_key_from(self, attributes: dict[Attribute, bytes]) -> PublicKeyOnToken:
        """A ``cryptography`` public key from a token object's attributes
        (EC_POINT for EC and Ed25519, MODULUS and PUBLIC_EXPONENT for RSA)."""
        if self.key_type == KeyType.RSA:
            n = int.from_bytes(attributes[Attribute.MODULUS], "big")
            e = int.from_bytes(attributes[Attribute.PUBLIC_EXPONENT], "big")
            return rsa.RSAPublicNumbers(e, n).public_key()
        point = unwrap_ec_point(attributes[Attribute.EC_POINT], self.point_size)
        if self.key_type == KeyType.EC_EDWARDS:
            return ed25519.Ed25519PublicKey.from_public_bytes(point)
        return ec.EllipticCurvePublicKey.from_encoded_point(
            self.algorithm.elliptic_curve(), point
        )

    def public_attributes(self, public_key: PublicKeyTypes) -> dict[Attribute, bytes | None]:
        """Attributes describing ``public_key`` (for creating or matching)."""
        if self.key_type == KeyType.RSA and isinstance(public_key, rsa.RSAPublicKey):
            numbers = public_key.public_numbers()
            return {
                Attribute.MODULUS: _int_bytes(numbers.n),
                Attribute.PUBLIC_EXPONENT: _int_bytes(numbers.e),
            }
        if self.key_type == KeyType.EC_EDWARDS and isinstance(
            public_key, ed25519.Ed25519PublicKey
        ):
            raw = public_key.public_bytes(
                serialization.Encoding.Raw, serialization.PublicFormat.Raw
            )
        elif self.key_type == KeyType.EC and isinstance(public_key, ec.EllipticCurvePublicKey):
            raw = public_key.public_bytes(
                serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
            )
        else:
            raise self._not_mine(public_key)
        return {Attribute.EC_PARAMS: self.ec_params, Attribute.EC_POINT: wrap_octets(raw)}

    def private_attributes(self, private_key: PrivateKeyTypes) -> dict[Attribute, bytes | None]:
        """The private values of a software key, for import into a token."""
        if self.key_type == KeyType.RSA and isinstance(private_key, rsa.RSAPrivateKey):
            numbers = private_key.private_numbers()
            return {
                Attribute.MODULUS: _int_bytes(numbers.public_numbers.n),
                Attribute.PUBLIC_EXPONENT: _int_bytes(numbers.public_numbers.e),
                Attribute.PRIVATE_EXPONENT: _int_bytes(numbers.d),
                Attribute.PRIME_1: _int_bytes(numbers.p),
                Attribute.PRIME_2: _int_bytes(numbers.q),
                Attribute.EXPONENT_1: _int_bytes(numbers.dmp1),
                Attribute.EXPONENT_2: _int_bytes(numbers.dmq1),
                Attribute.COEFFICIENT: _int_bytes(numbers.iqmp),
            }
        if self.key_type == KeyType.EC_EDWARDS and isinstance(
            private_key, ed25519.Ed25519PrivateKey
        ):
            value = private_key.private_bytes(
                serialization.Encoding.Raw,
                serialization.PrivateFormat.Raw,
                serialization.NoEncryption(),
            )
        elif self.key_type == KeyType.EC and isinstance(private_key, ec.EllipticCurvePrivateKey):
            size = (self.key_bits + 7) // 8
            value = private_key.private_numbers().private_value.to_bytes(size, "big")
        else:
            raise self._not_mine(private_key)
        return {Attribute.EC_PARAMS: self.ec_params, Attribute.VALUE: value}

    def _not_mine(self, key: object) -> UnsupportedAlgorithmError:
        return UnsupportedAlgorithmError(
            f"a {type(key).__name__} key is not an {self.name} key",
            "this is a fault in the tool: report it; nothing was written to the token",
        )


def _int_bytes(value: int) -> bytes:
    return value.to_bytes(max(1, (value.bit_length() + 7) // 8), "big")


def wrap_octets(raw: bytes) -> bytes:
    """``raw`` as a DER OCTET STRING (how CKA_EC_POINT is stored)."""
    if len(raw) < 0x80:
        return bytes([0x04, len(raw)]) + raw
    if len(raw) < 0x100:
        return bytes([0x04, 0x81, len(raw)]) + raw
    return bytes([0x04, 0x82]) + len(raw).to_bytes(2, "big") + raw


def unwrap_ec_point(value: bytes, raw_size: int) -> bytes:
    """The raw point from CKA_EC_POINT, DER-wrapped (as the standard says)
    or bare (as a few tokens return it)."""
    if len(value) == raw_size:
        return bytes(value)
    if value[:1] == b"\x04":
        if len(value) == raw_size + 2 and value[1] == raw_size:
            return bytes(value[2:])
        if len(value) == raw_size + 3 and value[1] == 0x81 and value[2] == raw_size:
            return bytes(value[3:])
    raise ValueError("the token returned a public point of an unexpected size")


TOKEN_ALGORITHMS: dict[str, TokenAlgorithm] = {
    "ed25519": TokenAlgorithm(
        ALGORITHMS["ed25519"],
        KeyType.EC_EDWARDS,
        Mechanism.EC_EDWARDS_KEY_PAIR_GEN,
        Mechanism.EDDSA,
        key_bits=256,
        ec_params=ED25519_PARAMS,
        accepted_ec_params=(ED25519_PARAMS, ED25519_NAME_PARAMS),
    ),
    "ecdsa-p256": TokenAlgorithm(
        ALGORITHMS["ecdsa-p256"],
        KeyType.EC,
        Mechanism.EC_KEY_PAIR_GEN,
        Mechanism.ECDSA,
        key_bits=256,
        ec_params=P256_PARAMS,
        accepted_ec_params=(P256_PARAMS,),
    ),
    "ecdsa-p384": TokenAlgorithm(
        ALGORITHMS["ecdsa-p384"],
        KeyType.EC,
        Mechanism.EC_KEY_PAIR_GEN,
        Mechanism.ECDSA,
        key_bits=384,
        ec_params=P384_PARAMS,
        accepted_ec_params=(P384_PARAMS,),
    ),
    "rsa-3072": TokenAlgorithm(
        ALGORITHMS["rsa-3072"],
        KeyType.RSA,
        Mechanism.RSA_PKCS_KEY_PAIR_GEN,
        Mechanism.RSA_PKCS_PSS,
        key_bits=3072,
    ),
    "rsa-4096": TokenAlgorithm(
        ALGORITHMS["rsa-4096"],
        KeyType.RSA,
        Mechanism.RSA_PKCS_KEY_PAIR_GEN,
        Mechanism.RSA_PKCS_PSS,
        key_bits=4096,
    ),
}


def token_algorithm(which: str | Algorithm) -> TokenAlgorithm:
    """The PKCS#11 spelling of an allowed algorithm (by name or object)."""
    name = which.name if isinstance(which, Algorithm) else algorithm(which).name
    return TOKEN_ALGORITHMS[name]


def token_algorithm_of(
    key_type: KeyType | None, ec_params: bytes | None, modulus_bits: int = 0
) -> TokenAlgorithm | None:
    """The allowed algorithm a key on a token belongs to, or None."""
    for candidate in TOKEN_ALGORITHMS.values():
        if candidate.key_type != key_type:
            continue
        if key_type == KeyType.RSA:
            if candidate.key_bits == modulus_bits:
                return candidate
        elif ec_params is not None and bytes(ec_params) in candidate.accepted_ec_params:
            return candidate
    return None
