"""Paths folded for a narrow pane: at their slashes, never mid-name.

Plain text only (no UI toolkit), so the home screen can use it without
loading the widgets: the first screen stays fast. A path shown comes from the
media (a medium's label, a bundle's folder): any control or format character
in it is shown as its escape (ceremony/safe_text.py).
"""

from __future__ import annotations

from pathlib import Path

from ceremony.safe_text import terminal_safe


def path_lines(path: str, width: int, indent: str = "  ") -> list[str]:
    """A path folded to ``width`` at its slashes, never mid-name (only a
    single name longer than a line still wraps inside it); the lines after
    the first are indented one more step; control characters escaped."""
    lines: list[str] = []
    line = indent
    for piece in terminal_safe(path).replace("/", "\x00/").split("\x00"):
        if piece and len(line) + len(piece) > width and line.strip():
            lines.append(line)
            line = indent + "  "
        line += piece
    lines.append(line)
    return lines


def typed_path(text: str, workdir: Path) -> Path:
    """A path as typed in a field: ``~`` expanded, relative to ``workdir``."""
    path = Path(text.strip()).expanduser()
    return path if path.is_absolute() else workdir / path
