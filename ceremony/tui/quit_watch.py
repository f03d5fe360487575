"""The process ends when the terminal UI stops answering after a stop signal.

SIGTERM and SIGHUP stop a running ceremony as Ctrl+Q would, then quit. A
terminal that hung up can leave the app's event loop waiting for ever on a
write to it (Textual's output queue full, nothing taking from it): the stop
and the quit would then never happen, and the process would stay, unseen,
perhaps spinning on the dead terminal's end of file. :class:`QuitWatch`,
started by the signal, asks the loop for an answer ten times a grace: while it
answers, the stop takes the time it needs (a key being made on a token ends
first, and is named in the transcript); once it has not answered for
QUIT_GRACE seconds, the process ends as a SIGKILL would end it, which a
ceremony survives (its transcript whole to its last line, nothing sealed,
`ceremony clean` for a staging folder left).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
import time

QUIT_GRACE = 15.0  # seconds without an answer from the event loop


class QuitWatch(threading.Thread):
    """Ends the process with ``code`` once ``loop`` has not answered for QUIT_GRACE
    seconds (a process that quits in time ends without it: a daemon thread)."""

    def __init__(self, loop: asyncio.AbstractEventLoop, code: int) -> None:
        super().__init__(daemon=True, name="quit-watch")
        self.loop, self.code = loop, code
        self.answered = time.monotonic()

    def answer(self) -> None:
        self.answered = time.monotonic()

    def run(self) -> None:
        while time.monotonic() - self.answered < QUIT_GRACE:
            # a closed loop raises: the process is ending, or stuck in its ending
            with contextlib.suppress(RuntimeError):
                self.loop.call_soon_threadsafe(self.answer)
            time.sleep(QUIT_GRACE / 10)
        os._exit(self.code)
