"""What can go wrong with a token, said in the operator's words.

python-pkcs11 raises one exception class per PKCS#11 return code, often with
an empty message. :func:`explain` turns each into one of the errors below: a
sentence saying what happened to which token while doing what, and what to
do next. The PKCS#11 name is kept in brackets for the record, never alone.

No message here ever carries a PIN, a management key or key material.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pkcs11.exceptions as p11

from hsm.errors import (
    KeyBackendError,
    KeyNotFoundError,
    UnsupportedAlgorithmError,
    WrongPassphraseError,
)

if TYPE_CHECKING:
    from hsm.pkcs11.pin_state import PinState


class TokenError(KeyBackendError):
    """A PKCS#11 module or token could not do what was asked."""


class ModuleLoadError(TokenError):
    """The module path is wrong or the file is not a PKCS#11 library."""


class NoReaderError(TokenError):
    """The module sees no reader or no device at all."""


class TokenNotFoundError(TokenError):
    """No token matches the label or serial asked for."""


class TokenAmbiguousError(TokenError):
    """More than one token matches: the ceremony will not guess."""


class TokenRemovedError(TokenError):
    """The token went away (or stopped answering) during the ceremony."""


class TokenNotReadyError(TokenError):
    """The token is not initialised, has no user PIN, or is write-protected."""


class NotLoggedInError(TokenError):
    """The operation needs the PIN and it has not been entered yet."""


class PinIncorrectError(WrongPassphraseError):
    """The PIN was wrong; ``pin_state`` says how many tries may be left."""

    def __init__(self, what: str, todo: str = "", pin_state: PinState | None = None) -> None:
        super().__init__(what, todo)
        self.pin_state = pin_state


class PinLockedError(TokenError):
    """The user PIN is locked: the tool will not try anything more."""


class LabelTakenError(TokenError):
    """An object with the requested label (or CKA_ID) is already on the token."""


class MechanismMissingError(UnsupportedAlgorithmError):
    """The token lacks a mechanism, curve or key size the ceremony needs."""


class KeyAmbiguousError(KeyNotFoundError):
    """More than one key matches: the ceremony will not guess."""


class KeyProtectionError(TokenError):
    """A key on the token is not protected as it must be (extractable...)."""


class UriError(KeyBackendError):
    """A ``pkcs11:`` URI is malformed or asks for something refused."""


class WorkerClosedError(KeyBackendError):
    """The worker was closed: its module's tokens are no longer usable."""


# python-pkcs11 exception -> (error class, what happened, what to do).
# ``{token}`` and ``{doing}`` are filled in by explain().
_Explained = tuple[type[KeyBackendError], str, str]
_REMOVED: _Explained = (
    TokenRemovedError,
    "{token} was removed or stopped answering while {doing}",
    "put it back (or reconnect its reader), then repeat this step; nothing was "
    "signed by it in the step that failed",
)
_MECHANISM: _Explained = (
    MechanismMissingError,
    "{token} does not offer what is needed for {doing}",
    "choose an algorithm this token supports (preflight lists them) or use "
    "another token",
)
_TABLE: dict[type[BaseException], _Explained] = {
    p11.DeviceRemoved: _REMOVED,
    p11.TokenNotPresent: _REMOVED,
    p11.SessionHandleInvalid: _REMOVED,
    p11.SessionClosed: _REMOVED,
    p11.DeviceError: (
        TokenRemovedError,
        "{token} reported a device error while {doing}",
        "reconnect it and repeat this step; if it happens again use another token",
    ),
    p11.TokenNotRecognised: (
        TokenNotFoundError,
        "the module does not recognise the token in the reader while {doing}",
        "check that the right token is inserted and that the module is the one "
        "its maker supplies",
    ),
    p11.MechanismInvalid: _MECHANISM,
    p11.MechanismParamInvalid: _MECHANISM,
    p11.FunctionNotSupported: _MECHANISM,
    p11.DomainParamsInvalid: (
        MechanismMissingError,
        "{token} does not support this curve, needed for {doing}",
        "choose a curve the token supports (preflight lists them) or use another token",
    ),
    p11.KeySizeRange: (
        MechanismMissingError,
        "{token} does not support this key size, needed for {doing}",
        "choose a key size the token supports or use another token",
    ),
    p11.TemplateInconsistent: (
        MechanismMissingError,
        "{token} refused the key attributes asked for while {doing}",
        "this token cannot hold the key as the ceremony requires (sensitive, "
        "never extractable); use another token",
    ),
    p11.AttributeValueInvalid: (
        MechanismMissingError,
        "{token} refused a key attribute while {doing}",
        "this token cannot hold the key as the ceremony requires; use another token",
    ),
    p11.AttributeTypeInvalid: (
        MechanismMissingError,
        "{token} does not know a key attribute used while {doing}",
        "this token cannot hold the key as the ceremony requires; use another token",
    ),
    p11.UserNotLoggedIn: (
        NotLoggedInError,
        "{token} needs its PIN before {doing}",
        "enter the token's PIN when asked, then repeat this step",
    ),
    p11.PinLocked: (
        PinLockedError,
        "the user PIN of {token} is locked",
        "stop: unlock or reset it on a prepared machine with its SO PIN or PUK, "
        "following the token maker's procedure; this tool never tries PINs",
    ),
    p11.PinExpired: (
        TokenNotReadyError,
        "the user PIN of {token} has expired",
        "change it with the token maker's tool before the ceremony",
    ),
    p11.PinIncorrect: (
        PinIncorrectError,
        "the PIN for {token} is wrong",
        "ask its keyholder to type it again, slowly",
    ),
    p11.PinInvalid: (
        PinIncorrectError,
        "the PIN typed for {token} has characters the token does not accept",
        "ask its keyholder to type it again",
    ),
    p11.PinLenRange: (
        PinIncorrectError,
        "the PIN typed for {token} is too short or too long for it",
        "ask its keyholder to type it again",
    ),
    p11.UserPinNotInitialized: (
        TokenNotReadyError,
        "{token} has no user PIN set",
        "prepare the token before the ceremony (docs/reference/hardware.md)",
    ),
    p11.TokenWriteProtected: (
        TokenNotReadyError,
        "{token} is write-protected and cannot store a key",
        "use a token that can store keys, or switch off its write protection",
    ),
    p11.SessionReadOnly: (
        TokenNotReadyError,
        "{token} was opened read-only while {doing}",
        "this is a fault in the tool: report it; nothing was written",
    ),
    p11.DeviceMemory: (
        TokenError,
        "{token} has no room left while {doing}",
        "free space on it (delete keys no ceremony recorded) or use another token",
    ),
    p11.FunctionCancelled: (
        TokenError,
        "{token} cancelled {doing} (for example, a touch or a PIN pad timed out)",
        "repeat this step and answer the token when it asks",
    ),
    p11.AttributeSensitive: (
        KeyProtectionError,
        "{token} refused to reveal a protected key attribute while {doing}",
        "this is expected for private values; report it if it stops the ceremony",
    ),
    p11.KeyHandleInvalid: (
        KeyNotFoundError,
        "the key on {token} vanished while {doing}",
        "check that nobody deleted it; open the key again and repeat this step",
    ),
    p11.ObjectHandleInvalid: (
        KeyNotFoundError,
        "the key on {token} vanished while {doing}",
        "check that nobody deleted it; open the key again and repeat this step",
    ),
}


def explain(error: BaseException, doing: str, token: str = "the token") -> KeyBackendError:
    """The operator-facing error for a python-pkcs11 ``error``.

    ``doing`` says what was being done ("signing with key root-1"), ``token``
    names the token ("token 'root-a' (serial 1234)").
    """
    if isinstance(error, KeyBackendError):
        return error
    for cls in type(error).__mro__:
        if cls in _TABLE:
            kind, what, todo = _TABLE[cls]
            return kind(
                f"{what.format(token=token, doing=doing)} [{type(error).__name__}]",
                todo,
            )
    detail = str(error).strip()
    code = type(error).__name__ + (f": {detail}" if detail else "")
    return TokenError(
        f"{token} failed while {doing} [{code}]",
        "repeat this step once; if it fails again, stop and use another token "
        "(nothing was signed in the step that failed)",
    )
