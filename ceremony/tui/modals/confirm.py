"""The engine asks "go on?"; an irreversible step needs its word typed.

It gives back True (go on), False (no) or None (stop the ceremony). Key ids
and digests in the detail are grouped by four for reading aloud. It never
lets Enter through before the word is typed exactly.
"""

from __future__ import annotations

import re

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Footer, Input, Static

from ceremony.operator import Confirmation
from ceremony.tui.modals.question import QuestionModal
from ceremony.tui.widgets import Entry, Note, keyid_lines

_HASH = re.compile(r"[0-9a-f]{40,}")


def readable(detail: str) -> str:
    """Hashes in a detail line grouped by four, eight groups a line (a sha256
    in two even lines, at 80x24 too), each hash on lines of its own."""
    lines = _HASH.sub(lambda m: "\n" + "\n".join(keyid_lines(m.group(0))) + "\n", detail)
    return "\n".join(line.strip() for line in lines.strip().splitlines())


class ConfirmModal(QuestionModal[bool]):
    """A confirmation; irreversible steps need their word typed."""

    BINDINGS = [
        Binding("enter", "yes", "Yes, go on", id="confirm-yes", priority=True),
        Binding("n", "no", "No", id="confirm-no"),
        Binding("escape", "stop", "Stop", id="confirm-stop"),
    ]

    def __init__(self, request: Confirmation) -> None:
        super().__init__(classes="operator")
        self.request = request

    def compose(self) -> ComposeResult:
        word = self.request.typed_word
        with Vertical(classes="dialog"):
            yield Static("Irreversible step" if word else "Confirm", classes="dialog-title")
            yield Static(self.request.question, classes="question")
            if self.request.detail:
                yield Static(readable(self.request.detail), classes="detail")
            if word:
                yield Static(
                    Content.from_markup("Type [b]$word[/b] and press Enter to go on.", word=word),
                    classes="hint",
                )
                yield Entry(placeholder=word, id="typed-word")
                yield Note(id="typed-why", classes="field-why")
        yield Footer()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "yes" and self.request.typed_word:
            return True if self._typed() == self.request.typed_word else None
        # typing a word: Escape stops instead of No
        return not (action == "no" and self.request.typed_word)

    def _typed(self) -> str:
        try:
            return self.query_one("#typed-word", Input).value.strip()
        except Exception:
            return ""

    @on(Input.Changed, "#typed-word")
    def _typed_changed(self) -> None:
        self.refresh_bindings()
        word, typed = self.request.typed_word, self._typed()
        why = self.query_one("#typed-why", Note)
        if not typed or typed == word:
            why.say("")
        elif word.startswith(typed):
            why.say(f"Enter is dimmed: type the rest of {word}.")
        else:
            why.say(Content.assemble(
                "Enter is dimmed: ", (f'"{typed}"', "bold"), " is not ", (word, "bold"),
                ". Fix it (Backspace) and type it exactly.",
            ))

    def action_yes(self) -> None:
        if self.request.typed_word and self._typed() != self.request.typed_word:
            self.notify(f"Type {self.request.typed_word} exactly to go on.", severity="warning")
            return
        self.dismiss(True)

    def action_no(self) -> None:
        self.dismiss(False)
