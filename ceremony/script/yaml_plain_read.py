"""A quick reader for the plain YAML ceremony scripts are written in, without PyYAML.

``ceremony status`` reads a bundle's ``policy:`` and ``ceremony next`` the last
script from the bundle's ceremony.yaml; loading PyYAML would cost each more than
the reading. :func:`read_plain` reads the one subset of YAML the tool writes and
the examples use: block mappings and sequences indented with spaces, flow
lists and mappings on one line, plain and simply quoted scalars, comments.
It gives exactly what the strict loader (yamlload.py) gives for such a text:
the same values of the same types in :class:`YamlMapping` and :class:`YamlList`
with the same lines. For anything else (tabs, anchors, tags, multi-line
scalars, a key written twice, an empty value, text outside printable ASCII,
whatever it is not sure of) it returns None, and the strict loader reads the
text, with its refusals and their words. It never refuses anything itself.

:data:`IMPLICIT` is the strict loader's reading of plain scalars (YAML 1.2's
core schema narrowed: decimal numbers, only true and false): the strict loader
registers it with PyYAML's resolver, and this reader applies it itself.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from ceremony.script.yaml_values import YamlList, YamlMapping


def _whole_number(text: str) -> int:
    return int(text, 10)


def _true_or_false(text: str) -> bool:
    if text.lower() not in ("true", "false"):
        raise ValueError(text)
    return text.lower() == "true"


def _real_number(text: str) -> float:
    special = {".inf": "inf", "+.inf": "inf", "-.inf": "-inf", ".nan": "nan"}
    return float(special.get(text.lower(), text))


STR = "tag:yaml.org,2002:str"
INT = "tag:yaml.org,2002:int"
FLOAT = "tag:yaml.org,2002:float"
BOOL = "tag:yaml.org,2002:bool"
NULL = "tag:yaml.org,2002:null"

#: each scalar tag's reading of the text (ValueError: it does not fit)
SCALARS: dict[str, Callable[[str], object]] = {
    STR: str,
    INT: _whole_number,
    FLOAT: _real_number,
    BOOL: _true_or_false,
    NULL: lambda text: None,
}

#: the tags a plain scalar may resolve to, in the order they are tried: (tag,
#: pattern, the first characters it can match)
IMPLICIT: tuple[tuple[str, re.Pattern[str], tuple[str, ...]], ...] = tuple(
    (tag, re.compile(rf"^(?:{pattern})$"), tuple(first))
    for tag, pattern, first in (
        (BOOL, r"true|True|TRUE|false|False|FALSE", "tTfF"),
        (INT, r"[-+]?[0-9]+", "-+0123456789"),
        (
            FLOAT,
            r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
            r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)",
            "-+0123456789.",
        ),
        (NULL, r"~|null|Null|NULL|", ["~", "n", "N", ""]),
    )
)
_BY_FIRST: dict[str, list[tuple[str, re.Pattern[str]]]] = {}
for _tag, _pattern, _firsts in IMPLICIT:
    for _first in _firsts:
        _BY_FIRST.setdefault(_first, []).append((_tag, _pattern))


class _OutsideError(Exception):
    """The text is outside the subset: the strict loader reads it."""


#: a key: a field, role, key or GUN name, written plainly
_KEY = re.compile(r"([A-Za-z0-9_][A-Za-z0-9_./-]{0,99}):(?: +|$)")
#: a plain scalar in a block (a flow also stops at , [ ] { })
_BLOCK_PLAIN = re.compile(r"[A-Za-z0-9_./(~+]|-[A-Za-z0-9_./(~+]")
_PLAIN_CHARS = re.compile(r"[A-Za-z0-9 _./()~+=@%,-]*")
_FLOW_PLAIN = re.compile(r"-?[A-Za-z0-9_./(~+][A-Za-z0-9 _./()~+=@%-]*")
_QUOTED = re.compile(r"'[^'\n]*'|\"[^\"\\\n]*\"")
_PRINTABLE = re.compile(r"[\x20-\x7e\n]*")


def read_plain(text: str) -> object | None:
    """The document in ``text`` as the strict loader reads it, or None when the
    text is outside what this reader knows (then the strict loader reads it)."""
    if not _PRINTABLE.fullmatch(text):
        return None  # tabs, carriage returns, controls, anything beyond ASCII
    lines: list[tuple[int, int, str]] = []  # line number, indent, content
    for number, line in enumerate(text.split("\n"), 1):
        content = line.lstrip(" ")
        if not content or content.startswith("#"):
            continue
        if "#" in content:
            cut = content.find(" #")  # a comment, unless a quoted scalar holds it
            if cut < 0 or any(mark in content[:cut] for mark in "#'\""):
                return None
            content = content[:cut]
        content = content.rstrip(" ")
        lines.append((number, len(line) - len(line.lstrip(" ")), content))
    if not lines or lines[0][2].startswith(("---", "...", "%")):
        return None
    try:
        reader = _Reader(lines)
        value = reader.block(0, lines[0][1])
        if reader.at != len(lines):
            return None
    except (_OutsideError, RecursionError):
        return None
    return value


class _Reader:
    def __init__(self, lines: list[tuple[int, int, str]]) -> None:
        self.lines = lines
        self.at = 0  # the next line to read

    def block(self, at: int, indent: int) -> object:
        """The block node whose first line is ``at`` (at ``indent``)."""
        content = self.lines[at][2]
        if content.startswith("-") and (content == "-" or content[1] == " "):
            return self.sequence(at, indent)
        if _KEY.match(content):
            return self.mapping(at, indent)
        raise _OutsideError  # a scalar alone on its lines, or something unknown

    def mapping(self, at: int, indent: int) -> YamlMapping:
        mapping = YamlMapping(self.lines[at][0])
        self.at = at
        while self.at < len(self.lines):
            number, here, content = self.lines[self.at]
            if here < indent:
                break
            key = _KEY.match(content)
            if here > indent or key is None:
                raise _OutsideError
            name = key.group(1)
            if name in mapping:
                raise _OutsideError  # the strict loader says where both are
            rest = content[key.end():]
            mapping.key_lines[name] = number
            if rest:
                mapping.value_lines[name] = number
                mapping[name] = _inline(rest, number)
                self.at += 1
                continue
            following = self.at + 1
            if following == len(self.lines):
                raise _OutsideError  # an empty value: null, placed where PyYAML places it
            next_number, next_indent, next_content = self.lines[following]
            is_item = next_content.startswith("-") and (
                next_content == "-" or next_content[1] == " ")
            if next_indent > indent or (next_indent == indent and is_item):
                mapping.value_lines[name] = next_number
                mapping[name] = self.block(following, next_indent)
            else:
                raise _OutsideError
        return mapping

    def sequence(self, at: int, indent: int) -> YamlList:
        items = YamlList(self.lines[at][0])
        self.at = at
        while self.at < len(self.lines):
            number, here, content = self.lines[self.at]
            if here < indent or (here == indent and not content.startswith("- ")):
                break
            if here > indent or not content.startswith("- "):
                raise _OutsideError
            item = content[2:].lstrip(" ")
            column = indent + len(content) - len(item)
            items.item_lines.append(number)
            if item.startswith("-") or not item:
                raise _OutsideError  # a list in a list, or an item on the lines below
            if _KEY.match(item):
                self.lines[self.at] = (number, column, item)
                items.append(self.mapping(self.at, column))
            else:
                items.append(_inline(item, number))
                self.at += 1
        return items


def _inline(text: str, number: int) -> object:
    """A value written on the rest of a line: a flow list or mapping, or a scalar."""
    if text[0] in "[{":
        value, end = _flow(text, 0, number)
        if end != len(text):
            raise _OutsideError
        return value
    if text[0] in "'\"":
        if not _QUOTED.fullmatch(text):
            raise _OutsideError
        return text[1:-1]
    if not _BLOCK_PLAIN.match(text) or not _PLAIN_CHARS.fullmatch(text):
        raise _OutsideError
    return _plain(text)


def _plain(text: str) -> object:
    """A plain scalar, read as the strict loader's resolver and constructor read it."""
    for tag, pattern in _BY_FIRST.get(text[:1], ()):
        if pattern.match(text):
            if tag == INT and len(text) > 40:
                raise _OutsideError  # the strict loader says what is wrong with it
            try:
                return SCALARS[tag](text)
            except ValueError:
                raise _OutsideError from None
    return text


def _skip(text: str, at: int) -> int:
    while at < len(text) and text[at] == " ":
        at += 1
    return at


def _flow(text: str, at: int, number: int) -> tuple[object, int]:
    """The flow collection opening at ``text[at]``, and where it ends."""
    closing = "]" if text[at] == "[" else "}"
    collection: YamlList | YamlMapping = (
        YamlList(number) if closing == "]" else YamlMapping(number))
    at = _skip(text, at + 1)
    if at < len(text) and text[at] == closing:
        return collection, at + 1
    while True:
        if isinstance(collection, YamlMapping):
            key = _KEY.match(text, at)
            if key is None or not key.group(0).endswith(" "):
                raise _OutsideError
            name = key.group(1)
            if name in collection:
                raise _OutsideError
            value, at = _flow_value(text, key.end(), number)
            collection.key_lines[name] = collection.value_lines[name] = number
            collection[name] = value
        else:
            value, at = _flow_value(text, at, number)
            collection.item_lines.append(number)
            collection.append(value)
        at = _skip(text, at)
        if at < len(text) and text[at] == closing:
            return collection, at + 1
        if at >= len(text) or text[at] != ",":
            raise _OutsideError
        at = _skip(text, at + 1)
        if at >= len(text) or text[at] in ",]}":
            raise _OutsideError  # a comma with nothing after it


def _flow_value(text: str, at: int, number: int) -> tuple[object, int]:
    if at >= len(text):
        raise _OutsideError
    if text[at] in "[{":
        return _flow(text, at, number)
    quoted = _QUOTED.match(text, at)
    if quoted:
        return quoted.group(0)[1:-1], quoted.end()
    plain = _FLOW_PLAIN.match(text, at)
    if plain is None:
        raise _OutsideError
    end = plain.end()
    if end < len(text) and text[end] not in ",]}":
        raise _OutsideError  # a colon, a quote or a bracket inside a scalar
    return _plain(plain.group(0).rstrip(" ")), end
