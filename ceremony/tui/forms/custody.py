"""The custody part of the build form: where the custody bundle goes, and its shares.

Media (two or more, each its own device), the sheets folder, shares m of n,
the custodians named at hand-out, and whether a SLIP-39 passphrase is asked.
Leaving the media empty writes no ``custody:`` block at all.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Checkbox, Input, Static

from ceremony.tui.drafts.custody import Custody
from ceremony.tui.forms.field import field, switch
from ceremony.tui.widgets import Entry, Note


class CustodyForm(Vertical):
    """The fields of one ``custody:`` block."""

    def __init__(self, custody: Custody, *, title: str) -> None:
        super().__init__(id="custody-form", classes="form-part")
        self.custody = custody
        self.title = title

    def compose(self) -> ComposeResult:
        c = self.custody
        yield Static(self.title, classes="section")
        yield from field(
            "Media",
            Entry(c.media, placeholder="e.g. /media/custody-a, /media/custody-b",
                  id="custody-media", compact=True),
            hint="One copy on each medium, each its own device. Empty: no custody bundle.",
        )
        yield from field(
            "Sheets folder",
            Entry(c.sheets, placeholder="e.g. /media/sheets", id="custody-sheets", compact=True),
            hint="The share sheets to print; never on a medium holding a copy.",
        )
        with Horizontal(classes="field"):
            yield Static("Shares needed", classes="field-label")
            yield Entry(c.threshold, id="custody-threshold", classes="w4", compact=True)
            yield Static(" of ", classes="w4")
            yield Entry(c.of, id="custody-of", classes="w4", compact=True)
        yield Note(id="custody-threshold-error", classes="field-error")
        yield Note(id="custody-of-error", classes="field-error")
        yield from field(
            "Custodians",
            Entry(c.custodians, placeholder="e.g. erin, frank, grace (in share order)",
                  id="custody-custodians", compact=True),
        )
        yield from switch("SLIP-39 passphrase (asked; every recovery needs it)",
                          c.slip39_passphrase, "custody-slip39")

    def read(self) -> Custody:
        def text(field_id: str) -> str:
            return self.query_one(f"#{field_id}", Input).value

        return Custody(
            media=text("custody-media"),
            sheets=text("custody-sheets"),
            threshold=text("custody-threshold"),
            of=text("custody-of"),
            custodians=text("custody-custodians"),
            slip39_passphrase=self.query_one("#custody-slip39", Checkbox).value,
        )
