"""Key pairs on a token: generate, find, import and list them.

The rules follow the best ceremony tools (Let's Encrypt's boulder):

- generate only after checking that the label and the CKA_ID are free (a token
  happily stores duplicates); the CKA_ID comes from the token's random
  generator; the new private key is read back and must be on the right curve,
  LOCAL, NEVER_EXTRACTABLE, ALWAYS_SENSITIVE, SENSITIVE and not EXTRACTABLE,
  or it is destroyed and the error says why;
- find a key by CKA_ID plus public key value, never by label alone; if two
  keys could be meant, refuse;
- import a software key (for a backup token) as sensitive and
  non-extractable, and say it was imported, never generated on the token.

Every function here takes a python-pkcs11 session and must run on the
module's worker thread (hsm.pkcs11.worker). Errors name the token.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

import pkcs11.exceptions as p11
from cryptography.hazmat.primitives import serialization
from pkcs11 import Attribute, MechanismFlag, ObjectClass
from pkcs11.constants import DEFAULT

from hsm.algorithms import algorithm_of_public_key
from hsm.errors import KeyNotFoundError
from hsm.pkcs11.errors import (
    KeyAmbiguousError,
    KeyProtectionError,
    LabelTakenError,
)
from hsm.pkcs11.mechanisms import TokenAlgorithm, token_algorithm, token_algorithm_of

CKA_ID_BYTES = 16
_UNREADABLE = (p11.AttributeTypeInvalid, p11.AttributeSensitive, p11.FunctionFailed)


def attribute(obj, which, default=None):
    """One attribute of a token object, or ``default`` when the token does not
    have or will not show it."""
    try:
        return obj[which]
    except _UNREADABLE:
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
    def read(cls, private) -> "KeyProtection":
        def flag(which):
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

    def as_dict(self) -> dict:
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

    private: object
    public: object | None
    spec: TokenAlgorithm
    public_key: object
    cka_id: bytes
    label: str
    protection: KeyProtection
    generated_on_device: bool
    cka_id_source: str  # "token random generator", "host random generator", ...


# looking around ------------------------------------------------------------
def objects_labelled(session, label: str) -> list:
    return list(session.get_objects({Attribute.LABEL: label}))


def objects_with_id(session, cka_id: bytes) -> list:
    return list(session.get_objects({Attribute.ID: cka_id}))


def new_cka_id(session) -> tuple[bytes, str]:
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


def check_free(session, label: str | None, cka_id: bytes | None, token_name: str) -> None:
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
    session,
    spec: TokenAlgorithm,
    label: str | None,
    token_name: str,
    *,
    cka_id: bytes | None = None,
    private_extra: dict | None = None,
    piv_templates: bool = False,
    require_local: bool = True,
) -> TokenKey:
    """Generate a key pair on the token; see the module text for the checks.

    ``piv_templates`` sends only what a PIV card accepts (YubiKey: the slot is
    the CKA_ID, the label is fixed by the card); ``require_local`` False
    leaves the proof of on-device generation to attestation.
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
    public_template = {Attribute.TOKEN: True, Attribute.PRIVATE: False}
    private_template = {
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
        public_key = spec.public_key_from(_public_values(public, spec))
        problems = _curve_problems(private, public, spec)
        protection = KeyProtection.read(private)
        problems += protection.problems(generated=True, require_local=require_local)
    except Exception:
        _destroy_quietly(private, public)
        raise
    if problems:
        _destroy_quietly(private, public)
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


def _public_values(obj, spec: TokenAlgorithm) -> dict:
    if spec.key_type.name == "RSA":
        return {
            Attribute.MODULUS: obj[Attribute.MODULUS],
            Attribute.PUBLIC_EXPONENT: obj[Attribute.PUBLIC_EXPONENT],
        }
    return {Attribute.EC_POINT: obj[Attribute.EC_POINT]}


def _curve_problems(private, public, spec: TokenAlgorithm) -> list[str]:
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


def _destroy_quietly(*objects) -> None:
    for obj in objects:
        if obj is None:
            continue
        try:
            obj.destroy()
        except p11.PKCS11Error:
            pass


def destroy(key: TokenKey) -> None:
    """Remove both halves of a key from the token."""
    _destroy_quietly(key.private, key.public)


# finding -------------------------------------------------------------------
def _spki(public_key) -> bytes:
    return public_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def _value_on(obj, spec: TokenAlgorithm):
    """The public key an object carries (public object, or a private key that
    shows its public half), or None when it does not show one."""
    try:
        return spec.public_key_from(_public_values(obj, spec))
    except (KeyError, ValueError) + _UNREADABLE:
        return None


def find(
    session,
    cka_id: bytes,
    public_key,
    label: str | None,
    token_name: str,
) -> TokenKey:
    """The one private key with this CKA_ID whose public key is ``public_key``."""
    spec = token_algorithm(algorithm_of_public_key(public_key))
    want = _spki(public_key)
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
    public_match = [p for p in publics if (v := _value_on(p, spec)) and _spki(v) == want]
    confirmed, unknown = [], []
    for private in privates:
        shown = _value_on(private, spec)
        if shown is None:
            unknown.append(private)
        elif _spki(shown) == want:
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


# importing -----------------------------------------------------------------
def import_private_key(session, private_key, label: str, token_name: str) -> TokenKey:
    """Store a software private key (and its public half) on the token."""
    public_key = private_key.public_key()
    spec = token_algorithm(algorithm_of_public_key(public_key))
    check_free(session, label, None, token_name)
    cka_id, source = new_cka_id(session)
    common = {
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
        _destroy_quietly(public)
        raise
    finally:
        private_template.clear()  # drop our references to the private values
    protection = KeyProtection.read(private)
    problems = protection.problems(generated=False)
    if problems:
        _destroy_quietly(private, public)
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


def list_keys(session) -> list[KeyListing]:
    entries: dict[bytes, dict] = {}
    privates_per_id: dict[bytes, int] = {}
    for cls in (ObjectClass.PRIVATE_KEY, ObjectClass.PUBLIC_KEY):
        for obj in session.get_objects({Attribute.CLASS: cls}):
            cka_id = bytes(attribute(obj, Attribute.ID, b"") or b"")
            entry = entries.setdefault(
                cka_id, {"labels": set(), "private": None, "public": None}
            )
            entry["labels"].add(attribute(obj, Attribute.LABEL, "") or "")
            if cls == ObjectClass.PRIVATE_KEY:
                privates_per_id[cka_id] = privates_per_id.get(cka_id, 0) + 1
                entry["private"] = obj
            else:
                entry["public"] = obj
    label_count: dict[str, int] = {}
    for entry in entries.values():
        for label in entry["labels"]:
            label_count[label] = label_count.get(label, 0) + 1
    listings = []
    for cka_id, entry in entries.items():
        some = entry["private"] or entry["public"]
        key_type = attribute(some, Attribute.KEY_TYPE)
        params = attribute(some, Attribute.EC_PARAMS)
        if params is None and entry["public"] is not None:
            params = attribute(entry["public"], Attribute.EC_PARAMS)
        bits = 0
        if entry["public"] is not None:
            bits = len(attribute(entry["public"], Attribute.MODULUS, b"") or b"") * 8
        spec = token_algorithm_of(key_type, params, bits)
        pem = None
        if spec is not None and entry["public"] is not None:
            value = _value_on(entry["public"], spec)
            if value is not None:
                pem = value.public_bytes(
                    serialization.Encoding.PEM,
                    serialization.PublicFormat.SubjectPublicKeyInfo,
                ).decode()
        labels = sorted(entry["labels"])
        listings.append(
            KeyListing(
                cka_id=cka_id,
                label=" / ".join(labels),
                algorithm=spec.name if spec else None,
                has_private=entry["private"] is not None,
                has_public=entry["public"] is not None,
                protection=KeyProtection.read(entry["private"]) if entry["private"] else None,
                public_pem=pem,
                duplicate_label=any(label_count[label] > 1 for label in labels)
                or len(labels) > 1,
                duplicate_id=privates_per_id.get(cka_id, 0) > 1,
            )
        )
    return sorted(listings, key=lambda k: (k.label, k.cka_id))
