"""A tiny DER encoder and reader for the few ASN.1 structures notary needs.

Notary's private-key files (PKCS#8 PBES2 with PBKDF2-HMAC-SHA1) and the
to-be-signed part of its root certificates are built here byte by byte,
because ``cryptography`` writes neither exactly as notary does. Only what
those structures use is supported: SEQUENCE, INTEGER, OCTET STRING, BIT
STRING, OBJECT IDENTIFIER, NULL, BOOLEAN, PrintableString/UTF8String, UTCTime,
GeneralizedTime and context tags. The reader is strict (definite lengths,
minimal encodings) and raises :class:`DerError`, never anything else, so that
hostile files on media fail cleanly.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import UTC, datetime

from ceremony.flavors.dct.notary.errors import DerError

SEQUENCE = 0x30
SET = 0x31
INTEGER = 0x02
BIT_STRING = 0x03
OCTET_STRING = 0x04
NULL = 0x05
OID = 0x06
UTF8_STRING = 0x0C
PRINTABLE_STRING = 0x13
UTC_TIME = 0x17
GENERALIZED_TIME = 0x18
BOOLEAN = 0x01


# -- encoding ---------------------------------------------------------------


def _length(n: int) -> bytes:
    if n < 0x80:
        return bytes([n])
    body = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(body)]) + body


def tlv(tag: int, content: bytes) -> bytes:
    size = len(content)
    if size < 0x80:
        return bytes((tag, size)) + content
    return bytes([tag]) + _length(size) + content


def sequence(*items: bytes) -> bytes:
    return tlv(SEQUENCE, b"".join(items))


def set_of(*items: bytes) -> bytes:
    return tlv(SET, b"".join(sorted(items)))


def integer(value: int) -> bytes:
    """A non-negative INTEGER (all this module needs)."""
    if value < 0:
        raise DerError("negative INTEGERs are not supported")
    return tlv(INTEGER, value.to_bytes(value.bit_length() // 8 + 1, "big"))


def octet_string(value: bytes) -> bytes:
    return tlv(OCTET_STRING, value)


def bit_string(value: bytes, unused_bits: int = 0) -> bytes:
    return tlv(BIT_STRING, bytes([unused_bits]) + value)


def null() -> bytes:
    return b"\x05\x00"


def boolean(value: bool) -> bytes:
    return tlv(BOOLEAN, b"\xff" if value else b"\x00")


@functools.lru_cache(maxsize=256)
def oid(dotted: str) -> bytes:
    parts = [int(p) for p in dotted.split(".")]
    body = bytearray()
    for number in [parts[0] * 40 + parts[1], *parts[2:]]:
        chunk = [number & 0x7F]
        number >>= 7
        while number:
            chunk.append(0x80 | (number & 0x7F))
            number >>= 7
        body.extend(reversed(chunk))
    return tlv(OID, bytes(body))


def explicit(number: int, content: bytes) -> bytes:
    """A constructed context-specific tag [number] around ``content``."""
    return tlv(0xA0 | number, content)


PRINTABLE = re.compile(r"[A-Za-z0-9 '()+,\-./:=?]*")  # PrintableString's characters


def directory_string(text: str) -> bytes:
    """PrintableString when every character allows it, else UTF8String (as Go does)."""
    if PRINTABLE.fullmatch(text):
        return tlv(PRINTABLE_STRING, text.encode("ascii"))
    return tlv(UTF8_STRING, text.encode("utf-8"))


@functools.lru_cache(maxsize=64)
def time_value(moment: datetime) -> bytes:
    """UTCTime before 2050, GeneralizedTime from 2050 on (RFC 5280, as Go does)."""
    m = moment.astimezone(UTC)
    clock = f"{m.month:02d}{m.day:02d}{m.hour:02d}{m.minute:02d}{m.second:02d}Z".encode()
    if m.year < 2050:
        return tlv(UTC_TIME, f"{m.year % 100:02d}".encode() + clock)
    return tlv(GENERALIZED_TIME, f"{m.year:04d}".encode() + clock)


# -- reading ----------------------------------------------------------------


@dataclass(frozen=True)
class Element:
    """One TLV read from DER: its tag, its content and its whole encoding."""

    tag: int
    content: bytes
    encoded: bytes

    def children(self) -> list[Element]:
        if not self.tag & 0x20:
            raise DerError(f"tag {self.tag:#x} is not constructed")
        return read_all(self.content)

    def as_int(self) -> int:
        self.expect(INTEGER)
        content = self.content
        if not content:
            raise DerError("empty INTEGER")
        if len(content) > 1 and (
            (content[0] == 0x00 and not content[1] & 0x80)
            or (content[0] == 0xFF and content[1] & 0x80)
        ):
            raise DerError("non-minimal INTEGER")
        return int.from_bytes(content, "big", signed=True)

    def as_oid(self) -> str:
        self.expect(OID)
        numbers, value, starting = [], 0, True
        for byte in self.content:
            if starting and byte == 0x80:
                raise DerError("non-minimal OBJECT IDENTIFIER part (a 0x80 pad)")
            value = (value << 7) | (byte & 0x7F)
            starting = not byte & 0x80
            if starting:
                numbers.append(value)
                value = 0
        if not numbers or self.content[-1] & 0x80:
            raise DerError("malformed OBJECT IDENTIFIER")
        first = min(numbers[0] // 40, 2)
        return ".".join(str(n) for n in [first, numbers[0] - 40 * first, *numbers[1:]])

    def as_octets(self) -> bytes:
        self.expect(OCTET_STRING)
        return self.content

    def expect(self, tag: int) -> Element:
        if self.tag != tag:
            raise DerError(f"expected tag {tag:#x}, found {self.tag:#x}")
        return self


def read_one(data: bytes, offset: int = 0) -> tuple[Element, int]:
    """The element at ``offset`` and the offset just after it."""
    try:
        tag = data[offset]
        first = data[offset + 1]
    except IndexError:
        raise DerError("truncated DER") from None
    if tag & 0x1F == 0x1F:
        raise DerError("multi-byte tags are not supported")
    position = offset + 2
    if first < 0x80:
        length = first
    else:
        count = first & 0x7F
        if count == 0 or count > 4:
            raise DerError("indefinite or oversized DER length")
        raw = data[position : position + count]
        if len(raw) != count:
            raise DerError("truncated DER")
        length = int.from_bytes(raw, "big")
        if length < 0x80 or raw[0] == 0:
            raise DerError("non-minimal DER length")
        position += count
    end = position + length
    if end > len(data):
        raise DerError("truncated DER")
    return Element(tag, data[position:end], data[offset:end]), end


def read(data: bytes) -> Element:
    """Exactly one element filling ``data``."""
    element, end = read_one(data)
    if end != len(data):
        raise DerError("trailing bytes after DER")
    return element


def read_prefix(data: bytes) -> Element:
    """The first element of ``data``; what follows it is ignored (as Go's asn1 does)."""
    return read_one(data)[0]


def read_all(data: bytes) -> list[Element]:
    items, offset = [], 0
    while offset < len(data):
        element, offset = read_one(data, offset)
        items.append(element)
    return items
