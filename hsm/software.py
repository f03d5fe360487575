"""Software keys: made in memory, kept between ceremonies only encrypted.

A software key exists in plaintext only in this process's memory. On media
it is an age file encrypted to a passphrase (scrypt, see
``hsm.age_passphrase``), holding the PKCS#8 PEM of the key, so that the
standard ``age`` CLI can decrypt it on the day this tool is not at hand. Its location URI is ``age-file:<path on media>``.
"""

from __future__ import annotations

from cryptography.hazmat.primitives import serialization

from hsm import age_passphrase
from hsm.algorithms import Algorithm, algorithm_of_public_key
from hsm.errors import KeyBackendError, WrongPassphraseError
from hsm.signer import KeySigner

URI_SCHEME = "age-file"


def _as_text(passphrase: str | bytes) -> str:
    return passphrase.decode() if isinstance(passphrase, bytes) else passphrase


class SoftwareKey(KeySigner):
    """A private key in memory."""

    backend = "software"

    def __init__(self, private_key, location: str = "memory:") -> None:
        super().__init__(private_key.public_key(), location)
        self._private_key = private_key

    @classmethod
    def generate(cls, algorithm: Algorithm) -> "SoftwareKey":
        return cls(algorithm.generate())

    def sign_raw(self, payload: bytes) -> bytes:
        if self._private_key is None:
            raise KeyBackendError(
                f"the software key {self.keyid[:8]} was already destroyed",
                "load it again from its encrypted file",
            )
        return self.algorithm.sign_in_software(self._private_key, payload)

    def private_key_for_custody(self):
        """The ``cryptography`` private key, for custody only: sealing it into
        a custody bundle (encrypted at once) or importing it into a backup
        token. Nothing else may take it out of this object."""
        if self._private_key is None:
            raise KeyBackendError(f"the software key {self.keyid[:8]} was already destroyed")
        return self._private_key

    def stored_at(self, path: str) -> None:
        self.location = f"{URI_SCHEME}:{path}"

    # encrypted storage -------------------------------------------------
    def encrypt(self, passphrase: str | bytes) -> bytes:
        """The key as an age file encrypted to ``passphrase``."""
        pem = self._private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        try:
            return age_passphrase.encrypt(pem, _as_text(passphrase))
        finally:
            del pem

    @classmethod
    def decrypt(
        cls, encrypted: bytes, passphrase: str | bytes, location: str = "memory:"
    ) -> "SoftwareKey":
        """Open an encrypted key file's bytes; a wrong passphrase says so."""
        try:
            pem = age_passphrase.decrypt(encrypted, _as_text(passphrase))
        except age_passphrase.AgePassphraseError:
            raise WrongPassphraseError(
                f"the passphrase does not open the key at {location}",
                "ask its keyholder to type it again, slowly; nothing was changed",
            ) from None
        except age_passphrase.AgeFormatError:
            raise KeyBackendError(
                f"the key file at {location} is not an age-encrypted key",
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
