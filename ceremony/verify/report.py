"""What a verification found: problems, one line each, facts for a summary,
and the contents read (for a ceremony that builds on the bundle). Nothing
here prints.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ceremony.verify.contents import BundleContents
from ceremony.verify.problem import Problem


@dataclass
class VerificationReport:
    """Everything ``verify_bundle`` found, problems first, then facts."""

    bundle: str
    checked_at: str  # YYYY-MM-DDTHH:MM:SSZ, the time expiry was judged against
    problems: list[Problem] = field(default_factory=list)
    root_versions: list[int] = field(default_factory=list)
    root_expires: str | None = None  # the newest root's expiry
    targets_version: int | None = None
    targets_expires: str | None = None
    transcript_head: str | None = None
    transcript_lines: int = 0
    files_checked: int = 0
    rehearsal: bool = False
    ceremony: str | None = None  # the kind, from MANIFEST.json
    ceremony_id: str | None = None
    flavor: str | None = None  # the flavor that judged it
    # what was read, for a ceremony that builds on the bundle (verify once)
    contents: BundleContents | None = field(default=None, repr=False, compare=False)

    @property
    def ok(self) -> bool:
        """True when no problem was found."""
        return not self.problems

    @property
    def newest_root_version(self) -> int | None:
        return max(self.root_versions) if self.root_versions else None

    def lines(self) -> list[str]:
        """One line per problem, in the order found."""
        return [str(problem) for problem in self.problems]
