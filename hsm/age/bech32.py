"""A tiny Bech32 codec (BIP 173), enough for age's keys.

age writes an X25519 identity as Bech32 of its 32 secret bytes under the
human-readable part ``age-secret-key-`` (upper-cased, ``AGE-SECRET-KEY-…``)
and a recipient under ``age`` (``age1...``). It uses plain Bech32 (not
Bech32m) with no length limit. This module turns bytes into those strings and
back; it knows nothing of keys and never logs what it converts.
"""

from __future__ import annotations

from hsm.errors import Bech32Error

CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_VALUE = {c: i for i, c in enumerate(CHARSET)}
_GENERATOR = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)


def _polymod(values: list[int]) -> int:
    checksum = 1
    for value in values:
        top = checksum >> 25
        checksum = ((checksum & 0x1FFFFFF) << 5) ^ value
        for bit, generator in enumerate(_GENERATOR):
            if (top >> bit) & 1:
                checksum ^= generator
    return checksum


def _expand(hrp: str) -> list[int]:
    return [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]


def _regroup(data: bytes | list[int], from_bits: int, to_bits: int, pad: bool) -> list[int]:
    """Regroup a stream of ``from_bits``-wide values into ``to_bits``-wide ones."""
    accumulator = 0
    bits = 0
    out: list[int] = []
    mask = (1 << to_bits) - 1
    for value in data:
        accumulator = (accumulator << from_bits) | value
        bits += from_bits
        while bits >= to_bits:
            bits -= to_bits
            out.append((accumulator >> bits) & mask)
    if pad and bits:
        out.append((accumulator << (to_bits - bits)) & mask)
    elif not pad and (bits >= from_bits or (accumulator << (to_bits - bits)) & mask):
        raise Bech32Error("the data part has leftover bits")
    return out


def encode(hrp: str, data: bytes) -> str:
    """Bech32 of ``data`` under ``hrp``, lower case (upper-case it for age
    identities)."""
    hrp = hrp.lower()
    words = _regroup(data, 8, 5, pad=True)
    residue = _polymod(_expand(hrp) + words + [0] * 6) ^ 1
    checksum = [(residue >> 5 * (5 - i)) & 31 for i in range(6)]
    return hrp + "1" + "".join(CHARSET[w] for w in words + checksum)


def decode(hrp: str, text: str) -> bytes:
    """The bytes a Bech32 string under ``hrp`` carries; raises Bech32Error."""
    if text != text.lower() and text != text.upper():
        raise Bech32Error("mixed upper and lower case")
    text = text.lower()
    separator = text.rfind("1")
    if separator < 1 or text[:separator] != hrp.lower():
        raise Bech32Error(f"it does not start with {hrp.upper()}1")
    try:
        words = [_VALUE[c] for c in text[separator + 1 :]]
    except KeyError:
        raise Bech32Error("it holds a character Bech32 does not use") from None
    if len(words) < 6:
        raise Bech32Error("it is too short")
    if _polymod(_expand(text[:separator]) + words) != 1:
        raise Bech32Error("its checksum does not match: a character is wrong or missing")
    return bytes(_regroup(words[:-6], 5, 8, pad=False))
