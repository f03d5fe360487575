"""Software keys: made in memory, kept between ceremonies only encrypted.

A software key exists in plaintext only in this process's memory. On media
it is an age file encrypted to a passphrase (scrypt at work factor 18, see
``hsm.age``), holding the PKCS#8 PEM of the key, so that the standard
``age`` CLI can decrypt it on the day this tool is not at hand. Its location
URI is ``age-file:<path on media>``. A stored file asking for more scrypt
work than this tool opens is refused as suspicious before any work is done.
"""

from __future__ import annotations

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes

from hsm import age
from hsm.algorithms import Algorithm, algorithm_of_public_key
from hsm.errors import (
    AgeArmoredError,
    AgeFormatError,
    AgeMemoryError,
    AgeWorkFactorError,
    AgeWrongSecretError,
    KeyBackendError,
    SuspiciousKeyFileError,
    WrongPassphraseError,
)
from hsm.signer import KeySigner

URI_SCHEME = "age-file"


class SoftwareKey(KeySigner):
    """A private key in memory."""

    backend = "software"

    def __init__(self, private_key: PrivateKeyTypes, location: str = "memory:") -> None:
        super().__init__(private_key.public_key(), location)
        self._private_key: PrivateKeyTypes | None = private_key

    @classmethod
    def generate(cls, algorithm: Algorithm) -> SoftwareKey:
        return cls(algorithm.generate())

    def _live_key(self) -> PrivateKeyTypes:
        if self._private_key is None:
            raise KeyBackendError(
                f"the software key {self.keyid[:8]} was already destroyed",
                "load it again from its encrypted file",
            )
        return self._private_key

    def sign_raw(self, payload: bytes) -> bytes:
        return self.algorithm.sign_in_software(self._live_key(), payload)

    def private_key_for_custody(self) -> PrivateKeyTypes:
        """The ``cryptography`` private key, for custody only: sealing it into
        a custody bundle (encrypted at once) or importing it into a backup
        token. Nothing else may take it out of this object."""
        return self._live_key()

    def stored_at(self, path: str) -> None:
        self.location = f"{URI_SCHEME}:{path}"

    # encrypted storage -------------------------------------------------
    def encrypt(self, passphrase: str | bytes) -> bytes:
        """The key as an age file encrypted to ``passphrase``."""
        pem = self._live_key().private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        try:
            return age.encrypt_to_passphrase(pem, passphrase)
        except AgeMemoryError as error:
            raise KeyBackendError(
                f"the key {self.keyid[:8]} cannot be stored on this machine now: {error}",
                "close other programs and try again; the key is still in memory",
            ) from None
        finally:
            del pem

    @classmethod
    def decrypt(
        cls, encrypted: bytes, passphrase: str | bytes, location: str = "memory:"
    ) -> SoftwareKey:
        """Open an encrypted key file's bytes; a wrong passphrase says so, and
        a file asking for more scrypt work than any this tool writes is
        refused as suspicious before the passphrase is tried."""
        try:
            pem = age.decrypt_with_passphrase(encrypted, passphrase)
        except AgeWrongSecretError:
            raise WrongPassphraseError(
                f"the passphrase does not open the key at {location}",
                "ask its keyholder to type it again, slowly; nothing was changed",
            ) from None
        except AgeWorkFactorError as error:
            raise SuspiciousKeyFileError(
                f"the key file at {location} is suspicious: {error}",
                "the passphrase was not tried, so typing it again will not help; nothing was "
                "changed; use the copy of this key file from the ceremony's own bundle",
            ) from None
        except AgeMemoryError as error:
            raise KeyBackendError(
                f"the key at {location} cannot be opened on this machine now: {error}",
                "close other programs and try again; nothing was changed",
            ) from None
        except AgeArmoredError as error:
            raise KeyBackendError(
                f"the key file at {location}: {error}",
                "decode it with `age -d` and encrypt it again without -a; nothing was changed",
            ) from None
        except AgeFormatError as error:
            raise KeyBackendError(
                f"the key file at {location} is not an age-encrypted key ({error})",
                "check that the right media is inserted and the file is intact",
            ) from None
        try:
            private_key = serialization.load_pem_private_key(pem, password=None)
        except ValueError:
            raise KeyBackendError(
                f"the key file at {location} decrypts but holds no private key",
                "check that this file was written by ceremony",
            ) from None
        finally:
            del pem
        algorithm_of_public_key(private_key.public_key())
        return cls(private_key, location)

    def close(self) -> None:
        self._private_key = None
