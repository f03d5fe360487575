"""The YubiKey PIV profile: ceremony keys in a YubiKey slot, through ykcs11.

On top of the PKCS#11 backend (hsm.pkcs11) with Yubico's ykcs11 module:

- a key lives in a PIV slot (9c by default); the slot's number is its CKA_ID;
- generating needs the management key (ykcs11 logs in as "SO" with it) and
  refuses a slot that already holds a key; signing needs the PIN, entered
  once: slot 9c asks for the PIN on every signature, so the PIN is kept in
  memory until the token is closed;
- in a production ceremony a factory PIN or management key is refused
  before it is sent (no try spent); the PUK cannot be checked for free, so
  the runbook asks the keyholder to confirm it was changed (hsm.yubikey.defaults);
- the slot's attestation and the f9 device certificate are read and
  verified (hsm.yubikey.attestation); serial, firmware, PIN and touch
  policies from the attestation go into the key's facts, and a signer can
  call back "touch your YubiKey now" before each signature that needs it.

PIN and touch policies can be chosen at generation only with ykcs11 2.3 or
later (Debian 12 ships 2.2, which keeps each slot's defaults).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace

import pkcs11.exceptions as p11
from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes
from pkcs11 import Attribute, ObjectClass, Session
from pkcs11.attributes import AttributeMapper

from hsm.errors import KeyBackendError
from hsm.pkcs11 import key_lookup, key_making
from hsm.pkcs11.errors import MechanismMissingError, explain
from hsm.pkcs11.keys import TokenKey
from hsm.pkcs11.mechanisms import token_algorithm
from hsm.pkcs11.pin import PinRequest, PinSource
from hsm.pkcs11.signer import Pkcs11Signer
from hsm.pkcs11.token import Token
from hsm.pkcs11.tokens import list_tokens, open_token
from hsm.signer import KeyFacts
from hsm.yubikey.attestation import Attestation, AttestedKey, verify_attestation
from hsm.yubikey.defaults import refuse_factory_management_key, refuse_factory_pin
from hsm.yubikey.pki import CertificateInput
from hsm.yubikey.slots import DEVICE_CERT_LABEL, PivSlot, SlotKey, piv_slot

YKCS11_MODULE = "/usr/lib/x86_64-linux-gnu/libykcs11.so"

# ykcs11's vendor attributes (pkcs11y.h), known to ykcs11 2.3 and later.
CKA_YUBICO_TOUCH_POLICY = 0x80000000 + 0x59554200 + 1
CKA_YUBICO_PIN_POLICY = 0x80000000 + 0x59554200 + 2
PIN_POLICY_VALUES = {"never": 1, "once": 2, "always": 3}
TOUCH_POLICY_VALUES = {"never": 1, "always": 2, "cached": 3}


def policy_attributes(pin_policy: str | None, touch_policy: str | None) -> dict[int, int]:
    """ykcs11 private-key attributes asking for PIN and touch policies."""
    chosen = {}
    for name, value, table, attribute in (
        ("PIN", pin_policy, PIN_POLICY_VALUES, CKA_YUBICO_PIN_POLICY),
        ("touch", touch_policy, TOUCH_POLICY_VALUES, CKA_YUBICO_TOUCH_POLICY),
    ):
        if value in (None, "default"):
            continue
        if value not in table:
            raise KeyBackendError(
                f"{value!r} is not a YubiKey {name} policy",
                f"use one of: default, {', '.join(table)}",
            )
        chosen[attribute] = table[value]
    return chosen


def _mapper_with_policies() -> AttributeMapper:
    from pkcs11.attributes import handle_ulong

    mapper = AttributeMapper()
    for attribute in (CKA_YUBICO_TOUCH_POLICY, CKA_YUBICO_PIN_POLICY):
        # a vendor's attribute number is no member of python-pkcs11's Attribute
        # enum, though its mapper takes one
        mapper.register_handler(attribute, *handle_ulong)  # type: ignore[arg-type]
    return mapper


class YubiKeySigner(Pkcs11Signer):
    """A key in a YubiKey slot; its facts carry slot, policies, attestation."""

    backend = "yubikey"

    def __init__(self, token: Token, key: TokenKey, slot: PivSlot,
                 attestation: Attestation | None,
                 on_touch: Callable[[str], None] | None = None) -> None:
        super().__init__(token, key)
        self.slot = slot
        self.attestation = attestation
        self.on_touch = on_touch

    @property
    def needs_touch(self) -> bool:
        policy = self.attestation.touch_policy if self.attestation else None
        return policy in ("always", "cached") or (
            policy is None and self.slot.default_touch_policy != "never"
        )

    def sign_raw(self, payload: bytes) -> bytes:
        if self.on_touch is not None and self.needs_touch:
            self.on_touch(f"touch the YubiKey {self.token.info.label} now to sign")
        return super().sign_raw(payload)

    def facts(self) -> KeyFacts:
        facts = super().facts()
        extra = dict(facts.extra)
        extra["piv_slot"] = self.slot.name
        attested = self.attestation is not None
        extra["generated_on_device"] = attested
        extra["origin"] = (
            "generated on the YubiKey (attested)" if attested
            else "not attested: origin unknown"
        )
        if self.attestation is not None:
            extra.update(self.attestation.facts())
        else:
            extra["pin_policy"] = f"slot default ({self.slot.default_pin_policy})"
            extra["touch_policy"] = f"slot default ({self.slot.default_touch_policy})"
        return replace(facts, backend=self.backend, generated_on_device=attested, extra=extra)


class YubiKey:
    """One YubiKey's PIV applet, seen through ykcs11."""

    def __init__(self, token: Token, *, production: bool = True) -> None:
        self.token = token
        self.production = production

    @classmethod
    def open(cls, serial: str | int | None = None, *, module: str = YKCS11_MODULE,
             production: bool = True) -> YubiKey:
        """The YubiKey with this serial (or the only one plugged in)."""
        if serial is None:
            present = list_tokens(module)
            if len(present) != 1:
                raise KeyBackendError(
                    f"{len(present)} YubiKeys are plugged in",
                    "plug in exactly one, or name it by serial in the ceremony script",
                )
            serial = present[0].serial
        return cls(open_token(module, serial=str(serial)), production=production)

    # credentials ---------------------------------------------------------
    def login(self, pin: PinSource) -> None:
        """Log in with the PIN, once; a factory PIN is refused unsent."""
        def checked(request: PinRequest) -> str | None:
            typed = pin(request) if callable(pin) else pin
            refuse_factory_pin(typed, production=self.production)
            return typed

        self.token.login(checked, keep_pin_for_each_signature=True)

    # generating ----------------------------------------------------------
    def generate(self, slot: str | None = None, algorithm: str = "ecdsa-p256", *,
                 management_key: str, pin_policy: str | None = None,
                 touch_policy: str | None = None) -> SlotKey:
        """Generate a key in ``slot`` (9c by default) with the management key.

        Run it before :meth:`login`: ykcs11 cannot be logged in with the PIN
        and the management key at once. A slot that already holds a key is
        refused, never overwritten.
        """
        chosen = piv_slot(slot)
        spec = token_algorithm(algorithm)
        refuse_factory_management_key(management_key, production=self.production)
        doing = f"generating an {spec.name} key in slot {chosen.name}"
        if self.token.logged_in:
            raise KeyBackendError(
                f"{self.token.info.name} is logged in with the PIN while {doing}",
                "generate YubiKey keys first, then log in with the PIN to sign",
            )
        self.token.require_mechanisms(spec, generate=True)
        extra = policy_attributes(pin_policy, touch_policy)
        p11token = self.token.p11_token

        def generate_as_so() -> PublicKeyTypes:
            session = p11token.open(
                rw=True, so_pin=management_key,
                attribute_mapper=_mapper_with_policies() if extra else None,
            )
            try:
                return key_making.generate(
                    session, spec, None, self.token.info.name,
                    cka_id=chosen.id_bytes, private_extra=extra,
                    piv_templates=True, require_local=False,
                ).public_key
            finally:
                session.close()

        try:
            public_key = self.token.module.worker.call(generate_as_so)
        except p11.AttributeTypeInvalid:
            raise MechanismMissingError(
                f"this ykcs11 cannot set PIN or touch policies while {doing}",
                "leave the policies at the slot defaults, or install ykcs11 2.3 or later",
            ) from None
        except p11.PinIncorrect:
            raise KeyBackendError(
                f"the management key for {self.token.info.name} is wrong",
                "type it again; a wrong management key does not lock the YubiKey",
            ) from None
        except p11.PKCS11Error as error:
            raise explain(error, doing, self.token.info.name) from None
        return SlotKey(chosen, spec.name, public_key)

    # attestation ---------------------------------------------------------
    def read_attestation(self, slot: str | None = None) -> tuple[bytes, bytes]:
        """The DER slot attestation certificate and f9 device certificate."""
        chosen = piv_slot(slot)

        def read(session: Session) -> tuple[bytes, bytes] | None:
            found = []
            for label in (chosen.attestation_label, DEVICE_CERT_LABEL):
                certs = list(session.get_objects(
                    {Attribute.CLASS: ObjectClass.CERTIFICATE, Attribute.LABEL: label}
                ))
                if len(certs) != 1:
                    return None
                found.append(bytes(certs[0][Attribute.VALUE]))
            slot_cert, device_cert = found
            return slot_cert, device_cert

        found = self.token.run(f"reading the attestation of slot {chosen.name}", read,
                               self.token.session())
        if found is None:
            raise KeyBackendError(
                f"{self.token.info.name} shows no attestation for slot {chosen.name}",
                "only keys generated on the YubiKey (firmware 4.3 or later) can be "
                "attested; generate the key on the device",
            )
        return found

    def attest(
        self,
        slot: str | None,
        public_key: AttestedKey | None,
        *,
        roots: Iterable[CertificateInput] | None = None,
        intermediates: Iterable[CertificateInput] = (),
    ) -> Attestation:
        """Read and verify the attestation of ``slot`` for ``public_key``."""
        slot_cert, device_cert = self.read_attestation(slot)
        serial = self.token.info.serial
        return verify_attestation(
            slot_cert, device_cert, public_key,
            roots=roots, intermediates=intermediates, slot=piv_slot(slot).name,
            serial=int(serial) if serial.isdigit() else None,
        )

    # signing -------------------------------------------------------------
    def open_slot_key(self, slot: str | None, public_key: PublicKeyTypes, *,
                      attestation: Attestation | None = None,
                      on_touch: Callable[[str], None] | None = None) -> YubiKeySigner:
        """The signer for the key in ``slot``, which must be ``public_key``.

        No test signature is made here: it would cost a touch. Every real
        signature is verified before use anyway.
        """
        chosen = piv_slot(slot)
        doing = f"opening the key in slot {chosen.name}"
        self.token.require_login(doing)
        key = self.token.run(
            doing, key_lookup.find, self.token.session(), chosen.id_bytes, public_key,
            None, self.token.info.name,
        )
        if attestation is None:
            key.generated_on_device = False
        return self.token.adopt(
            YubiKeySigner(self.token, key, chosen, attestation, on_touch=on_touch)
        )

    def close(self) -> None:
        self.token.close()
