"""The engine asks for a passphrase, PIN or management key, masked.

A secret being set is typed twice and must be long enough; a PIN that
unlocks a token is typed once. It gives back a Secret, or None (stop the
ceremony). The value is cleared from the fields as soon as it is handed
over, and is never shown, logged or put in a message.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Footer, Input, Static

from ceremony.operator import Secret, SecretKind, SecretRequest
from ceremony.tui.modals.question import QuestionModal
from ceremony.tui.widgets import Note, SecretEntry


def secret_word(request: SecretRequest) -> str:
    """What the engine asks for, in the operator's words: PIN, management
    key or passphrase (by the request's kind)."""
    if request.kind in (SecretKind.PIN, SecretKind.PUK, SecretKind.MANAGEMENT_KEY):
        return request.kind.words
    return "passphrase"


class SecretModal(QuestionModal[Secret]):
    """A passphrase, PIN or management key, masked; a new passphrase typed
    twice. A PIN is typed once: the token stays logged in for the ceremony."""

    BINDINGS = [
        Binding("enter", "submit", "Submit", id="secret-submit", priority=True),
        Binding("escape", "stop", "Stop", id="secret-stop"),
    ]

    def __init__(self, request: SecretRequest, *, tries: int = 3) -> None:
        super().__init__(classes="operator")
        self.request = request
        self.tries = tries
        self.word = secret_word(request)
        # a secret being set is typed twice; a PIN that unlocks a token, once
        self.twice = request.new
        self.minimum = request.kind.minimum

    def compose(self) -> ComposeResult:
        request, word = self.request, self.word
        title = (f"New {word}" if self.twice else word[:1].upper() + word[1:])
        with Vertical(classes="dialog"):
            yield Static(title, classes="dialog-title")
            yield Static(request.prompt, classes="question")
            if self.twice:
                least = f"At least {self.minimum} characters; " if self.minimum else ""
                yield Static(
                    f"Only the keyholder looks at the keyboard. {least}it is asked twice "
                    "and never shown.",
                    classes="detail",
                )
            elif request.kind is SecretKind.PIN:
                token = request.id.removeprefix("pin/")
                yield Static(
                    f"The keyholder of token {token} types its PIN, once: the token stays "
                    "logged in until the ceremony ends. It is never shown or kept.",
                    classes="detail",
                )
            if request.problem:
                yield Static(f"{request.problem}.", classes="error-line")
            elif request.attempt > 1:
                refused = (
                    "The token refused that PIN" if word == "PIN"
                    else f"That {word} did not open the key"
                )
                yield Static(
                    f"{refused}. Try {request.attempt} of {self.tries}.", classes="error-line"
                )
            yield SecretEntry(placeholder=word, id="first")
            if self.twice:
                yield SecretEntry(placeholder="the same again", id="second")
            yield Note(id="secret-problem", classes="error-line")
        yield Footer()

    def _problem(self, text: str) -> None:
        self.query_one("#secret-problem", Note).say(text)

    def action_submit(self) -> None:
        first = self.query_one("#first", Input)
        if not first.value:
            self._problem(f"Type the {self.word} first.")
            first.focus()
            return
        if not self.twice:
            self._hand_over(first.value)
            return
        second = self.query_one("#second", Input)
        if len(first.value) < self.minimum:
            self.forget()
            self._problem(f"A {self.word} needs at least {self.minimum} characters.")
            first.focus()
            return
        if self.focused is first and not second.value:
            second.focus()
            self._problem("")
            return
        if first.value != second.value:
            self.forget()
            self._problem("The two did not match; type both again.")
            first.focus()
            return
        self._hand_over(first.value)

    def _hand_over(self, value: str) -> None:
        secret = Secret(value)
        self.forget()
        self.dismiss(secret)

    def forget(self) -> None:
        for entry in self.query(Input):
            entry.value = ""
