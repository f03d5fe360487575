"""The YubiKey PIV slots and how ykcs11 names them.

ykcs11 shows each PIV slot as PKCS#11 objects whose CKA_ID is a small number
(9a is 1, 9c is 2, 9d is 3, 9e is 4, the retired slots 82..95 are 5..24, the
f9 attestation slot is 25) and whose labels are fixed by the module. A slot
also has default PIN and touch policies, used when a key is generated
without explicit ones. Pure data: no PKCS#11 calls.
"""

from __future__ import annotations

from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes

from hsm.errors import KeyBackendError


@dataclass(frozen=True)
class PivSlot:
    """One PIV key slot."""

    name: str  # "9c"
    cka_id: int  # as ykcs11 numbers it
    purpose: str
    default_pin_policy: str
    default_touch_policy: str = "never"

    @property
    def id_bytes(self) -> bytes:
        return bytes([self.cka_id])

    @property
    def attestation_label(self) -> str:
        """ykcs11's label for this slot's attestation certificate."""
        return f"X.509 Certificate for PIV Attestation {self.name}"


@dataclass(frozen=True)
class SlotKey:
    """A key just generated in a slot: what the ceremony records next."""

    slot: PivSlot
    algorithm: str
    public_key: PublicKeyTypes


DEVICE_CERT_LABEL = "X.509 Certificate for PIV Attestation"  # slot f9
DEVICE_CERT_ID = 25
DEFAULT_SLOT = "9c"

_SLOTS = [
    PivSlot("9a", 1, "PIV Authentication", "once"),
    PivSlot("9c", 2, "Digital Signature", "always"),
    PivSlot("9d", 3, "Key Management", "once"),
    PivSlot("9e", 4, "Card Authentication", "never"),
] + [
    PivSlot(f"{0x82 + n:x}", 5 + n, f"Retired Key {n + 1}", "once") for n in range(20)
]
SLOTS: dict[str, PivSlot] = {slot.name: slot for slot in _SLOTS}


def piv_slot(name: str | int | None = None) -> PivSlot:
    """The slot called ``name`` ("9c", "0x9c", 0x9c); 9c when None."""
    if name is None:
        name = DEFAULT_SLOT
    key = f"{name:x}" if isinstance(name, int) else str(name).lower().removeprefix("0x")
    try:
        return SLOTS[key]
    except KeyError:
        raise KeyBackendError(
            f"{name!r} is not a PIV key slot a ceremony can use",
            "use 9c (the default), 9a, 9d, 9e or a retired slot 82 to 95; f9 holds "
            "the attestation key and is never used for ceremony keys",
        ) from None
