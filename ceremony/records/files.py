"""Writing a printed record: the PDF and, beside it, its plain text.

``FILE.pdf`` and ``FILE.txt`` appear whole or not at all: each is written
under a temporary name, synced, then given its name without replacing
anything (bundle/files.py's ``write_new_whole``); if either fails, neither is
left. An existing file is never overwritten.
"""

from __future__ import annotations

import os
from pathlib import Path

from ceremony.bundle.files import write_new_whole
from ceremony.errors import MediaError
from ceremony.records.document import Document, document_text
from ceremony.records.pdf import document_pdf

PAPERS = ("a4", "letter")


def text_path(pdf_path: Path) -> Path:
    """Where the plain text of ``pdf_path`` goes: the same name, ``.txt``."""
    return pdf_path.with_suffix(".txt")


def outside(path: Path, bundle: Path) -> None:
    """Refuse to write ``path`` into ``bundle``: a sealed bundle holds only what it sealed."""
    if path.absolute().resolve().is_relative_to(bundle.absolute().resolve()):
        raise MediaError(f"{path} is inside the bundle {bundle}",
                         todo="write it outside the bundle: a file added to a sealed bundle "
                         "makes it fail `ceremony verify`")


def check_output(pdf_path: Path) -> None:
    """Refuse an output that cannot be written, before any work is done."""
    if pdf_path.suffix.lower() != ".pdf":
        raise MediaError(f"{pdf_path}: the output must be a .pdf file",
                         todo="name a file ending in .pdf; its text goes beside it as .txt")
    for path in (pdf_path, text_path(pdf_path)):
        if os.path.lexists(path):
            raise MediaError(f"{path} already exists", todo="name a new file, or move that one")
    if not pdf_path.parent.is_dir():
        raise MediaError(f"{pdf_path.parent} is not a folder",
                         todo="create it first, or name a file in an existing folder")


def write_document(document: Document, pdf_path: Path, paper: str = "a4") -> tuple[Path, Path]:
    """Write ``pdf_path`` and its ``.txt``; return both paths."""
    check_output(pdf_path)
    if paper not in PAPERS:
        raise MediaError(f"paper {paper!r} is not known", todo="use a4 or letter")
    outputs = ((pdf_path, document_pdf(document, paper)),
               (text_path(pdf_path), document_text(document).encode()))
    try:
        write_new_whole(outputs)
    except OSError as error:
        raise MediaError(f"cannot write {pdf_path}: {error.strerror or error}",
                         todo="check the folder is writable and has room; nothing was left"
                         ) from None
    return pdf_path, text_path(pdf_path)
