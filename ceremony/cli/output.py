"""What the headless commands write, made safe for the operator's terminal.

While a command runs, everything it writes to stdout and stderr goes through
ceremony/safe_text.py's :func:`terminal_safe`, so a control or format
character from a script or the media (an escape sequence, a bidirectional
override) is shown as its escape (``\\x1b``) and never reaches the terminal
as itself. Prompts are made safe the same way before they are written
(``getpass`` writes to the terminal directly).

Nothing here decides what is written; it only makes it harmless.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO, cast

from ceremony.safe_text import terminal_safe


class _SafeStream:
    """A text stream that writes everything through :func:`terminal_safe`."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        self._stream.write(terminal_safe(text))
        return len(text)

    def __getattr__(self, name: str) -> object:
        return getattr(self._stream, name)


@contextmanager
def safe_terminal() -> Iterator[None]:
    """Within the block, stdout and stderr show no control character as itself."""
    before = sys.stdout, sys.stderr
    sys.stdout = cast(TextIO, _SafeStream(sys.stdout))
    sys.stderr = cast(TextIO, _SafeStream(sys.stderr))
    try:
        yield
    finally:
        sys.stdout, sys.stderr = before
