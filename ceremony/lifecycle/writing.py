"""Writing what ``ceremony next`` and ``ceremony calendar`` make: whole or not at all.

A hidden file in the same folder is written, synced and given its name without
replacing anything (bundle/files.py's ``write_new_whole``, as every file the tool
makes whole: a hard link, or a rename where there are none), so the file appears
whole or not at all, and a file already there (or a link of that name) is never
overwritten.
"""

from __future__ import annotations

from ceremony.bundle.files import write_new_whole
from ceremony.bundle.path_kinds import name_taken
from ceremony.errors import CeremonyError
from ceremony.verify.problem import safe_path

TYPE_CHECKING = False
if TYPE_CHECKING:  # `ceremony next` names its script as text (cli/quick.py's path_text)
    from ceremony.bundle.files import P


def write_whole(path: P, text: str, option: str) -> None:
    """Write ``text`` at ``path`` whole or not at all; never over a file. ``option``
    is the command-line option that named it (``-o``, ``--ics``), for the message."""
    if name_taken(path):
        raise CeremonyError("a file of that name is already there", where=safe_path(str(path)),
                            todo=f"give another {option} name, or move the old file away")
    try:
        write_new_whole([(path, text.encode())])
    except OSError as error:
        raise CeremonyError(f"the file could not be written: {error.strerror or error}",
                            where=safe_path(str(path)),
                            todo="check the folder exists and is writable") from None
