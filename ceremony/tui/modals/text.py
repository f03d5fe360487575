"""The engine asks for a line of public text read off something in the room.

A tamper-evident bag's serial, typed as the bag is sealed or before it is
opened. It gives back the line typed (the engine checks it and asks again,
with the problem, when it is not a serial), or None (stop the ceremony).
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Footer, Input, Static

from ceremony.operator import TextRequest
from ceremony.tui.modals.question import QuestionModal
from ceremony.tui.widgets import Entry


class TextModal(QuestionModal[str]):
    BINDINGS = [
        Binding("enter", "submit", "Enter", id="text-submit", priority=True),
        Binding("escape", "stop", "Stop", id="text-stop"),
    ]

    def __init__(self, request: TextRequest) -> None:
        super().__init__(classes="operator")
        self.request = request

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static("Tamper-evident bag", classes="dialog-title")
            yield Static(self.request.question, classes="question")
            if self.request.detail:
                yield Static(self.request.detail, classes="detail")
            if self.request.problem:
                yield Static(self.request.problem, classes="error-line")
            yield Entry(placeholder="serial as printed on the bag", id="text-answer")
        yield Footer()

    def action_submit(self) -> None:
        typed = self.query_one("#text-answer", Input).value.strip()
        if typed:
            self.dismiss(typed)
