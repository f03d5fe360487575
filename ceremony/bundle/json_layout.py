"""Indented JSON laid out fast: the bytes ``json.dumps(value, indent=N)`` gives, quicker.

With an indent, ``json.dumps`` leaves its C encoder for its Python one, a
chain of generators that costs several times more than the work. The
documents this tool writes indented (python-tuf's metadata files, Sigstore's
trusted_root.json and signing config) hold only dicts with string keys,
lists, strings, ints, booleans and None; :func:`indented_json` lays those out
directly, strings escaped by json's own C function (``ensure_ascii``, as
``json.dumps`` does by default), and hands anything else (a float, a key
that is not a string) to ``json.dumps`` itself. The text is the same either
way (tests hold it to ``json.dumps``).
"""

from __future__ import annotations

from _json import encode_basestring_ascii
from collections.abc import Iterable
from itertools import repeat
from typing import Any


class _UnusualValueError(Exception):
    """A value the direct layout leaves to json.dumps."""


def indented_json(value: Any, indent: int, *, sort_keys: bool = False) -> str:
    """``json.dumps(value, indent=indent, sort_keys=sort_keys)``."""
    out: list[str] = []
    try:
        _lay(value, out, "\n", " " * indent, sort_keys)
    except (_UnusualValueError, TypeError):  # TypeError: keys json.dumps cannot sort either
        import json

        return json.dumps(value, indent=indent, sort_keys=sort_keys)
    return "".join(out)


def _lay(value: Any, out: list[str], newline: str, step: str, sort_keys: bool) -> None:
    """``value`` at the depth ``newline`` indents to."""
    if isinstance(value, list | tuple):
        if not value:
            out.append("[]")
            return
        _members(zip(repeat(""), value), "[]", out, newline, step, sort_keys)
    elif isinstance(value, dict):
        if not value:
            out.append("{}")
            return
        items = sorted(value.items()) if sort_keys else value.items()
        # a key that is not a string: TypeError, and json.dumps lays it out its way
        named = ((encode_basestring_ascii(key) + ": ", item) for key, item in items)
        _members(named, "{}", out, newline, step, sort_keys)
    else:
        out.append(_scalar(value))


def _scalar(value: Any) -> str:
    """A string, null, a boolean or an int, in json's order of checks."""
    if isinstance(value, str):
        return encode_basestring_ascii(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return int.__repr__(value)
    raise _UnusualValueError  # floats, and anything json.dumps refuses or converts


def _members(
    members: Iterable[tuple[str, Any]], brackets: str, out: list[str], newline: str,
    step: str, sort_keys: bool,
) -> None:
    """A list's items or a dict's members (each after its prefix), one a line; the
    strings among them laid out here, without a call each."""
    inner = newline + step
    out.append(brackets[0])
    separator = inner
    for prefix, item in members:
        if isinstance(item, str):
            out.append(separator + prefix + encode_basestring_ascii(item))
        elif isinstance(item, list | tuple | dict):
            out.append(separator + prefix)
            _lay(item, out, inner, step, sort_keys)
        else:
            out.append(separator + prefix + _scalar(item))
        separator = "," + inner
    out.append(newline + brackets[1])
