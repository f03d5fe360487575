"""Stopping on a signal: Ctrl-C (SIGINT), SIGTERM and SIGHUP alike.

A ceremony stopped by any of the three is stopped the same way: the engine
removes its staging folder (key files overwritten first) and any custody it
wrote, keeps the attempt's transcript, and says "stopped by SIGTERM". While
that cleanup runs, a second signal is noted and not acted on, so a second
Ctrl-C cannot leave it half-done. Only SIGKILL cannot be caught; what it
leaves is marked incomplete and named by the next run (``ceremony clean``).

A process stopped by Ctrl-Z and brought back by ``fg`` is not stopped in that
sense: it goes on, and :func:`on_continue` lets it put back what the shell
changed meanwhile (the terminal's echo, hidden_typing.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from types import FrameType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import signal

    from ceremony.events import Event
else:
    # signal.py's own C module: the same calls, with signals and handlers as plain
    # numbers (signal.py first makes enums of them all: half a millisecond of
    # `ceremony verify`'s start-up); a signal's name is asked of signal.py when one
    # arrives.
    import _signal as signal

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


class Stopped(KeyboardInterrupt):
    """A stop signal arrived: the ceremony ends as if the operator stopped it."""

    def __init__(self, signum: int) -> None:
        super().__init__(_name(signum))
        self.signum = signum
        #: what the stopped ceremony did and could no longer yield (the keys it left
        #: on tokens, where the attempt's transcript is), for the front end to show
        self.left: tuple[Event, ...] = ()
        #: what the stopped command had done that stays, when not nothing (a bundle
        #: sealed before a decommission's destruction stopped), in words
        self.done = ""

    @property
    def words(self) -> str:
        if self.signum == signal.SIGINT:
            return "interrupted (Ctrl-C)"
        return f"stopped by {_name(self.signum)}"

    @property
    def exit_code(self) -> int:
        return 128 + self.signum  # as a shell reports a process a signal stopped


def _name(signum: int) -> str:
    """``SIGTERM``: the signal's name."""
    from signal import Signals

    return Signals(signum).name


def stop_words(error: KeyboardInterrupt) -> str:
    """What stopped the ceremony, for the transcript: "stopped by SIGTERM"."""
    return error.words if isinstance(error, Stopped) else "interrupted (Ctrl-C)"


@contextmanager
def stop_on_signals() -> Iterator[None]:
    """While inside, the first stop signal raises :class:`Stopped` in the main
    thread; later ones are ignored until the block ends (cleanup runs whole).
    Elsewhere than the main thread, which alone takes signals, it does nothing
    (asked of ``signal`` itself: importing threading would cost start-up)."""
    previous = {signum: signal.getsignal(signum) for signum in STOP_SIGNALS}

    def later(signum: int, frame: FrameType | None) -> None:
        pass  # cleanup is under way: it finishes, then the tool exits

    def first(signum: int, frame: FrameType | None) -> None:
        for each in STOP_SIGNALS:
            signal.signal(each, later)
        raise Stopped(signum)

    try:
        signal.signal(STOP_SIGNALS[0], first)
    except ValueError:  # not the main thread
        yield
        return
    for signum in STOP_SIGNALS[1:]:
        signal.signal(signum, first)
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


@contextmanager
def stop_signals_held() -> Iterator[None]:
    """While inside, a stop signal waits: it is acted on as the block ends (a
    terminal's settings are changed whole, never left half set back)."""
    held = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)


def on_continue(act: Callable[[], None]) -> None:
    """From now on, ``act()`` runs each time the process goes on after a stop
    (Ctrl-Z, then ``fg``: SIGCONT). Elsewhere than the main thread, nothing."""

    def continued(signum: int, frame: FrameType | None) -> None:
        act()

    with suppress(ValueError):  # not the main thread
        signal.signal(signal.SIGCONT, continued)
