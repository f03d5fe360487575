"""Canonical JSON (OLPC), the bytes TUF signatures and keyids are made over.

Sorted keys, no whitespace, strings with only ``"`` and ``\\`` escaped (a PEM's
newlines stay raw bytes), no floats. The standard library's C encoder does the
work (json's own, called as ``json.JSONEncoder`` calls it, without loading the
json package: see strict_json.py); its extra escapes for control characters are
then undone, which is far faster than walking the value in Python. Values come
from :mod:`.strict_json`, which never yields floats, or (when metadata is
signed, ceremony/tufmeta/metadata.py) from python-tuf's ``to_dict`` of metadata
this tool builds or read from a verified bundle: no floats either. A float
reaching here is a programming error (and a file signed over one would fail
every verification, this tool's first). Tests hold the bytes to
securesystemslib's, which python-tuf signs and verifies over.
"""

from __future__ import annotations

import re
from _json import encode_basestring, make_encoder
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


def _no_json(value: object) -> NoReturn:  # pragma: no cover - non-JSON types only
    raise TypeError(f"{type(value).__name__} has no canonical JSON form")


#: one encoder for every value: what json.JSONEncoder(sort_keys=True, separators=(",",
#: ":"), ensure_ascii=False, allow_nan=False, check_circular=False) runs
_ENCODE = make_encoder(None, _no_json, encode_basestring, None, ":", ",", True, False, False)


def _encode(value: object) -> str:
    """JSONEncoder.encode: a string alone is its escaped form."""
    if isinstance(value, str):
        return encode_basestring(value)
    return "".join(_ENCODE(value, 0))


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
