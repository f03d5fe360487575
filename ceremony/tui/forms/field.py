"""A labelled field of the build form, and where its loader message goes."""

from __future__ import annotations

from textual.containers import Horizontal
from textual.widget import Widget
from textual.widgets import Static

from ceremony.tui.widgets import Note, OnOff


def note_id(field_id: str) -> str:
    """The error line a field's message goes to (one per row for tables)."""
    head, _, rest = field_id.partition("-")
    if head in ("key", "delegation", "role", "rehome", "signer", "entry", "cosign", "group",
                "bag", "sharegroup", "passphrase", "pin"):
        return f"{head}-{rest.split('-')[0]}-error"
    return f"{field_id}-error"


def field(label: str, widget: Widget, *, hint: str = "") -> list[Widget]:
    """A labelled one-line field, its error line and an optional hint."""
    return [
        Horizontal(Static(label, classes="field-label"), widget, classes="field"),
        Note(hint, id=f"{widget.id}-hint", classes="field-hint"),
        Note(id=f"{widget.id}-error", classes="field-error"),
    ]


def switch(label: str, value: bool, field_id: str) -> list[Widget]:
    """An on/off field under the labels' column, and its error line."""
    return [
        Horizontal(
            Static("", classes="field-label"),
            OnOff(label, value, id=field_id, compact=True),
            classes="field",
        ),
        Note(id=f"{field_id}-error", classes="field-error"),
    ]
