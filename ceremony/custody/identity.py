"""The age X25519 identity a custody bundle is encrypted to.

The identity is 32 random bytes. Those bytes are the SLIP-39 master secret
the shares split, and, written in Bech32 under ``age-secret-key-``, they are
the ``AGE-SECRET-KEY-…`` line the standard ``age`` CLI reads. So recovery
needs nothing of this tool: any SLIP-39 implementation gives the 32 bytes,
and a few lines of code (docs/runbooks/recovery-without-ceremony.md) give the line.

An identity lives only in this process's memory. This module never writes
it anywhere, never puts it in a message or a ``repr``, and :meth:`forget`
overwrites the bytes it holds once the shares are made. (Python may still
hold copies it made along the way; the laptop is air-gapped and wiped.)
"""

from __future__ import annotations

import secrets
from typing import NoReturn

from hsm import age
from hsm.age.x25519 import KEY_BYTES

SECRET_BYTES = KEY_BYTES


class CustodyIdentity:
    """An age X25519 identity held in memory, with its public recipient."""

    def __init__(self, secret: bytes | bytearray) -> None:
        if len(secret) != SECRET_BYTES:
            raise ValueError(f"an age X25519 identity is {SECRET_BYTES} bytes")
        self._secret: bytearray | None = bytearray(secret)
        self.recipient = age.recipient_of(bytes(self._secret))

    @classmethod
    def generate(cls) -> CustodyIdentity:
        """A fresh identity from the operating system's random source."""
        return cls(secrets.token_bytes(SECRET_BYTES))

    def secret(self) -> bytes:
        """The 32 bytes to split into shares. Never log, show or store them."""
        return bytes(self._live())

    def encrypt(self, plaintext: bytes) -> bytes:
        """``plaintext`` encrypted (binary age format) to this recipient."""
        return age.encrypt_to_recipient(plaintext, self.recipient)

    def decrypt(self, ciphertext: bytes) -> bytes:
        """Open an age file encrypted to this identity; ``hsm.errors.Age…Error``
        passes through for the caller to word (it carries no secret)."""
        return age.decrypt_with_identity(ciphertext, bytes(self._live()))

    def forget(self) -> None:
        """Overwrite and drop the secret; the identity is unusable after."""
        if self._secret is not None:
            for i in range(len(self._secret)):
                self._secret[i] = 0
            self._secret = None

    def __enter__(self) -> CustodyIdentity:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.forget()

    @property
    def forgotten(self) -> bool:
        return self._secret is None

    def _live(self) -> bytearray:
        if self._secret is None:
            raise RuntimeError("this custody identity was already forgotten")
        return self._secret

    def __repr__(self) -> str:
        state = "forgotten" if self._secret is None else "in memory"
        return f"<CustodyIdentity for {self.recipient} ({state})>"

    __str__ = __repr__

    def __reduce__(self) -> NoReturn:
        raise TypeError("a custody identity cannot be pickled or copied")


def identity_line(secret: bytes) -> str:
    """The ``AGE-SECRET-KEY-…`` line for 32 secret bytes, as ``age`` reads
    it. For tests and the recovery documentation's cross-check only: the
    library itself never writes this line anywhere."""
    return age.identity_line(secret)


def secret_of_identity_line(line: str) -> bytes:
    """The 32 bytes of an ``AGE-SECRET-KEY-…`` line (raises
    ``hsm.errors.Bech32Error`` when it is not one)."""
    return age.identity_of_line(line)
