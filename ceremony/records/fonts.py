"""The fonts printed records use: DejaVu, embedded, for text beyond Latin-1.

fpdf2's core fonts (Helvetica, Courier) print Latin-1 only. When Debian's
fonts-dejavu-core is installed (scripts/install-test-tools installs it, the
offline kit carries it), DejaVu Sans and DejaVu Sans Mono are embedded in
each PDF, so a title or a name in Cyrillic, Greek or with any accent prints
whole. Without them the core fonts are used, and a character beyond Latin-1
prints as ``?`` (the text file beside the PDF always has it whole). A
title DejaVu has no glyphs for (Chinese, say) is refused by the loader
(ceremony/printable.py), not printed blank. Every text printed goes through
:meth:`Fonts.text`, which shows a control or format character (an escape
sequence, a bidirectional override from a hostile bundle) as its escape
(ceremony/safe_text.py), never as itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fpdf import FPDF

from ceremony.printable import DEJAVU
from ceremony.safe_text import terminal_safe

FILES = {
    ("sans", ""): "DejaVuSans.ttf",
    ("sans", "B"): "DejaVuSans-Bold.ttf",
    ("mono", ""): "DejaVuSansMono.ttf",
    ("mono", "B"): "DejaVuSansMono-Bold.ttf",
}
# typographic marks the core fonts lack, and what prints instead
PLAIN = str.maketrans({"\u2014": "-", "\u2013": "-", "\u2018": "'", "\u2019": "'",
                       "\u201c": '"', "\u201d": '"', "\u2026": "...", "\u2192": "->"})


def latin(text: str) -> str:
    return text.translate(PLAIN).encode("latin-1", "replace").decode("latin-1")


@dataclass(frozen=True)
class Fonts:
    sans: str
    mono: str
    unicode: bool
    scale: float = 1.0  # DejaVu is about a tenth wider than Helvetica: printed smaller

    def text(self, text: str) -> str:
        """``text`` as these fonts print it, control characters escaped."""
        text = terminal_safe(text)
        return text if self.unicode else latin(text)


def embed_fonts(pdf: FPDF, folder: Path = DEJAVU) -> Fonts:
    """Embed DejaVu into ``pdf`` when it is installed; else the core fonts."""
    if not all((folder / name).is_file() for name in FILES.values()):
        return Fonts("helvetica", "courier", unicode=False)
    for (family, style), name in FILES.items():
        pdf.add_font(f"dejavu-{family}", style, str(folder / name))
    return Fonts("dejavu-sans", "dejavu-mono", unicode=True, scale=0.9)
