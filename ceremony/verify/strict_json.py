"""Strict JSON for files read from media: what a careful client would accept.

UTF-8 only, no duplicate object keys (JSON parsers disagree on which one
wins, so two readers could see two different roots), no floats, no NaN or
Infinity, no absurd nesting or numbers. A failure is a :class:`MalformedJSONError`
whose text says what is wrong, ready for a problem line.
"""

from __future__ import annotations

import json
from typing import Any, NoReturn

from ceremony.verify.errors import MalformedJSONError


def _no_duplicates(pairs: list[tuple[str, object]]) -> dict[str, object]:
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        for name, _ in pairs:
            if name in seen:
                raise MalformedJSONError(f"the field {name[:40]!r} appears twice in one object")
            seen.add(name)
    return result


def _no_float(text: str) -> NoReturn:
    raise MalformedJSONError(f"the number {text[:40]} is not a whole number")


def _no_constant(text: str) -> NoReturn:
    raise MalformedJSONError(f"{text} is not allowed in JSON")


#: one decoder for every file (json.loads would make one per call)
_DECODER = json.JSONDecoder(
    object_pairs_hook=_no_duplicates, parse_float=_no_float, parse_constant=_no_constant
)


#: the same decoder without the duplicate-key check (its one call per object is
#: a third of the parse), for a caller that proves there are none another way
_KEYS_UNCHECKED = json.JSONDecoder(parse_float=_no_float, parse_constant=_no_constant)


def parse_json_unchecked_keys(data: bytes) -> Any:
    """The value in ``data``, as :func:`parse_json` would give it when ``data``
    has no object with a field twice; None when it is not plain JSON text
    without surrounding whitespace. It does not check for duplicate fields:
    the caller must prove their absence (``data`` being the one encoding of
    what it parses to) or read the bytes again with :func:`parse_json`."""
    try:
        text = data.decode("utf-8")
        value, end = _KEYS_UNCHECKED.raw_decode(text)
    except (MalformedJSONError, RecursionError, ValueError):  # UnicodeDecodeError included
        return None
    return value if end == len(text) else None


def parse_json(data: bytes) -> Any:
    """The value in ``data``, or :class:`MalformedJSONError` saying what is wrong.

    The value is plain JSON (dict, list, str, int, bool, None) that nobody
    has checked yet: each caller checks the shape it expects."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise MalformedJSONError(f"not UTF-8 text (byte {error.start})") from None
    if text.startswith("\ufeff"):
        raise MalformedJSONError("starts with a byte-order mark")
    try:  # the usual text, with no whitespace around the value: one step
        value, end = _DECODER.raw_decode(text)
    except MalformedJSONError:  # found the same way by decode() below
        raise
    except (RecursionError, ValueError):
        end = -1  # said below, in decode()'s words
    if end == len(text):
        return value
    try:
        return _DECODER.decode(text)
    except MalformedJSONError:
        raise
    except json.JSONDecodeError as error:
        raise MalformedJSONError(
            f"not valid JSON: {error.msg} at line {error.lineno} column {error.colno}"
        ) from None
    except (RecursionError, ValueError) as error:  # deep nesting, 5,000-digit numbers
        raise MalformedJSONError(f"not JSON this tool accepts: {type(error).__name__}") from None
