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


#: what isinstance checks a member against, made once (``list | tuple`` written in the
#: check would make a new union at every call)
_ARRAYS = (list, tuple)
_CONTAINERS = (list, tuple, dict)


def _lay(value: Any, out: list[str], newline: str, step: str, sort_keys: bool) -> None:
    """``value`` at the depth ``newline`` indents to. A container's members are laid
    out here, one a line, the opening bracket joined to the first one's separator:
    strings (most members) without a call each, containers by a call, the rest by
    :func:`_scalar`."""
    kind = type(value)
    mapping = kind is dict or (kind is not list and isinstance(value, dict))
    if not (mapping or kind is list or isinstance(value, _ARRAYS)):
        out.append(_scalar(value))
        return
    if not value:
        out.append("{}" if mapping else "[]")
        return
    inner = newline + step
    comma = "," + inner
    if mapping:
        separator = "{" + inner
        # a key that is not a string: TypeError (from the encoder, or from sorting),
        # and json.dumps lays it out its way
        for key, item in sorted(value.items()) if sort_keys else value.items():
            kind = type(item)
            if kind is str:
                out.append(
                    f"{separator}{encode_basestring_ascii(key)}: {encode_basestring_ascii(item)}"
                )
            elif kind is dict or kind is list or isinstance(item, _CONTAINERS):
                out.append(f"{separator}{encode_basestring_ascii(key)}: ")
                _lay(item, out, inner, step, sort_keys)
            else:
                out.append(f"{separator}{encode_basestring_ascii(key)}: {_scalar(item)}")
            separator = comma
        out.append(newline + "}")
        return
    separator = "[" + inner
    for item in value:
        kind = type(item)
        if kind is str:
            out.append(separator + encode_basestring_ascii(item))
        elif kind is dict or kind is list or isinstance(item, _CONTAINERS):
            out.append(separator)
            _lay(item, out, inner, step, sort_keys)
        else:
            out.append(separator + _scalar(item))
        separator = comma
    out.append(newline + "]")


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
