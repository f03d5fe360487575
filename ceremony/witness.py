"""Witness exceptions waiting to go into the transcript.

The internal witness records every deviation from the run sheet as it
happens: at any question of the headless CLI by typing ``!``, on any screen
of the terminal UI with F7, or before a headless run with ``ceremony run
--exception "WHAT: WHY" --witness NAME``.
The front end adds each to a :class:`WitnessLog` it gives ``run_ceremony``;
the engine takes what is waiting after every event and records each as a
``witness-exception`` event, so it is in the transcript, in order, and on
the printed record. Each carries the time it was typed.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime

from ceremony.errors import CeremonyError
from ceremony.events import WitnessException

#: what an operator types at any question to record an exception instead
EXCEPTION_KEY = "!"


def utc_text(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_exception(text: str) -> tuple[str, str]:
    """``"WHAT: WHY"`` as (what, why); a clear error when either is missing."""
    what, colon, why = text.partition(":")
    if not colon or not what.strip() or not why.strip():
        raise CeremonyError(
            f"the exception {text!r} does not say what happened and why",
            todo='write it as --exception "WHAT: WHY", e.g. "bag 1234 seal torn: replaced '
            'with bag 5678 before the keys went in"',
        )
    return what.strip(), why.strip()


class WitnessLog:
    """Exceptions recorded by the front end and not yet in the transcript."""

    def __init__(self, witness: str = "",
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.witness = witness  # the name given with --witness, the default for each
        self._clock = clock
        self._waiting: list[WitnessException] = []
        self._lock = threading.Lock()  # the UI adds from its thread; the engine takes from its

    def add(self, what: str, why: str, witness: str = "") -> WitnessException:
        if not what.strip() or not why.strip():
            raise CeremonyError("an exception needs both what happened and why",
                                todo="say both; the witness may write more by hand on the "
                                "run sheet")
        exception = WitnessException(what=what.strip(), why=why.strip(),
                                     witness=(witness or self.witness).strip(),
                                     at=utc_text(self._clock()))
        with self._lock:
            self._waiting.append(exception)
        return exception

    def take(self) -> list[WitnessException]:
        """Every exception waiting, oldest first; the log is then empty."""
        with self._lock:
            waiting, self._waiting = self._waiting, []
        return waiting
