"""Strict JSON for files read from media: what a careful client would accept.

UTF-8 only, no duplicate object keys (JSON parsers disagree on which one
wins, so two readers could see two different roots), no floats, no NaN or
Infinity, no absurd nesting or numbers. A failure is a :class:`MalformedJSONError`
whose text says what is wrong, ready for a problem line.

The parsing is json's own C scanner, the one ``json.JSONDecoder`` runs, called
as its ``decode`` calls it: importing the json package would first compile its
regular expressions and its Python fallbacks, a fortieth of ``ceremony verify``'s
start-up. json itself is loaded only to say what is wrong with a file.
"""

from __future__ import annotations

from _json import make_scanner
from typing import TYPE_CHECKING, Any, NoReturn, cast

from ceremony.json_scan import decode
from ceremony.verify.errors import MalformedJSONError

if TYPE_CHECKING:
    from collections.abc import Callable


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


class _Strict:
    """What the scanner reads of its decoder: json.JSONDecoder(object_pairs_hook=
    _no_duplicates, parse_float=_no_float, parse_constant=_no_constant)'s settings."""

    strict = True
    object_hook = None
    object_pairs_hook: Callable[[list[tuple[str, object]]], dict[str, object]] | None = (
        staticmethod(_no_duplicates))
    parse_float = staticmethod(_no_float)
    parse_int = int
    parse_constant = staticmethod(_no_constant)


#: one scanner for every file (typeshed types its decoder as a scanner: it reads
#: the attributes above)
_SCAN = make_scanner(cast("make_scanner", _Strict()))


class _KeysUnchecked(_Strict):
    """The same settings without the duplicate-field check (its one call per object
    is a third of the parse), for a caller that proves there are none another way."""

    object_pairs_hook = None


_SCAN_KEYS_UNCHECKED = make_scanner(cast("make_scanner", _KeysUnchecked()))


def parse_json_unchecked_keys(data: bytes) -> Any:
    """The value in ``data``, as :func:`parse_json` would give it when ``data``
    has no object with a field twice; None when it is not plain JSON text
    without surrounding whitespace. It does not check for duplicate fields:
    the caller must prove their absence (``data`` being the one encoding of
    what it parses to) or read the bytes again with :func:`parse_json`."""
    try:
        text = data.decode("utf-8")
        value, end = _SCAN_KEYS_UNCHECKED(text, 0)
    except (MalformedJSONError, RecursionError, ValueError, StopIteration):  # UnicodeDecodeError
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
        value, end = _SCAN(text, 0)
    except MalformedJSONError:  # found the same way by decode() below
        raise
    except (RecursionError, ValueError, StopIteration):
        end = -1  # said below, in decode()'s words
    if end == len(text):
        return value
    try:
        return decode(text, _SCAN)
    except MalformedJSONError:
        raise
    except (RecursionError, ValueError) as error:
        from json import JSONDecodeError  # loaded by the scanner when it raised one

        if isinstance(error, JSONDecodeError):
            raise MalformedJSONError(
                f"not valid JSON: {error.msg} at line {error.lineno} column {error.colno}"
            ) from None
        # deep nesting, 5,000-digit numbers
        raise MalformedJSONError(f"not JSON this tool accepts: {type(error).__name__}") from None
