"""age files (https://age-encryption.org/v1): the one implementation in this tool.

Software key files are age files encrypted to a passphrase (scrypt); custody
bundles are age files encrypted to an X25519 recipient whose identity is
split into shares, or to a passphrase. Both are written and read here, so
the standard ``age`` CLI opens what this tool writes and this tool opens
what ``age`` (or rage) writes, in the binary form. What is ours to choose is
fixed: the scrypt work factor is 18 when writing and at most 20 when
reading, checked before scrypt runs.

Files read from media are hostile: the header is parsed strictly with size
limits, every length is checked before any cryptography runs, and a
``MemoryError`` never escapes (it becomes :class:`hsm.errors.AgeMemoryError`).
Errors are ``hsm.errors.Age…Error`` and say what is wrong with the file; the
caller says which file and what to do. Nothing here writes a file, and no
error or repr carries a passphrase, an identity or plaintext.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from hsm.age import scrypt, x25519
from hsm.age.header import FILE_KEY_BYTES, Stanza, check_mac, read_header, write_header
from hsm.age.payload import encrypt_payload, open_payload
from hsm.age.scrypt import READ_WORK_FACTOR_LIMIT, WRITE_WORK_FACTOR, memory_for
from hsm.age.x25519 import identity_line, identity_of_line, recipient_of
from hsm.errors import AgeMemoryError

__all__ = [
    "READ_WORK_FACTOR_LIMIT",
    "WRITE_WORK_FACTOR",
    "decrypt_with_identity",
    "decrypt_with_passphrase",
    "encrypt_to_passphrase",
    "encrypt_to_recipient",
    "identity_line",
    "identity_of_line",
    "memory_for",
    "passphrase_work_factor",
    "recipient_of",
]


def _as_bytes(passphrase: str | bytes) -> bytes:
    return passphrase.encode() if isinstance(passphrase, str) else bytes(passphrase)


def _encrypt(plaintext: bytes, stanza_for: Callable[[bytes], Stanza]) -> bytes:
    file_key = os.urandom(FILE_KEY_BYTES)
    return write_header([stanza_for(file_key)], file_key) + encrypt_payload(file_key, plaintext)


def encrypt_to_passphrase(
    plaintext: bytes, passphrase: str | bytes, *, work_factor: int | None = None
) -> bytes:
    """``plaintext`` as a binary age file that ``passphrase`` opens (``age -d``), at
    scrypt work factor ``work_factor`` (unsaid: ``WRITE_WORK_FACTOR``, 18)."""
    secret = _as_bytes(passphrase)
    return _encrypt(plaintext, lambda file_key: scrypt.wrap(file_key, secret, work_factor))


def encrypt_to_recipient(plaintext: bytes, recipient: str) -> bytes:
    """``plaintext`` as a binary age file for the ``age1…`` ``recipient``."""
    public = x25519.recipient_bytes(recipient)
    return _encrypt(plaintext, lambda file_key: x25519.wrap(file_key, public))


def passphrase_work_factor(data: bytes, *, limit: int = READ_WORK_FACTOR_LIMIT) -> int:
    """The scrypt work factor a passphrase file asks for, without running
    scrypt; raises AgeWorkFactorError above ``limit``, AgeFormatError when
    ``data`` is not a passphrase age file."""
    return scrypt.work_factor_of(read_header(data).stanzas, limit)


def decrypt_with_passphrase(
    data: bytes, passphrase: str | bytes, *, limit: int = READ_WORK_FACTOR_LIMIT
) -> bytes:
    """The plaintext of a passphrase age file. Raises AgeWorkFactorError
    (before scrypt runs), AgeWrongSecretError, AgeFormatError, AgeMemoryError."""
    try:
        header = read_header(data)
        file_key = scrypt.unwrap(header.stanzas, _as_bytes(passphrase), limit)
        check_mac(header, file_key)
        return open_payload(file_key, data[header.payload_start :])
    except MemoryError:
        raise AgeMemoryError("not enough free memory to open this age file") from None


def decrypt_with_identity(data: bytes, identity: bytes) -> bytes:
    """The plaintext of an age file for the X25519 ``identity`` (32 bytes).
    Raises AgeWrongSecretError when it is not for this identity."""
    try:
        header = read_header(data)
        file_key = x25519.unwrap(header.stanzas, identity)
        check_mac(header, file_key)
        return open_payload(file_key, data[header.payload_start :])
    except MemoryError:
        raise AgeMemoryError("not enough free memory to open this age file") from None
