"""The run screen's worker: a ceremony's event stream, driven in a thread.

``drive`` pulls every event from a ceremony source and posts each to the run
screen as an ``EngineSaid`` message, then the stream's end as ``CeremonyEnded``
(with the error it ended on, if any). When the operator leaves, it throws the
stop into the stream once, so the engine itself removes its staging folder and
keeps the transcript of the attempt; never into a stream already ending.
"""

from __future__ import annotations

from collections.abc import Callable, Generator

from textual.message import Message

from ceremony import events as ev
from ceremony.tui.operator import TuiOperator

ENDING = (ev.StepFailed, ev.CeremonyAbandoned, ev.BundleSealed, ev.BundleVerified)


class EngineSaid(Message):
    """An event from the engine, posted from the worker thread."""

    def __init__(self, event: ev.Event) -> None:
        super().__init__()
        self.event = event


class CeremonyEnded(Message):
    """The engine's stream ended: ``error`` is None when it finished."""

    def __init__(self, error: BaseException | None) -> None:
        super().__init__()
        self.error = error


def drive(
    source: Callable[[TuiOperator], Generator[ev.Event, None, None]],
    operator: TuiOperator,
    post: Callable[[Message], bool],
) -> None:
    """Run the engine, post every event; stop it through the engine when asked."""
    error: BaseException | None = None
    stop_sent = ending = False
    try:
        stream = source(operator)
        event = next(stream)
        while True:
            post(EngineSaid(event))
            # Never throw into a stream already ending: after a failure the
            # engine is cleaning up (staging, transcript); after sealing
            # there is nothing left to stop.
            if isinstance(event, ev.CeremonyStarted):
                ending = False
            elif isinstance(event, ENDING):
                ending = True
            if operator.leaving.is_set() and not stop_sent and not ending:
                stop_sent = True
                event = stream.throw(operator.stopped())
            else:
                event = next(stream)
    except StopIteration:
        pass
    except Exception as caught:  # the engine already cleaned up; say what happened
        error = caught
    finally:
        post(CeremonyEnded(error))
