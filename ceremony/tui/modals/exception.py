"""The witness records an exception: what happened, why, and who records it.

Opened with F7 on any screen while a ceremony runs. It gives back the three
answers (what and why must be given), or None when dismissed with Escape;
the app adds them to the ceremony's WitnessLog, and the engine puts them in
the transcript.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Input, Static

from ceremony.tui.widgets import Note


class ExceptionModal(ModalScreen[tuple[str, str, str] | None]):
    """What happened, why, and the witness recording it."""

    BINDINGS = [
        Binding("enter", "submit", "Record", id="exception-submit", priority=True),
        Binding("escape", "cancel", "Cancel", id="exception-cancel"),
    ]

    def __init__(self, witness: str = "") -> None:
        super().__init__(classes="operator")
        self.witness = witness

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static("Witness exception", classes="dialog-title")
            yield Static("A deviation from the run sheet: it goes into the transcript, with "
                         "the time, and onto the printed record.", classes="detail")
            yield Input(placeholder="What happened", id="what")
            yield Input(placeholder="Why, and what was done about it", id="why")
            yield Input(value=self.witness, placeholder="Witness recording it", id="witness")
            yield Note(id="exception-problem", classes="error-line")
        yield Footer()

    def action_submit(self) -> None:
        what, why, witness = (self.query_one(f"#{name}", Input)
                              for name in ("what", "why", "witness"))
        for field in (what, why):
            if not field.value.strip():
                field.focus()
                self.query_one("#exception-problem", Note).say(
                    "Say what happened and why; both go on the record.")
                return
        self.dismiss((what.value.strip(), why.value.strip(), witness.value.strip()))

    def action_cancel(self) -> None:
        self.dismiss(None)
