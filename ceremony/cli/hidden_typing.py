"""Nothing typed at the terminal is shown while a command that asks questions runs.

A terminal shows each key as it is typed, whatever the program is doing: a
passphrase typed ahead while the tool is busy (scrypt after the last one, a
signature, a write) would be on the screen in clear. So while such a command
runs (:func:`typing_hidden`, main.py), the terminal's echo is off, the only
setting changed, except while a question whose answer is shown is asked
(:func:`answer_shown`, prompt.py). What was typed while nothing was asked is
thrown away before each question (prompt.py), so an answer typed blind is
never taken for the answer to another. However the command ends (normally, on
an error, or stopped by Ctrl-C, SIGTERM or SIGHUP, which signals.py turns into
an exception), the terminal is set back as it was, and what was typed and
never read is thrown away with it: the shell would otherwise take it for a
command line and show it. A stop signal arriving while the settings change
waits until they have. Only SIGKILL leaves the echo off (``stty sane`` puts
it back).

Stopped by Ctrl-Z, the tool leaves the terminal to the shell, which turns the
echo back on for its own command line; brought back by ``fg``, the tool sets
again the settings it had in force (:func:`in_force`), before anything more is
typed, so a passphrase typed after ``fg`` is not shown either.
"""

from __future__ import annotations

import sys
import termios
from collections.abc import Iterator
from contextlib import contextmanager, suppress

from ceremony.signals import on_continue, stop_signals_held

Settings = list[int | list[bytes | int]]

#: the terminal's settings as they were, while typing is hidden
_as_it_was: list[Settings] = []
#: the settings in force now, innermost last: what a SIGCONT (``fg``) sets again
_wanted: list[tuple[int, Settings]] = []


@contextmanager
def typing_hidden() -> Iterator[None]:
    """While inside, at a terminal, what is typed is not shown."""
    try:
        fd = sys.stdin.fileno()
        before = termios.tcgetattr(fd) if sys.stdin.isatty() else None
    except (OSError, ValueError, termios.error):  # no terminal (closed, a test's capture)
        before = None
    if before is None:
        yield
        return
    hidden = termios.tcgetattr(fd)
    hidden[3] &= ~termios.ECHO
    _as_it_was.append(before)
    try:
        # on leaving, what was typed and never read is dropped
        with in_force(fd, hidden, termios.TCSANOW, then=before, then_when=termios.TCSAFLUSH):
            yield
    finally:
        _as_it_was.pop()


@contextmanager
def answer_shown() -> Iterator[None]:
    """While inside, what is typed is shown as the terminal did before (a question
    whose answer is shown); what was typed before it is thrown away first."""
    if not _as_it_was:
        yield
        return
    fd = sys.stdin.fileno()
    try:
        hidden = termios.tcgetattr(fd)
    except termios.error:  # the terminal hung up: the read meets it
        hidden = _as_it_was[-1]
    with in_force(fd, _as_it_was[-1], termios.TCSAFLUSH, then=hidden, then_when=termios.TCSANOW):
        yield


@contextmanager
def in_force(fd: int, settings: Settings, when: int, then: Settings, then_when: int
             ) -> Iterator[None]:
    """While inside, the terminal ``fd`` has ``settings`` (set ``when``: TCSANOW, or
    TCSAFLUSH to drop what was typed before), set again after a Ctrl-Z and ``fg``; on
    leaving, it has ``then`` (set ``then_when``). A stop signal arriving while they
    change waits until they have."""
    with stop_signals_held():
        if not _wanted:
            on_continue(_set_again)
        _wanted.append((fd, settings))
        _set(fd, when, settings)
    try:
        yield
    finally:
        with stop_signals_held():
            _wanted.pop()
            _set(fd, then_when, then)


def _set_again() -> None:
    """Brought back by ``fg``: the settings in force before the stop, set again."""
    if _wanted:
        fd, settings = _wanted[-1]
        _set(fd, termios.TCSANOW, settings)


def _set(fd: int, when: int, settings: Settings) -> None:
    with suppress(termios.error):  # the terminal hung up (SIGHUP): nothing left to set back
        termios.tcsetattr(fd, when, settings)
