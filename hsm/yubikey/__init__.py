"""YubiKey PIV keys for ceremonies: slots, factory credentials, attestation.

``piv`` drives a YubiKey through Yubico's ykcs11 PKCS#11 module (on top of
hsm.pkcs11); ``attestation`` verifies, as pure code, that a key was made in
a genuine YubiKey; ``defaults`` says what is known for free about factory
PIN, PUK and management key; ``slots`` maps PIV slots to ykcs11 objects.
Nothing here imports ``ceremony``, prompts, or prints.
"""

from hsm.yubikey.attestation import (
    Attestation,
    AttestationError,
    load_certificate,
    load_roots,
    shipped_roots,
    verify_attestation,
)
from hsm.yubikey.defaults import DefaultCredentialError, DefaultsCheck, check_defaults
from hsm.yubikey.piv import SlotKey, YubiKey, YubiKeySigner
from hsm.yubikey.slots import DEFAULT_SLOT, SLOTS, PivSlot, piv_slot

__all__ = [
    "Attestation",
    "AttestationError",
    "DEFAULT_SLOT",
    "DefaultCredentialError",
    "DefaultsCheck",
    "PivSlot",
    "SLOTS",
    "SlotKey",
    "YubiKey",
    "YubiKeySigner",
    "check_defaults",
    "load_certificate",
    "load_roots",
    "piv_slot",
    "shipped_roots",
    "verify_attestation",
]
