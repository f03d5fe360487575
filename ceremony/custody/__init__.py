"""Root-key custody: an age-encrypted bundle of software keys on media, its
identity split into SLIP-39 shares, printable share sheets, and recovery.

A library for the engine: it never prints, prompts or imports a UI, never
writes the age identity or a plaintext key anywhere, and its errors carry no
secret. The modules, one job each:

- identity.py: the age X25519 identity (32 bytes) in memory; age itself is hsm.age
- archive.py: the keys' PEMs in a tar, and checking them against fingerprints
- record.py: custody.json, the public facts that check a restore
- copies.py: sealing, writing copies to media, reading copies, opening
- media.py: exclusive, fsynced, read-back writes; bounded reads of plain files only
- shares.py: the share plan, and the SLIP-39 split
- collector.py / progress.py: collecting shares back one at a time, and how far it came
- words.py / share_input.py: typed words, text files and QR images
- sheets.py: one printable page (and plain text) per share
- handout.py: make custody in one call; the trial restore
- passphrase.py: the passphrase-only alternative (age scrypt, no shares)

The package loads none of them until a name below is asked for (``from
ceremony.custody import ShareCollector`` loads collector.py then): a reader
of custody records (record.py) needs no archive, age or signers.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ceremony.custody.archive import CustodyKey, RecoveredKey, fingerprint
    from ceremony.custody.collector import ShareCollector
    from ceremony.custody.copies import (
        EncryptedArchive,
        FoundCopies,
        Restored,
        encrypt_archive,
        open_archive,
        read_copies,
        restore,
        write_copies,
    )
    from ceremony.custody.errors import (
        ArchiveCopyError,
        CopyProblem,
        CustodyError,
        DuplicateShareError,
        ForeignShareError,
        KeyMismatchError,
        NotEnoughSharesError,
        ShareChecksumError,
        ShareError,
        ShareFormatError,
        SharePlanError,
        SharesDoNotCombineError,
        UnknownWordError,
        WrongSecretError,
    )
    from ceremony.custody.handout import Custody, TrialRestore, make_custody, trial_restore
    from ceremony.custody.identity import CustodyIdentity
    from ceremony.custody.progress import Progress
    from ceremony.custody.record import CustodyRecord, KeyRecord, ShareSetRecord
    from ceremony.custody.shares import CustodyShare, SharePlan, ShareSet, split_identity

#: each name the package gives, and its module (here, in ceremony/custody/)
_HOME = {
    "ArchiveCopyError": "errors",
    "CopyProblem": "errors",
    "Custody": "handout",
    "CustodyError": "errors",
    "CustodyIdentity": "identity",
    "CustodyKey": "archive",
    "CustodyRecord": "record",
    "CustodyShare": "shares",
    "DuplicateShareError": "errors",
    "EncryptedArchive": "copies",
    "ForeignShareError": "errors",
    "FoundCopies": "copies",
    "KeyMismatchError": "errors",
    "KeyRecord": "record",
    "NotEnoughSharesError": "errors",
    "Progress": "progress",
    "RecoveredKey": "archive",
    "Restored": "copies",
    "ShareChecksumError": "errors",
    "ShareCollector": "collector",
    "ShareError": "errors",
    "ShareFormatError": "errors",
    "SharePlan": "shares",
    "SharePlanError": "errors",
    "ShareSet": "shares",
    "ShareSetRecord": "record",
    "SharesDoNotCombineError": "errors",
    "TrialRestore": "handout",
    "UnknownWordError": "errors",
    "WrongSecretError": "errors",
    "encrypt_archive": "copies",
    "fingerprint": "archive",
    "make_custody": "handout",
    "open_archive": "copies",
    "read_copies": "copies",
    "restore": "copies",
    "split_identity": "shares",
    "trial_restore": "handout",
    "write_copies": "copies",
}

__all__ = [
    "ArchiveCopyError",
    "CopyProblem",
    "Custody",
    "CustodyError",
    "CustodyIdentity",
    "CustodyKey",
    "CustodyRecord",
    "CustodyShare",
    "DuplicateShareError",
    "ForeignShareError",
    "FoundCopies",
    "KeyMismatchError",
    "KeyRecord",
    "NotEnoughSharesError",
    "Progress",
    "RecoveredKey",
    "Restored",
    "EncryptedArchive",
    "ShareChecksumError",
    "ShareCollector",
    "ShareError",
    "ShareFormatError",
    "SharePlan",
    "SharePlanError",
    "ShareSet",
    "ShareSetRecord",
    "SharesDoNotCombineError",
    "TrialRestore",
    "UnknownWordError",
    "WrongSecretError",
    "fingerprint",
    "make_custody",
    "open_archive",
    "read_copies",
    "restore",
    "encrypt_archive",
    "split_identity",
    "trial_restore",
    "write_copies",
]


def __getattr__(name: str) -> object:
    """A name of ``__all__``, from its module when first asked for."""
    if name in _HOME:
        return getattr(import_module(f"{__name__}.{_HOME[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
