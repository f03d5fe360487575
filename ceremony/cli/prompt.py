"""Questions at the terminal that a stop signal always interrupts.

``input()`` and ``getpass()`` block in C: a SIGTERM that lands after the
prompt is written but before the read begins is noted and then waits for the
operator's Enter, so the ceremony seems to ignore it. At a terminal these
wait for the line in short slices instead, going back to Python between them,
so a stop signal is acted on within a quarter of a second wherever it lands.
Away from a terminal (a pipe, a test) they are plain ``input()`` and
``getpass()``. A prompt may name a key or a file: it is made safe to show
first (output.py).
"""

from __future__ import annotations

import getpass
import select
import sys
import termios
from typing import TextIO

from ceremony.cli.output import terminal_safe

_SLICE = 0.25  # seconds between looks for a pending signal


def ask(prompt: str) -> str:
    """One line typed at the terminal, without its newline."""
    prompt = terminal_safe(prompt)
    if not sys.stdin.isatty():
        return input(prompt)
    sys.stdout.write(prompt)
    sys.stdout.flush()
    return _line(sys.stdin)


def ask_hidden(prompt: str) -> str:
    """One line typed at the terminal and not shown (a passphrase, a PIN, share words)."""
    prompt = terminal_safe(prompt)  # getpass writes it to the terminal itself
    if not sys.stdin.isatty():
        return getpass.getpass(prompt)
    fd = sys.stdin.fileno()
    before = termios.tcgetattr(fd)
    quiet = termios.tcgetattr(fd)
    quiet[3] &= ~termios.ECHO
    sys.stderr.write(prompt)
    sys.stderr.flush()
    termios.tcsetattr(fd, termios.TCSAFLUSH, quiet)
    try:
        return _line(sys.stdin)
    finally:
        termios.tcsetattr(fd, termios.TCSAFLUSH, before)
        sys.stderr.write("\n")
        sys.stderr.flush()


def _line(stream: TextIO) -> str:
    while not select.select([stream], [], [], _SLICE)[0]:
        pass  # a stop signal raises here, between slices
    line = stream.readline()
    if not line:
        raise EOFError
    return line.rstrip("\n")
