"""The age v1 header: the version line, recipient stanzas and the header MAC.

A header is text (https://age-encryption.org/v1):

    age-encryption.org/v1
    -> TYPE ARG...          one stanza per recipient: arguments,
    BASE64 BODY             then a body wrapped at 64 columns, ended by a
                            line shorter than 64 (which may be empty)
    --- BASE64 MAC          HMAC-SHA256 of everything up to "---"

This module writes headers and reads them strictly: canonical unpadded
base64 only, bounded sizes (a header from media is hostile input), and
stanzas it does not know kept as they are for the recipient modules to skip
(other tools add "grease" stanzas). It never sees a passphrase or identity;
it only checks the MAC with a file key it is given.
"""

from __future__ import annotations

import base64
import hmac
import re
from dataclasses import dataclass

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from hsm.errors import AgeArmoredError, AgeFormatError

INTRO = b"age-encryption.org/v1\n"
VERSION_PREFIX = b"age-encryption.org/"
ARMOR_BEGIN = b"-----BEGIN AGE ENCRYPTED FILE-----"
COLUMNS = 64
FILE_KEY_BYTES = 16
MAC_BYTES = 32
MAX_HEADER_BYTES = 64 * 1024  # a ceremony's header is under 200 bytes
MAX_LINE_BYTES = 8 * 1024
MAX_STANZAS = 64
_BASE64 = re.compile(rb"[A-Za-z0-9+/]*")


@dataclass(frozen=True)
class Stanza:
    """One recipient stanza: ``args[0]`` is its type (``X25519``, ``scrypt``...)."""

    args: tuple[bytes, ...]
    body: bytes

    @property
    def kind(self) -> bytes:
        return self.args[0]


@dataclass(frozen=True)
class Header:
    """A parsed header: its stanzas, the bytes its MAC covers, the MAC, and
    where the payload starts."""

    stanzas: tuple[Stanza, ...]
    covered: bytes
    mac: bytes
    payload_start: int


def b64encode(data: bytes) -> bytes:
    return base64.b64encode(data).rstrip(b"=")


def b64decode(text: bytes, what: str) -> bytes:
    """Canonical unpadded base64, as the format requires; anything else is refused."""
    if not _BASE64.fullmatch(text) or len(text) % 4 == 1:
        raise AgeFormatError(f"the age header has bad base64 in {what}")
    decoded = base64.b64decode(text + b"=" * (-len(text) % 4))
    if b64encode(decoded) != text:
        raise AgeFormatError(f"the age header has non-canonical base64 in {what}")
    return decoded


def hkdf(key: bytes, salt: bytes, info: bytes) -> bytes:
    return HKDF(hashes.SHA256(), 32, salt or None, info).derive(key)


def header_mac(file_key: bytes, covered: bytes) -> bytes:
    return hmac.new(hkdf(file_key, b"", b"header"), covered, "sha256").digest()


def write_header(stanzas: list[Stanza], file_key: bytes) -> bytes:
    """The header for ``stanzas``, MAC'd with ``file_key``, up to the payload."""
    lines = [INTRO]
    for stanza in stanzas:
        lines.append(b"-> " + b" ".join(stanza.args) + b"\n")
        body = b64encode(stanza.body)
        for start in range(0, len(body) + 1, COLUMNS):  # always a final short line
            lines.append(body[start : start + COLUMNS] + b"\n")
    covered = b"".join(lines) + b"---"
    return covered + b" " + b64encode(header_mac(file_key, covered)) + b"\n"


def check_mac(header: Header, file_key: bytes) -> None:
    """Raise unless the header's MAC is the one ``file_key`` gives."""
    if not hmac.compare_digest(header.mac, header_mac(file_key, header.covered)):
        raise AgeFormatError("the age header was changed after it was written")


def read_header(data: bytes) -> Header:
    """Parse the header at the start of ``data``; raises AgeFormatError."""
    if data[:1024].lstrip().startswith(ARMOR_BEGIN):
        raise AgeArmoredError("armored age files are not supported: use the binary form")
    if not data.startswith(INTRO):
        if data.startswith(VERSION_PREFIX):
            raise AgeFormatError("it is an age file of a version other than v1")
        raise AgeFormatError("it is not an age file")
    position = len(INTRO)
    stanzas: list[Stanza] = []
    while True:
        start = position
        line, position = _line(data, position)
        if line.startswith(b"-> "):
            if len(stanzas) == MAX_STANZAS:
                raise AgeFormatError(f"the age header has more than {MAX_STANZAS} stanzas")
            body, position = _body(data, position)
            stanzas.append(Stanza(_arguments(line), body))
        elif line.startswith(b"--- ") and stanzas:
            mac = b64decode(line[4:], "the header MAC")
            if len(mac) != MAC_BYTES:
                raise AgeFormatError("the age header MAC has the wrong length")
            return Header(tuple(stanzas), data[: start + 3], mac, position)
        else:
            raise AgeFormatError(
                "the age header is malformed (a line is neither a stanza nor its end)"
            )


def _line(data: bytes, position: int) -> tuple[bytes, int]:
    end = data.find(b"\n", position, position + MAX_LINE_BYTES + 1)
    if end < 0:
        raise AgeFormatError("the age header is cut short, or has a line too long")
    if end >= MAX_HEADER_BYTES:
        raise AgeFormatError(f"the age header is longer than {MAX_HEADER_BYTES} bytes")
    return data[position:end], end + 1


def _arguments(line: bytes) -> tuple[bytes, ...]:
    args = tuple(line[3:].split(b" "))
    for arg in args:
        if not arg or any(byte < 0x21 or byte > 0x7E for byte in arg):
            raise AgeFormatError("an age stanza has an empty or non-printable argument")
    return args


def _body(data: bytes, position: int) -> tuple[bytes, int]:
    text = []
    while True:
        line, position = _line(data, position)
        if len(line) > COLUMNS:
            raise AgeFormatError("an age stanza body has a line longer than 64 columns")
        text.append(line)
        if len(line) < COLUMNS:
            return b64decode(b"".join(text), "a stanza body"), position
