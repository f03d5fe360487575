"""age's X25519 recipient: a file key sealed to a public key (``age1…``).

An identity is 32 secret bytes, written ``AGE-SECRET-KEY-1…`` (Bech32); its
recipient is X25519(identity, basepoint), written ``age1…``. A stanza is
``-> X25519 SHARE``: an ephemeral X25519 share, and the file key sealed by
ChaCha20-Poly1305 under HKDF(shared secret, SHARE || recipient,
"age-encryption.org/v1/X25519"). Stanzas of other kinds are skipped (other
tools add "grease" stanzas); a passphrase stanza is refused.

Identities are passed in as bytes and never kept, shown or written here.

Test fixture note: this file holds no key, real or test; ``AGE-SECRET-KEY-1…``
above and ``IDENTITY_HRP`` below name the format of an identity line, which a
secrets scanner matches by its prefix.
"""

from __future__ import annotations

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

from hsm.age import bech32
from hsm.age.header import FILE_KEY_BYTES, Stanza, b64decode, b64encode, hkdf
from hsm.errors import AgeFormatError, AgeWrongSecretError, Bech32Error

LABEL = b"age-encryption.org/v1/X25519"
KEY_BYTES = 32
IDENTITY_HRP = "age-secret-key-"
RECIPIENT_HRP = "age"
_ZERO_NONCE = bytes(12)


def identity_line(identity: bytes) -> str:
    """The ``AGE-SECRET-KEY-1…`` line of 32 identity bytes, as ``age`` reads it."""
    if len(identity) != KEY_BYTES:
        raise ValueError(f"an age X25519 identity is {KEY_BYTES} bytes")
    return bech32.encode(IDENTITY_HRP, bytes(identity)).upper()


def identity_of_line(line: str) -> bytes:
    """The 32 bytes of an ``AGE-SECRET-KEY-1…`` line; raises Bech32Error."""
    identity = bech32.decode(IDENTITY_HRP, line.strip())
    if len(identity) != KEY_BYTES:
        raise Bech32Error(f"it carries {len(identity)} bytes, not {KEY_BYTES}")
    return identity


def recipient_of(identity: bytes) -> str:
    """The ``age1…`` recipient of 32 identity bytes."""
    public = X25519PrivateKey.from_private_bytes(bytes(identity)).public_key()
    return bech32.encode(RECIPIENT_HRP, public.public_bytes_raw())


def recipient_bytes(recipient: str) -> bytes:
    """The 32-byte public key of an ``age1…`` recipient; raises Bech32Error."""
    if recipient != recipient.lower():
        raise Bech32Error("an age recipient is written in lower case")
    public = bech32.decode(RECIPIENT_HRP, recipient)
    if len(public) != KEY_BYTES:
        raise Bech32Error(f"it carries {len(public)} bytes, not {KEY_BYTES}")
    return public


def _wrap_key(shared: bytes, share: bytes, recipient: bytes) -> bytes:
    if shared == bytes(KEY_BYTES):
        raise AgeFormatError("an X25519 stanza has a low-order share")
    return hkdf(shared, share + recipient, LABEL)


def wrap(file_key: bytes, recipient: bytes) -> Stanza:
    """The X25519 stanza sealing ``file_key`` to the 32-byte ``recipient``."""
    ephemeral = X25519PrivateKey.generate()
    share = ephemeral.public_key().public_bytes_raw()
    shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(recipient))
    body = ChaCha20Poly1305(_wrap_key(shared, share, recipient)).encrypt(
        _ZERO_NONCE, file_key, None
    )
    return Stanza((b"X25519", b64encode(share)), body)


def unwrap(stanzas: tuple[Stanza, ...], identity: bytes) -> bytes:
    """The file key from the stanza sealed to ``identity``; raises
    AgeWrongSecretError when none is, AgeFormatError for a bad stanza."""
    if any(stanza.kind == b"scrypt" for stanza in stanzas):
        raise AgeFormatError("it is encrypted to a passphrase, not to an age key")
    private = X25519PrivateKey.from_private_bytes(bytes(identity))
    recipient = private.public_key().public_bytes_raw()
    for stanza in stanzas:
        if stanza.kind != b"X25519":
            continue
        if len(stanza.args) != 2:
            raise AgeFormatError("an X25519 stanza has the wrong number of arguments")
        share = b64decode(stanza.args[1], "an X25519 stanza's share")
        if len(share) != KEY_BYTES or len(stanza.body) != FILE_KEY_BYTES + 16:
            raise AgeFormatError("an X25519 stanza has the wrong length")
        try:
            shared = private.exchange(X25519PublicKey.from_public_bytes(share))
        except ValueError:  # cryptography refuses an all-zero shared secret
            raise AgeFormatError("an X25519 stanza has a low-order share") from None
        try:
            return ChaCha20Poly1305(_wrap_key(shared, share, recipient)).decrypt(
                _ZERO_NONCE, stanza.body, None
            )
        except InvalidTag:
            continue
    raise AgeWrongSecretError("no identity matched: it is not encrypted to this age key")
