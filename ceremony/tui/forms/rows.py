"""The rows of the build form's tables: which one has the cursor, adding and removing one.

Every table (keys, delegations, re-homed keys, a flavor's GUNs or services,
bags) keeps at least one row: Ctrl+O removes the row with the cursor, or says
to clear the last one instead, and the form is judged again. A part of the
form holds its tables in :class:`Rows`, which has its own Ctrl+N and Ctrl+O
and says what changed with :class:`RowsChanged`. A row of a name and one wide
field (a CI signer and its keys, a bag and what goes in) is a :class:`NamedRow`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.dom import DOMNode
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Input

from ceremony.tui.forms.tags import next_tag
from ceremony.tui.widgets import Entry, Note

RowT = TypeVar("RowT", bound=Widget)


def focused_row(
    focused: DOMNode | None, kinds: tuple[type[RowT], ...], within: DOMNode
) -> RowT | None:
    """The row of one of ``kinds`` holding ``focused``, searched up to ``within``."""
    node = focused
    while node is not None and node is not within:
        if isinstance(node, kinds):
            return node
        node = node.parent
    return None


def remove_row(row: Widget, judge: Callable[[], None]) -> None:
    """Remove ``row`` (never a table's last), then ``judge`` the form again."""
    if not row.siblings:
        row.notify("The last row stays: clear its fields instead.", severity="warning")
        return
    row.remove()
    row.app.call_after_refresh(judge)


class RowsChanged(Message):
    """A row was added or removed: the form must be judged again."""


class Rows(Vertical):
    """Rows made by ``make`` (each a widget with a ``tag`` and fields ``<head>-<tag>-...``)."""

    BINDINGS = [
        Binding("ctrl+n", "add", "Add row", tooltip="Add a row to this table"),
        Binding("ctrl+o", "remove", "Remove row", tooltip="Remove the row with the cursor"),
    ]

    def __init__(self, rows: list[Widget], make: Callable[[], Widget], *, table_id: str) -> None:
        super().__init__(id=table_id, classes="form-part")
        self.rows = rows
        self.make = make

    def compose(self) -> ComposeResult:
        yield from self.rows

    def action_add(self) -> None:
        row = self.make()
        self.mount(row)

        def focus_first() -> None:
            row.query("Input, Select").first().focus()
            self.post_message(RowsChanged())

        self.call_after_refresh(focus_first)

    def action_remove(self) -> None:
        row = next(
            (r for r in self.children if focused_row(self.screen.focused, (type(r),), self) is r),
            None,
        )
        if row is not None:
            remove_row(row, self._changed)

    def _changed(self) -> None:
        self.post_message(RowsChanged())


class NamedRow(Vertical):
    """A row of a name and one wide field, ids ``<head>-<tag>-name`` and
    ``<head>-<tag>-<other>``; the loader's message on it goes under it."""

    def __init__(self, head: str, other: str, values: tuple[str, str],
                 placeholders: tuple[str, str], tag: str = "") -> None:
        self.tag = tag or next_tag()
        super().__init__(classes="table-row")
        self.head, self.other = head, other
        self.values, self.placeholders = values, placeholders

    def compose(self) -> ComposeResult:
        h, t = self.head, self.tag
        with Horizontal(classes="field"):
            yield Entry(self.values[0], placeholder=self.placeholders[0], id=f"{h}-{t}-name",
                        classes="w20", compact=True)
            yield Entry(self.values[1], placeholder=self.placeholders[1],
                        id=f"{h}-{t}-{self.other}", classes="wide", compact=True)
        yield Note(id=f"{h}-{t}-error", classes="field-error row-error")

    def typed(self) -> tuple[str, str]:
        """The name and the other field, as typed."""
        h, t = self.head, self.tag
        return (self.query_one(f"#{h}-{t}-name", Input).value,
                self.query_one(f"#{h}-{t}-{self.other}", Input).value)
