"""The docs' links and the doc paths the code names all lead somewhere.

The docs live in three folders (docs/runbooks/ for the people in the room,
docs/reference/ for scripts and formats, docs/design/ for developers); a file moved
between them must not leave a link, an error message or a sheet pointing at nothing.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")
NAMED = re.compile(r"docs/[\w/.-]+\.(?:md|yaml)")


def markdown_files() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("**/*.md"))]


def test_every_relative_link_in_the_docs_resolves() -> None:
    broken = [
        f"{page.relative_to(ROOT)}: {target}"
        for page in markdown_files()
        for target in LINK.findall(page.read_text())
        if not re.match(r"[a-z]+:", target) and not (page.parent / target).exists()
    ]
    assert broken == []


def test_every_doc_path_named_in_code_exists() -> None:
    sources = [
        *ROOT.glob("ceremony/**/*.py"), *ROOT.glob("hsm/**/*.py"),
        *ROOT.glob("tests/**/*.py"), *ROOT.glob("scripts/*"), *markdown_files(),
    ]
    missing = sorted({
        f"{source.relative_to(ROOT)}: {named}"
        for source in sources if source.is_file()
        for named in NAMED.findall(source.read_text(errors="replace"))
        if not (ROOT / named).exists() and "/guide/" not in named and "/.../" not in named
    })
    assert missing == []


def test_the_docs_are_split_by_reader() -> None:
    loose = sorted(p.name for p in (ROOT / "docs").glob("*.md"))
    assert loose == [], "each page belongs in docs/runbooks, docs/reference or docs/design"
