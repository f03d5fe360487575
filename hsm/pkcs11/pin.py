"""A token's user PIN: how it is asked for and kept.

What the token says of it is :class:`PinState` (pin_state.py).
:class:`PinRequest` is what a PIN prompt is handed; :data:`PinSource` is what
a caller gives a login: the PIN itself, a callable that asks for it, or None
for a reader with a PIN pad. :class:`HiddenPin` keeps a PIN in memory
for keys that want it on every signature, and never shows it in a repr.

Nothing here talks to a token, prompts, prints or stores a PIN anywhere.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hsm.pkcs11.token_info import TokenDescription


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
