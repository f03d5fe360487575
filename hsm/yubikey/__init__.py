"""YubiKey PIV keys for ceremonies: slots, factory credentials, attestation.

Two routes to a YubiKey's PIV applet, chosen per key by the ceremony script:
``applet`` and ``device`` drive it through Yubico's own library (yubikit,
over PC/SC: needs Debian's pcscd), the default, with Ed25519 and RSA
3072/4096 on firmware 5.7, PIN and touch policies, PIN tries left and
factory credentials read for free; ``piv`` drives it through Yubico's ykcs11
PKCS#11 module (on top of hsm.pkcs11). Both attest every key they make:
``attestation`` verifies, as pure code, that a key was made in a genuine
YubiKey, under either of Yubico's pinned hierarchies (``pki``), reading
``extensions``; ``key_types`` says which firmware makes which algorithm;
``defaults`` what is known about factory PIN, PUK and management key;
``slots`` maps PIV slots. Nothing here imports ``ceremony``, prompts, or
prints.
"""

from collections.abc import Iterable

from hsm.pkcs11.token import Token
from hsm.yubikey.applet import PivApplet
from hsm.yubikey.attestation import Attestation, verify_attestation
from hsm.yubikey.defaults import DefaultsCheck, check_defaults
from hsm.yubikey.device import YubiKeyDevice, YubiKeyInfo, list_yubikeys, open_yubikey
from hsm.yubikey.errors import (
    AttestationError,
    DefaultCredentialError,
    FirmwareTooOldError,
    SlotTakenError,
    SmartCardServiceError,
    YubiKeyNotFoundError,
)
from hsm.yubikey.piv import YubiKey, YubiKeySigner
from hsm.yubikey.pki import (
    CertificateInput,
    load_certificate,
    load_certificates,
    load_roots,
    shipped_roots,
)
from hsm.yubikey.slots import DEFAULT_SLOT, SLOTS, PivSlot, SlotKey, piv_slot


def yubikey_for(token: YubiKeyDevice | Token, *, production: bool = True,
                prepare: bool = False,
                intermediates: Iterable[CertificateInput] = ()) -> PivApplet | YubiKey:
    """The PIV profile for an opened YubiKey: yubikit's :class:`PivApplet` for a
    :class:`YubiKeyDevice` (hsm.yubikey.open_yubikey), the ykcs11
    :class:`YubiKey` for a PKCS#11 token. Both offer login, generate,
    attest, open_slot_key and close."""
    if isinstance(token, YubiKeyDevice):
        return PivApplet(token, production=production, prepare=prepare,
                         intermediates=intermediates)
    return YubiKey(token, production=production)

__all__ = [
    "Attestation",
    "AttestationError",
    "DEFAULT_SLOT",
    "DefaultCredentialError",
    "DefaultsCheck",
    "FirmwareTooOldError",
    "PivApplet",
    "PivSlot",
    "SLOTS",
    "SlotKey",
    "SlotTakenError",
    "SmartCardServiceError",
    "YubiKey",
    "YubiKeyDevice",
    "YubiKeyInfo",
    "YubiKeyNotFoundError",
    "YubiKeySigner",
    "check_defaults",
    "load_certificate",
    "load_certificates",
    "list_yubikeys",
    "load_roots",
    "open_yubikey",
    "piv_slot",
    "shipped_roots",
    "verify_attestation",
    "yubikey_for",
]
