"""Making custody in one call, and the trial restore before the ceremony ends.

:func:`make_custody` generates a fresh age identity, splits it into SLIP-39
shares, seals the keys to it, checks that it opens what was sealed, and
forgets it: the identity exists only inside this call, and afterwards only
as the shares. :func:`trial_restore` then does what a recovery will do, with
a threshold of shares other than the first ones handed out: collect them,
recover the identity, decrypt every copy on the media and match every key's
fingerprint. The engine stops the ceremony if it raises.

No UI: the engine reports progress from what these return.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ceremony.custody import archive
from ceremony.custody.archive import CustodyKey
from ceremony.custody.collector import ShareCollector
from ceremony.custody.copies import (
    EncryptedArchive,
    FoundCopies,
    encrypt_archive,
    open_archive,
    read_copies,
)
from ceremony.custody.errors import ArchiveCopyError
from ceremony.custody.identity import CustodyIdentity
from ceremony.custody.record import CustodyRecord
from ceremony.custody.shares import CustodyShare, SharePlan, ShareSet, split_identity


@dataclass(frozen=True)
class Custody:
    """A sealed bundle and the shares of the identity it is sealed to."""

    sealed: EncryptedArchive
    shares: ShareSet

    @property
    def record(self) -> CustodyRecord:
        return self.sealed.record


def make_custody(
    keys: Sequence[CustodyKey],
    *,
    ceremony_id: str,
    root_version: int,
    plan: SharePlan,
    passphrase: str = "",
    rehearsal: bool = False,
) -> Custody:
    """Seal ``keys`` to a fresh identity split as ``plan`` says (``rehearsal``:
    its record says so)."""
    identity = CustodyIdentity.generate()
    try:
        share_set = split_identity(identity, plan, passphrase)
        sealed = encrypt_archive(
            keys,
            identity.recipient,
            ceremony_id=ceremony_id,
            root_version=root_version,
            shares=share_set.facts,
            rehearsal=rehearsal,
        )
        archive.unpack(
            identity.decrypt(sealed.ciphertext), sealed.record.keys, where="the new custody bundle"
        )
    finally:
        identity.forget()
    return Custody(sealed, share_set)


@dataclass(frozen=True)
class TrialRestore:
    """What a trial restore proved, in public facts (for the transcript)."""

    shares_used: tuple[int, ...]  # share numbers, as on the sheets
    copies_checked: tuple[Path, ...]
    keys_matched: tuple[str, ...]  # key names whose fingerprints matched


def trial_restore(
    record: CustodyRecord,
    copies: Sequence[Path],
    shares: Sequence[CustodyShare],
    passphrase: str = "",
) -> TrialRestore:
    """Recover from ``shares`` and open every copy; any flaw raises.

    Unlike a recovery, which makes do with one good copy, a trial restore
    at the end of a ceremony insists that every copy is good.
    """
    collector = ShareCollector(record)
    for share in shares:
        collector.add(share.words, source=f"sheet {share.number}")
    identity = collector.recover(passphrase)
    try:
        found = read_copies(copies, expected=record, unsealed=True)
        if found.problems:
            raise ArchiveCopyError(
                "a copy just written is not good: " + "; ".join(map(str, found.problems)),
                problems=found.problems,
                where="trial restore",
                todo="write the custody bundle again to sound media before ending the ceremony",
            )
        matched: tuple[str, ...] = ()
        for copy in found.good:
            restored = open_archive(FoundCopies(found.record, (copy,), ()), identity)
            matched = tuple(k.name for k in restored.keys)
            del restored
    finally:
        identity.forget()
    return TrialRestore(
        shares_used=tuple(s.number for s in shares),
        copies_checked=tuple(c.path for c in found.good),
        keys_matched=matched,
    )
