"""What a token says of its user PIN (CK_TOKEN_INFO's flags), and the warning a
keyholder reads before typing it: locked, final try, few tries left.

A module of its own, below pin.py, token_info.py and errors.py, which all name it.
"""

from __future__ import annotations

from dataclasses import dataclass

from pkcs11 import TokenFlag

_TO_BE_CHANGED = 0x00080000  # CKF_USER_PIN_TO_BE_CHANGED


@dataclass(frozen=True)
class PinState:
    """What the token says about its user PIN (from CK_TOKEN_INFO flags)."""

    initialized: bool
    count_low: bool
    final_try: bool
    locked: bool
    to_be_changed: bool
    protected_path: bool  # a PIN pad on the reader: the PIN is typed there

    @classmethod
    def from_flags(cls, flags: int) -> PinState:
        return cls(
            initialized=bool(flags & TokenFlag.USER_PIN_INITIALIZED),
            count_low=bool(flags & TokenFlag.USER_PIN_COUNT_LOW),
            final_try=bool(flags & TokenFlag.USER_PIN_FINAL_TRY),
            locked=bool(flags & TokenFlag.USER_PIN_LOCKED),
            to_be_changed=bool(flags & _TO_BE_CHANGED),
            protected_path=bool(flags & TokenFlag.PROTECTED_AUTHENTICATION_PATH),
        )

    def warning(self) -> str | None:
        """A sentence for the keyholder before typing, or None."""
        if self.locked:
            return "the PIN is locked: do not type it"
        if self.final_try:
            return "this is the FINAL try: a wrong PIN now locks the token"
        if self.count_low:
            return "an earlier PIN was wrong: few tries are left before the token locks"
        return None
