"""Errors the YubiKey backend raises for an operator to read.

Each says what happened and what to do next, and never carries a PIN, PUK,
management key or any fragment of one.
"""

from __future__ import annotations

from hsm.errors import KeyBackendError, UnsupportedAlgorithmError
from hsm.pkcs11.errors import PinIncorrectError, PinLockedError, TokenNotFoundError


class AttestationError(KeyBackendError):
    """An attestation does not prove what it must; the key is not trusted."""


class DefaultCredentialError(KeyBackendError):
    """A YubiKey still on a factory PIN, PUK or management key, where that is refused."""


class FirmwareTooOldError(UnsupportedAlgorithmError):
    """The YubiKey's firmware cannot make the algorithm (or policy) asked for."""


class SlotTakenError(KeyBackendError):
    """The PIV slot already holds a key: the tool never overwrites one."""


class YubiKeyNotFoundError(TokenNotFoundError):
    """No YubiKey with the serial asked for (or more than one, and none named)."""


class SmartCardServiceError(KeyBackendError):
    """pcscd, the PC/SC smart-card service, is missing or not running."""


class YubiKeyPinIncorrectError(PinIncorrectError):
    """A wrong PIN or PUK; ``tries_left`` says how many remain."""

    def __init__(self, what: str, todo: str = "", tries_left: int | None = None) -> None:
        super().__init__(what, todo)
        self.tries_left = tries_left


class YubiKeyPinLockedError(PinLockedError):
    """The PIN (or PUK) is blocked: the tool will not try anything more."""
