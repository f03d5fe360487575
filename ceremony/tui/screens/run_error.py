"""What the run screen shows when a ceremony stopped: the error modal's words.

``error_modal`` turns the error a ceremony ended on into the modal's title,
what happened and what to do next, by its kind (a stop by the operator, a
ceremony's own error, a key backend's, or a fault in the tool), and says
what is left: nothing sealed, and where the transcript of the attempt is.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ceremony.errors import CeremonyAbandonedError, CeremonyError
from ceremony.tui.record import CeremonyRecord

if TYPE_CHECKING:
    from ceremony.tui.modals.error import ErrorModal

ERROR_TITLES = {
    "PreflightError": "The ceremony stopped in preflight: nothing was done",
    "MediaError": "The ceremony stopped: a problem with the media",
    "ScriptError": "The ceremony stopped: a problem in the script",
    "BundleError": "The ceremony stopped: the current bundle cannot be used",
}


def error_modal(
    error: BaseException, records: list[CeremonyRecord], kept: str = ""
) -> ErrorModal:
    """The modal for a ceremony that stopped: what, why, what next, what is
    left; ``kept`` is the transcript of the attempt (empty: none was kept)."""
    from ceremony.tui.modals.error import ErrorModal
    from hsm.errors import KeyBackendError

    notes = ["Nothing was sealed: the staging folder was removed."]
    if kept:
        notes.append(f"The transcript of the attempt is at {kept}.")
    else:
        notes.append("No transcript of the attempt was kept: nothing had been written yet.")
    sealing = bool(records) and records[-1].steps_done
    if isinstance(error, CeremonyAbandonedError):
        title = "The ceremony was stopped"
        what = f"{error.where}: {error.what}" if error.where else error.what
        todo = error.todo
    elif isinstance(error, CeremonyError):
        title = ERROR_TITLES.get(type(error).__name__, "The ceremony stopped")
        if sealing:
            title = "Every step ran, but writing the bundle failed: nothing was sealed"
        what = f"{error.where}: {error.what}" if error.where else error.what
        todo = error.todo
    elif isinstance(error, KeyBackendError):
        title = "The ceremony stopped: a key could not be used"
        what = error.what
        todo = error.todo or "check the key or token named, then run the ceremony again"
    else:
        title = "The ceremony stopped: a fault in the tool"
        what = f"internal error: {type(error).__name__}"
        todo = "this is a bug, not your mistake: report it with the transcript of the attempt"
    return ErrorModal(title, what, todo, tuple(notes))
