"""JSON read with json's own C scanner, without loading the json package.

Importing json compiles its regular expressions and its Python fallbacks; the
scanner they fall back from (``_json.make_scanner``) is what
``json.JSONDecoder.decode`` runs. :func:`decode` is that ``decode`` for any
scanner (verify/strict_json.py makes the strict one a careful client reads
metadata with); :func:`json_loads` is ``json.loads`` for the tool's own records
(custody.json), which json has always read. json itself is loaded only to say
what is wrong with a text.
"""

from __future__ import annotations

from _json import make_scanner
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from collections.abc import Callable
    from json import JSONDecodeError

WHITESPACE = " \t\n\r"  # what JSONDecoder.decode skips around the value


def decode(text: str, scan: Callable[[str, int], tuple[Any, int]]) -> Any:
    """JSONDecoder.decode: the value, whitespace around it allowed and nothing else."""
    start = len(text) - len(text.lstrip(WHITESPACE))
    try:
        value, end = scan(text, start)
    except StopIteration as stop:
        raise decode_error("Expecting value", text, stop.value) from None
    rest = text[end:].lstrip(WHITESPACE)
    if rest:
        raise decode_error("Extra data", text, len(text) - len(rest))
    return value


def decode_error(what: str, text: str, at: int) -> JSONDecodeError:
    from json import JSONDecodeError

    return JSONDecodeError(what, text, at)


class _Default:
    """What the scanner reads of ``json.JSONDecoder()``: its default settings."""

    strict = True
    object_hook = None
    object_pairs_hook = None
    parse_float = float
    parse_int = int
    parse_constant = {"-Infinity": float("-inf"), "Infinity": float("inf"),
                      "NaN": float("nan")}.__getitem__


_SCAN_DEFAULT = make_scanner(cast("make_scanner", _Default()))


def json_loads(text: str) -> Any:
    """``json.loads(text)``: its value, and its errors (a JSONDecodeError, which is
    a ValueError; RecursionError for deep nesting)."""
    if text.startswith("\ufeff"):
        raise decode_error("Unexpected UTF-8 BOM (decode using utf-8-sig)", text, 0)
    return decode(text, _SCAN_DEFAULT)
