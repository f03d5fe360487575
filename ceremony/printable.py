"""Which characters of a script's text the printed PDFs can show.

A share sheet prints with fpdf2's core fonts, Latin-1 only. The run sheet
and the records embed DejaVu Sans when Debian's fonts-dejavu-core is
installed (ceremony/records/fonts.py): Latin, Greek, Cyrillic and more, but
no Chinese or Japanese, which fpdf would leave blank. Without DejaVu the
records print ``?`` for what Latin-1 lacks, as documented, so nothing is
refused then. The loader asks :func:`unprintable` so such text is refused
before the ceremony, not found blank on paper after it.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

DEJAVU = Path("/usr/share/fonts/truetype/dejavu")


def unprintable(text: str, *, latin_only: bool) -> str:
    """The characters of ``text``, each once, in order, that the PDF font cannot
    show: the core fonts' (``latin_only``, a share sheet) or the records'. Latin-1
    text is shown by both, and answered without reading the font."""
    if all(ord(char) < 0x100 for char in text):
        return ""
    shown = _records_font() if not latin_only else None
    missing = []
    for char in text:
        if latin_only:
            fits = ord(char) < 0x100
        else:
            fits = shown is None or ord(char) in shown or char.isspace()
        if not fits and char not in missing:
            missing.append(char)
    return "".join(missing)


@cache
def _records_font() -> frozenset[int] | None:
    """The code points DejaVu Sans has glyphs for (None: not installed)."""
    path = DEJAVU / "DejaVuSans.ttf"
    if not path.is_file():
        return None
    from fontTools.ttLib import TTFont

    return frozenset(TTFont(str(path), lazy=True).getBestCmap())
