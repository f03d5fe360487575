"""The values a ceremony script's YAML is read into: mappings and lists that
remember the line (1-based) where they and each of their entries start, so
that every error can name it, and the dotted path of a field (:func:`join`). Both
readers make them: the quick one (yaml_plain_read.py) and the strict one over
PyYAML (yaml_strict.py)."""

from __future__ import annotations


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


def join(path: str, name: str) -> str:
    """The dotted path of field ``name`` inside ``path``."""
    return f"{path}.{name}" if path else name
