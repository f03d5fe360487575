"""The errors custody can raise: bad shares, damaged bundle copies, wrong keys.

Each says what happened, where (the share being collected, the copy on media)
and what to do next. None carries a secret: no share word, no part of the age
identity, no passphrase. Where a front end needs more to help a person (the
nearest SLIP-39 words to a typo, which group still lacks shares), the error
carries it as data beside its message, never in it. ArchiveCopyError lists
what is wrong with each copy (CopyProblem: a path and a few words).

Two are not for an operator as they are: RecordFormatError (custody.json
does not parse; defined beside the record, so that reading one loads none of
these) and ShareInputError (a share file or image cannot be read) are worded
by their callers, with the copy or the share they concern.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from ceremony.custody.record import RecordFormatError as RecordFormatError
from ceremony.errors import CeremonyError
from ceremony.plain_record import PlainRecord

if TYPE_CHECKING:
    from ceremony.custody.progress import Progress


class CustodyError(CeremonyError):
    """Root-key custody failed: a bundle, a share or a restore."""


class SharePlanError(CustodyError):
    """A share plan (m of n, groups) or SLIP-39 passphrase cannot be used."""


class ShareError(CustodyError):
    """One share offered for recovery was refused; the others are kept.

    ``number`` is the share being collected (1 for the first), ``source``
    where it came from (typed, a file, an image), as the caller named it.
    """

    def __init__(
        self, what: str, *, number: int, source: str = "", todo: str = ""
    ) -> None:
        self.number = number
        self.source = source
        where = f"share {number}" + (f" ({source})" if source else "")
        super().__init__(what, where=where, todo=todo)


class UnknownWordError(ShareError):
    """A word is not in the SLIP-39 word list.

    ``positions`` are the 1-based word numbers that are not SLIP-39 words;
    ``suggestions`` maps each to the nearest words of the list, for the
    screen where the custodian is typing (they are not in the message).
    """

    def __init__(
        self,
        what: str,
        *,
        number: int,
        positions: tuple[int, ...],
        suggestions: dict[int, tuple[str, ...]],
        source: str = "",
        todo: str = "",
    ) -> None:
        self.positions = positions
        self.suggestions = suggestions
        super().__init__(what, number=number, source=source, todo=todo)


class ShareFormatError(ShareError):
    """The text is not a share of a custody bundle (length, padding...)."""


class ShareChecksumError(ShareError):
    """The share's three checksum words do not match the others.

    ``changed`` is the 1-based word that, alone, would explain the failure;
    ``swapped`` the pair of words that, exchanged, would. At most one is set,
    and neither when more than one word is wrong.
    """

    def __init__(
        self,
        what: str,
        *,
        number: int,
        changed: int | None = None,
        swapped: tuple[int, int] | None = None,
        source: str = "",
        todo: str = "",
    ) -> None:
        self.changed = changed
        self.swapped = swapped
        super().__init__(what, number=number, source=source, todo=todo)


class DuplicateShareError(ShareError):
    """The same share (same group and member) was already collected."""


class ForeignShareError(ShareError):
    """The share belongs to another share set: another ceremony or bundle."""


class NotEnoughSharesError(CustodyError):
    """Recovery was asked for before a threshold of shares was collected.

    ``progress`` says which groups have how many, and how many more each needs.
    """

    def __init__(
        self, what: str, *, progress: Progress, where: str = "", todo: str = ""
    ) -> None:
        self.progress = progress
        super().__init__(what, where=where, todo=todo)


class SharesDoNotCombineError(CustodyError):
    """Shares passed their checksums one by one but do not combine."""


class WrongSecretError(CustodyError):
    """The recovered identity does not open this bundle (wrong passphrase)."""


class CopyProblem(PlainRecord):
    """What is wrong with one copy (public: paths and sizes only)."""

    path: Path
    what: str

    def __str__(self) -> str:
        return f"{self.path}: {self.what}"


class ArchiveCopyError(CustodyError):
    """No copy of the custody bundle on the media given is usable.

    ``problems`` lists every copy and what is wrong with it.
    """

    def __init__(
        self,
        what: str,
        *,
        problems: Iterable[CopyProblem] = (),
        where: str = "",
        todo: str = "",
    ) -> None:
        self.problems = tuple(problems)
        super().__init__(what, where=where, todo=todo)


class SuspiciousArchiveError(CustodyError):
    """A copy asks for more work to open than any bundle this tool seals
    (an scrypt work factor above 20): it was not sealed by ceremony, and may
    be made to stall the machine. Refused before any passphrase is tried."""


class KeyMismatchError(CustodyError):
    """Keys recovered from a bundle are not the keys its record names."""


class ShareInputError(ValueError):
    """A share could not be read from a file or image (message: what, todo)."""

    def __init__(self, what: str, todo: str) -> None:
        self.what = what
        self.todo = todo
        super().__init__(f"{what}. {todo}")
