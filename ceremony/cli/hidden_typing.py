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
"""

from __future__ import annotations

import sys
import termios
from collections.abc import Iterator
from contextlib import contextmanager, suppress

from ceremony.signals import stop_signals_held

#: the terminal's settings as they were, while typing is hidden
_as_it_was: list[list[int | list[bytes | int]]] = []


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
    with stop_signals_held():
        _as_it_was.append(before)
        _set(fd, termios.TCSANOW, hidden)
    try:
        yield
    finally:
        with stop_signals_held():
            _as_it_was.pop()
            _set(fd, termios.TCSAFLUSH, before)  # and what was typed and never read is dropped


@contextmanager
def answer_shown() -> Iterator[None]:
    """While inside, what is typed is shown as the terminal did before (a question
    whose answer is shown); what was typed before it is thrown away first."""
    if not _as_it_was:
        yield
        return
    fd = sys.stdin.fileno()
    with stop_signals_held():
        try:
            hidden = termios.tcgetattr(fd)
        except termios.error:  # the terminal hung up: the read meets it
            hidden = _as_it_was[-1]
        _set(fd, termios.TCSAFLUSH, _as_it_was[-1])
    try:
        yield
    finally:
        with stop_signals_held():
            _set(fd, termios.TCSANOW, hidden)


def _set(fd: int, when: int, settings: list[int | list[bytes | int]]) -> None:
    with suppress(termios.error):  # the terminal hung up (SIGHUP): nothing left to set back
        termios.tcsetattr(fd, when, settings)
