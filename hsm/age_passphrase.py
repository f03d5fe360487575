"""age passphrase files (the age v1 format's scrypt recipient).

Software keys are stored as age files encrypted to a passphrase, so that the
standard ``age`` CLI (and rage, pyrage...) opens them without this tool. This
module writes and reads that format with ``cryptography``'s primitives
rather than pyrage: pyrage holds Python's GIL through its scrypt (1.5 s or
more per key, during which a terminal UI cannot even redraw), while
``cryptography``'s scrypt releases it and runs about twice as fast. Tests
check both directions against pyrage and the ``age`` CLI.

Format (https://age-encryption.org/v1): a text header with one stanza
``-> scrypt SALT LOG2N`` whose body is the 16-byte file key sealed with
ChaCha20-Poly1305 under scrypt(passphrase, "age-encryption.org/v1/scrypt" +
SALT, N, r=8, p=1); a header MAC (HMAC-SHA256 keyed by HKDF(file key,
"header")); then a 16-byte nonce and the payload in 64 KiB ChaCha20-Poly1305
chunks keyed by HKDF(file key, nonce, "payload"). Files read from media are
hostile: every field is checked, and a work factor above 22 is refused.
"""

from __future__ import annotations

import base64
import hmac
import os
import re

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

INTRO = b"age-encryption.org/v1\n"
SCRYPT_LABEL = b"age-encryption.org/v1/scrypt"
WORK_FACTOR = 18  # age's own default: about 1 s of CPU and 256 MiB
MAX_WORK_FACTOR = 22
CHUNK = 64 * 1024
_B64 = re.compile(rb"^[A-Za-z0-9+/]*$")


class AgeFormatError(ValueError):
    """Not an age passphrase file, or a damaged one."""


class AgePassphraseError(ValueError):
    """The passphrase does not open this file."""


def _b64encode(data: bytes) -> bytes:
    return base64.b64encode(data).rstrip(b"=")


def _b64decode(text: bytes) -> bytes:
    if not _B64.match(text) or len(text) % 4 == 1:
        raise AgeFormatError("bad base64 in the header")
    decoded = base64.b64decode(text + b"=" * (-len(text) % 4))
    if _b64encode(decoded) != text:  # canonical encoding only
        raise AgeFormatError("non-canonical base64 in the header")
    return decoded


def _hkdf(key: bytes, salt: bytes, info: bytes) -> bytes:
    return HKDF(hashes.SHA256(), 32, salt or None, info).derive(key)


def _scrypt_key(passphrase: bytes, salt: bytes, work_factor: int) -> bytes:
    return Scrypt(salt=SCRYPT_LABEL + salt, length=32, n=2**work_factor, r=8, p=1).derive(
        passphrase
    )


def _payload_nonce(counter: int, last: bool) -> bytes:
    return counter.to_bytes(11, "big") + (b"\x01" if last else b"\x00")


def encrypt(plaintext: bytes, passphrase: str, *, work_factor: int = WORK_FACTOR) -> bytes:
    """``plaintext`` as an age file that ``passphrase`` opens."""
    file_key = os.urandom(16)
    salt = os.urandom(16)
    wrap_key = _scrypt_key(passphrase.encode(), salt, work_factor)
    body = ChaCha20Poly1305(wrap_key).encrypt(b"\x00" * 12, file_key, None)
    header = (
        INTRO
        + b"-> scrypt "
        + _b64encode(salt)
        + b" "
        + str(work_factor).encode()
        + b"\n"
        + _b64encode(body)
        + b"\n---"
    )
    mac = hmac.new(_hkdf(file_key, b"", b"header"), header, "sha256").digest()
    nonce = os.urandom(16)
    aead = ChaCha20Poly1305(_hkdf(file_key, nonce, b"payload"))
    chunks = [plaintext[i : i + CHUNK] for i in range(0, len(plaintext), CHUNK)] or [b""]
    payload = b"".join(
        aead.encrypt(_payload_nonce(n, n == len(chunks) - 1), chunk, None)
        for n, chunk in enumerate(chunks)
    )
    return header + b" " + _b64encode(mac) + b"\n" + nonce + payload


def decrypt(data: bytes, passphrase: str) -> bytes:
    """The plaintext of an age passphrase file; raises on anything wrong."""
    if not data.startswith(INTRO):
        raise AgeFormatError("not an age file")
    lines_end = data.find(b"\n---", len(INTRO) - 1)
    if lines_end < 0:
        raise AgeFormatError("the age header has no end")
    stanza = data[len(INTRO) : lines_end].split(b"\n")
    if len(stanza) != 2:
        raise AgeFormatError("expected exactly one passphrase stanza")
    args = stanza[0].split(b" ")
    if len(args) != 4 or args[0] != b"->" or args[1] != b"scrypt":
        raise AgeFormatError("this age file is not encrypted to a passphrase")
    salt = _b64decode(args[2])
    if len(salt) != 16 or not args[3].isdigit() or args[3].startswith(b"0"):
        raise AgeFormatError("bad scrypt stanza")
    work_factor = int(args[3])
    if not 1 <= work_factor <= MAX_WORK_FACTOR:
        raise AgeFormatError(f"scrypt work factor {work_factor} is out of bounds")
    body = _b64decode(stanza[1])
    if len(body) != 32:
        raise AgeFormatError("bad scrypt stanza body")
    header = data[: lines_end + 4]
    mac_end = data.find(b"\n", lines_end + 4)
    if mac_end < 0 or data[lines_end + 4 : lines_end + 5] != b" ":
        raise AgeFormatError("the age header has no MAC")
    mac = _b64decode(data[lines_end + 5 : mac_end])
    try:
        file_key = ChaCha20Poly1305(_scrypt_key(passphrase.encode(), salt, work_factor)).decrypt(
            b"\x00" * 12, body, None
        )
    except InvalidTag:
        raise AgePassphraseError("the passphrase does not open this file") from None
    expected = hmac.new(_hkdf(file_key, b"", b"header"), header, "sha256").digest()
    if not hmac.compare_digest(mac, expected):
        raise AgeFormatError("the age header was changed")
    rest = data[mac_end + 1 :]
    if len(rest) < 16 + 16:
        raise AgeFormatError("the age payload is cut short")
    nonce, payload = rest[:16], rest[16:]
    aead = ChaCha20Poly1305(_hkdf(file_key, nonce, b"payload"))
    sealed = CHUNK + 16
    pieces = [payload[i : i + sealed] for i in range(0, len(payload), sealed)]
    plaintext = []
    for n, piece in enumerate(pieces):
        last = n == len(pieces) - 1
        try:
            chunk = aead.decrypt(_payload_nonce(n, last), piece, None)
        except InvalidTag:
            raise AgeFormatError("the age payload is damaged or cut short") from None
        if last and not chunk and n > 0:
            raise AgeFormatError("the age payload ends with an empty chunk")
        plaintext.append(chunk)
    return b"".join(plaintext)
