"""The signer for a key that lives on a PKCS#11 token.

A :class:`Pkcs11Signer` is a :class:`hsm.signer.KeySigner`: python-tuf's
``Metadata.sign()`` takes it as it is, and every signature it makes is
verified with ``cryptography`` before it is handed out (KeySigner.sign).
The host hashes the payload; only the token's ``C_Sign`` runs on the
module's worker thread, in the session the token logged in once.

Its facts say where the key lives (a ``pkcs11:`` URI with token label,
serial, object label, id and module path), what the token is (model,
firmware) and whether the key was generated on the token or imported.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

import pkcs11.exceptions as p11
from pkcs11 import Mechanism, Object, SignMixin

from hsm.errors import KeyBackendError, SignatureCheckError
from hsm.pkcs11.errors import KeyProtectionError, explain
from hsm.pkcs11.keys import TokenKey
from hsm.pkcs11.mechanisms import MechanismParam
from hsm.pkcs11.uri import Pkcs11Uri
from hsm.signer import KeyFacts, KeySigner, public_pem

if TYPE_CHECKING:
    from hsm.pkcs11.token_info import TokenInfo
    from hsm.pkcs11.worker import TokenWorker


class SigningToken(Protocol):
    """What a signer asks of the token it signs on (token.py's Token, which makes
    signers): its facts, its worker thread, and the PIN it keeps for keys that
    ask for it on every signature."""

    @property
    def info(self) -> TokenInfo: ...

    @property
    def worker(self) -> TokenWorker: ...

    def kept_pin(self) -> str | None: ...


def _sign_all_on_token(
    private: SignMixin,
    requests: list[tuple[bytes, Mechanism, MechanismParam | None]],
    pin: str | None,
) -> list[bytes]:
    """On the token's thread: ``C_Sign`` for each prepared request, in order."""
    sign = private.sign
    return [
        sign(data, mechanism=mechanism, mechanism_param=param, pin=pin)
        for data, mechanism, param in requests
    ]


def _signing_key(private: Object, label: str, token: SigningToken) -> SignMixin:
    """The private key as python-pkcs11 offers it for signing: it gives an
    object a ``sign`` method only when the token marks it CKA_SIGN. (The
    token's name is worked out only for the error: this runs per batch.)"""
    if not isinstance(private, SignMixin):
        raise KeyProtectionError(
            f"the key {label!r} on {token.info.name} is not allowed to sign "
            "(CKA_SIGN is not set)",
            "use a key made for signing: make a new key on the token",
        )
    return private


class Pkcs11Signer(KeySigner):
    """A private key on a token, used through the token's logged-in session."""

    backend = "pkcs11"

    def __init__(self, token: SigningToken, key: TokenKey) -> None:
        self.token = token
        self._worker = token.worker
        self._key: TokenKey | None = key
        self.spec = key.spec
        self.cka_id = key.cka_id
        self.label = key.label
        uri = Pkcs11Uri(
            token=token.info.label,
            serial=token.info.serial or None,
            model=token.info.model or None,
            manufacturer=token.info.manufacturer or None,
            object=key.label or None,
            id=key.cka_id,
            type="private",
            module_path=token.info.module_path,
        )
        self.uri = uri
        super().__init__(key.public_key, str(uri))
        self._doing = f"signing with the key {key.label or key.cka_id.hex()!r}"

    # KeySigner -----------------------------------------------------------
    def sign_raw(self, payload: bytes) -> bytes:
        return self.sign_raw_many((payload,))[0]

    def sign_raw_many(self, payloads: Sequence[bytes]) -> list[bytes]:
        """Each payload signed, in order, in one hop to the token's thread:
        the host hashes them all first, the token signs them one after the
        other, and the signatures come back together."""
        key = self._key
        if key is None:
            raise KeyBackendError(
                f"the key {self.label!r} on {self.token.info.name} was closed",
                "open the key again",
            )
        requests = [self.spec.sign_request(payload) for payload in payloads]
        pin = self.token.kept_pin() if key.protection.always_authenticate else None
        if key.protection.always_authenticate and pin is None:
            raise KeyBackendError(
                f"the key {self.label!r} on {self.token.info.name} asks for the PIN on "
                "every signature",
                "log in with keep_pin_for_each_signature=True (the PIN is then kept in "
                "memory until the token is closed)",
            )
        private = _signing_key(key.private, self.label, self.token)
        try:
            raws = self._worker.call(_sign_all_on_token, private, requests, pin)
        except p11.PKCS11Error as error:
            raise explain(error, self._doing, self.token.info.name) from None
        try:
            return [self.spec.tuf_signature(raw) for raw in raws]
        except ValueError:
            raise SignatureCheckError(
                f"{self.token.info.name} returned a malformed signature",
                "stop the ceremony: the token is faulty",
            ) from None

    def facts(self) -> KeyFacts:
        key = self._key
        info = self.token.info
        extra = {
            **info.facts(),
            "object_label": self.label,
            "cka_id": self.cka_id.hex(),
            "generated_on_device": key.generated_on_device if key else None,
            "origin": (
                "generated on the token"
                if key and key.generated_on_device
                else "imported into the token (not generated there)"
            ),
            "cka_id_source": key.cka_id_source if key else None,
            "protection": key.protection.as_dict() if key else None,
        }
        return KeyFacts(
            keyid=self.keyid,
            algorithm=self.algorithm.name,
            backend=self.backend,
            location=self.location,
            public_pem=public_pem(self.crypto_public_key),
            generated_on_device=bool(key and key.generated_on_device),
            extra=extra,
        )

    # checks and closing ---------------------------------------------------
    def self_test(self) -> None:
        """Sign a random test payload and verify it (raises if it fails)."""
        self.sign(b"ceremony key check " + secrets.token_bytes(16))

    def forget(self) -> None:
        """Drop the handle to the private key (the token keeps the key)."""
        self._key = None

    def close(self) -> None:
        """Release this key; the token's session stays open for others."""
        self.forget()
