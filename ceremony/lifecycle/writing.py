"""Writing what ``ceremony next`` and ``ceremony calendar`` make: whole or not at all.

A hidden file in the same folder is written and renamed into place without
replacing anything, so the file appears whole or not at all, and a file
already there (or a link of that name) is never overwritten.
"""

from __future__ import annotations

import os
from pathlib import Path

from ceremony.bundle.files import rename_no_replace, write_new
from ceremony.errors import CeremonyError
from ceremony.verify.problem import safe_path


def write_whole(path: Path, text: str, option: str) -> None:
    """Write ``text`` at ``path`` whole or not at all; never over a file. ``option``
    is the command-line option that named it (``-o``, ``--ics``), for the message."""
    if path.exists() or path.is_symlink():
        raise CeremonyError("a file of that name is already there", where=safe_path(str(path)),
                            todo=f"give another {option} name, or move the old file away")
    hidden = path.parent / f".{path.name}.partial-{os.urandom(4).hex()}"  # secrets.token_hex(4)
    try:
        write_new(hidden, text.encode(), 0o644)
        rename_no_replace(hidden, path)
    except OSError as error:
        raise CeremonyError(f"the file could not be written: {error.strerror or error}",
                            where=safe_path(str(path)),
                            todo="check the folder exists and is writable") from None
    finally:
        if hidden.exists():
            os.unlink(hidden)
