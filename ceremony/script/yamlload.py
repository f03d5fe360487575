"""Strict YAML for ceremony scripts: plain values that remember their lines.

A ceremony script is reviewed and read aloud, so what it says must be exactly
what it means. This module reads one YAML document into dicts, lists and
scalars and refuses whatever could hide or change a meaning: a second
document, a key written twice, aliases (``*name``), tags (``!!int``), and the
YAML 1.1 surprises (``yes`` as true, ``010`` as eight, ``2027-11-30`` as a
date object; here only ``true``/``false`` are booleans, numbers are decimal
and dates stay text for expiry.py to read). Every mapping and list remembers
the line of each entry, and :class:`Located` walks the result so that each
error names the file, the line and the dotted path (``roles.root.threshold``).

It never touches the filesystem and never echoes more than a short excerpt of
a value in an error.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.events import AliasEvent, StreamEndEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from ceremony.errors import ScriptError

NAME_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]*")
NAME_RULE = (
    "Names use lowercase letters, digits and hyphens and start with a letter "
    "or digit, e.g. root-alice"
)

_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_ALIAS = "ceremony:alias"


class YamlMapping(dict[str, object]):
    """A YAML mapping with the line (1-based) of its start and of each entry."""

    def __init__(self, line: int) -> None:
        super().__init__()
        self.line = line
        self.key_lines: dict[str, int] = {}
        self.value_lines: dict[str, int] = {}


class YamlList(list[object]):
    """A YAML sequence with the line (1-based) of its start and of each item."""

    def __init__(self, line: int) -> None:
        super().__init__()
        self.line = line
        self.item_lines: list[int] = []


class StrictLoader(yaml.SafeLoader):
    """A SafeLoader that builds :class:`YamlMapping`/:class:`YamlList` values.

    Call :meth:`load_script_document`; it rejects an empty stream, a second
    document, duplicate keys, aliases and explicit tags, naming the line.
    """

    # first character -> (tag, pattern), as yaml.resolver.BaseResolver keeps them
    yaml_implicit_resolvers: dict[str | None, list[tuple[str, re.Pattern[str]]]] = {}

    def __init__(self, text: str, label: str) -> None:
        super().__init__(text)
        self.label = label

    # types-PyYAML leaves the parser's get_event and peek_event unannotated
    # (and gives an event's marks a type a Node does not take): events stay Any
    def _take_event(self) -> Any:
        return self.get_event()  # type: ignore[no-untyped-call]

    def _next_event(self) -> Any:
        return self.peek_event()  # type: ignore[no-untyped-call]

    def compose_node(self, parent: Node | None, index: int) -> Node | None:
        # An alias becomes a marker node, refused with its own line and path
        # when the tree is built (the composer alone knows neither).
        if self.check_event(AliasEvent):
            event = self._take_event()
            return Node(_ALIAS, event.anchor, event.start_mark, event.end_mark)
        return super().compose_node(parent, index)

    def load_script_document(self) -> object:
        self._take_event()  # the stream start
        if self.check_event(StreamEndEvent):
            raise ScriptError(
                "the script is empty",
                where=self.label,
                todo="Write the ceremony in it; see docs/reference/scripts.md",
            )
        node = self.compose_document()
        assert node is not None  # the stream does not end here: a document does
        if not self.check_event(StreamEndEvent):
            line = self._next_event().start_mark.line + 1
            raise ScriptError(
                "a second YAML document starts here, and a script is one document",
                where=f"{self.label}:{line}",
                todo="Remove the '---' and everything after it, "
                "or merge it into the first document",
            )
        return self.build(node, "")

    def build(self, node: Node, path: str) -> object:
        """The plain value of ``node``, which sits at ``path`` in the script."""
        where = f"{self.label}:{node.start_mark.line + 1}: {path or '(top)'}"
        if node.tag == _ALIAS:
            raise ScriptError(
                f"the alias *{node.value} repeats a value from elsewhere",
                where=where,
                todo="Write the value out in full so that reviewers see it where it is used",
            )
        if isinstance(node, MappingNode) and node.tag == _MAP:
            return self._build_mapping(node, path)
        if isinstance(node, SequenceNode) and node.tag == _SEQ:
            return self._build_list(node, path)
        if isinstance(node, ScalarNode) and node.tag in _SCALARS:
            try:
                return _SCALARS[node.tag](node.value)
            except ValueError:
                if len(node.value) > 40:  # e.g. a number past Python's 4,300 digits
                    raise ScriptError(
                        f"a value {len(node.value):,} characters long that reads as a number "
                        f"({node.value[:12]}...)",
                        where=where,
                        todo="Write the value the field expects (numbers in a script are "
                        "small); put text in quotes",
                    ) from None
                raise ScriptError(
                    f"{node.value!r} does not fit its tag {node.tag}",
                    where=where,
                    todo="Remove the tag (the '!' part); write the value plainly",
                ) from None
        raise ScriptError(
            f"the YAML tag {node.tag} is not allowed",
            where=where,
            todo="Remove the tag (the '!' part); write the value plainly",
        )

    def _build_mapping(self, node: MappingNode, path: str) -> YamlMapping:
        mapping = YamlMapping(node.start_mark.line + 1)
        for key_node, value_node in node.value:
            key = self._key_text(key_node, path)
            key_line = key_node.start_mark.line + 1
            if key in mapping:
                first_line = mapping.key_lines[key]
                lines = f"lines {first_line} and {key_line}"
                if first_line == key_line:
                    lines = f"line {key_line}"
                raise ScriptError(
                    f"defined twice, on {lines}",
                    where=f"{self.label}:{key_line}: {join(path, key)}",
                    todo="Keep one of them",
                )
            mapping.key_lines[key] = key_line
            mapping.value_lines[key] = value_node.start_mark.line + 1
            mapping[key] = self.build(value_node, join(path, key))
        return mapping

    def _build_list(self, node: SequenceNode, path: str) -> YamlList:
        items = YamlList(node.start_mark.line + 1)
        for index, item_node in enumerate(node.value):
            items.item_lines.append(item_node.start_mark.line + 1)
            items.append(self.build(item_node, f"{path}[{index}]"))
        return items

    def _key_text(self, key_node: Node, path: str) -> str:
        if isinstance(key_node, ScalarNode) and key_node.tag != _ALIAS:
            key: str = key_node.value
            return key
        raise ScriptError(
            "a field name must be plain text, not a list, mapping or alias",
            where=f"{self.label}:{key_node.start_mark.line + 1}: {path or '(top)'}",
            todo="Write the field name as a word, e.g. threshold",
        )


def _whole_number(text: str) -> int:
    return int(text, 10)


def _true_or_false(text: str) -> bool:
    if text.lower() not in ("true", "false"):
        raise ValueError(text)
    return text.lower() == "true"


def _real_number(text: str) -> float:
    special = {".inf": "inf", "+.inf": "inf", "-.inf": "-inf", ".nan": "nan"}
    return float(special.get(text.lower(), text))


_SCALARS: dict[str, Callable[[str], object]] = {
    _STR: str,
    _INT: _whole_number,
    _FLOAT: _real_number,
    _BOOL: _true_or_false,
    _NULL: lambda text: None,
}

# YAML 1.2 core schema, narrowed: only decimal numbers, only true/false.
for _tag, _pattern, _first in (
    (_BOOL, r"true|True|TRUE|false|False|FALSE", "tTfF"),
    (_INT, r"[-+]?[0-9]+", "-+0123456789"),
    (
        _FLOAT,
        r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)",
        "-+0123456789.",
    ),
    (_NULL, r"~|null|Null|NULL|", ["~", "n", "N", ""]),
):
    StrictLoader.add_implicit_resolver(_tag, re.compile(rf"^(?:{_pattern})$"), list(_first))


def load_yaml(text: str, label: str) -> object:
    """The one YAML document in ``text`` as plain values, or a ScriptError.

    ``label`` names the script in errors (its file name, or ``<script>``).
    """
    try:
        return StrictLoader(text, label).load_script_document()
    except yaml.MarkedYAMLError as error:
        raise _malformed(error, label) from None
    except yaml.reader.ReaderError as error:
        raise _bad_character(error, text, label) from None
    except yaml.YAMLError:
        raise ScriptError(
            "this is not valid YAML",
            where=label,
            todo="Check it with a YAML linter; see docs/reference/scripts.md for the format",
        ) from None
    except RecursionError:
        raise ScriptError(
            "the YAML is nested too deeply to be a ceremony script",
            where=label,
            todo="See docs/reference/scripts.md for the format",
        ) from None


def _malformed(error: yaml.MarkedYAMLError, label: str) -> ScriptError:
    mark = error.problem_mark or error.context_mark
    where = f"{label}:{mark.line + 1}:{mark.column + 1}" if mark else label
    what = f"this is not valid YAML: {error.problem or error.context}"
    if error.problem and error.context:
        what += f" ({error.context}"
        if error.context_mark is not None:
            what += f" on line {error.context_mark.line + 1}"
        what += ")"
    return ScriptError(
        what,
        where=where,
        todo="Check the indentation, colons and quotes on that line and the one before it",
    )


def _bad_character(error: yaml.reader.ReaderError, text: str, label: str) -> ScriptError:
    line = text.count("\n", 0, max(error.position, 0)) + 1
    code = error.character if isinstance(error.character, int) else 0
    return ScriptError(
        f"the character U+{code:04X} is not allowed in YAML",
        where=f"{label}:{line}",
        todo="Remove it; scripts are plain text",
    )


def join(path: str, name: str) -> str:
    """The dotted path of field ``name`` inside ``path``."""
    return f"{path}.{name}" if path else name


def describe(value: object) -> str:
    """A short, operator-readable description of a YAML value for errors."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return repr(value if len(value) <= 40 else value[:37] + "...")
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, list):
        return "a list"
    return "a mapping"


@dataclass(frozen=True)
class Located:
    """A value read from the script, with its dotted path and line.

    Readers ask it for what they expect (:meth:`text`, :meth:`whole_number`,
    :meth:`fields`...) and get either the value or a ScriptError that names
    ``file:line: path``. Every place visited is recorded in ``lines``.
    """

    value: object
    path: str
    line: int
    label: str
    lines: dict[str, int] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.path:
            self.lines.setdefault(self.path, self.line)

    # -- where and errors --------------------------------------------------

    def where(self) -> str:
        place = f"{self.label}:{self.line}"
        return f"{place}: {self.path}" if self.path else place

    def error(self, what: str, todo: str = "") -> ScriptError:
        return ScriptError(what, where=self.where(), todo=todo)

    def expected(self, kind: str, todo: str = "") -> ScriptError:
        return self.error(f"expected {kind}, got {describe(self.value)}", todo)

    def child(self, value: object, path: str, line: int) -> Located:
        return Located(value, path, line, self.label, self.lines)

    # -- shapes ------------------------------------------------------------

    def mapping(self, todo: str = "") -> YamlMapping:
        if not isinstance(self.value, YamlMapping):
            raise self.expected("a mapping of fields (name: value)", todo)
        return self.value

    def entries(self) -> list[tuple[str, Located]]:
        """Each entry of a mapping, in script order, located at its key."""
        mapping = self.mapping()
        return [
            (key, self.child(value, join(self.path, key), mapping.key_lines[key]))
            for key, value in mapping.items()
        ]

    def items(self, todo: str = "") -> list[Located]:
        """Each item of a list, in script order."""
        if not isinstance(self.value, YamlList):
            raise self.expected("a list", todo)
        return [
            self.child(value, f"{self.path}[{index}]", self.value.item_lines[index])
            for index, value in enumerate(self.value)
        ]

    def get(self, name: str) -> Located | None:
        mapping = self.mapping()
        if name not in mapping:
            return None
        return self._field(mapping, name)

    def _field(self, mapping: YamlMapping, name: str) -> Located:
        return self.child(mapping[name], join(self.path, name), mapping.key_lines[name])

    def required(self, name: str, todo: str = "") -> Located:
        found = self.get(name)
        if found is None:
            raise self.missing(name, todo)
        return found

    def missing(self, name: str, todo: str = "") -> ScriptError:
        return ScriptError(
            "this required field is missing",
            where=f"{self.label}:{self.line}: {join(self.path, name)}",
            todo=todo or f"Add {name}: (see docs/reference/scripts.md)",
        )

    def fields(
        self,
        allowed: tuple[str, ...],
        required: tuple[str, ...] = (),
        *,
        noun: str = "field",
        todo: str = "",
        hints: dict[str, str] | None = None,
    ) -> dict[str, Located]:
        """The fields of a mapping; unknown ones and missing required ones are
        errors (``hints`` says what to add for a missing field)."""
        mapping = self.mapping(todo)
        for name in mapping:
            if name not in allowed:
                raise self._unknown(mapping, name, allowed, noun)
        for name in required:
            if name not in mapping:
                raise self.missing(name, (hints or {}).get(name, ""))
        return {name: self._field(mapping, name) for name in mapping}

    def _unknown(
        self, mapping: YamlMapping, name: str, allowed: tuple[str, ...], noun: str
    ) -> ScriptError:
        where = f"{self.label}:{mapping.key_lines[name]}: {join(self.path, name)}"
        what = f"unknown {noun} {name!r}"
        close = difflib.get_close_matches(name, allowed, n=1)
        if close:
            what += f" (did you mean {close[0]!r}?)"
        todo = f"The {noun}s allowed here are: {', '.join(allowed)}"
        return ScriptError(what, where=where, todo=todo)

    # -- scalars -----------------------------------------------------------

    def text(self, todo: str = "") -> str:
        if not isinstance(self.value, str) or not self.value.strip():
            todo = todo or "Write it as text; put it in quotes if it looks like a number"
            raise self.expected("text", todo)
        return self.value

    def name(self) -> str:
        value = self.text(f"Write a name; {NAME_RULE}")
        if not NAME_PATTERN.fullmatch(value):
            raise self.error(f"{value!r} is not a valid name", NAME_RULE)
        return value

    def whole_number(self, todo: str = "") -> int:
        if isinstance(self.value, bool) or not isinstance(self.value, int):
            raise self.expected("a whole number", todo)
        return self.value

    def flag(self) -> bool:
        if not isinstance(self.value, bool):
            raise self.expected("true or false", "Write true or false")
        return self.value

    def choice(self, options: tuple[str, ...], todo: str = "") -> str:
        if not isinstance(self.value, str) or self.value not in options:
            listed = ", ".join(options)
            raise self.expected(f"one of {listed}", todo or f"Write one of: {listed}")
        return self.value

    def names(self) -> tuple[str, ...]:
        """A list of names, e.g. ``[root-alice, root-bob]``."""
        todo = "Write a list of names, e.g. [root-alice, root-bob]"
        return tuple(item.name() for item in self.items(todo))

    def texts(self, todo: str = "") -> tuple[str, ...]:
        return tuple(item.text(todo) for item in self.items(todo))
