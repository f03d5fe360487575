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
    """``value`` at the depth ``newline`` indents to, in json's order of checks."""
    if isinstance(value, str):
        out.append(encode_basestring_ascii(value))
    elif value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, int):
        out.append(int.__repr__(value))
    elif isinstance(value, list | tuple):
        _members([("", item) for item in value], "[]", out, newline, step, sort_keys)
    elif isinstance(value, dict):
        items = sorted(value.items()) if sort_keys else value.items()
        members = [(_key(key), item) for key, item in items]
        _members(members, "{}", out, newline, step, sort_keys)
    else:  # floats, and anything json.dumps refuses or converts
        raise _UnusualValueError


def _key(key: Any) -> str:
    """A member's name and its colon; a key that is not a string is json.dumps's."""
    if not isinstance(key, str):
        raise _UnusualValueError
    return encode_basestring_ascii(key) + ": "


def _members(
    members: list[tuple[str, Any]], brackets: str, out: list[str], newline: str, step: str,
    sort_keys: bool,
) -> None:
    """A list's items or a dict's members (each after its prefix), one a line."""
    if not members:
        out.append(brackets)
        return
    inner = newline + step
    out.append(brackets[0])
    separator = inner
    for prefix, item in members:
        out.append(separator + prefix)
        _lay(item, out, inner, step, sort_keys)
        separator = "," + inner
    out.append(newline + brackets[1])
