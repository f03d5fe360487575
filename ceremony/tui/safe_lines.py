"""The last guard between the screens and the terminal: no control character as itself.

A screen shows text from a bundle, a request or a signature file escaped
(ceremony/safe_text.py: a request's words, the verify report). Textual itself
drops only BEL, BS, VT, FF and CR from what it draws, and passes ESC, C1
controls and bidirectional overrides on to the terminal, where a hostile name
could retitle the window, clear the screen or reverse a line. The app runs
every line it draws through :class:`NoControlCharacters`, which drops any
such character a screen did not escape (an event's words, an error naming a
path, a field's value). Each of them takes no cell, so the lines stay as
Textual laid them out; escaping here would widen them.
"""

from __future__ import annotations

from functools import lru_cache

from rich.segment import Segment
from textual.color import Color
from textual.filter import LineFilter

from ceremony.safe_text import terminal_safe


@lru_cache(maxsize=4096)  # a screen draws the same texts again and again
def _without_controls(text: str) -> str:
    if terminal_safe(text) == text:
        return text
    return "".join(ch for ch in text if terminal_safe(ch) == ch)


class NoControlCharacters(LineFilter):
    """Drop every character a terminal would act on from a drawn line."""

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        return [
            segment if segment.control or (segment.text.isascii() and segment.text.isprintable())
            else Segment(_without_controls(segment.text), segment.style, segment.control)
            for segment in segments
        ]
