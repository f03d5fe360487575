"""SLIP-39 shares of the custody identity: the plan, and splitting.

The 32 secret bytes of the age identity are the SLIP-39 master secret, so
every share is 33 words and any SLIP-39 implementation recovers the same 32
bytes (see identity.py for how they become an age identity). Shares are made
non-extendable, the form every SLIP-39 implementation reads. A plan is m of n
custodians, or groups (e.g. 2 of 3 sites, 2 of 3 people each), with an
optional SLIP-39 passphrase. Collecting shares back is collector.py.

Nothing here prints, prompts or stores anything; no error carries a share's
words or the secret, and a share's repr leaves its words out.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import shamir_mnemonic

from ceremony.custody import words as slip39_words
from ceremony.custody.errors import SharePlanError
from ceremony.custody.identity import SECRET_BYTES, CustodyIdentity
from ceremony.custody.record import ShareSetRecord

ITERATION_EXPONENT = 1  # PBKDF2 rounds of the passphrase: 20,000 (SLIP-39 default)
MAX_SHARES = 16


@dataclass(frozen=True)
class SharePlan:
    """How to split: ``group_threshold`` of ``groups``, each (m, n)."""

    groups: tuple[tuple[int, int], ...]
    group_threshold: int = 1

    def __post_init__(self) -> None:
        if not 1 <= len(self.groups) <= MAX_SHARES:
            raise SharePlanError(
                f"a share plan has 1 to {MAX_SHARES} groups, not {len(self.groups)}",
                todo="change the groups in the ceremony script",
            )
        if not 1 <= self.group_threshold <= len(self.groups):
            raise SharePlanError(
                f"the group threshold {self.group_threshold} must be 1 to {len(self.groups)}, "
                "the number of groups",
                todo="change the group threshold in the ceremony script",
            )
        for number, (m, n) in enumerate(self.groups, 1):
            label = "the plan" if len(self.groups) == 1 else f"group {number}"
            if not 1 <= m <= n <= MAX_SHARES:
                raise SharePlanError(
                    f"{label} asks for {m} of {n} shares; "
                    f"SLIP-39 needs 1 <= m <= n <= {MAX_SHARES}",
                    todo="change the threshold or the number of custodians",
                )
            if m == 1 and n > 1:
                raise SharePlanError(
                    f"{label} is 1 of {n}: SLIP-39 does not make several shares any one of "
                    "which recovers the secret",
                    todo="use 1 of 1 and copy that sheet, or raise the threshold",
                )

    @classmethod
    def of(cls, threshold: int, count: int) -> SharePlan:
        """Plain m of n custodians, one group."""
        return cls(((threshold, count),), 1)

    @property
    def share_count(self) -> int:
        return sum(n for _, n in self.groups)

    def describe(self) -> str:
        if len(self.groups) == 1:
            m, n = self.groups[0]
            return f"any {m} of {n} shares"
        parts = ", ".join(f"group {g}: {m} of {n}" for g, (m, n) in enumerate(self.groups, 1))
        return f"any {self.group_threshold} of {len(self.groups)} groups ({parts})"


@dataclass(frozen=True)
class CustodyShare:
    """One share: who it is for in the plan, and its 33 words (secret)."""

    number: int  # 1..total, across groups, as on the sheet
    total: int
    group: int  # 1-based
    group_count: int
    group_threshold: int
    member: int  # 1-based within the group
    member_count: int
    member_threshold: int
    identifier: int  # the SLIP-39 set id (public)
    words: tuple[str, ...] = field(repr=False)

    @property
    def mnemonic(self) -> str:
        return " ".join(self.words)

    @property
    def checksum_words(self) -> tuple[str, ...]:
        """The last three words, read back by the custodian at hand-out."""
        return self.words[-slip39_words.CHECKSUM_WORDS:]


@dataclass(frozen=True)
class ShareSet:
    """Every share of one split, and its public facts for custody.json."""

    plan: SharePlan
    facts: ShareSetRecord
    shares: tuple[CustodyShare, ...] = field(repr=False)

    def group(self, number: int) -> tuple[CustodyShare, ...]:
        return tuple(s for s in self.shares if s.group == number)

    def trial_subset(self) -> tuple[CustodyShare, ...]:
        """A threshold of shares other than the first m of each group: the
        last ``group_threshold`` groups, the last m members of each."""
        groups = range(len(self.plan.groups), 0, -1)
        chosen: list[CustodyShare] = []
        for number in list(groups)[: self.plan.group_threshold]:
            m, _ = self.plan.groups[number - 1]
            chosen.extend(self.group(number)[-m:])
        return tuple(sorted(chosen, key=lambda s: s.number))


def passphrase_bytes(passphrase: str) -> bytes:
    """The SLIP-39 passphrase as the bytes SLIP-39 takes: printable ASCII only."""
    if not all(32 <= ord(c) <= 126 for c in passphrase):
        raise SharePlanError(
            "the SLIP-39 passphrase holds a character that is not printable ASCII",
            todo="use letters, digits, spaces and ASCII punctuation only",
        )
    return passphrase.encode("ascii")


def split_identity(
    identity: CustodyIdentity, plan: SharePlan, passphrase: str = ""
) -> ShareSet:
    """Split the identity's secret into SLIP-39 shares as ``plan`` says."""
    return split_secret(identity.secret(), plan, passphrase)


def split_secret(secret: bytes, plan: SharePlan, passphrase: str = "") -> ShareSet:
    if len(secret) != SECRET_BYTES:
        raise ValueError(f"a custody secret is {SECRET_BYTES} bytes")
    mnemonics = shamir_mnemonic.generate_mnemonics(
        plan.group_threshold,
        list(plan.groups),
        secret,
        passphrase_bytes(passphrase),
        extendable=False,
        iteration_exponent=ITERATION_EXPONENT,
    )
    identifier = slip39_words.read_header(mnemonics[0][0].split()).identifier
    shares: list[CustodyShare] = []
    for group_number, (group, (m, n)) in enumerate(zip(mnemonics, plan.groups, strict=True), 1):
        for member_number, mnemonic in enumerate(group, 1):
            shares.append(
                CustodyShare(
                    number=len(shares) + 1,
                    total=plan.share_count,
                    group=group_number,
                    group_count=len(plan.groups),
                    group_threshold=plan.group_threshold,
                    member=member_number,
                    member_count=n,
                    member_threshold=m,
                    identifier=identifier,
                    words=tuple(mnemonic.split()),
                )
            )
    facts = ShareSetRecord(
        identifier=identifier,
        extendable=False,
        iteration_exponent=ITERATION_EXPONENT,
        group_threshold=plan.group_threshold,
        groups=plan.groups,
        passphrase=bool(passphrase),
    )
    return ShareSet(plan, facts, tuple(shares))

