"""Reading what a program at a pseudo-terminal writes, as a test drives it
(the controller side of ``pty.openpty()``)."""

from __future__ import annotations

import os
import select
import termios
import time


def read_until(fd: int, wanted: bytes, seen: bytearray, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while wanted not in seen:
        left = deadline - time.monotonic()
        assert left > 0, f"never saw {wanted!r}; saw: {seen.decode(errors='replace')[-2000:]}"
        ready, _, _ = select.select([fd], [], [], left)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:  # the child closed the terminal
                chunk = b""
            assert chunk, f"the run ended before {wanted!r}: {seen.decode(errors='replace')}"
            seen += chunk


def drain(fd: int, seen: bytearray) -> None:
    """Read what the child wrote before it closed its terminal."""
    while select.select([fd], [], [], 5)[0]:
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # EIO: the child is gone
            return
        if not chunk:
            return
        seen += chunk


def echo_off(fd: int, timeout: float = 60) -> None:
    """Wait until the program at the terminal has turned its echo off (a passphrase
    prompt is up): typed before that, a secret would be shown, as a person typing
    too soon would see it."""
    deadline = time.monotonic() + timeout
    while termios.tcgetattr(fd)[3] & termios.ECHO:
        assert time.monotonic() < deadline, "the terminal's echo was never turned off"
        time.sleep(0.01)
