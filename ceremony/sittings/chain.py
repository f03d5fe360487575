"""Transcript segments: lines that continue a chain begun elsewhere.

A signing sitting continues the request's transcript from its head, so each
sitting's segment chains to the request's; the sealing sitting checks every
segment that way before it takes it into the one chain of the bundle.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence

from ceremony.bundle.transcript import GENESIS
from ceremony.errors import CeremonyError


def chain_head(
    lines: Sequence[bytes], what: str, *, prev: str = GENESIS, seq: int = 0
) -> str:
    """The head of ``lines`` once each is checked to follow ``prev`` and ``seq``;
    a CeremonyError naming the first line that does not."""
    head = prev
    for number, line in enumerate(lines):
        try:
            entry = json.loads(line)
        except ValueError:
            entry = None
        if not isinstance(entry, dict) or entry.get("prev") != head or (
            entry.get("seq") != seq + number
        ):
            raise CeremonyError(
                f"line {number + 1} of the {what} does not follow the line before it",
                todo="the record was changed, cut or reordered: do not use it",
            )
        head = hashlib.sha256(line).hexdigest()
    return head
