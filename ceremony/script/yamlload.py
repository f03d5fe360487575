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
:func:`load_yaml` reads a script with yaml_strict.py, over PyYAML, whose
refusals are the only ones. :func:`load_written_yaml` reads a bundle's own
script (``ceremony status`` its policy, ``ceremony next`` the last script)
with yaml_plain_read.py first, which reads the plain YAML the tool writes
without loading PyYAML and leaves any other text to the strict reader.

It never touches the filesystem and never echoes more than a short excerpt of
a value in an error.
"""

from __future__ import annotations

import re

from ceremony.errors import ScriptError
from ceremony.plain_record import PlainRecord
from ceremony.script.yaml_values import YamlList, YamlMapping, join

__all__ = ["NAME_PATTERN", "NAME_RULE", "Located", "YamlList", "YamlMapping", "describe", "join",
           "load_written_yaml", "load_yaml"]

NAME_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]*")
NAME_RULE = (
    "Names use lowercase letters, digits and hyphens and start with a letter "
    "or digit, e.g. root-alice"
)
#: files are named after names with a suffix of up to 5 characters (NAME.age, NAME.pem,
#: cosign/NAME.key, metadata/NAME.json), and a file name holds at most 255 bytes
NAME_MAX = 255 - len(".json")

def load_yaml(text: str, label: str) -> object:
    """The one YAML document in ``text`` as plain values, or a ScriptError.

    ``label`` names the script in errors (its file name, or ``<script>``). A
    script to run, check or sign is read by the strict reader alone (over
    PyYAML): one reader decides what a reviewed script says.
    """
    from ceremony.script.yaml_strict import load_strict

    return load_strict(text, label)


def load_written_yaml(text: str, label: str) -> object:
    """:func:`load_yaml` for a script the tool wrote into a bundle, read only to
    show or to start the next script from (``ceremony status``, ``ceremony
    next``): the quick reader reads the plain YAML the tool writes without
    PyYAML, and leaves anything else (and every refusal) to the strict reader.
    """
    from ceremony.script.yaml_plain_read import read_plain

    value = read_plain(text)
    if value is not None:
        return value
    return load_yaml(text, label)


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


class Located(PlainRecord):
    """A value read from the script, with its dotted path and line.

    Readers ask it for what they expect (:meth:`text`, :meth:`whole_number`,
    :meth:`fields`...) and get either the value or a ScriptError that names
    ``file:line: path``. Every place visited is recorded in ``lines`` (shared
    bookkeeping, left out of equality). A plain record, not a dataclass: ``ceremony
    status`` reads a policy without loading dataclasses.
    """

    not_compared = not_shown = ("lines",)

    value: object
    path: str
    line: int
    label: str
    lines: dict[str, int] = {}  # a new dict for each Located not given one (PlainRecord)

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
        import difflib  # only for a mistake

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
        if len(value) > NAME_MAX:
            raise self.error(
                f"the name {value[:16]!r}... is {len(value)} characters long: files are named "
                "after it (NAME.age, NAME.pem, cosign/NAME.key) and a file name holds at most "
                "255, so the ceremony could not write them",
                f"Use a name of at most {NAME_MAX} characters",
            )
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
