"""The recovery-without-ceremony procedure, as text, for every custody medium.

A custody copy must be usable on the day this tool cannot be installed, so
each copy's folder carries docs/runbooks/recovery-without-ceremony.md as plain text
(:data:`FILE_NAME`), beside ``bundle.age`` and ``custody.json``. The text
ships inside the package (package data: ceremony/custody/ links to the doc,
so there is one copy of it in the tree) and is read here; a missing or
empty one is a fault of the installation, said so plainly.
"""

from __future__ import annotations

from importlib import resources

from ceremony.errors import CeremonyError

FILE_NAME = "recovery-without-ceremony.txt"  # on the media, beside the copy
_RESOURCE = "recovery-without-ceremony.md"
#: on a rehearsal's copy, beside the procedure
REHEARSAL_FILE = "REHEARSAL"
REHEARSAL_TEXT = (
    b"This custody copy was made by a REHEARSAL: its keys are practice keys.\n"
    b"Never trust them, never use them for production, and destroy this medium's copy\n"
    b"when the rehearsal is over.\n"
)


def recovery_text() -> bytes:
    """The procedure's text, as the package ships it."""
    try:
        text = resources.files("ceremony.custody").joinpath(_RESOURCE).read_bytes()
    except OSError:
        text = b""
    if not text.strip():
        raise CeremonyError(
            "the recovery-without-ceremony procedure is missing from this installation",
            todo="reinstall the tool from its offline kit; nothing was written",
        )
    return text


def beside_copy(rehearsal: bool) -> dict[str, bytes]:
    """The files each custody copy's folder gets beside the bundle and its record."""
    files = {FILE_NAME: recovery_text()}
    if rehearsal:
        files[REHEARSAL_FILE] = REHEARSAL_TEXT
    return files
