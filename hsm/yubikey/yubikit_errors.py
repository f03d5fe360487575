"""yubikit's and pyscard's exceptions, said in the operator's words.

yubikit raises ``ApduError`` with a status word, ``NotSupportedError``,
``BadResponseError``; pyscard raises its own when a YubiKey is pulled out.
:func:`explain` turns any of them into a KeyBackendError that says what
was being done, on which YubiKey, and what to do next. It never repeats
data from the card (which might hold a PIN typed by mistake).
"""

from __future__ import annotations

from hsm.errors import KeyBackendError
from hsm.pkcs11.errors import TokenRemovedError
from hsm.yubikey.errors import FirmwareTooOldError

_STATUS = {
    0x6982: ("the YubiKey refused: the PIN or management key was not given first",
             "type the PIN (or management key) when asked, then try again"),
    0x6983: ("the YubiKey refused: the PIN or PUK is blocked",
             "stop: unblock it on a prepared machine; this tool never tries PINs"),
    0x6A80: ("the YubiKey refused the request as malformed or unsupported",
             "check the algorithm and policies against the YubiKey's firmware"),
    0x6A82: ("the YubiKey has no such object", "check the slot"),
    0x6A84: ("the YubiKey is out of space", "free a slot with ykman on a prepared machine"),
    0x6A88: ("the slot holds no key", "check the slot and the YubiKey"),
}


def explain(error: Exception, doing: str, name: str) -> KeyBackendError:
    """A KeyBackendError for ``error`` met while ``doing`` on YubiKey ``name``."""
    from yubikit.core import BadResponseError, NotSupportedError
    from yubikit.core.smartcard import ApduError

    if isinstance(error, KeyBackendError):
        return error
    if isinstance(error, NotSupportedError):
        return FirmwareTooOldError(f"{name} cannot do this while {doing}: {error}",
                                   "use a YubiKey with newer firmware (5.7 or later)")
    if isinstance(error, ApduError):
        what, todo = _STATUS.get(error.sw, (
            f"the YubiKey answered with status {error.sw:04X}",
            "take the YubiKey out, put it back, and try again"))
        return KeyBackendError(f"{what} while {doing} ({name})", todo)
    if isinstance(error, BadResponseError):
        return KeyBackendError(f"{name} gave an answer that does not check out while {doing}",
                               "stop: the YubiKey may be faulty or not genuine")
    if isinstance(error, (OSError, EOFError)) or "Card" in type(error).__name__:
        return TokenRemovedError(f"{name} stopped answering while {doing}",
                                 "check that it is still plugged in; nothing was written")
    return KeyBackendError(f"{name} failed while {doing} ({type(error).__name__})",
                           "take the YubiKey out, put it back, and try again")
