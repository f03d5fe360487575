"""A ceremony that stopped: what happened, what it means, what to do next.

It gives back where the operator goes: ``"home"`` or ``"stay"`` (to read the
log). It shows only what the error says, which never holds a secret; it
changes nothing.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Footer, Static

from ceremony.tui.modals.modal import Modal


class ErrorModal(Modal[str]):
    """A failure: what happened, what it means, what to do next."""

    BINDINGS = [
        Binding("enter", "close('home')", "Home", id="error-home", priority=True),
        Binding("escape", "close('stay')", "Read the log", id="error-stay"),
    ]

    def __init__(
        self, title: str, what: str, todo: str = "", notes: tuple[str, ...] = ()
    ) -> None:
        super().__init__(classes="error")
        self.heading, self.what, self.todo, self.notes = title, what, todo, notes

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.heading, classes="dialog-title")
            with VerticalScroll(classes="error-body"):
                yield Static(Content.from_markup("[b]What happened[/b]  $what", what=self.what))
                if self.todo:
                    yield Static(
                        Content.from_markup("[b]What to do next[/b]  $todo", todo=self.todo)
                    )
                for note in self.notes:
                    yield Static(note, classes="detail")
        yield Footer()

    def action_close(self, where: str) -> None:
        self.dismiss(where)


class RefusalModal(ErrorModal, inherit_bindings=False):
    """A refusal at a screen of fields (a mistake to fix there): Enter goes
    back to the fields, Escape home."""

    BINDINGS = [
        Binding("enter", "close('stay')", "Back to the fields", id="refusal-back",
                priority=True),
        Binding("escape", "close('home')", "Home", id="refusal-home"),
    ]
