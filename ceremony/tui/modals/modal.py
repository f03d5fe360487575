"""What every modal here has in common: it owns the keyboard from the moment
it is shown.

A modal notes when it was shown; the app drops any key or paste that was
typed before that moment (typed ahead at the screen below, it was meant for
something else, perhaps a passphrase typed blind). So a typed-ahead Enter
never answers a question the operator has not read, and a typed-ahead
secret never lands anywhere.
"""

from __future__ import annotations

from typing import TypeVar

from textual._time import get_time
from textual.screen import ModalScreen

ResultT = TypeVar("ResultT")


class Modal(ModalScreen[ResultT]):
    """A modal that takes only what is typed after it is shown."""

    shown_at = float("inf")  # until mounted, everything typed came before it

    def on_mount(self) -> None:
        self.shown_at = get_time()
