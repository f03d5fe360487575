"""What a stopped ceremony left on the media, named so that it can be removed.

A ceremony killed while it wrote (power cut, SIGKILL) can leave a staging
folder (``.NAME.incomplete-XXXXXXXX``) holding encrypted keys, a file or folder
still under the hidden name it is written under (``.NAME.partial-XXXXXXXX``: a
signature file, a request, a script, a record; beside a decommission's sealed
bundle, part of its destruction record), or a bundle renamed into place
whose INCOMPLETE mark was not yet removed. None passes ``ceremony verify``.
Custody copies (``custody-ID``) and share-sheet folders (``shares-ID``) are
written with the same mark, removed only once the
bundle is sealed: a marked one is from a ceremony that never sealed, and
recovery refuses it. The next ``validate`` or ``run`` names them all
(:func:`leftovers_beside`), and ``ceremony clean`` removes exactly these
(:func:`leftover_kind` says whether a folder is one), overwriting key files
first. A sealed bundle is never a leftover and is never removed here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ceremony.bundle.destruction_record import PART_TODO, RECORD_SUFFIX, record_parts
from ceremony.bundle.files import PARTIAL_NAME, remove_overwriting
from ceremony.bundle.writer import STAGING_NAME, is_marked

#: the folder names custody copies and share sheets are written under, ID appended
CUSTODY_COPY_PREFIX = "custody-"
SHEETS_PREFIX = "shares-"


@dataclass(frozen=True)
class Leftover:
    path: Path
    what: str  # in words: "the staging folder of a ceremony that never ended"


def leftover_kind(path: Path) -> str | None:
    """What ``path`` is, when a stopped ceremony left it; None otherwise."""
    if path.is_symlink():
        return None
    if (partial := PARTIAL_NAME.fullmatch(path.name)) and (path.is_file() or path.is_dir()):
        if partial["name"].endswith(RECORD_SUFFIX) and path.is_file():
            return (f"part of the destruction record {partial['name']!r}, whose writing was "
                    f"stopped (a kill after the seal) before it was whole; {PART_TODO}")
        return (f"part of {partial['name']!r}, whose writing was stopped before it was "
                "whole; it was never named")
    if not path.is_dir():
        return None
    if STAGING_NAME.match(path.name):
        return "the staging folder of a ceremony that never ended"
    if not is_marked(path):
        return None
    if path.name.startswith(CUSTODY_COPY_PREFIX):
        return ("a custody copy from a ceremony whose bundle was never sealed (its "
                "INCOMPLETE mark is still there); it restores nothing")
    if path.name.startswith(SHEETS_PREFIX):
        return ("the share sheets of a ceremony whose bundle was never sealed (their "
                "INCOMPLETE mark is still there); they recover nothing")
    return "a bundle whose sealing was interrupted (its INCOMPLETE mark is still there)"


def leftovers_beside(output: Path, custody: Sequence[Path] = ()) -> list[Leftover]:
    """The leftovers of earlier attempts at writing ``output``, and in the
    ``custody`` folders (the custody media, the sheets' folder): marked
    copies and sheets, and their staging folders."""
    candidates: list[Path] = []
    if output.parent.is_dir():
        candidates += [output, *sorted(output.parent.glob(f".{output.name}.incomplete-*"))]
        candidates += record_parts(output)  # beside a sealed decommission's bundle
    for folder in custody:
        if folder.is_dir() and not folder.is_symlink():
            candidates += sorted(
                path for prefix in (CUSTODY_COPY_PREFIX, SHEETS_PREFIX)
                for path in [*folder.glob(f"{prefix}*"), *folder.glob(f".{prefix}*")]
            )
    found: list[Leftover] = []
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
    if path.is_dir():
        remove_overwriting(path)
    else:  # a part-written file: a signature file, a script, a record (never a key)
        path.unlink()
    return what
