"""Passphrase-only custody: the small-team alternative to shares.

The same bundle (the keys' tar, record, copies on two or more media) but
age-encrypted to one passphrase (scrypt at work factor 18, age's own
default, whatever the machine) instead of an X25519 identity split into
shares. Recovery without this tool is
``age -d bundle.age | tar -x``. What it gives up is spelled out in
docs/reference/scripts.md: whoever knows the passphrase recovers every key alone, a
forgotten passphrase loses the backup, and anyone holding a copy can guess
offline for as long as they like. Scripts must accept each risk by name.

A wrong passphrase is refused by age itself (the scrypt stanza's MAC), so it
is never accepted silently. A bundle asking for a work factor above 20 was
not sealed by this tool: it is refused as suspicious before scrypt runs (it
would cost gigabytes per try), never reported as a wrong passphrase. Like the
rest of custody, this module never prints, prompts or writes a secret, and
its errors carry none.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

from ceremony.custody import archive
from ceremony.custody.archive import CustodyKey
from ceremony.custody.copies import (
    BUNDLE_FILE,
    ArchiveCopy,
    EncryptedArchive,
    FoundCopies,
    Restored,
    open_first_copy,
    read_copies,
    suspicious_archive,
)
from ceremony.custody.errors import (
    ArchiveCopyError,
    CopyProblem,
    CustodyError,
    SharePlanError,
    WrongSecretError,
)
from ceremony.custody.handout import TrialRestore
from ceremony.custody.record import CEREMONY_ID, CustodyRecord, PassphraseRecord
from hsm import age
from hsm.errors import AgeError, AgeMemoryError, AgeWorkFactorError, AgeWrongSecretError

MIN_PASSPHRASE = 16  # one secret guards every key: longer than a key's own


def encrypt_with_passphrase(
    keys: Sequence[CustodyKey], passphrase: str, *, ceremony_id: str, root_version: int,
    rehearsal: bool = False,
) -> EncryptedArchive:
    """Encrypt ``keys`` to ``passphrase`` and record their facts."""
    if len(passphrase) < MIN_PASSPHRASE:
        raise SharePlanError(
            f"the custody passphrase has {len(passphrase)} characters; one passphrase guards "
            f"every key here, so it needs at least {MIN_PASSPHRASE}",
            todo="choose a longer passphrase (several random words)",
        )
    if not CEREMONY_ID.match(ceremony_id):
        raise ValueError(f"{ceremony_id!r} is not a ceremony id")
    if not keys:
        raise ValueError("a custody bundle holds at least one key")
    records = tuple(sorted((archive.key_record(k) for k in keys), key=lambda r: r.name))
    plaintext = archive.pack(keys, records)
    try:
        ciphertext = age.encrypt_to_passphrase(plaintext, passphrase)
    except AgeMemoryError as error:
        raise CustodyError(
            f"the custody bundle cannot be sealed on this machine now: {error}",
            where=f"ceremony {ceremony_id}",
            todo="close other programs and try again; nothing was written",
        ) from None
    finally:
        del plaintext
    record = CustodyRecord(
        ceremony_id=ceremony_id,
        root_version=root_version,
        recipient=None,
        bundle_sha256=hashlib.sha256(ciphertext).hexdigest(),
        bundle_size=len(ciphertext),
        keys=records,
        shares=PassphraseRecord(),
        rehearsal=rehearsal,
    )
    return EncryptedArchive(ciphertext, record)


def open_with_passphrase(found: FoundCopies, passphrase: str) -> Restored:
    """Decrypt the first good copy; a wrong passphrase raises WrongSecretError."""
    record = found.record

    def decrypt(copy: ArchiveCopy) -> bytes | CopyProblem:
        # every good copy has the same bytes (their sha256 matched the
        # record): what is true of one is true of all
        try:
            return age.decrypt_with_passphrase(copy.ciphertext, passphrase)
        except AgeWrongSecretError:
            raise WrongSecretError(
                "the passphrase does not open the custody bundle",
                where=f"ceremony {record.ceremony_id}",
                todo="type it again, slowly; nothing was changed",
            ) from None
        except AgeWorkFactorError as error:
            raise suspicious_archive(copy.path, error) from None
        except AgeMemoryError as error:
            raise CustodyError(
                f"the custody bundle cannot be opened on this machine now: {error}",
                where=str(copy.path / BUNDLE_FILE),
                todo="close other programs and try again; nothing was changed",
            ) from None
        except AgeError as error:
            return CopyProblem(copy.path, f"{BUNDLE_FILE} is not a passphrase age file ({error})")

    return open_first_copy(found, decrypt)


def trial_restore_with_passphrase(
    record: CustodyRecord, copies: Sequence[Path], passphrase: str
) -> TrialRestore:
    """Every copy must be good; one decryption proves them all (same sha256)."""
    found = read_copies(copies, expected=record, unsealed=True)
    if found.problems:
        raise ArchiveCopyError(
            "a copy just written is not good: " + "; ".join(map(str, found.problems)),
            problems=found.problems,
            where="trial restore",
            todo="write the custody bundle again to sound media before ending the ceremony",
        )
    restored = open_with_passphrase(found, passphrase)
    return TrialRestore(
        shares_used=(),
        copies_checked=tuple(c.path for c in found.good),
        keys_matched=tuple(k.name for k in restored.keys),
    )
