"""Finding key pairs on a token: the recorded key, and every key there.

:func:`find` returns the one private key with a recorded CKA_ID whose public
key is the recorded one: a key is selected by CKA_ID plus public key value,
never by label alone, and if two keys could be meant it refuses rather than
guess. :func:`list_keys` lists every key pair on the token, flagging
duplicate labels and CKA_IDs, for ``ceremony tokens``.

Every function here takes a python-pkcs11 session and must run on the
module's worker thread (hsm.pkcs11.worker). It only reads; errors name the token.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes
from pkcs11 import Attribute, Object, ObjectClass, Session

from hsm.algorithms import algorithm_of_public_key
from hsm.errors import KeyNotFoundError
from hsm.pkcs11.errors import KeyAmbiguousError, KeyProtectionError
from hsm.pkcs11.keys import KeyProtection, TokenKey, attribute, public_key_on, spki
from hsm.pkcs11.mechanisms import token_algorithm, token_algorithm_of


def find(
    session: Session,
    cka_id: bytes,
    public_key: PublicKeyTypes,
    label: str | None,
    token_name: str,
) -> TokenKey:
    """The one private key with this CKA_ID whose public key is ``public_key``."""
    spec = token_algorithm(algorithm_of_public_key(public_key))
    want = spki(public_key)
    where = f"CKA_ID {cka_id.hex()}" + (f" and label {label!r}" if label else "")
    search = {Attribute.CLASS: ObjectClass.PRIVATE_KEY, Attribute.ID: cka_id}
    if label is not None:
        search[Attribute.LABEL] = label
    privates = [
        p for p in session.get_objects(search)
        if attribute(p, Attribute.KEY_TYPE) in (None, spec.key_type)
    ]
    if not privates:
        raise KeyNotFoundError(
            f"no {spec.name} private key with {where} is on {token_name}",
            "check that the right token is inserted; ceremony tokens lists the keys on it",
        )
    publics = session.get_objects({Attribute.CLASS: ObjectClass.PUBLIC_KEY, Attribute.ID: cka_id})
    public_match = [p for p in publics if (v := public_key_on(p, spec)) and spki(v) == want]
    confirmed: list[Object] = []
    unknown: list[Object] = []
    for private in privates:
        shown = public_key_on(private, spec)
        if shown is None:
            unknown.append(private)
        elif spki(shown) == want:
            confirmed.append(private)
    if len(confirmed) > 1:
        raise KeyAmbiguousError(
            f"{len(confirmed)} copies of the recorded key with {where} are on {token_name}",
            "remove the extra copies (keep one) before the ceremony; the tool will not guess",
        )
    if confirmed:
        chosen = confirmed[0]
    elif not public_match:
        raise KeyNotFoundError(
            f"the key with {where} on {token_name} is not the recorded key "
            "(its public key differs)",
            "check that the right token is inserted and that the script names the right id",
        )
    elif len(unknown) == 1:
        chosen = unknown[0]
    else:
        raise KeyAmbiguousError(
            f"{len(unknown)} private keys with {where} are on {token_name} and the "
            "token does not show which one belongs to the recorded public key",
            "remove the keys no ceremony recorded (ceremony tokens flags them); the "
            "tool will not guess",
        )
    protection = KeyProtection.read(chosen)
    problems = protection.problems(generated=False)
    if problems:
        raise KeyProtectionError(
            f"the key with {where} on {token_name} is not protected: {'; '.join(problems)}",
            "do not use it for a root key: make a new key on the token",
        )
    return TokenKey(
        private=chosen,
        public=public_match[0] if public_match else None,
        spec=spec,
        public_key=public_key,
        cka_id=cka_id,
        label=attribute(chosen, Attribute.LABEL, "") or "",
        protection=protection,
        generated_on_device=protection.made_on_token,
        cka_id_source="recorded",
    )


# listing -------------------------------------------------------------------
@dataclass(frozen=True)
class KeyListing:
    """One key (pair) on a token, as ``ceremony tokens`` shows it."""

    cka_id: bytes
    label: str
    algorithm: str | None  # None: a key type outside the allow-list
    has_private: bool
    has_public: bool
    protection: KeyProtection | None
    public_pem: str | None
    duplicate_label: bool
    duplicate_id: bool


@dataclass
class _Found:
    """The objects seen under one CKA_ID while listing."""

    labels: set[str] = field(default_factory=set)
    private: Object | None = None
    public: Object | None = None


def list_keys(session: Session) -> list[KeyListing]:
    entries: dict[bytes, _Found] = {}
    privates_per_id: dict[bytes, int] = {}
    for cls in (ObjectClass.PRIVATE_KEY, ObjectClass.PUBLIC_KEY):
        for obj in session.get_objects({Attribute.CLASS: cls}):
            cka_id = bytes(attribute(obj, Attribute.ID, b"") or b"")
            entry = entries.setdefault(cka_id, _Found())
            entry.labels.add(attribute(obj, Attribute.LABEL, "") or "")
            if cls == ObjectClass.PRIVATE_KEY:
                privates_per_id[cka_id] = privates_per_id.get(cka_id, 0) + 1
                entry.private = obj
            else:
                entry.public = obj
    label_count: dict[str, int] = {}
    for entry in entries.values():
        for label in entry.labels:
            label_count[label] = label_count.get(label, 0) + 1
    listings = []
    for cka_id, entry in entries.items():
        some = entry.private or entry.public
        assert some is not None  # every entry was made for an object
        key_type = attribute(some, Attribute.KEY_TYPE)
        params = attribute(some, Attribute.EC_PARAMS)
        if params is None and entry.public is not None:
            params = attribute(entry.public, Attribute.EC_PARAMS)
        bits = 0
        if entry.public is not None:
            bits = len(attribute(entry.public, Attribute.MODULUS, b"") or b"") * 8
        spec = token_algorithm_of(key_type, params, bits)
        pem = None
        if spec is not None and entry.public is not None:
            value = public_key_on(entry.public, spec)
            if value is not None:
                pem = value.public_bytes(
                    serialization.Encoding.PEM,
                    serialization.PublicFormat.SubjectPublicKeyInfo,
                ).decode()
        labels = sorted(entry.labels)
        listings.append(
            KeyListing(
                cka_id=cka_id,
                label=" / ".join(labels),
                algorithm=spec.name if spec else None,
                has_private=entry.private is not None,
                has_public=entry.public is not None,
                protection=KeyProtection.read(entry.private) if entry.private else None,
                public_pem=pem,
                duplicate_label=any(label_count[label] > 1 for label in labels)
                or len(labels) > 1,
                duplicate_id=privates_per_id.get(cka_id, 0) > 1,
            )
        )
    return sorted(listings, key=lambda k: (k.label, k.cka_id))
