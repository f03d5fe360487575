"""Putting a key pair on a token: generating it there, or importing one.

The rules follow the best ceremony tools (Let's Encrypt's boulder):

- generate only after checking that the label and the CKA_ID are free (a token
  happily stores duplicates); the CKA_ID comes from the token's random
  generator; the new private key is read back and must be on the right curve,
  LOCAL, NEVER_EXTRACTABLE, ALWAYS_SENSITIVE, SENSITIVE and not EXTRACTABLE,
  or it is destroyed and the error says why;
- import a software key (for a backup token) as sensitive and
  non-extractable, and say it was imported, never generated on the token.

Every function here takes a python-pkcs11 session and must run on the
module's worker thread (hsm.pkcs11.worker). Errors name the token. Nothing
here keeps a private value once the token holds it.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any

import pkcs11.exceptions as p11
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from pkcs11 import Attribute, MechanismFlag, Object, ObjectClass, Session
from pkcs11.constants import DEFAULT

from hsm.algorithms import algorithm_of_public_key
from hsm.pkcs11.errors import KeyProtectionError, LabelTakenError
from hsm.pkcs11.keys import (
    CKA_ID_BYTES,
    KeyProtection,
    TokenKey,
    attribute,
    destroy_quietly,
    objects_labelled,
    objects_with_id,
    public_values,
)
from hsm.pkcs11.mechanisms import TokenAlgorithm, token_algorithm


def new_cka_id(session: Session) -> tuple[bytes, str]:
    """A fresh CKA_ID from the token's random generator (the host's if the
    token has none), checked unused."""
    for _ in range(8):
        try:
            cka_id = bytes(session.generate_random(8 * CKA_ID_BYTES))
            source = "token random generator"
        except (p11.RandomNoRNG, p11.FunctionNotSupported, p11.MechanismInvalid):
            cka_id = secrets.token_bytes(CKA_ID_BYTES)
            source = "host random generator (the token has none)"
        if len(cka_id) == CKA_ID_BYTES and not objects_with_id(session, cka_id):
            return cka_id, source
    raise LabelTakenError(
        "no unused CKA_ID could be drawn on the token",
        "the token's random generator looks broken: use another token",
    )


def check_free(session: Session, label: str | None, cka_id: bytes | None, token_name: str) -> None:
    """Refuse when the label or CKA_ID is already used by any object."""
    if label is not None:
        taken = objects_labelled(session, label)
        if taken:
            raise LabelTakenError(
                f"{token_name} already holds {len(taken)} object(s) labelled {label!r}",
                "choose another label in the ceremony script, or remove the old "
                "object once you are sure no ceremony needs it (ceremony tokens "
                "lists them)",
            )
    if cka_id is not None and objects_with_id(session, cka_id):
        raise LabelTakenError(
            f"{token_name} already holds an object with CKA_ID {cka_id.hex()}",
            "choose another id or slot, or remove the old object once you are "
            "sure no ceremony needs it",
        )


# generating ----------------------------------------------------------------
def generate(
    session: Session,
    spec: TokenAlgorithm,
    label: str | None,
    token_name: str,
    *,
    cka_id: bytes | None = None,
    private_extra: Mapping[Attribute | int, object] | None = None,
    piv_templates: bool = False,
    require_local: bool = True,
) -> TokenKey:
    """Generate a key pair on the token; see the module text for the checks.

    ``piv_templates`` sends only what a PIV card accepts (YubiKey: the slot is
    the CKA_ID, the label is fixed by the card); ``private_extra`` adds
    attributes of the private key, a vendor's among them; ``require_local``
    False leaves the proof of on-device generation to attestation.
    """
    if label is None and not piv_templates:
        raise LabelTakenError(
            "a key made on a token needs a label", "give the key a label in the script"
        )
    check_free(session, label, cka_id, token_name)
    if cka_id is None:
        cka_id, source = new_cka_id(session)
    else:
        source = "chosen slot" if piv_templates else "given"
    public_template: dict[Attribute, Any] = {Attribute.TOKEN: True, Attribute.PRIVATE: False}
    # a vendor's attribute (YubiKey policies) is a number outside the Attribute enum
    private_template: dict[Attribute | int, object] = {
        Attribute.TOKEN: True,
        Attribute.PRIVATE: True,
        Attribute.SENSITIVE: True,
        Attribute.EXTRACTABLE: False,
    }
    if spec.ec_params is not None:
        public_template[Attribute.EC_PARAMS] = spec.ec_params
    if piv_templates:
        # ykcs11 refuses any attribute it does not know, CKA_EXTRACTABLE among
        # them (PIV keys can never be extracted anyway); the label is fixed
        # by the card and ignored.
        private_template[Attribute.EXTRACTABLE] = DEFAULT
    private_template.update(private_extra or {})
    public, private = session.generate_keypair(
        spec.key_type,
        spec.key_bits if spec.key_type.name == "RSA" else None,
        id=cka_id,
        label=label,
        store=True,
        capabilities=MechanismFlag.SIGN | MechanismFlag.VERIFY,
        mechanism=spec.generate_mechanism,
        public_template=public_template,
        private_template=private_template,
    )
    try:
        public_key = spec.public_key_from(public_values(public, spec))
        problems = _curve_problems(private, public, spec)
        protection = KeyProtection.read(private)
        problems += protection.problems(generated=True, require_local=require_local)
    except Exception:
        destroy_quietly(private, public)
        raise
    if problems:
        destroy_quietly(private, public)
        raise KeyProtectionError(
            f"the {spec.name} key just generated on {token_name} failed its checks: "
            f"{'; '.join(problems)}. It was destroyed and never used",
            "use a token that keeps private keys sensitive, non-extractable and made "
            "on the token",
        )
    return TokenKey(
        private=private,
        public=public,
        spec=spec,
        public_key=public_key,
        cka_id=cka_id,
        label=label or attribute(private, Attribute.LABEL, ""),
        protection=protection,
        generated_on_device=True,
        cka_id_source=source,
    )


def _curve_problems(private: Object, public: Object, spec: TokenAlgorithm) -> list[str]:
    key_type = attribute(private, Attribute.KEY_TYPE)
    if key_type is not None and key_type != spec.key_type:
        return [f"it is a {getattr(key_type, 'name', key_type)} key, not {spec.name}"]
    if spec.ec_params is None:
        modulus = attribute(public, Attribute.MODULUS, b"")
        if len(modulus) * 8 != spec.key_bits:
            return [f"its modulus has {len(modulus) * 8} bits, not {spec.key_bits}"]
        return []
    params = attribute(private, Attribute.EC_PARAMS) or attribute(public, Attribute.EC_PARAMS)
    if params is None or bytes(params) not in spec.accepted_ec_params:
        return [f"its curve is not the one asked for ({spec.name})"]
    return []


# importing -----------------------------------------------------------------
def import_private_key(
    session: Session, private_key: PrivateKeyTypes, label: str, token_name: str
) -> TokenKey:
    """Store a software private key (and its public half) on the token."""
    public_key = private_key.public_key()
    spec = token_algorithm(algorithm_of_public_key(public_key))
    check_free(session, label, None, token_name)
    cka_id, source = new_cka_id(session)
    common: dict[Attribute, Any] = {
        Attribute.KEY_TYPE: spec.key_type,
        Attribute.TOKEN: True,
        Attribute.ID: cka_id,
        Attribute.LABEL: label,
    }
    public_template = {
        **common,
        Attribute.CLASS: ObjectClass.PUBLIC_KEY,
        Attribute.PRIVATE: False,
        Attribute.VERIFY: True,
        Attribute.ENCRYPT: False,
        Attribute.WRAP: False,
        **spec.public_attributes(public_key),
    }
    private_template = {
        **common,
        Attribute.CLASS: ObjectClass.PRIVATE_KEY,
        Attribute.PRIVATE: True,
        Attribute.SENSITIVE: True,
        Attribute.EXTRACTABLE: False,
        Attribute.SIGN: True,
        Attribute.DECRYPT: False,
        Attribute.UNWRAP: False,
        Attribute.DERIVE: False,
        **spec.private_attributes(private_key),
    }
    public = session.create_object(public_template)
    try:
        private = session.create_object(private_template)
    except BaseException:
        destroy_quietly(public)
        raise
    finally:
        private_template.clear()  # drop our references to the private values
    protection = KeyProtection.read(private)
    problems = protection.problems(generated=False)
    if problems:
        destroy_quietly(private, public)
        raise KeyProtectionError(
            f"the key imported into {token_name} is not protected: {'; '.join(problems)}. "
            "It was removed again",
            "use a backup token that keeps imported keys sensitive and non-extractable",
        )
    return TokenKey(
        private=private,
        public=public,
        spec=spec,
        public_key=public_key,
        cka_id=cka_id,
        label=label,
        protection=protection,
        generated_on_device=False,
        cka_id_source=source,
    )
