"""What the headless commands write, made safe for the operator's terminal.

A script, a bundle or a file on media can carry text (a title, a key name, a
path, a field) holding terminal control sequences: ones that clear the
screen, move the cursor, rewrite a line or retitle the window, right above
the sha256 a witness compares. While a command runs, everything it writes to
stdout and stderr goes through :func:`terminal_safe`, so a control or format
character (C0 but newline and tab, DEL, C1, bidirectional overrides) is shown
as its escape (``\\x1b``) and never reaches the terminal as itself. Prompts
are made safe the same way before they are written (``getpass`` writes to
the terminal directly).

Nothing here decides what is written; it only makes it harmless.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO, cast

_KEPT = frozenset("\n\t")
_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


def terminal_safe(text: str) -> str:
    """``text`` with every character a terminal would act on shown escaped."""
    if text.isascii():
        if text.isprintable():
            return text  # the common case, quickly
        # in ASCII, the characters of the refused categories are exactly the ones
        # that are not printable (C0 and DEL): no need of unicodedata, a hundredth of
        # `ceremony verify`'s start-up
        return "".join(ch if ch.isprintable() or ch in _KEPT else _escaped(ch) for ch in text)
    import unicodedata

    return "".join(
        _escaped(ch)
        if ch not in _KEPT and unicodedata.category(ch) in _REFUSED_CATEGORIES
        else ch
        for ch in text
    )


def _escaped(ch: str) -> str:
    code = ord(ch)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


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
