"""The text of a script's fields without PyYAML: what ``ceremony next`` writes.

``ceremony next`` writes the next script with ``yaml.safe_dump(fields,
sort_keys=False, default_flow_style=None, width=100)``, and loading PyYAML's
emitter would cost it more than the writing. :func:`dump_plain` writes the
same bytes for the fields such scripts hold: mappings with text keys, lists,
text, whole numbers, true/false and null, a list or mapping of scalars on one
line (``[a, b]``, ``{a: 1}``), lists in a mapping not indented. Text is written
plainly unless YAML 1.1 (PyYAML's reading, below) would read it as something
else (``yes``, ``1e3``, ``2027-11-30``): then in single quotes. For anything
else (other types, text with characters beyond a plain few, a line past the
width) it returns None and PyYAML writes it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache

#: the width PyYAML is given: a line at most this long is never folded
WIDTH = 100
#: text written plainly or in single quotes: nothing that needs an escape or a
#: second look from PyYAML (no indicator, no quote, no leading or trailing space)
_SIMPLE = re.compile(r"(?:[A-Za-z0-9_/(]|\.(?!\.\.))[A-Za-z0-9 _./()+-]*(?<! )")
#: YAML 1.1's plain scalars that are not text, as PyYAML's resolver reads them
#: (yaml/resolver.py: bool, float, int, merge, null, timestamp, value); compiled
#: when first needed (:func:`_not_text`): the usual script's text never needs it
_NOT_TEXT = r"""^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF
    |[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?
    |\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?
    |[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*
    |[-+]?\.(?:inf|Inf|INF)
    |\.(?:nan|NaN|NAN)
    |[-+]?0b[0-1_]+
    |[-+]?0[0-7_]+
    |[-+]?(?:0|[1-9][0-9_]*)
    |[-+]?0x[0-9a-fA-F_]+
    |[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+
    |<<
    |~|null|Null|NULL|
    |[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]
    |[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?
     (?:[Tt]|[\ \t]+)[0-9][0-9]?
     :[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?
     (?:[\ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?
    |=)$"""
#: the words among them, and what the others start with and are made of: text
#: outside these is text without the pattern (most text: names, paths, titles)
_NOT_TEXT_WORDS = frozenset((
    "yes", "Yes", "YES", "no", "No", "NO", "true", "True", "TRUE", "false", "False", "FALSE",
    "on", "On", "ON", "off", "Off", "OFF", "~", "null", "Null", "NULL", "<<", "=", "",
))
_NUMBER_FIRST = frozenset("-+.0123456789")
_NUMBER_CHARS = frozenset("0123456789_.+-:eEbxabcdefABCDEFinfINFaNAtTZ \t")


class _OutsideError(Exception):
    """The fields hold something this writer leaves to PyYAML."""


def dump_plain(fields: Mapping[str, object]) -> str | None:
    """``fields`` as ``yaml.safe_dump(dict(fields), sort_keys=False,
    default_flow_style=None, width=100)`` writes them, or None when PyYAML must."""
    try:
        if not fields or _is_flow(fields.values()):
            return None  # PyYAML writes it as one flow mapping
        lines = _block_mapping(fields, 0)
    except (_OutsideError, RecursionError):
        return None
    if any(len(line) > WIDTH for line in lines):
        return None  # PyYAML folds what passes the width
    return "\n".join(lines) + "\n"


def _is_flow(items: object) -> bool:
    """A list or mapping is written on one line when it holds only scalars."""
    return all(not isinstance(item, (dict, list)) for item in items)  # type: ignore[attr-defined]


def _block_mapping(mapping: Mapping[str, object], indent: int) -> list[str]:
    lines = []
    pad = " " * indent
    for key, value in mapping.items():
        if type(key) is not str:
            raise _OutsideError
        head = f"{pad}{_scalar(key)}:"
        if _written_on_one_line(value):
            lines.append(f"{head} {_flow(value)}")
        elif type(value) is dict:
            lines.append(head)
            lines += _block_mapping(value, indent + 2)
        else:
            assert type(value) is list
            lines.append(head)
            lines += _block_list(value, indent)  # a list in a mapping is not indented
    return lines


def _block_list(items: list[object], indent: int) -> list[str]:
    lines = []
    pad = " " * indent
    for item in items:
        if _written_on_one_line(item):
            lines.append(f"{pad}- {_flow(item)}")
            continue
        inner = (_block_mapping(item, indent + 2) if type(item) is dict
                 else _block_list(item, indent + 2))  # type: ignore[arg-type]
        lines.append(f"{pad}- {inner[0][indent + 2:]}")
        lines += inner[1:]
    return lines


def _written_on_one_line(value: object) -> bool:
    if type(value) is dict:
        return _is_flow(value.values())
    if type(value) is list:
        return _is_flow(value)
    return True


def _flow(value: object) -> str:
    if type(value) is dict:
        return "{" + ", ".join(f"{_scalar(_text_key(k))}: {_scalar(v)}"
                               for k, v in value.items()) + "}"
    if type(value) is list:
        return "[" + ", ".join(_scalar(item) for item in value) + "]"
    return _scalar(value)


def _text_key(key: object) -> str:
    if type(key) is not str:
        raise _OutsideError
    return key


def _scalar(value: object) -> str:
    if value is None:
        return "null"
    if type(value) is bool:
        return "true" if value else "false"
    if type(value) is int:
        return str(value)
    if type(value) is not str or not _SIMPLE.fullmatch(value):
        raise _OutsideError
    return f"'{value}'" if _not_text(value) else value


def _not_text(value: str) -> bool:
    """Whether YAML 1.1 reads ``value``, written plainly, as something other than text."""
    if value in _NOT_TEXT_WORDS:
        return True
    if value[:1] not in _NUMBER_FIRST or not _NUMBER_CHARS.issuperset(value):
        return False
    return _not_text_pattern().match(value) is not None


@cache
def _not_text_pattern() -> re.Pattern[str]:
    return re.compile(_NOT_TEXT, re.X)
