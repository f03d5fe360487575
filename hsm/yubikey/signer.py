"""A key in a YubiKey PIV slot, signing through yubikit.

The TUF encodings: Ed25519 signs the payload itself; ECDSA signs a SHA-256
(P-256) or SHA-384 (P-384) digest computed on the host and the YubiKey
answers DER; RSA signs RSASSA-PSS with SHA-256 and a 32-byte salt, padded on
the host (the YubiKey does the raw RSA). Every signature is verified by
KeySigner.sign before use. Before a signature the PIN is verified again
when the key's policy asks for it on every use, and ``on_touch`` is told
"touch the YubiKey now" when its touch policy asks for a touch.

The key's location is its RFC 7512 ``pkcs11:`` URI as ykcs11 names the same
key (token "YubiKey PIV #serial", CKA_ID of the slot), with
``x-piv-driver=yubikit`` saying which route the ceremony opens it by.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Protocol, TypeVar

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from hsm.pkcs11.uri import Pkcs11Uri
from hsm.signer import KeyFacts, KeySigner
from hsm.yubikey.key_types import piv_key_type
from hsm.yubikey.slots import PivSlot

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes
    from yubikit.piv import PivSession, SlotMetadata

    from hsm.yubikey.attestation import Attestation
    from hsm.yubikey.device import YubiKeyDevice

YKCS11_MODULE = "/usr/lib/x86_64-linux-gnu/libykcs11.so"
DRIVER_ATTRIBUTE = "x-piv-driver"
PIN_POLICY_NAMES = {1: "never", 2: "once", 3: "always", 4: "match-once", 5: "match-always"}
TOUCH_POLICY_NAMES = {1: "never", 2: "always", 3: "cached"}


Result = TypeVar("Result")


class SigningApplet(Protocol):
    """What a signer asks of the PIV applet that made it (applet.py's PivApplet): the
    signer depends on these, not on the applet's module, which makes signers."""

    device: YubiKeyDevice

    @property
    def prepared(self) -> list[str]: ...

    @property
    def piv(self) -> PivSession: ...

    def call(self, doing: str, fn: Callable[..., Result], *args: object,
             keep: tuple[type[Exception], ...] = ()) -> Result: ...

    def verify_for_signature(self) -> None: ...


def key_uri(serial: str, slot: PivSlot) -> Pkcs11Uri:
    """The ``pkcs11:`` URI of the key in ``slot`` of YubiKey ``serial``."""
    return Pkcs11Uri(
        token=f"YubiKey PIV #{serial}",
        serial=serial,
        id=slot.id_bytes,
        type="private",
        module_path=YKCS11_MODULE,
        vendor={DRIVER_ATTRIBUTE: "yubikit"},
    )


class YubikitSigner(KeySigner):
    """A key in a YubiKey slot; its facts carry slot, policies, attestation."""

    backend = "yubikey"

    def __init__(self, applet: SigningApplet, slot: PivSlot, public_key: PublicKeyTypes,
                 metadata: SlotMetadata,
                 attestation: Attestation | None,
                 on_touch: Callable[[str], None] | None = None) -> None:
        self.applet = applet
        self.slot = slot
        self.attestation = attestation
        self.on_touch = on_touch
        self.pin_policy = PIN_POLICY_NAMES.get(int(metadata.pin_policy), "default")
        self.touch_policy = TOUCH_POLICY_NAMES.get(int(metadata.touch_policy), "default")
        self.generated = bool(metadata.generated)
        super().__init__(public_key, str(key_uri(applet.device.info.serial, slot)))
        self._key_type = piv_key_type(self.algorithm.name).piv_byte
        self._closed = False

    @property
    def token(self) -> YubiKeyDevice:
        """The YubiKey (the engine names it in "touch the YubiKey now")."""
        return self.applet.device

    @property
    def needs_touch(self) -> bool:
        return self.touch_policy in ("always", "cached")

    def sign_raw(self, payload: bytes) -> bytes:
        from yubikit.piv import KEY_TYPE, SLOT

        if self._closed:
            from hsm.errors import KeyBackendError

            raise KeyBackendError(f"the key in slot {self.slot.name} was closed",
                                  "open the key again")
        info = self.applet.device.info
        if self.pin_policy in ("always", "match-always"):
            self.applet.verify_for_signature()
        if self.on_touch is not None and self.needs_touch:
            self.on_touch(f"touch the YubiKey {info.label} now to sign")
        name = self.algorithm.name
        if name == "ed25519":
            hash_algorithm, pad = None, None
        elif self.algorithm.keytype == "ecdsa":
            hash_algorithm, pad = self.algorithm.hash_algorithm(), None
        else:
            hash_algorithm = hashes.SHA256()
            pad = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32)
        return bytes(self.applet.call(
            f"signing with the key in slot {self.slot.name}", self.applet.piv.sign,
            SLOT(int(self.slot.name, 16)), KEY_TYPE(self._key_type), payload,
            hash_algorithm, pad,
        ))

    def facts(self) -> KeyFacts:
        info = self.applet.device.info
        extra: dict[str, object] = {**info.facts(), "piv_slot": self.slot.name,
                                 "cka_id": self.slot.id_bytes.hex()}
        attested = self.attestation is not None
        extra["generated_on_device"] = attested or self.generated
        extra["origin"] = (
            "generated on the YubiKey (attested)" if attested
            else "generated on the YubiKey (says its metadata; not attested here)"
            if self.generated else "imported into the YubiKey (cannot be attested)"
        )
        extra["pin_policy"], extra["touch_policy"] = self.pin_policy, self.touch_policy
        if self.applet.prepared:
            extra["credentials_replaced_in_ceremony"] = list(self.applet.prepared)
        if self.attestation is not None:
            extra.update(self.attestation.facts())
        return replace(super().facts(), generated_on_device=attested, extra=extra)

    def close(self) -> None:
        self._closed = True
