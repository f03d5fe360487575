"""A key pair on a token, as this tool sees it: its objects and protection.

:class:`TokenKey` is a key pair found or made on a token (its python-pkcs11
objects, its public key, CKA_ID, label, and how it is protected);
:class:`KeyProtection` reads a private key's protection attributes back and
says, in words, what is wrong with them. The helpers here read attributes a
token may refuse to show, look objects up by label or CKA_ID, read public
keys off objects, and destroy a key pair.

Making keys is ``key_making``, finding and listing them ``key_lookup``.
Every function here that takes a session or an object must run on the
module's worker thread (hsm.pkcs11.worker). Nothing here reads a private value.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Any

import pkcs11.exceptions as p11
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes
from pkcs11 import Attribute, Object, Session

from hsm.pkcs11.mechanisms import PublicKeyOnToken, TokenAlgorithm

CKA_ID_BYTES = 16
UNREADABLE = (p11.AttributeTypeInvalid, p11.AttributeSensitive, p11.FunctionFailed)


def attribute(obj: Object, which: Attribute, default: Any = None) -> Any:
    """One attribute of a token object (its type depends on the attribute),
    or ``default`` when the token does not have or will not show it."""
    try:
        return obj[which]
    except UNREADABLE:
        return default


@dataclass(frozen=True)
class KeyProtection:
    """The protection attributes of a private key, as read back."""

    sensitive: bool | None
    extractable: bool | None
    always_sensitive: bool | None
    never_extractable: bool | None
    local: bool | None
    always_authenticate: bool | None

    @classmethod
    def read(cls, private: Object) -> KeyProtection:
        def flag(which: Attribute) -> bool | None:
            value = attribute(private, which)
            return None if value is None else bool(value)

        return cls(
            sensitive=flag(Attribute.SENSITIVE),
            extractable=flag(Attribute.EXTRACTABLE),
            always_sensitive=flag(Attribute.ALWAYS_SENSITIVE),
            never_extractable=flag(Attribute.NEVER_EXTRACTABLE),
            local=flag(Attribute.LOCAL),
            always_authenticate=flag(Attribute.ALWAYS_AUTHENTICATE),
        )

    def problems(self, *, generated: bool, require_local: bool = True) -> list[str]:
        """What is wrong with this protection, in words; empty when all is well."""
        found = []
        if self.sensitive is not True:
            found.append("it is not marked SENSITIVE")
        if self.extractable is not False:
            found.append("it is EXTRACTABLE")
        if generated:
            if self.always_sensitive is not True:
                found.append("it was not ALWAYS_SENSITIVE")
            if self.never_extractable is not True:
                found.append("it was not NEVER_EXTRACTABLE")
            if require_local and self.local is not True:
                found.append("the token does not mark it LOCAL (made on the token)")
        return found

    @property
    def made_on_token(self) -> bool:
        return bool(self.local and self.never_extractable and self.always_sensitive)

    def as_dict(self) -> dict[str, bool | None]:
        return {
            "sensitive": self.sensitive,
            "extractable": self.extractable,
            "always_sensitive": self.always_sensitive,
            "never_extractable": self.never_extractable,
            "local": self.local,
            "always_authenticate": self.always_authenticate,
        }


@dataclass
class TokenKey:
    """A key pair found or made on a token (its objects are worker-only)."""

    private: Object
    public: Object | None
    spec: TokenAlgorithm
    public_key: PublicKeyTypes
    cka_id: bytes
    label: str
    protection: KeyProtection
    generated_on_device: bool
    cka_id_source: str  # "token random generator", "host random generator", ...


# looking around ------------------------------------------------------------
def objects_labelled(session: Session, label: str) -> list[Object]:
    return list(session.get_objects({Attribute.LABEL: label}))


def objects_with_id(session: Session, cka_id: bytes) -> list[Object]:
    return list(session.get_objects({Attribute.ID: cka_id}))


def public_values(obj: Object, spec: TokenAlgorithm) -> dict[Attribute, bytes]:
    """The attributes that hold an object's public key (EC point, or RSA
    modulus and exponent)."""
    if spec.key_type.name == "RSA":
        return {
            Attribute.MODULUS: obj[Attribute.MODULUS],
            Attribute.PUBLIC_EXPONENT: obj[Attribute.PUBLIC_EXPONENT],
        }
    return {Attribute.EC_POINT: obj[Attribute.EC_POINT]}


def public_key_on(obj: Object, spec: TokenAlgorithm) -> PublicKeyOnToken | None:
    """The public key an object carries (public object, or a private key that
    shows its public half), or None when it does not show one."""
    try:
        return spec.public_key_from(public_values(obj, spec))
    except (KeyError, ValueError, *UNREADABLE):
        return None


def spki(public_key: PublicKeyTypes) -> bytes:
    """The DER SubjectPublicKeyInfo of a public key: equal for equal keys."""
    return public_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def destroy_quietly(*objects: Object | None) -> None:
    for obj in objects:
        if obj is None:
            continue
        with contextlib.suppress(p11.PKCS11Error):
            obj.destroy()


def destroy(key: TokenKey) -> None:
    """Remove both halves of a key from the token."""
    destroy_quietly(key.private, key.public)
