"""Every key of the ceremony so far: id grouped for reading aloud, and a QR code.

A keyholder reads the short id aloud, a witness checks the grouped id, and
anyone may scan the QR code of the full key id to compare it later.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static

from ceremony.describe import qr_lines
from ceremony.tui.record import CeremonyRecord, KeyFact
from ceremony.tui.widgets import keyid_lines


class KeysScreen(Screen[None]):
    BINDINGS = [Binding("escape", "back", "Back", id="keys-back")]

    def __init__(self, records: list[CeremonyRecord]) -> None:
        super().__init__()
        self.keys: list[KeyFact] = []
        for record in records:
            for key in record.keys:
                if all(k.keyid != key.keyid for k in self.keys):
                    self.keys.append(key)

    def compose(self) -> ComposeResult:
        yield Static("Keys: read the grouped id aloud, or scan the QR code", classes="banner")
        with Horizontal(id="keys-body"):
            with Vertical(id="keys-list-pane"):
                labels = [f"{k.name}  {k.keyid[:8]}" for k in self.keys]
                yield OptionList(*(labels or ["(no keys yet)"]), id="keys-list")
                yield Static("", id="key-id")
            yield Static("", id="key-qr")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#keys-list").focus()
        self._show(0)

    @on(OptionList.OptionHighlighted, "#keys-list")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self._show(event.option_index)

    def _show(self, index: int) -> None:
        if not self.keys:
            return
        key = self.keys[index]
        holder = f"keyholder {key.holder}\n" if key.holder else ""
        self.query_one("#key-id", Static).update(
            Content.assemble(
                (f"{key.name}\n", "bold"),
                (f"{key.how} · {key.algorithm or 'key'}\n", "$text-muted"),
                holder,
                ("\n".join(keyid_lines(key.keyid, per_line=4)), "$text-accent bold"),
            )
        )
        self.query_one("#key-qr", Static).update("\n".join(qr_lines(key.keyid)))

    def action_back(self) -> None:
        self.app.pop_screen()
