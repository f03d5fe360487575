"""What a stopped ceremony left on the media, named so that it can be removed.

A ceremony killed while it wrote (power cut, SIGKILL) can leave a staging
folder (``.NAME.incomplete-XXXXXXXX``) holding encrypted keys, or a bundle
renamed into place whose INCOMPLETE mark was not yet removed. Neither passes
``ceremony verify``. The next ``validate`` or ``run`` names them
(:func:`leftovers_beside`), and ``ceremony clean`` removes exactly these
(:func:`leftover_kind` says whether a folder is one), overwriting key files
first. A sealed bundle is never a leftover and is never removed here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ceremony.bundle.files import remove_overwriting
from ceremony.bundle.writer import INCOMPLETE, STAGING_NAME


@dataclass(frozen=True)
class Leftover:
    path: Path
    what: str  # in words: "the staging folder of a ceremony that never ended"


def leftover_kind(path: Path) -> str | None:
    """What ``path`` is, when a stopped ceremony left it; None otherwise."""
    if path.is_symlink() or not path.is_dir():
        return None
    if STAGING_NAME.match(path.name):
        return "the staging folder of a ceremony that never ended"
    if (path / INCOMPLETE).is_file():
        return "a bundle whose sealing was interrupted (its INCOMPLETE mark is still there)"
    return None


def leftovers_beside(output: Path) -> list[Leftover]:
    """The leftovers of earlier attempts at writing ``output``."""
    found: list[Leftover] = []
    parent = output.parent
    if not parent.is_dir():
        return found
    candidates = [output] + sorted(parent.glob(f".{output.name}.incomplete-*"))
    for path in candidates:
        what = leftover_kind(path)
        if what is not None:
            found.append(Leftover(path, what))
    return found


def remove_leftover(path: Path) -> str:
    """Remove the leftover at ``path`` (key files overwritten first); what it was.
    Raises ValueError when ``path`` is not a leftover."""
    what = leftover_kind(path)
    if what is None:
        raise ValueError(str(path))
    remove_overwriting(path)
    return what
