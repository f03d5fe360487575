"""Questions at the terminal that a stop signal always interrupts.

``input()`` and ``getpass()`` block in C: a SIGTERM that lands after the
prompt is written but before the read begins is noted and then waits for the
operator's Enter, so the ceremony seems to ignore it. At a terminal these
wait for the line in short slices instead, going back to Python between them,
so a stop signal is acted on within a quarter of a second wherever it lands.
Away from a terminal (a pipe, a test) they are plain ``input()`` and
``getpass()``. A prompt may name a key or a file: it is made safe to show
first (output.py). At a terminal, what was typed before a hidden answer is
asked for is thrown away, so a secret typed early is never taken for another;
while a command runs with typing hidden (hidden_typing.py), so is what was
typed before any question, and a shown answer is the only typing shown.

While a ceremony runs (:func:`listening_for_exceptions`), ``!`` typed alone at
any question records a witness exception instead: what happened, why and
who records it are asked, the time is taken, and the question is asked
again (ceremony/witness.py).
"""

from __future__ import annotations

import contextlib
import getpass
import select
import sys
import termios
from collections.abc import Callable, Iterator
from typing import TextIO

from ceremony.cli.hidden_typing import answer_shown, in_force
from ceremony.safe_text import terminal_safe
from ceremony.witness import EXCEPTION_KEY, WitnessLog

_SLICE = 0.25  # seconds between looks for a pending signal


_witness: list[WitnessLog] = []  # the log of the ceremony running now, if any


@contextlib.contextmanager
def listening_for_exceptions(log: WitnessLog) -> Iterator[WitnessLog]:
    """While inside, ``!`` at any question records an exception into ``log``."""
    _witness.append(log)
    try:
        yield log
    finally:
        _witness.remove(log)


def ask(prompt: str) -> str:
    """One line typed at the terminal, without its newline (``!``: an exception first)."""
    return _answer(_ask, prompt)


def ask_hidden(prompt: str) -> str:
    """One line typed and not shown (a passphrase, a PIN, share words); ``!`` as for ask."""
    return _answer(_ask_hidden, prompt)


def _answer(read: Callable[[str], str], prompt: str) -> str:
    while True:
        answer = read(prompt)
        if not (_witness and answer.strip() == EXCEPTION_KEY):
            return answer
        _record_exception(_witness[-1])


def _record_exception(log: WitnessLog) -> None:
    print("  EXCEPTION: the witness records a deviation from the run sheet.", file=sys.stderr)
    what = _ask("  What happened? ").strip()
    why = _ask("  Why (and what was done about it)? ").strip()
    default = f" (Enter: {log.witness})" if log.witness else ""
    witness = _ask(f"  Witness recording it{default}: ").strip()
    if not what or not why:
        print("  Not recorded: it needs both what and why. The question again:",
              file=sys.stderr)
        return
    exception = log.add(what, why, witness)
    print(f"  Exception recorded at {exception.at}; it goes into the transcript and the "
          "printed record. The question again:", file=sys.stderr)


def _ask(prompt: str) -> str:
    prompt = terminal_safe(prompt)
    if not sys.stdin.isatty():
        return input(prompt)
    with answer_shown():
        sys.stdout.write(prompt)
        sys.stdout.flush()
        return _line(sys.stdin)


def _ask_hidden(prompt: str) -> str:
    prompt = terminal_safe(prompt)  # getpass writes it to the terminal itself
    if not sys.stdin.isatty():
        return getpass.getpass(prompt)
    fd = sys.stdin.fileno()
    before = termios.tcgetattr(fd)
    quiet = termios.tcgetattr(fd)
    quiet[3] &= ~termios.ECHO
    try:  # what was typed before: thrown away
        with in_force(fd, quiet, termios.TCSAFLUSH, then=before, then_when=termios.TCSAFLUSH):
            sys.stderr.write(prompt)
            sys.stderr.flush()
            return _line(sys.stdin)
    finally:
        sys.stderr.write("\n")
        sys.stderr.flush()


def _line(stream: TextIO) -> str:
    while not select.select([stream], [], [], _SLICE)[0]:
        pass  # a stop signal raises here, between slices
    line = stream.readline()
    if not line:
        raise EOFError
    return line.rstrip("\n")
