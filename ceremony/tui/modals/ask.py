"""A yes/no question of the UI's own: leave the ceremony? quit?

It gives back True or False (None if dismissed otherwise). It never asks for
anything typed, and it changes nothing itself: the caller acts on the answer.
"""

from __future__ import annotations

from dataclasses import replace

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Footer, Static

from ceremony.tui.modals.modal import Modal


class AskModal(Modal[bool]):
    """A yes/no question of the UI's own (leave the ceremony? quit?)."""

    BINDINGS = [
        Binding("y", "answer(True)", "Yes", id="ask-yes"),
        Binding("n,escape", "answer(False)", "No", id="ask-no"),
    ]

    def __init__(
        self, question: str, detail: str = "", *, yes: str = "Yes", no: str = "No"
    ) -> None:
        super().__init__(classes="ask")
        self.question, self.detail = question, detail
        labels = {"ask-yes": yes, "ask-no": no}
        for key, bindings in self._bindings.key_to_bindings.items():
            self._bindings.key_to_bindings[key] = [
                replace(b, description=labels.get(b.id or "", b.description)) for b in bindings
            ]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.question, classes="question")
            if self.detail:
                yield Static(self.detail, classes="detail")
        yield Footer()

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)
