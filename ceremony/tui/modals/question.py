"""What every question of the engine's has in common: Escape offers to stop.

A question modal gives back its answer, or ``None`` once the operator has
confirmed stopping the ceremony; before it goes it clears anything typed
(``forget``). It never stops the ceremony itself: the None reaches the
engine's Operator, which stops it cleanly.
"""

from __future__ import annotations

from typing import TypeVar

from ceremony.tui.modals.ask import AskModal
from ceremony.tui.modals.modal import Modal

AnswerT = TypeVar("AnswerT")


class QuestionModal(Modal[AnswerT]):
    """Shared by the engine's questions: Escape offers to stop the ceremony."""

    def action_stop(self) -> None:
        def stop(sure: bool | None) -> None:
            if sure:
                self.forget()
                self.dismiss(None)

        self.app.push_screen(
            AskModal(
                "Stop the ceremony?",
                "Nothing will be sealed: the staging folder is removed and the "
                "transcript of the attempt is kept beside the output.",
                yes="Stop the ceremony",
                no="Go back",
            ),
            stop,
        )

    def forget(self) -> None:
        """Clear anything typed (passphrases) before the modal goes."""
