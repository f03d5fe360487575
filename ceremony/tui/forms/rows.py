"""A table of rows in a flavor's part of the build form, with its own Ctrl+N and Ctrl+O.

While the cursor is in one of its rows, Ctrl+N adds a row below the others
and Ctrl+O removes the row the cursor is in (the last row stays: its fields
are cleared instead). Either way it says so with :class:`RowsChanged`, and
the build screen judges the form again.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widget import Widget


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
        focused = self.screen.focused
        row = next((r for r in self.children if focused is not None and
                    (focused is r or r in focused.ancestors)), None)
        if row is None:
            return
        if len(self.children) == 1:
            self.notify("The last row stays: clear its fields instead.", severity="warning")
            return
        row.remove()
        self.call_after_refresh(lambda: self.post_message(RowsChanged()))
