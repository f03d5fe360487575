"""The rows of the build form's tables: which one has the cursor, and removing one.

Every table (keys, delegations, re-homed keys, bags) keeps at least one row;
Ctrl+O removes the row with the cursor, and the form is judged again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from textual.dom import DOMNode
from textual.widget import Widget

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
