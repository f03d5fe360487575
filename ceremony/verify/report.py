"""What a verification found: problems, one line each, and facts for a summary.

A :class:`Problem` says where (a path inside the bundle, or a transcript line)
and what is wrong, in words an operator can act on. Text that came from the
media is shown through :func:`shown`, so a hostile file name or field cannot
put control characters on the operator's terminal. Nothing here prints.
"""

from __future__ import annotations

from dataclasses import dataclass, field

_MAX_SHOWN = 60


def shown(value: object) -> str:
    """A JSON value from the media, fit for a message: strings quoted,
    escaped and cut short; other values named as JSON names them."""
    if isinstance(value, str):
        if len(value) > _MAX_SHOWN:
            value = value[:_MAX_SHOWN] + "..."
        return repr(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, int):
        text = str(value) if abs(value) < 10**_MAX_SHOWN else "a huge number"
        return text
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def safe_path(path: str) -> str:
    """A path from the media, fit to stand at the start of a problem line."""
    if path.isprintable() and "\\" not in path:
        return path
    return repr(path)[1:-1]


def short(keyid: str) -> str:
    """A key's short id: the first 8 hex digits of its keyid."""
    return safe_path(keyid[:8])


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a bundle: where it is and what it is."""

    where: str
    what: str

    def __str__(self) -> str:
        return f"{self.where}: {self.what}"


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
