"""What a verification found: problems, one line each, facts for a summary,
and the contents read (for a ceremony that builds on the bundle). Nothing
here prints.
"""

from __future__ import annotations

from ceremony.verify.contents import BundleContents
from ceremony.verify.problem import Problem


class VerificationReport:
    """Everything ``verify_bundle`` found, problems first, then facts (a plain
    class: see BundleContents)."""

    def __init__(
        self, bundle: str, checked_at: str, contents: BundleContents | None = None
    ) -> None:
        self.bundle = bundle
        self.checked_at = checked_at  # YYYY-MM-DDTHH:MM:SSZ, the time expiry was judged against
        self.problems: list[Problem] = []
        self.root_versions: list[int] = []
        self.root_expires: str | None = None  # the newest root's expiry
        self.targets_version: int | None = None
        self.targets_expires: str | None = None
        self.transcript_head: str | None = None
        self.transcript_lines = 0
        self.files_checked = 0
        self.rehearsal = False
        self.ceremony: str | None = None  # the kind, from MANIFEST.json
        self.ceremony_id: str | None = None
        self.flavor: str | None = None  # the flavor that judged it
        # what was read, for a ceremony that builds on the bundle (verify once)
        self.contents = contents

    def __repr__(self) -> str:
        return (f"VerificationReport({self.bundle!r}, {self.flavor} {self.ceremony}, "
                f"problems={self.problems!r})")

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
