"""What every question of the engine's has in common: Escape offers to stop.

A question modal gives back its answer, or ``None`` once the operator has
confirmed stopping the ceremony; before it goes it clears anything typed
(``forget``). It never stops the ceremony itself: the None reaches the
engine's Operator, which stops it cleanly. Along its foot it keeps the run
screen's glance in sight (threshold meters, keys made so far), which the
dialog would otherwise cover.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from ceremony.tui.modals.ask import AskModal
from ceremony.tui.modals.modal import Modal
from ceremony.tui.widgets import Note

if TYPE_CHECKING:
    from textual.content import Content

AnswerT = TypeVar("AnswerT")


# what Escape asks: title, what stopping leaves, the yes button
CEREMONY_STOP = ("Stop the ceremony?", "Nothing will be sealed: the staging folder is removed "
                 "and the transcript of the attempt is kept beside the output.",
                 "Stop the ceremony")


class QuestionModal(Modal[AnswerT]):
    """Shared by the engine's questions: Escape offers to stop the ceremony
    (or what ``stop_words`` name: a sitting's screen asking outside a ceremony)."""

    stop_words = CEREMONY_STOP

    def on_mount(self) -> None:
        running = getattr(self.app, "run_screen", None)
        self.mount(Note(id="glance", classes="glance"))
        if running is not None:
            self.show_glance(running.glance())

    def show_glance(self, glance: Content) -> None:
        """The run screen's meters and keys, kept in sight below the dialog."""
        for note in self.query("#glance").results(Note):
            note.say(glance)

    def action_stop(self) -> None:
        def stop(sure: bool | None) -> None:
            if sure:
                self.forget()
                self.dismiss(None)

        title, left, yes = self.stop_words
        self.app.push_screen(AskModal(title, left, yes=yes, no="Go back"), stop)

    def forget(self) -> None:
        """Clear anything typed (passphrases) before the modal goes."""
