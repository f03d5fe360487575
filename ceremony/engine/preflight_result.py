"""What preflight found: one line per check, and the state the ceremony builds on.

Preflight (preflight.py) and the checks it gathers (the flavor's, custody's,
the tokens') each add their findings here; a failure is a line whose detail
says what to do. Nothing here checks anything.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ceremony.engine.current import CurrentState
from ceremony.events import PreflightChecked
from ceremony.script.recoverability import Recoverability


@dataclass
class PreflightResult:
    checks: list[PreflightChecked] = field(default_factory=list)
    current: CurrentState | None = None  # what the ceremony builds on, as its flavor read it
    network_up: list[str] = field(default_factory=list)
    recoverability: Recoverability | None = None  # the planned root's table of losses
    # the bundle the flavor writes, when it grows with many repositories (a DCT
    # fleet): at the most so many bytes, in so many files and folders (each takes
    # up to a block more on the medium); media_preflight's free-space check
    bundle_bytes: int = 0
    bundle_entries: int = 0
    # the folder names the flavor's bundle holds that come from the script (a DCT
    # fleet's GUNs), for media_preflight to hold to what the medium's filesystem allows
    bundle_names: list[str] = field(default_factory=list)

    @property
    def failures(self) -> list[PreflightChecked]:
        return [c for c in self.checks if not c.ok]

    def add(self, check: str, problem: str | None, detail: str = "", reason: str = "",
            *, subject: str = "", subject_kind: str = "") -> None:
        """One check's line; ``subject`` names the item of one of many alike checks
        (a GUN, at the end of ``check``), of its ``subject_kind``, so front ends
        can show alike checks as one line."""
        self.checks.append(PreflightChecked(check, problem is None, problem or detail, reason,
                                            subject, subject_kind))
