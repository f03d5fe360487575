"""Notary's JSON bytes, exactly as its Go code writes them.

Two forms matter, and they differ:

- :func:`canonical` is what a signature covers: docker/go's
  ``MarshalCanonical`` (sorted keys, no whitespace, integers only, and only
  ``"`` and ``\\`` escaped; UTF-8 and ``<>&`` stay raw).
- :func:`file_bytes` is what goes on the wire and on disk: the envelope
  ``{"signed":…,"signatures":[…]}`` that Go's ``json.Marshal`` writes around
  the canonical ``signed`` bytes, compacting them with HTML escaping, so that
  ``<`` ``>`` ``&`` become ``\\u003c`` ``\\u003e`` ``\\u0026`` and U+2028/U+2029
  become ``\\u2028``/``\\u2029``; other non-ASCII stays raw UTF-8.

Control characters in strings are refused: notary's canonical form leaves them
raw, and Go's compaction of the file then fails ("invalid character in string
literal"), so notary itself can never publish them. Floats are refused too.

Reading (:func:`loads`) is strict: UTF-8, no duplicate keys, no floats.
Nothing here touches files or keys.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from typing import Any, NoReturn

from ceremony.flavors.dct.notary.errors import NotaryFormatError

_CONTROL = re.compile("[\x00-\x1f]")
_HTML = re.compile(b"[<>&]|\xe2\x80[\xa8\xa9]")
_HTML_ESCAPES = {
    b"<": b"\\u003c",
    b">": b"\\u003e",
    b"&": b"\\u0026",
    b"\xe2\x80\xa8": b"\\u2028",
    b"\xe2\x80\xa9": b"\\u2029",
}


def _check(value: object, where: str) -> None:
    if isinstance(value, str):
        if _CONTROL.search(value):
            raise NotaryFormatError(
                "a string holds a control character (newline, tab...), which notary "
                "cannot publish",
                where=where,
                todo="Remove it from the name or value",
            )
    elif isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise NotaryFormatError(
                    f"an object key is a {type(key).__name__}, not a string", where=where
                )
            _check(key, where)
            _check(item, f"{where}.{key}")
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            _check(item, f"{where}[{index}]")
    elif isinstance(value, float):
        raise NotaryFormatError(
            "a number is not an integer; notary's canonical JSON has integers only",
            where=where,
        )
    elif value is not None and not isinstance(value, (bool, int)):
        raise NotaryFormatError(
            f"a {type(value).__name__} cannot be written as notary JSON", where=where
        )


# An escape json.dumps writes only for a control character: an odd run of
# backslashes then b, f, n, r, t or u (with ensure_ascii=False, \\u is only
# used below U+0020).
_CONTROL_ESCAPE = re.compile(r"(?<!\\)(?:\\\\)*\\[bfnrtu]")
# A number token with a fraction or an exponent, right after ":", "," or "[".
# A string holding such text is a false alarm that the walk below clears.
_FLOAT_TOKEN = re.compile(r"(?:^|[:,\[])-?[0-9]+[.eE]")


_ENCODER = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
)


def canonical(value: object, where: str = "signed") -> bytes:
    """The canonical bytes notary signs and verifies for ``value``.

    Serialized in one pass by the json module; the output is then scanned for
    what notary cannot sign (a control-character escape, a float), and only
    when something looks wrong is the value walked, to say where.
    """
    try:
        text = _ENCODER.encode(value)
    except (TypeError, ValueError):
        _check(value, where)
        raise NotaryFormatError(
            "the value cannot be written as notary JSON", where=where
        ) from None
    # Python writes every float with a "." or an "e+"/"e-"; most metadata has neither
    maybe_float = "." in text or "e+" in text or "e-" in text
    if ("\\" in text and _CONTROL_ESCAPE.search(text)) or (
        maybe_float and _FLOAT_TOKEN.search(text)
    ):
        _check(value, where)
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        raise NotaryFormatError(
            "a string is not valid Unicode (a lone surrogate)", where=where
        ) from None


def html_escape(data: bytes) -> bytes:
    """Go's compaction of a raw JSON message: ``<>&`` and U+2028/U+2029 escaped."""
    if b"<" in data or b">" in data or b"&" in data or b"\xe2\x80" in data:
        return _HTML.sub(lambda match: _HTML_ESCAPES[match.group()], data)
    return data


_PLAIN = re.compile(r"[A-Za-z0-9 #._-]*")


def _plain(text: str) -> bool:
    return (text.isascii() and text.isalnum()) or _PLAIN.fullmatch(text) is not None


def signature_json(keyid: str, method: str, sig: bytes) -> bytes:
    """One entry of ``signatures``, fields in Go's declaration order, HTML-escaped
    as :func:`file_bytes` would escape it."""
    if _plain(keyid) and _plain(method):  # hex ids, plain names
        return b'{"keyid":"%s","method":"%s","sig":"%s"}' % (
            keyid.encode(), method.encode(), binascii.b2a_base64(sig, newline=False)
        )
    # escaped here already (escaping is idempotent), so that file_bytes need not
    # scan the signatures again
    return html_escape(b'{"keyid":%s,"method":%s,"sig":"%s"}' % (
        json.dumps(keyid, ensure_ascii=False).encode(),
        json.dumps(method, ensure_ascii=False).encode(),
        base64.b64encode(sig),
    ))


def one_signature_file(signed_canonical: bytes, keyid: str, method: str, sig: bytes) -> bytes:
    """``file_bytes(signed_canonical, [signature_json(keyid, method, sig)], True)``
    (the caller laid ``signed`` out from plain ASCII) in one step."""
    if _plain(keyid) and _plain(method):  # hex ids, plain names
        return b'{"signed":%s,"signatures":[{"keyid":"%s","method":"%s","sig":"%s"}]}' % (
            signed_canonical, keyid.encode(), method.encode(),
            binascii.b2a_base64(sig, newline=False),
        )
    return file_bytes(signed_canonical, [signature_json(keyid, method, sig)], True)


def one_signature_layout(method: str) -> bytes | None:
    """:func:`one_signature_file`'s bytes for signatures by one ``method``, with
    ``%`` slots for the signed bytes, the key id and the signature's base64; None
    when the method is not a plain name (then :func:`one_signature_file` escapes
    it). Only for key ids that are plain (a :class:`PublicKey`'s, a SHA-256 in hex)."""
    if not _plain(method):
        return None
    return b'{"signed":%%s,"signatures":[{"keyid":"%%s","method":"%s","sig":"%%s"}]}' % (
        method.encode()
    )


def file_bytes(
    signed_canonical: bytes, signatures: list[bytes], signed_is_ascii: bool = False
) -> bytes:
    """The metadata file around canonical ``signed`` bytes and encoded signatures
    (from :func:`signature_json`), escaped as Go's ``json.Marshal`` does.

    ``signed_is_ascii`` says the caller laid ``signed`` out from plain ASCII names,
    base64 and digits only (no ``<>&``, nothing non-ASCII), so nothing needs the
    escaping scan: :func:`signature_json` escapes its own output. Escaping the
    parts apart gives the same bytes as escaping the whole: no escaped sequence
    spans the ASCII punctuation between them, and escaping twice changes nothing.
    """
    joined = b",".join(signatures)
    if signed_is_ascii:  # signature_json's output needs no escaping either
        return b'{"signed":%s,"signatures":[%s]}' % (signed_canonical, joined)
    return html_escape(b'{"signed":%s,"signatures":[%s]}' % (signed_canonical, joined))


def _refuse_float(text: str) -> NoReturn:
    raise NotaryFormatError(f"the number {text} is not an integer")


def _refuse_constant(text: str) -> NoReturn:
    raise NotaryFormatError(f"{text} is not valid JSON")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise NotaryFormatError(f"the key {key!r} appears twice in one object")
        result[key] = value
    return result


def loads(data: bytes, what: str = "metadata") -> Any:
    """Parse notary JSON strictly; any flaw is a :class:`NotaryFormatError`."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise NotaryFormatError(f"the {what} is not UTF-8 text") from None
    try:
        return json.loads(
            text,
            object_pairs_hook=_no_duplicates,
            parse_float=_refuse_float,
            parse_constant=_refuse_constant,
        )
    except NotaryFormatError as error:
        raise NotaryFormatError(f"the {what} is not valid notary JSON: {error.what}") from None
    except (ValueError, RecursionError) as error:
        raise NotaryFormatError(f"the {what} is not valid JSON ({error})") from None
