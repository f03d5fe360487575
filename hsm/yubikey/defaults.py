"""Is a YubiKey still on its factory PIN, PUK or management key?

Asking the YubiKey would spend a try of the very credential being tested (a
wrong PIN or PUK counts towards locking it), and this tool never tries a PIN
of its own. So the answer comes only from what costs nothing: what the
keyholder typed (compared here with the factory values, before it is sent)
and whether the token then accepted it. Whatever cannot be known this way
is "must confirm by eye": the runbook asks the keyholder to confirm it was
changed. Pure code: no PKCS#11 calls; secrets are compared, never kept.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from dataclasses import dataclass

from hsm.yubikey.errors import DefaultCredentialError

FACTORY_PIN = "123456"
FACTORY_PUK = "12345678"
FACTORY_MANAGEMENT_KEY = "010203040506070801020304050607080102030405060708"

DEFAULT = "factory default"
CHANGED = "changed"
CONFIRM = "must confirm by eye"


def _same(typed: str, factory: str) -> bool:
    return hmac.compare_digest(typed.encode(), factory.encode())


def normalise_management_key(typed: str) -> str:
    return "".join(c for c in typed.lower() if c in "0123456789abcdef")


def is_factory_pin(pin: str) -> bool:
    return _same(pin, FACTORY_PIN)


def is_factory_management_key(key: str) -> bool:
    return _same(normalise_management_key(key), FACTORY_MANAGEMENT_KEY)


@dataclass(frozen=True)
class DefaultsCheck:
    """For each credential: factory default, changed, or must confirm by eye."""

    pin: str
    puk: str
    management_key: str

    def refusals(self) -> list[str]:
        """Credentials known to be on factory values (a production ceremony stops)."""
        return [name for name, state in self.items() if state == DEFAULT]

    def to_confirm(self) -> list[str]:
        """Credentials the keyholder must confirm were changed."""
        return [name for name, state in self.items() if state == CONFIRM]

    def items(self) -> tuple[tuple[str, str], ...]:
        return (("PIN", self.pin), ("PUK", self.puk), ("management key", self.management_key))


def check_defaults(
    *,
    pin: str | None = None,
    pin_accepted: bool = False,
    management_key: str | None = None,
    management_key_accepted: bool = False,
) -> DefaultsCheck:
    """What is known, at no cost in tries, about the factory credentials.

    ``pin``/``management_key`` are what the keyholder typed (or None), and
    ``*_accepted`` says whether the YubiKey accepted them. The PUK is never
    known: testing it would spend a PUK try.
    """

    def state(typed: str | None, accepted: bool, is_factory: Callable[[str], bool]) -> str:
        if typed is None:
            return CONFIRM
        if is_factory(typed):
            return DEFAULT
        return CHANGED if accepted else CONFIRM

    return DefaultsCheck(
        pin=state(pin, pin_accepted, is_factory_pin),
        puk=CONFIRM,
        management_key=state(management_key, management_key_accepted, is_factory_management_key),
    )


def refuse_factory_pin(pin: str | None, *, production: bool) -> None:
    """Stop before sending a factory PIN in a production ceremony (no try spent)."""
    if production and isinstance(pin, str) and is_factory_pin(pin):
        raise DefaultCredentialError(
            "the PIN typed is the YubiKey factory PIN",
            "change the PIN (ykman piv access change-pin) before a production "
            "ceremony; it was not sent to the YubiKey",
        )


def refuse_factory_management_key(key: str, *, production: bool) -> None:
    if production and is_factory_management_key(key):
        raise DefaultCredentialError(
            "the management key typed is the YubiKey factory management key",
            "change it (ykman piv access change-management-key) before a production "
            "ceremony; it was not sent to the YubiKey",
        )
