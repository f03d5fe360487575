"""Form text written as YAML that loads back exactly as typed.

A value a person typed reaches the script loader unchanged: quoted when YAML
would read it as something else (a number, a boolean, null), bare otherwise.
``Put`` is how each part of a draft writes one line and names the form field
its YAML path came from. Imports no UI toolkit.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from typing import Protocol, TypeVar

_PLAIN = re.compile(r"[A-Za-z0-9_./~][A-Za-z0-9_./~ ()-]*")
_NOT_TEXT = re.compile(
    r"[-+]?[0-9]+|[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?"
    r"|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN)|true|True|TRUE|false|False|FALSE|~|null|Null|NULL"
)
_WHOLE = re.compile(r"[0-9]+")

#: writes one line of the script and records the form field its YAML path came from
Put = Callable[[str, str, str], None]


class TableRow(Protocol):
    tag: str  # the form row it came from (its field ids: <head>-<tag>-...)

    def is_empty(self) -> bool: ...


RowT = TypeVar("RowT", bound=TableRow)


def filled(rows: Sequence[RowT]) -> tuple[str, list[tuple[str, RowT]]]:
    """A table's rows as written: the tag of its first row (where a message about the
    whole table goes), and each row filled in with its tag (its index when it has none)."""
    first = (rows[0].tag or "0") if rows else "0"
    return first, [(row.tag or str(i), row) for i, row in enumerate(rows) if not row.is_empty()]


def put_named(path: str, head: str, other: str, rows: list[tuple[str, str, str]], put: Put,
              fields: dict[str, str], *, indent: str) -> None:
    """The items ``- {name: NAME, <other>: VALUE}`` of the list at ``path``, one for each
    (tag, name, VALUE as YAML) of ``rows``, from form rows ``<head>-<tag>-name`` and
    ``<head>-<tag>-<other>``."""
    for n, (tag, name, value) in enumerate(rows):
        item = f"{path}[{n}]"
        fields[f"{item}.name"] = f"{head}-{tag}-name"
        fields[f"{item}.{other}"] = f"{head}-{tag}-{other}"
        put(item, f"{head}-{tag}-name", f"{indent}- {{name: {scalar(name)}, {other}: {value}}}")


def scalar(text: str, *, number: bool = False) -> str:
    """``text`` as a YAML scalar that loads back as exactly ``text``.

    With ``number``, digits are written bare so they load as a whole number
    (thresholds); anything else stays text, and the loader says what it
    expected."""
    text = text.strip()
    if number and _WHOLE.fullmatch(text):
        return text
    if _PLAIN.fullmatch(text) and not _NOT_TEXT.fullmatch(text) and not text.endswith(" "):
        return text
    return json.dumps(text, ensure_ascii=False)


def names(text: str) -> list[str]:
    """A comma- or space-separated list as typed in one field."""
    return [part for part in re.split(r"[,\s]+", text.strip()) if part]


def flow_list(items: list[str]) -> str:
    return "[" + ", ".join(scalar(item) for item in items) + "]"
