"""The terminal UI's Operator: the engine's questions answered on screen.

The engine runs in a worker thread and calls these methods there. Each call
asks the screen that runs it (the run screen; the Certify screen for its
sitting) by a thread-safe message to open a modal, then waits
on a Future the modal's answer fills. Widgets are only ever touched on the
app's own thread. When the operator stops the ceremony or leaves the app,
every wait ends with CeremonyAbandonedError, which the engine turns into a clean
stop: staging removed, transcript of the attempt written.

Secrets: a passphrase travels from the masked field to the engine as a
Secret and is never stored here, shown, or logged.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import Future, InvalidStateError
from concurrent.futures import TimeoutError as FutureTimeout
from contextlib import suppress
from typing import Any, Generic, TypeVar

from textual.message import Message
from textual.screen import Screen

from ceremony.errors import CeremonyAbandonedError, CeremonyError
from ceremony.operator import (
    Choice,
    Confirmation,
    Secret,
    SecretRequest,
    ShareAnswer,
    ShareHandout,
    ShareRequest,
    TextRequest,
)

AnswerT = TypeVar("AnswerT")

STOPPED_TODO = "nothing was sealed; run the ceremony again when ready"


def settle(answer: Future[AnswerT], value: AnswerT) -> None:
    """Give ``answer`` its value unless it has one already (stop vs. reply race)."""
    with suppress(InvalidStateError):
        answer.set_result(value)


class OperatorAsked(Message, Generic[AnswerT]):
    """The engine wants an answer: push ``make()`` and give its result to ``answer``
    (None: the operator stopped the ceremony)."""

    def __init__(
        self, make: Callable[[], Screen[AnswerT]], answer: Future[AnswerT | None]
    ) -> None:
        super().__init__()
        self.make = make
        self.answer = answer


class TuiOperator:
    """Answers the engine from modal screens; safe to call from a worker thread."""

    can_retry = True

    def __init__(
        self, post: Callable[[Message], bool], *, environ: Mapping[str, str] = os.environ
    ) -> None:
        self._post = post  # the run screen's post_message (thread-safe)
        self._environ = environ
        self.leaving = threading.Event()
        self.why = "the operator stopped the ceremony"
        self._lock = threading.Lock()
        # the answer to the question on screen; its type is that question's
        self._pending: Future[Any] | None = None
        # a secret (passphrase, PIN, share) is asked for and not yet given: from
        # the engine's call until the answer, plain fields take no keys
        self.asking_secret = False

    # The Operator protocol -------------------------------------------------

    def confirm(self, request: Confirmation) -> bool:
        from ceremony.tui.modals.confirm import ConfirmModal

        return bool(self._ask(lambda: ConfirmModal(request)))

    def secret(self, request: SecretRequest) -> Secret:
        if request.env:
            value = self._environ.get(request.env, "")
            if not value:
                from ceremony.tui.modals.secret import secret_word

                word = secret_word(request)
                whose = (
                    f"token {request.id.removeprefix('pin/')}"
                    if word == "PIN"
                    else f"key {request.key}"
                )
                raise CeremonyError(
                    f"the environment variable {request.env} ({word} for {whose}) is not set",
                    todo="set it before starting the ceremony, or change the script to `prompt`",
                )
            return Secret(value)
        from ceremony.tui.modals.secret import SecretModal

        return self._ask(lambda: SecretModal(request), secret=True)

    def choose(self, request: Choice) -> str:
        from ceremony.tui.modals.choice import ChoiceModal

        return self._ask(lambda: ChoiceModal(request))

    def text(self, request: TextRequest) -> str:
        from ceremony.tui.modals.text import TextModal

        return self._ask(lambda: TextModal(request))

    def hand_out(self, request: ShareHandout) -> Secret:
        from ceremony.tui.modals.hand_out import HandOutModal

        return self._ask(lambda: HandOutModal(request), secret=True)

    def share(self, request: ShareRequest) -> ShareAnswer | None:
        from ceremony.tui.modals.share import NoMoreShares, ShareModal

        if request.beyond_threshold:
            return None  # the UI offers no shares beyond the threshold (yet)
        answer = self._ask(lambda: ShareModal(request), secret=True)
        return None if isinstance(answer, NoMoreShares) else answer

    # Stopping ----------------------------------------------------------------

    def leave(self, why: str = "the operator stopped the ceremony") -> None:
        """Stop waiting: the ceremony is being stopped (or the app is closing);
        ``why`` is what the transcript of the attempt says."""
        self.why = why
        self.leaving.set()
        with self._lock:
            pending = self._pending
        if pending is not None:
            settle(pending, None)

    @property
    def waiting(self) -> bool:
        with self._lock:
            return self._pending is not None and not self._pending.done()

    # -------------------------------------------------------------------------

    def _ask(self, make: Callable[[], Screen[AnswerT]], *, secret: bool = False) -> AnswerT:
        if self.leaving.is_set():
            raise self.stopped()
        self.asking_secret = secret
        try:
            return self._wait(make)
        finally:
            self.asking_secret = False

    def _wait(self, make: Callable[[], Screen[AnswerT]]) -> AnswerT:
        answer: Future[AnswerT | None] = Future()
        with self._lock:
            self._pending = answer
        if not self._post(OperatorAsked(make, answer)):
            raise self.stopped()
        while True:
            try:
                result = answer.result(timeout=0.25)
                break
            except FutureTimeout:
                if self.leaving.is_set():
                    settle(answer, None)
        with self._lock:
            self._pending = None
        if result is None:
            raise self.stopped()
        return result

    def stopped(self) -> CeremonyAbandonedError:
        """The error thrown into the engine to stop it, saying why."""
        return CeremonyAbandonedError(self.why, todo=STOPPED_TODO)
