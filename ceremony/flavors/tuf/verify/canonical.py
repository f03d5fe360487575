"""Canonical JSON (OLPC), the bytes TUF signatures and keyids are made over.

Sorted keys, no whitespace, strings with only ``"`` and ``\\`` escaped (a PEM's
newlines stay raw bytes), no floats. The standard library's C encoder does the
work; its extra escapes for control characters are then undone, which is far
faster than walking the value in Python. Values come from :mod:`.strict_json`,
which never yields floats; a float reaching here is a programming error.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import NoReturn

from ceremony.verify.digest import sha256_hex

# In the encoder's output every backslash starts an escape: keep the two OLPC
# escapes, turn the others back into the raw character.
_ENCODER_ESCAPE = re.compile(r'\\(["\\]|[bfnrt]|u00[01][0-9a-f])')
_RAW = {"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}


def _unescape(match: re.Match[str]) -> str:
    escape: str = match.group(1)
    if escape in ('"', "\\"):
        kept: str = match.group(0)
        return kept
    if escape[0] == "u":
        return chr(int(escape[1:], 16))
    return _RAW[escape]


class _NoFloats(json.JSONEncoder):
    def default(self, value: object) -> NoReturn:  # pragma: no cover - non-JSON types only
        raise TypeError(f"{type(value).__name__} has no canonical JSON form")


#: one encoder for every value (json.dumps would make one per call)
_ENCODER = _NoFloats(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False,
    check_circular=False,
)


def _made_once() -> Callable[[object], str]:
    """The encoder's C part, made once: ``JSONEncoder.encode`` makes it anew
    for each value, which costs a third as much as encoding a key object (a
    root chain encodes thousands). The same function with the same settings,
    so the same text; ``encode`` itself where there is no C part."""
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:  # pragma: no cover - CPython has it
        return _ENCODER.encode
    c_encode = make(
        None, _ENCODER.default, json.encoder.encode_basestring, None, ":", ",", True, False,
        False,
    )

    def encode(value: object) -> str:
        return "".join(c_encode(value, 0))

    return encode


_encode = _made_once()


def canonical_bytes(value: object) -> bytes:
    """The canonical JSON encoding of ``value`` (dicts, lists, str, int, bool, None).

    Raises ``ValueError`` for floats and for strings that are not valid Unicode
    (lone surrogates from a ``\\ud800`` escape).
    """
    text = _encode(value)
    if "\\" in text:
        text = _ENCODER_ESCAPE.sub(_unescape, text)
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("a string is not valid Unicode") from None


def keyid_of(key: object) -> str:
    """The keyid a key object must have: sha256 of its canonical JSON, hex."""
    return sha256_hex(canonical_bytes(key))
