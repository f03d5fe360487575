"""The tamper-evident bags part of the build form (drafts/bags.py).

A table of the bags sealed at the end of the ceremony, one row a bag (its
name and what goes in; Ctrl+N adds a row, Ctrl+O removes the one with the
cursor), and, for a kind that builds on a current bundle, the bags its
ceremony sealed that are opened today. Serials are typed at the ceremony,
never here. It judges nothing: the loader does.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Static

from ceremony.tui.drafts.bags import BagRow, Bags
from ceremony.tui.forms.field import field
from ceremony.tui.forms.rows import NamedRow, Rows
from ceremony.tui.widgets import Entry

INTRO = (
    "Each bag sealed gets its serial typed as it is sealed; it goes into the transcript and "
    "onto the record. Leave the table empty for none."
)


class BagRowForm(NamedRow):
    """One bag sealed here: its name and what goes in."""

    def __init__(self, row: BagRow) -> None:
        super().__init__("bag", "holds", (row.name, row.holds),
                         ("bag, e.g. hsm-a", "what goes in, e.g. token root-hsm-a"), row.tag)

    def read(self) -> BagRow:
        return BagRow(*self.typed(), self.tag)


class BagsForm(Vertical):
    """``bags:``: the table of bags sealed, and the bags opened (``opens``: the kind
    builds on a current bundle)."""

    def __init__(self, bags: Bags, *, opens: bool) -> None:
        super().__init__(id="bags-form", classes="form-part")
        self.bags = bags
        self.opens = opens

    def compose(self) -> ComposeResult:
        b = self.bags
        yield Static("Tamper-evident bags (optional)", classes="section")
        yield Static(INTRO, classes="field-hint")
        yield Static("bag sealed           what goes in", classes="columns")
        yield Rows([BagRowForm(row) for row in b.seal or [BagRow()]],
                   lambda: BagRowForm(BagRow()), table_id="bag-rows")
        if self.opens:
            yield from field(
                "Bags opened", Entry(b.opened, placeholder="e.g. hsm-a, share-1",
                                     id="bags-open", compact=True),
                hint="Sealed at the current bundle's ceremony: preflight asks for each serial "
                "and compares it with that record.",
            )

    def read(self) -> Bags:
        opened = self.query("#bags-open")
        return Bags(seal=[row.read() for row in self.query(BagRowForm)],
                    opened=opened.first(Input).value if opened else "")
