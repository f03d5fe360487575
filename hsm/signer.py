"""The one signer interface every key backend provides.

A :class:`KeySigner` is a securesystemslib ``Signer``, so python-tuf's
``Metadata.sign()`` takes it as it is. Whatever the backend, ``sign()`` checks
the signature with ``cryptography`` against the public key before handing it
out: a backend that returns a bad signature raises, it never reaches metadata.

:class:`KeyFacts` is what the transcript may say of a key: public facts only.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import NoReturn

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes

# securesystemslib.signer documents these as its API but lists no __all__, so
# mypy's strict re-export rule cannot see them as exported.
from securesystemslib.signer import (
    Key,
    SecretsHandler,
    Signature,
    Signer,
    SSlibKey,
)

from hsm.algorithms import Algorithm, algorithm_of_public_key
from hsm.errors import SignatureCheckError


@dataclass(frozen=True)
class KeyFacts:
    """Public facts about a key, safe for events, transcripts and screens."""

    keyid: str
    algorithm: str
    backend: str  # "software", "pkcs11", "yubikey"
    location: str  # a URI: age-file:..., pkcs11:...
    public_pem: str
    generated_on_device: bool = False
    extra: dict[str, object] = field(default_factory=dict)  # token label, serial, attestation...


def tuf_key_for(public_key: PublicKeyTypes, algorithm: Algorithm | None = None) -> SSlibKey:
    """The TUF key object (with its keyid) for a ``cryptography`` public key."""
    algorithm = algorithm or algorithm_of_public_key(public_key)
    return SSlibKey.from_crypto(public_key, scheme=algorithm.scheme)


def public_pem(public_key: PublicKeyTypes) -> str:
    return public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


class KeySigner(Signer):
    """A private key somewhere, able to sign, checked on every signature."""

    backend: str = "?"

    def __init__(self, public_key: PublicKeyTypes, location: str) -> None:
        self.crypto_public_key = public_key
        self.algorithm = algorithm_of_public_key(public_key)
        self._tuf_key = tuf_key_for(public_key, self.algorithm)
        self.location = location

    # securesystemslib's Signer interface -------------------------------
    @property
    def public_key(self) -> Key:
        return self._tuf_key

    @classmethod
    def from_priv_key_uri(
        cls,
        priv_key_uri: str,
        public_key: Key,
        secrets_handler: SecretsHandler | None = None,
    ) -> NoReturn:
        raise NotImplementedError(
            "ceremony keys are opened through their backend, not by URI alone"
        )

    def sign(self, payload: bytes) -> Signature:
        return self.sign_checked(payload, self.verifies)

    def verifies(self, raw: bytes, payload: bytes) -> bool:
        """Whether ``raw`` over ``payload`` verifies against this key's public key."""
        return self.algorithm.check_signature(self.crypto_public_key, raw, payload)

    def sign_checked(self, payload: bytes, check: Callable[[bytes, bytes], bool]) -> Signature:
        """:meth:`sign`, the signature checked by ``check(raw, payload)`` before it is
        handed out: :meth:`verifies`, or :meth:`verifies` asked through a caller's
        memory of checks (so that counting the signature afterwards, over the same
        bytes, does not check it again)."""
        raw = self.sign_raw(payload)
        if not check(raw, payload):
            raise SignatureCheckError(
                f"the {self.backend} key {self.keyid[:8]} returned a signature that "
                "does not verify against its public key",
                "stop the ceremony: the key or its token is faulty",
            )
        return Signature(self.keyid, raw.hex())

    # what backends provide ---------------------------------------------
    @abstractmethod
    def sign_raw(self, payload: bytes) -> bytes:
        """Sign in the TUF encoding of this algorithm (DER for ECDSA)."""

    def sign_raw_many(self, payloads: Sequence[bytes]) -> list[bytes]:
        """:meth:`sign_raw` of each payload, in order. A backend whose key is
        reached through another thread (a token's) does the whole batch in
        one hop there."""
        return [self.sign_raw(payload) for payload in payloads]

    def facts(self) -> KeyFacts:
        return KeyFacts(
            keyid=self.keyid,
            algorithm=self.algorithm.name,
            backend=self.backend,
            location=self.location,
            public_pem=public_pem(self.crypto_public_key),
        )

    def close(self) -> None:
        """Forget the private key or release the token session."""

    @property
    def keyid(self) -> str:
        return self._tuf_key.keyid
