"""A token's user PIN: what the token says of it, and how it is asked for.

:class:`PinState` reads the PIN flags of CK_TOKEN_INFO (locked, final try,
few tries left...) and words a warning for the keyholder before typing.
:class:`PinRequest` is what a PIN prompt is handed; :data:`PinSource` is
what a caller gives a login: the PIN itself, a callable that asks for it, or
None for a reader with a PIN pad. :class:`HiddenPin` keeps a PIN in memory
for keys that want it on every signature, and never shows it in a repr.

Nothing here talks to a token, prompts, prints or stores a PIN anywhere.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pkcs11 import TokenFlag

if TYPE_CHECKING:
    from hsm.pkcs11.token_info import TokenDescription

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


@dataclass(frozen=True)
class PinRequest:
    """What a PIN prompt shows: which token, and any warning about tries."""

    token: TokenDescription  # a PKCS#11 token's info, or a YubiKey's
    warning: str | None


class HiddenPin:
    """A PIN kept for keys that ask for it on every signature."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def __repr__(self) -> str:
        return "<PIN hidden>"

    def reveal(self) -> str:
        return self._value


PinSource = str | Callable[[PinRequest], str | None] | None
