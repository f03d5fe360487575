"""The engine asks the operator to choose one of a few options.

It gives back the option chosen, word for word as the engine offered it, or
None (stop the ceremony). It never offers an option the engine did not.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Footer, OptionList, Static

from ceremony.operator import Choice
from ceremony.tui.modals.question import QuestionModal


class ChoiceModal(QuestionModal[str]):
    BINDINGS = [Binding("escape", "stop", "Stop", id="choice-stop")]

    def __init__(self, request: Choice) -> None:
        super().__init__(classes="operator")
        self.request = request

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static("Choose", classes="dialog-title")
            yield Static(self.request.question, classes="question")
            yield OptionList(*self.request.options, id="choices")
        yield Footer()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.request.options[event.option_index])
