"""The age v1 payload: a nonce, then the plaintext in 64 KiB sealed chunks.

The payload key is HKDF(file key, salt = a fresh 16-byte nonce, "payload");
each chunk is ChaCha20-Poly1305 under it, its 12-byte nonce an 11-byte big
endian counter and a last-chunk flag (STREAM). A cut, reordered or changed
chunk fails its tag; a payload that ends without a last chunk is refused.
This module holds plaintext only in memory and never writes it anywhere.
"""

from __future__ import annotations

import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

from hsm.age.header import hkdf
from hsm.errors import AgeFormatError

CHUNK = 64 * 1024
TAG = 16
NONCE = 16


def _chunk_nonce(counter: int, last: bool) -> bytes:
    return counter.to_bytes(11, "big") + (b"\x01" if last else b"\x00")


def encrypt_payload(file_key: bytes, plaintext: bytes) -> bytes:
    """The payload carrying ``plaintext`` under ``file_key``."""
    nonce = os.urandom(NONCE)
    aead = ChaCha20Poly1305(hkdf(file_key, nonce, b"payload"))
    count = max(1, -(-len(plaintext) // CHUNK))
    return nonce + b"".join(
        aead.encrypt(_chunk_nonce(n, n == count - 1), plaintext[n * CHUNK : (n + 1) * CHUNK], None)
        for n in range(count)
    )


def open_payload(file_key: bytes, payload: bytes) -> bytes:
    """The plaintext of ``payload``; raises AgeFormatError if it is damaged or cut."""
    if len(payload) < NONCE + TAG:
        raise AgeFormatError("the age payload is cut short")
    aead = ChaCha20Poly1305(hkdf(file_key, payload[:NONCE], b"payload"))
    sealed = payload[NONCE:]
    count = -(-len(sealed) // (CHUNK + TAG))
    pieces = []
    for n in range(count):
        last = n == count - 1
        piece = sealed[n * (CHUNK + TAG) : (n + 1) * (CHUNK + TAG)]
        try:
            chunk = aead.decrypt(_chunk_nonce(n, last), piece, None)
        except InvalidTag:
            raise AgeFormatError("the age payload is damaged or cut short") from None
        if last and not chunk and n > 0:
            raise AgeFormatError("the age payload ends with an empty chunk")
        pieces.append(chunk)
    return b"".join(pieces)
