"""The one refusal of `ceremony next` for a flavor it cannot write scripts for yet.

Flavors whose ``next_script`` is not built raise this error, so the operator
reads the same words from each and only the starting point differs.
"""

from __future__ import annotations

from pathlib import Path

from ceremony.errors import CeremonyError


def next_writes_tuf_only(bundle: Path, start_from: str) -> CeremonyError:
    """The error saying `next` writes TUF scripts only; ``start_from`` names where
    the operator finds a script to begin from instead."""
    return CeremonyError(
        "ceremony next writes TUF scripts only, for now",
        where=str(bundle),
        todo=f"start from {start_from}",
    )
