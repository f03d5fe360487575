"""Reading printed records back as a person and a scanner would.

``pdf_text`` extracts a PDF's text with poppler's pdftotext; ``pdf_qr_codes``
renders every page with pdftoppm and reads every QR code on it with zbar's
zbarimg. Both are real tools the tests run (poppler-utils, zbar-tools).
"""

from __future__ import annotations

import subprocess
from pathlib import Path


def pdf_text(pdf: Path) -> str:
    done = subprocess.run(["pdftotext", "-layout", str(pdf), "-"],
                          check=True, capture_output=True, text=True)
    return done.stdout


def pdf_pages(pdf: Path, folder: Path) -> list[Path]:
    """Every page of ``pdf`` as a PNG in ``folder`` (150 dpi, as a scanner reads paper)."""
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdftoppm", "-r", "150", "-png", str(pdf), str(folder / pdf.stem)],
                   check=True, capture_output=True)
    pages = sorted(folder.glob(f"{pdf.stem}*.png"))
    assert pages, f"pdftoppm rendered no page of {pdf}"
    return pages


def pdf_qr_codes(pdf: Path, folder: Path) -> set[str]:
    """The text of every QR code on every page of ``pdf``."""
    found: set[str] = set()
    for page in pdf_pages(pdf, folder):
        done = subprocess.run(["zbarimg", "-q", "--raw", str(page)],
                              capture_output=True, text=True)
        assert done.returncode in (0, 4), done.stderr  # 4: no code on this page
        found |= {line for line in done.stdout.splitlines() if line}
    return found


def squeezed(text: str) -> str:
    """``text`` with all white space removed: a grouped digest reads as one word."""
    return "".join(text.split())
