"""One share to one custodian: who, which sheet; the checksum words back.

It gives back the words read back, as a Secret, or None (stop the
ceremony). The share's words are never shown here: the custodian holds the
printed sheet. The words read back are typed masked and go to the engine,
which compares them; the field is cleared as they go.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Footer, Input, Static

from ceremony.operator import Secret, ShareHandout
from ceremony.tui.modals.question import QuestionModal
from ceremony.tui.widgets import SecretEntry


class HandOutModal(QuestionModal[Secret]):
    """One share to one custodian: who, which sheet; the checksum words back.

    The share's words are never shown here: the custodian holds the printed
    sheet. The words read back are typed masked and go to the engine, which
    compares them."""

    BINDINGS = [
        Binding("enter", "submit", "Submit", id="handout-submit", priority=True),
        Binding("escape", "stop", "Stop", id="handout-stop"),
    ]

    def __init__(self, request: ShareHandout) -> None:
        super().__init__(classes="operator")
        self.request = request

    def compose(self) -> ComposeResult:
        r = self.request
        who = f" to {r.custodian}" if r.custodian else ""
        first, last = r.checksum_positions[0], r.checksum_positions[-1]
        with Vertical(classes="dialog"):
            yield Static(f"Share {r.number} of {r.total}", classes="dialog-title")
            yield Static(f"Hand share {r.number} of {r.total}{who}.", classes="question")
            yield Static(f"Its printed sheet: {r.sheet_pdf}", classes="detail")
            if r.problem:
                yield Static(r.problem, classes="error-line")
            yield Static(f"Custodian: read words {first} to {last} of your sheet.", classes="hint")
            yield SecretEntry(placeholder="the checksum words", id="words")
        yield Footer()

    def action_submit(self) -> None:
        entry = self.query_one("#words", Input)
        words = Secret(" ".join(entry.value.split()))
        entry.value = ""
        self.dismiss(words)

    def forget(self) -> None:
        self.query_one("#words", Input).value = ""
