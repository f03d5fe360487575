"""The tokens one ceremony opened, each once, and the keys it made and used on them.

``Context.tokens`` holds one :class:`TokenSessions` (engine/tokens.py makes it the
first time a token is opened); ``Context.close_keys`` closes it. Its own module,
which takes no Context, so that the Context can name it without a circle.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ceremony.events import TokenClosed
from ceremony.script.plan import TokenSpec
from hsm.errors import KeyBackendError
from hsm.signer import KeySigner

if TYPE_CHECKING:
    from typing import TypeAlias

    from hsm.pkcs11 import Token
    from hsm.yubikey import YubiKeyDevice

    #: a token a ceremony opened: a PKCS#11 token (a YubiKey through ykcs11
    #: too), or a YubiKey reached through yubikit
    OpenToken: TypeAlias = Token | YubiKeyDevice


@dataclass(frozen=True)
class MadeOnToken:
    """A key this attempt put on a token: generated there, or a backup copy."""

    key: str  # the key's name in the script ("root-alice (backup)" for a copy)
    keyid: str
    token: OpenToken
    location: str  # its pkcs11: URI
    signer: KeySigner  # public key, CKA_ID (PKCS#11) or slot (YubiKey)


class TokenSessions:
    """The tokens one ceremony opened, each once, and the keys it used on them."""

    def __init__(self) -> None:
        self._tokens: list[OpenToken] = []  # in the order opened
        self._keys: dict[int, list[str]] = {}
        self.made: list[MadeOnToken] = []  # what a stopped attempt would leave behind
        self.closed: list[TokenClosed] = []
        self._reported = 0

    def open(self, spec: TokenSpec) -> OpenToken:
        """The token ``spec`` names: a YubiKey through yubikit, or a PKCS#11 token."""
        if spec.yubikey and spec.driver == "yubikit":
            from hsm.yubikey import YubiKeyDevice, open_yubikey

            known = [t for t in self._tokens if isinstance(t, YubiKeyDevice)
                     and t.info.serial == spec.serial and not t.closed]
            device = known[0] if known else open_yubikey(spec.serial)
            self._keep(device)
            return device
        return self.open_pkcs11(spec)

    def open_pkcs11(self, spec: TokenSpec) -> Token:
        """The PKCS#11 token ``spec`` names (the same Token when opened again)."""
        from hsm.pkcs11 import open_token

        token = open_token(spec.module, label=spec.label, serial=spec.serial)
        self._keep(token)
        return token

    def _keep(self, token: OpenToken) -> None:
        if all(token is not known for known in self._tokens):
            self._tokens.append(token)

    def holds(self, token: OpenToken, key_name: str) -> None:
        self._keys.setdefault(id(token), []).append(key_name)

    def forget(self, token: OpenToken, key_name: str) -> None:
        """``key_name`` no longer stays on ``token``: it was destroyed there."""
        held = self._keys.get(id(token), [])
        if key_name in held:
            held.remove(key_name)

    def close(self) -> None:
        """Log out of and close every token (once; errors do not stop the rest)."""
        tokens, self._tokens = self._tokens, []
        for token in tokens:
            info = token.info
            with contextlib.suppress(KeyBackendError):
                token.close()  # a token pulled out has nothing left to log out of
            self.closed.append(
                TokenClosed(info.label, info.serial, tuple(self._keys.get(id(token), ())))
            )

    def unreported(self) -> list[TokenClosed]:
        fresh, self._reported = self.closed[self._reported :], len(self.closed)
        return fresh
