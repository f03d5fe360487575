"""How a software key is kept in a file: the interface a flavor's key-file formats meet,
and the age file every flavor can use.

Its own module, below the Context, so that the Context's view of its flavor
(engine/context.py's ``FlavorAtWork``) can name the formats a flavor opens without
importing engine/keys.py, which takes a Context.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from hsm.software import SoftwareKey


class KeyFileFormat(Protocol):
    """How a software key is stored: an age file, a notary key file..."""

    @property
    def scheme(self) -> str:
        """The location's scheme: age-file, notary-file."""
        ...

    @property
    def encryption(self) -> str:
        """For the transcript: age-scrypt, notary-pbes2-aes256."""
        ...

    def encrypt(self, key: SoftwareKey, passphrase: str) -> bytes: ...

    def open(self, data: bytes, passphrase: str, where: str) -> SoftwareKey: ...


@dataclass(frozen=True)
class AgeKeyFile:
    """A key as an age file encrypted to a passphrase (the ``age`` CLI opens it)."""

    scheme: str = "age-file"
    encryption: str = "age-scrypt"

    def encrypt(self, key: SoftwareKey, passphrase: str) -> bytes:
        return key.encrypt(passphrase)

    def open(self, data: bytes, passphrase: str, where: str) -> SoftwareKey:
        return SoftwareKey.decrypt(data, passphrase, where)


AGE_KEY_FILE = AgeKeyFile()
