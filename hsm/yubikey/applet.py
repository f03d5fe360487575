"""A YubiKey's PIV applet through yubikit: credentials, keys, attestation.

:class:`PivApplet` is the yubikit counterpart of hsm.yubikey.piv.YubiKey
(the ykcs11 route) and offers the engine the same calls: ``login``,
``generate``, ``attest``, ``open_slot_key``, ``close``. It adds what ykcs11
cannot do:

- Ed25519, RSA 3072 and RSA 4096 keys on firmware 5.7 and later (refused
  with the reason on older firmware, before anything is sent);
- PIN and touch policies chosen at generation;
- PIN and PUK tries left, and whether the PIN, PUK and management key are
  still the factory ones, read from the applet's metadata (firmware 5.3
  and later) without spending a try;
- :meth:`prepare`: replacing the factory PIN, PUK and management key in
  the ceremony itself. A YubiKey still on any factory credential is refused
  in a production ceremony unless it is being prepared in this ceremony.

A slot that holds a key is never overwritten. The PIN lives only in memory,
for the signatures of a key whose policy asks for it on every use; nothing
here prints, prompts or writes a secret anywhere.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes

from hsm.errors import KeyBackendError, KeyNotFoundError
from hsm.pkcs11.errors import NotLoggedInError
from hsm.pkcs11.pin import HiddenPin, PinRequest, PinSource
from hsm.yubikey.attestation import Attestation, AttestedKey, verify_attestation
from hsm.yubikey.defaults import (
    CHANGED,
    CONFIRM,
    DEFAULT,
    FACTORY_MANAGEMENT_KEY,
    FACTORY_PIN,
    FACTORY_PUK,
    DefaultsCheck,
    normalise_management_key,
    refuse_factory_management_key,
    refuse_factory_pin,
)
from hsm.yubikey.device import YubiKeyDevice, require_open
from hsm.yubikey.errors import (
    DefaultCredentialError,
    SlotTakenError,
    YubiKeyPinIncorrectError,
    YubiKeyPinLockedError,
)
from hsm.yubikey.key_types import piv_key_type, require_firmware
from hsm.yubikey.pki import CertificateInput
from hsm.yubikey.signer import YubikitSigner
from hsm.yubikey.slots import PivSlot, SlotKey, piv_slot
from hsm.yubikey.yubikit_errors import explain

if TYPE_CHECKING:
    from yubikit.piv import ManagementKeyMetadata, PinMetadata, PivSession, SlotMetadata

Result = TypeVar("Result")

PIN_POLICIES = {"default": 0, "never": 1, "once": 2, "always": 3}
TOUCH_POLICIES = {"default": 0, "never": 1, "always": 2, "cached": 3}


@dataclass(frozen=True)
class Tries:
    """PIN and PUK tries left (None where the firmware cannot say for free)."""

    pin: int | None
    puk: int | None

    def warning(self) -> str | None:
        if self.pin == 0:
            return "the PIN is blocked: do not type it"
        if self.pin == 1:
            return "this is the FINAL try: a wrong PIN now blocks the PIN"
        if self.pin is not None and self.pin < 3:
            return f"an earlier PIN was wrong: {self.pin} tries are left"
        return None


class PivApplet:
    """One YubiKey's PIV applet, through yubikit."""

    def __init__(self, device: YubiKeyDevice, *, production: bool = True,
                 prepare: bool = False, roots: Iterable[CertificateInput] | None = None,
                 intermediates: Iterable[CertificateInput] = ()) -> None:
        self.device = device
        self.production = production
        self.prepare_allowed = prepare
        self.roots = list(roots) if roots is not None else None
        self.intermediates = list(intermediates)

    @property
    def prepared(self) -> list[str]:
        """The credentials replaced in this ceremony (kept with the device)."""
        return list(self.device.prepared)

    @property
    def token(self) -> YubiKeyDevice:
        return self.device

    @property
    def piv(self) -> PivSession:
        return self.device.piv

    def call(self, doing: str, fn: Callable[..., Result], *args: object,
             keep: tuple[type[Exception], ...] = ()) -> Result:
        """``fn(*args)``, its failures said in the operator's words (except
        those in ``keep``, which the caller handles)."""
        require_open(self.device, doing)
        try:
            return fn(*args)
        except KeyBackendError:
            raise
        except keep:
            raise
        except Exception as error:
            raise explain(error, doing, self.device.info.name) from None

    # what costs nothing to know ----------------------------------------
    def tries_left(self) -> Tries:
        from yubikit.core import NotSupportedError

        try:
            pin = self.call("reading the PIN tries left", self.piv.get_pin_metadata,
                             keep=(NotSupportedError,))
            puk = self.call("reading the PUK tries left", self.piv.get_puk_metadata,
                             keep=(NotSupportedError,))
        except NotSupportedError:
            return Tries(None, None)
        return Tries(pin.attempts_remaining, puk.attempts_remaining)

    def credentials(self) -> DefaultsCheck:
        """Which of PIN, PUK, management key are still factory values (metadata)."""
        from yubikit.core import NotSupportedError

        def state(read: Callable[[], PinMetadata | ManagementKeyMetadata]) -> str:
            try:
                return DEFAULT if self.call("reading the credential metadata", read,
                                             keep=(NotSupportedError,)).default_value \
                    else CHANGED
            except NotSupportedError:
                return CONFIRM

        return DefaultsCheck(
            pin=state(self.piv.get_pin_metadata),
            puk=state(self.piv.get_puk_metadata),
            management_key=state(self.piv.get_management_key_metadata),
        )

    def refuse_factory_credentials(self, doing: str) -> None:
        """Stop a production ceremony on a YubiKey with factory credentials,
        unless this ceremony prepares it (or already did)."""
        if not self.production:
            return
        factory = self.credentials().refusals()
        if factory:
            raise DefaultCredentialError(
                f"{self.device.info.name} still has its factory "
                f"{' and '.join(factory)}, so it is refused before {doing}",
                "prepare it before the ceremony (docs/reference/hardware.md), or mark the key "
                "`prepare: true` in the script to replace them in this ceremony"
                if not self.prepare_allowed else
                "it is marked to be prepared in this ceremony: prepare it first",
            )

    # preparing -------------------------------------------------------------
    def prepare(self, *, new_pin: str, new_puk: str, new_management_key: str) -> list[str]:
        """Replace whichever of PIN, PUK and management key are factory values.

        Returns the names of those replaced. Each new value is checked before
        anything is sent: 6 to 8 characters for PIN and PUK, not the factory
        value; the management key as hex of the applet's key length.
        """
        if not self.prepare_allowed:
            raise KeyBackendError(
                f"{self.device.info.name} is not marked to be prepared in this ceremony",
                "add `prepare: true` to the key in the script",
            )
        current = self.credentials()
        key = _management_key_bytes(new_management_key, self.device.info.name)
        _check_new_secret(new_pin, "PIN", FACTORY_PIN)
        _check_new_secret(new_puk, "PUK", FACTORY_PUK)
        if key == bytes.fromhex(FACTORY_MANAGEMENT_KEY):
            raise DefaultCredentialError("the new management key is the factory one",
                                         "choose another (48 random hex digits)")
        done = []
        if current.management_key != CHANGED:
            self.call("authenticating with the factory management key",
                       self.piv.authenticate, bytes.fromhex(FACTORY_MANAGEMENT_KEY))
            key_type = self.piv.management_key_type
            if len(key) != key_type.key_len:
                raise KeyBackendError(
                    f"{self.device.info.name} uses a {key_type.name} management key of "
                    f"{key_type.key_len * 2} hex digits, and {len(key) * 2} were given",
                    "type a management key of the right length",
                )
            self.call("setting the new management key", self.piv.set_management_key,
                       key_type, key)
            done.append("management key")
        if current.pin != CHANGED:
            self._change("PIN", self.piv.change_pin, FACTORY_PIN, new_pin)
            done.append("PIN")
        if current.puk != CHANGED:
            self._change("PUK", self.piv.change_puk, FACTORY_PUK, new_puk)
            done.append("PUK")
        self.device.prepared = done
        return done

    def _change(self, what: str, change: Callable[[str, str], None], old: str,
                new: str) -> None:
        from yubikit.core import InvalidPinError

        try:
            self.call(f"replacing the factory {what}", change, old, new,
                       keep=(InvalidPinError,))
        except InvalidPinError:
            raise DefaultCredentialError(
                f"the {what} of {self.device.info.name} is not the factory one after all "
                "(a try was spent)",
                f"stop: find its {what} record; it was not changed",
            ) from None

    # the PIN -------------------------------------------------------------
    def login(self, pin: PinSource) -> None:
        """Verify the PIN, once; a factory PIN is refused unsent in production."""
        from yubikit.core import InvalidPinError

        device = self.device
        if device.logged_in:
            return
        self.refuse_factory_credentials("the PIN is asked")
        tries = self.tries_left()
        if tries.pin == 0:
            raise YubiKeyPinLockedError(
                f"the PIN of {device.info.name} is blocked",
                "stop: unblock it with the PUK on a prepared machine "
                "(ykman piv access unblock-pin); this tool never tries PINs",
            )
        typed = pin(PinRequest(device.info, tries.warning())) if callable(pin) else pin
        refuse_factory_pin(typed, production=self.production)
        device.pin_entries += 1
        if typed is None:  # yubikit has no PIN pad to type it on
            raise NotLoggedInError(
                f"no PIN was given for {device.info.name}", "type the YubiKey's PIN when asked"
            )
        try:
            self.call("verifying the PIN", self.piv.verify_pin, typed,
                       keep=(InvalidPinError, ValueError))
        except InvalidPinError as error:
            raise _wrong_pin(device.info.name, error.attempts_remaining) from None
        except ValueError:
            raise KeyBackendError("a YubiKey PIN has 6 to 8 characters",
                                  "type it again") from None
        device.kept_pin = HiddenPin(typed)
        device.logged_in = True
        del typed

    def verify_for_signature(self) -> None:
        """Verify the kept PIN again just before a signature (PIN policy always)."""
        from yubikit.core import InvalidPinError

        kept = self.device.kept_pin
        if kept is None:
            raise KeyBackendError(f"{self.device.info.name} is not unlocked",
                                  "type the PIN first")
        try:
            self.call("verifying the PIN", self.piv.verify_pin, kept.reveal(),
                       keep=(InvalidPinError,))
        except InvalidPinError as error:
            raise _wrong_pin(self.device.info.name, error.attempts_remaining) from None

    # keys --------------------------------------------------------------------
    def slot_metadata(self, slot: PivSlot) -> SlotMetadata | None:
        """The slot's metadata, None when the slot is empty (firmware 5.3+)."""
        from yubikit.core import NotSupportedError
        from yubikit.core.smartcard import SW, ApduError
        from yubikit.piv import SLOT

        try:
            return self.piv.get_slot_metadata(SLOT(int(slot.name, 16)))
        except ApduError as error:
            if error.sw == SW.REFERENCE_DATA_NOT_FOUND:
                return None
            raise explain(error, f"reading slot {slot.name}", self.device.info.name) from None
        except NotSupportedError:
            return None

    def generate(self, slot: str | None = None, algorithm: str = "ecdsa-p256", *,
                 management_key: str, pin_policy: str | None = None,
                 touch_policy: str | None = None) -> SlotKey:
        """Generate a key in ``slot`` (9c by default); a used slot is refused."""
        from yubikit.piv import KEY_TYPE, PIN_POLICY, SLOT, TOUCH_POLICY

        chosen, info = piv_slot(slot), self.device.info
        kind = piv_key_type(algorithm)
        require_firmware(algorithm, info.firmware, where=info.name)
        self.refuse_factory_credentials(f"a key is made in slot {chosen.name}")
        refuse_factory_management_key(management_key, production=self.production)
        policies = [_policy(pin_policy, PIN_POLICIES, "PIN"),
                    _policy(touch_policy, TOUCH_POLICIES, "touch")]
        if self.slot_metadata(chosen) is not None:
            raise SlotTakenError(
                f"slot {chosen.name} of {info.name} already holds a key",
                "the tool never overwrites a slot: clear it first (ykman piv keys delete "
                f"{chosen.name}), or choose another slot",
            )
        self._authenticate(management_key)
        public_key = self.call(
            f"generating an {algorithm} key in slot {chosen.name}", self.piv.generate_key,
            SLOT(int(chosen.name, 16)), KEY_TYPE(kind.piv_byte),
            PIN_POLICY(policies[0]), TOUCH_POLICY(policies[1]),
        )
        return SlotKey(chosen, algorithm, public_key)

    def _authenticate(self, management_key: str) -> None:
        from yubikit.core import BadResponseError
        from yubikit.core.smartcard import ApduError

        key = _management_key_bytes(management_key, self.device.info.name)
        try:
            self.piv.authenticate(key)
        except (ApduError, BadResponseError, ValueError):
            raise KeyBackendError(
                f"the management key for {self.device.info.name} is wrong",
                "type it again; a wrong management key does not lock the YubiKey",
            ) from None
        except Exception as error:
            raise explain(error, "authenticating", self.device.info.name) from None

    # attestation ---------------------------------------------------------------
    def read_attestation(self, slot: str | None = None) -> tuple[bytes, bytes]:
        """The DER slot attestation certificate and f9 device certificate."""
        from cryptography.hazmat.primitives.serialization import Encoding
        from yubikit.piv import SLOT

        chosen = piv_slot(slot)
        slot_cert = self.call(f"attesting slot {chosen.name}", self.piv.attest_key,
                               SLOT(int(chosen.name, 16)))
        device_cert = self.call("reading the device certificate (slot f9)",
                                 self.piv.get_certificate, SLOT.ATTESTATION)
        return slot_cert.public_bytes(Encoding.DER), device_cert.public_bytes(Encoding.DER)

    def attest(self, slot: str | None, public_key: AttestedKey | None, *,
               roots: Iterable[CertificateInput] | None = None,
               intermediates: Iterable[CertificateInput] = (),
               algorithm: str | None = None) -> Attestation:
        """Read and verify the attestation of ``slot`` for ``public_key``."""
        slot_cert, device_cert = self.read_attestation(slot)
        return verify_attestation(
            slot_cert, device_cert, public_key,
            roots=roots if roots is not None else self.roots,
            intermediates=[*self.intermediates, *intermediates],
            slot=piv_slot(slot).name, serial=int(self.device.info.serial),
            algorithm=algorithm,
        )

    # signing -------------------------------------------------------------------
    def open_slot_key(self, slot: str | None, public_key: PublicKeyTypes, *,
                      attestation: Attestation | None = None,
                      on_touch: Callable[[str], None] | None = None) -> YubikitSigner:
        """The signer for the key in ``slot``, which must be ``public_key``."""
        from cryptography.hazmat.primitives import serialization

        chosen = piv_slot(slot)
        if not self.device.logged_in:
            raise KeyBackendError(f"{self.device.info.name} is not unlocked before opening "
                                  f"slot {chosen.name}", "type the PIN first")
        metadata = self.slot_metadata(chosen)
        if metadata is None:
            raise KeyNotFoundError(f"slot {chosen.name} of {self.device.info.name} holds no key",
                                   "check that the right YubiKey is inserted")
        spki = serialization.PublicFormat.SubjectPublicKeyInfo
        if (metadata.public_key.public_bytes(serialization.Encoding.DER, spki)
                != public_key.public_bytes(serialization.Encoding.DER, spki)):
            raise KeyNotFoundError(
                f"slot {chosen.name} of {self.device.info.name} holds another key than the "
                "one recorded",
                "check that the right YubiKey is inserted; the tool never signs with a key "
                "it did not record",
            )
        return YubikitSigner(self, chosen, public_key, metadata, attestation, on_touch)

    def close(self) -> None:
        self.device.close()


def _policy(value: str | None, table: dict[str, int], what: str) -> int:
    if value is None:
        return 0
    if value not in table:
        raise KeyBackendError(f"{value!r} is not a YubiKey {what} policy",
                              f"use one of: {', '.join(table)}")
    return table[value]


def _management_key_bytes(typed: str, name: str) -> bytes:
    digits = "".join(c for c in str(typed) if not c.isspace() and c != ":")
    if len(digits) not in (32, 48, 64) or normalise_management_key(digits) != digits.lower():
        raise KeyBackendError(
            f"the management key for {name} is not 32, 48 or 64 hex digits",
            "type it again as hex digits (spaces and colons may separate them)",
        )
    return bytes.fromhex(digits.lower())


def _check_new_secret(value: str, what: str, factory: str) -> None:
    if not isinstance(value, str) or not 6 <= len(value.encode()) <= 8:
        raise KeyBackendError(f"a new YubiKey {what} has 6 to 8 characters",
                              f"choose another {what}; nothing was changed")
    if value == factory:
        raise DefaultCredentialError(f"the new {what} is the factory {what}",
                                     f"choose another {what}; nothing was changed")


def _wrong_pin(name: str, left: int) -> KeyBackendError:
    if left == 0:
        return YubiKeyPinLockedError(
            f"the PIN for {name} was wrong and is now blocked",
            "stop: unblock it with the PUK on a prepared machine, or continue with "
            "another keyholder's YubiKey",
        )
    if left == 1:
        return YubiKeyPinIncorrectError(
            f"the PIN for {name} was wrong; ONE try is left before it blocks",
            "stop and check the PIN record before typing again", tries_left=1)
    return YubiKeyPinIncorrectError(
        f"the PIN for {name} was wrong; {left} tries are left",
        "ask its keyholder to type it again, slowly; nothing was changed", tries_left=left)
