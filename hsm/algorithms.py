"""The allow-list of key algorithms and what each means on the wire.

A ceremony script names an algorithm by its operator-facing name
(``ed25519``, ``ecdsa-p256``, ...). This module maps that name to the TUF
key type and signature scheme, makes keys in software, and checks
signatures with ``cryptography``. Nothing outside this list is accepted.
RSA's modules are loaded when an RSA key is first met: ``ceremony verify``
of an Ed25519 or ECDSA bundle never needs them.

An ECDSA check is made with :class:`_ECDSACheck`, not ``ec.ECDSA``: the
latter's constructor imports ``cryptography``'s whole OpenSSL backend (its
ciphers, RSA, padding and ``random``: a sixth of ``ceremony verify``'s
start-up) only to ask whether deterministic *signing* is supported. A check
reads nothing of it but the public ``algorithm`` property.
"""

# No `from __future__ import annotations` here: typing.NamedTuple compiles a string
# annotation, and a process's first compile() costs `ceremony verify` a millisecond
# (docs/design/performance.md, perfstart).

from typing import TYPE_CHECKING, NamedTuple

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

from hsm.errors import UnsupportedAlgorithmError

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes, PublicKeyTypes

    # The private keys an allowed algorithm makes in software.
    SoftwarePrivateKey = ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey


class _ECDSACheck(ec.ECDSA):
    """``ec.ECDSA(hash)`` for checking signatures, made without the constructor
    that loads the OpenSSL backend (the module's note): ``cryptography`` reads
    an ECDSA check's hash through ``algorithm``, as for ``ec.ECDSA`` itself."""

    def __init__(self, hash_algorithm: hashes.HashAlgorithm) -> None:  # no super(): see above
        self._hash_algorithm = hash_algorithm

    @property
    def algorithm(self) -> hashes.HashAlgorithm:
        return self._hash_algorithm

    @property
    def deterministic_signing(self) -> bool:
        return False


#: the ECDSA checks of the allowed hashes, made once
_ECDSA_CHECKS = {False: _ECDSACheck(hashes.SHA256()), True: _ECDSACheck(hashes.SHA384())}
#: the same for signing (P-384 or not), each made at its first signature: ``ec.ECDSA``
#: itself, whose constructor loads the backend (the module's note); about 2 us a
#: signature when made for each
_ECDSA_SIGNING: dict[bool, ec.ECDSA] = {}


class Algorithm(NamedTuple):
    """One allowed algorithm: its name, its TUF key type and scheme."""

    name: str
    keytype: str
    scheme: str
    curve: type[ec.EllipticCurve] | None = None
    rsa_bits: int = 0

    def generate(self) -> "SoftwarePrivateKey":
        """A new private key, in memory only."""
        if self.keytype == "ed25519":
            return ed25519.Ed25519PrivateKey.generate()
        if self.keytype == "ecdsa":
            return ec.generate_private_key(self.elliptic_curve())
        from cryptography.hazmat.primitives.asymmetric import rsa

        return rsa.generate_private_key(public_exponent=65537, key_size=self.rsa_bits)

    def elliptic_curve(self) -> ec.EllipticCurve:
        """The curve of an ECDSA algorithm (ValueError for any other)."""
        if self.curve is None:
            raise ValueError(f"{self.name} is not an ECDSA algorithm: it has no curve")
        return self.curve()

    def hash_algorithm(self) -> hashes.HashAlgorithm:
        return hashes.SHA384() if self.scheme.endswith("nistp384") else hashes.SHA256()

    def check_signature(
        self, public_key: "PublicKeyTypes", signature: bytes, payload: bytes
    ) -> bool:
        """True when ``signature`` over ``payload`` verifies (TUF encoding:
        raw for Ed25519, DER for ECDSA, PSS with a 32-byte salt for RSA). A
        key of another kind than this algorithm's verifies nothing."""
        try:
            if self.keytype == "ed25519":
                if not isinstance(public_key, ed25519.Ed25519PublicKey):
                    return False
                public_key.verify(signature, payload)
            elif self.keytype == "ecdsa":
                if not isinstance(public_key, ec.EllipticCurvePublicKey):
                    return False
                check = _ECDSA_CHECKS[self.scheme.endswith("nistp384")]
                public_key.verify(signature, payload, check)
            else:
                from cryptography.hazmat.primitives.asymmetric import padding, rsa

                if not isinstance(public_key, rsa.RSAPublicKey):
                    return False
                public_key.verify(
                    signature,
                    payload,
                    padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32),
                    hashes.SHA256(),
                )
        except (InvalidSignature, ValueError, TypeError):
            return False
        return True

    def sign_in_software(self, private_key: "PrivateKeyTypes", payload: bytes) -> bytes:
        """Sign ``payload`` with a private key of this algorithm, in TUF's encoding."""
        if self.keytype == "ed25519" and isinstance(private_key, ed25519.Ed25519PrivateKey):
            return private_key.sign(payload)
        if self.keytype == "ecdsa" and isinstance(private_key, ec.EllipticCurvePrivateKey):
            p384 = self.scheme.endswith("nistp384")
            signing = _ECDSA_SIGNING.get(p384)
            if signing is None:
                signing = _ECDSA_SIGNING.setdefault(p384, ec.ECDSA(self.hash_algorithm()))
            return private_key.sign(payload, signing)
        from cryptography.hazmat.primitives.asymmetric import padding, rsa

        if self.keytype == "rsa" and isinstance(private_key, rsa.RSAPrivateKey):
            return private_key.sign(
                payload,
                padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32),
                hashes.SHA256(),
            )
        raise UnsupportedAlgorithmError(
            f"a {type(private_key).__name__} key cannot sign as {self.name}",
            f"use one of: {', '.join(ALGORITHMS)}",
        )


ALGORITHMS: dict[str, Algorithm] = {
    a.name: a
    for a in (
        Algorithm("ed25519", "ed25519", "ed25519"),
        Algorithm("ecdsa-p256", "ecdsa", "ecdsa-sha2-nistp256", curve=ec.SECP256R1),
        Algorithm("ecdsa-p384", "ecdsa", "ecdsa-sha2-nistp384", curve=ec.SECP384R1),
        Algorithm("rsa-3072", "rsa", "rsassa-pss-sha256", rsa_bits=3072),
        Algorithm("rsa-4096", "rsa", "rsassa-pss-sha256", rsa_bits=4096),
    )
}


def algorithm(name: str) -> Algorithm:
    """The allowed algorithm called ``name``, or a clear error."""
    try:
        return ALGORITHMS[name]
    except KeyError:
        raise UnsupportedAlgorithmError(
            f"algorithm {name!r} is not allowed",
            f"use one of: {', '.join(ALGORITHMS)}",
        ) from None


def algorithm_of_public_key(public_key: "PublicKeyTypes") -> Algorithm:
    """The allowed algorithm a ``cryptography`` public key belongs to."""
    if isinstance(public_key, ed25519.Ed25519PublicKey):
        return ALGORITHMS["ed25519"]
    if isinstance(public_key, ec.EllipticCurvePublicKey):
        for a in ALGORITHMS.values():
            if a.curve is not None and isinstance(public_key.curve, a.curve):
                return a
        raise UnsupportedAlgorithmError(
            f"the ECDSA curve {public_key.curve.name} is not allowed",
            "use a P-256 or P-384 key",
        )
    from cryptography.hazmat.primitives.asymmetric import rsa

    if isinstance(public_key, rsa.RSAPublicKey):
        name = f"rsa-{public_key.key_size}"
        if name in ALGORITHMS:
            return ALGORITHMS[name]
        raise UnsupportedAlgorithmError(
            f"an RSA key of {public_key.key_size} bits is not allowed",
            "use a 3072- or 4096-bit RSA key",
        )
    raise UnsupportedAlgorithmError(
        f"{_key_kind(public_key)} is not allowed",
        "use an Ed25519 key, an ECDSA key on P-256 or P-384, or a 3072- or 4096-bit RSA key",
    )


# the key types ``cryptography`` knows that no ceremony may use, in the operator's words
_DISALLOWED_KINDS = {
    "Ed448PublicKey": "an Ed448 key",
    "X25519PublicKey": "an X25519 key",
    "X448PublicKey": "an X448 key",
    "DSAPublicKey": "a DSA key",
    "DHPublicKey": "a Diffie-Hellman key",
}


def _key_kind(public_key: "PublicKeyTypes") -> str:
    """A key type no ceremony may use, named in words (``an Ed448 key``)."""
    for cls in type(public_key).__mro__:
        if cls.__name__ in _DISALLOWED_KINDS:
            return _DISALLOWED_KINDS[cls.__name__]
    return "a key of this type"
