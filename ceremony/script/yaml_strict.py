"""The strict reading of a ceremony script's YAML, over PyYAML's parser.

yamlload.load_yaml's full reader, for any text the quick reader
(yaml_plain_read.py) leaves to it: one document read into
:class:`YamlMapping`, :class:`YamlList` and scalars, refusing, with the line,
a second document, a key written twice, aliases, tags and the YAML 1.1
surprises (its scalars are read by the quick reader's :data:`IMPLICIT`).
"""

from __future__ import annotations

import re
from typing import Any

import yaml
from yaml.events import AliasEvent, StreamEndEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from ceremony.errors import ScriptError
from ceremony.script.yaml_plain_read import IMPLICIT, SCALARS
from ceremony.script.yaml_values import YamlList, YamlMapping, join

_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_ALIAS = "ceremony:alias"


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
        if isinstance(node, ScalarNode) and node.tag in SCALARS:
            try:
                return SCALARS[node.tag](node.value)
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


for _tag, _pattern, _first in IMPLICIT:
    StrictLoader.add_implicit_resolver(_tag, _pattern, list(_first))


def load_strict(text: str, label: str) -> object:
    """The one YAML document in ``text`` as plain values, or a ScriptError
    (``label`` names the script in errors)."""
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
