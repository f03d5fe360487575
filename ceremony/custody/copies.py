"""The custody bundle: software-made private keys, age-encrypted, on media.

Sealing puts the keys' PKCS#8 PEMs in a small tar (archive.py), encrypts it
with age to the custody identity's X25519 recipient, and makes the public
record (custody.json, record.py) that checks a restore. Each copy is a
directory ``custody-<ceremony id>/`` holding ``bundle.age`` and
``custody.json``, written whole or not at all, never over anything, and
read back (media.py). At least two copies, on different media.

Reading treats media as hostile: every copy is checked against the record
(size and sha256 of bundle.age) before any is decrypted; a damaged or
truncated copy is reported and the next good one used, and a passphrase
copy asking for more scrypt work than any this tool seals is reported as
suspicious and never opened. Opening checks that
the identity is the one the bundle was sealed to and that every key matches
its recorded fingerprint. This module never writes a plaintext key or the
identity anywhere, and its errors name files and keys, never secrets.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ceremony.bundle.leftovers import CUSTODY_COPY_PREFIX
from ceremony.bundle.writer import is_marked
from ceremony.custody import archive
from ceremony.custody.archive import CustodyKey, RecoveredKey
from ceremony.custody.collector import wrong_secret
from ceremony.custody.errors import ArchiveCopyError, CopyProblem, SuspiciousArchiveError
from ceremony.custody.identity import CustodyIdentity
from ceremony.custody.media import read_limited, remove_directory, write_directory
from ceremony.custody.record import (
    CEREMONY_ID,
    CustodyRecord,
    RecordFormatError,
    ShareSetRecord,
)
from ceremony.errors import MediaError
from hsm import age
from hsm.errors import AgeError, AgeWorkFactorError, AgeWrongSecretError

BUNDLE_FILE = CustodyRecord.BUNDLE_FILE
RECORD_FILE = CustodyRecord.RECORD_FILE
MAX_BUNDLE_BYTES = archive.MAX_ARCHIVE_BYTES + 64 * 1024
MAX_RECORD_BYTES = 1024 * 1024
MIN_COPIES = 2


@dataclass(frozen=True)
class EncryptedArchive:
    """An encrypted bundle in memory and its public record."""

    ciphertext: bytes = field(repr=False)
    record: CustodyRecord


def copy_name(ceremony_id: str) -> str:
    """The directory name of a copy on a medium."""
    return f"{CUSTODY_COPY_PREFIX}{ceremony_id}"


def encrypt_archive(
    keys: Sequence[CustodyKey],
    recipient: str,
    *,
    ceremony_id: str,
    root_version: int,
    shares: ShareSetRecord,
    rehearsal: bool = False,
) -> EncryptedArchive:
    """Encrypt ``keys`` to the age ``recipient`` and record their facts."""
    if not CEREMONY_ID.match(ceremony_id):
        raise ValueError(f"{ceremony_id!r} is not a ceremony id")
    if not keys:
        raise ValueError("a custody bundle holds at least one key")
    names = [k.name for k in keys]
    if len(set(names)) != len(names):
        raise ValueError("two keys in a custody bundle have the same name")
    records = tuple(sorted((archive.key_record(k) for k in keys), key=lambda r: r.name))
    plaintext = archive.pack(keys, records)
    try:
        ciphertext = age.encrypt_to_recipient(plaintext, recipient)
    finally:
        del plaintext
    record = CustodyRecord(
        ceremony_id=ceremony_id,
        root_version=root_version,
        recipient=recipient,
        bundle_sha256=hashlib.sha256(ciphertext).hexdigest(),
        bundle_size=len(ciphertext),
        keys=records,
        shares=shares,
        rehearsal=rehearsal,
    )
    return EncryptedArchive(ciphertext, record)


def write_copies(
    sealed: EncryptedArchive, media: Sequence[Path], beside: Mapping[str, bytes] | None = None
) -> tuple[Path, ...]:
    """Write one copy into each media directory; return the copies' paths.

    ``beside``: more files for each copy's folder (name -> bytes): the
    recovery-without-ceremony text, a rehearsal's REHEARSAL mark. Public only.

    Every copy is created exclusively, marked INCOMPLETE (the engine removes
    the mark once the ceremony's bundle is sealed), fsynced and read back,
    then all are read again as a restore would and checked against the
    record. Raises
    MediaError; on failure the copies this call wrote are removed, so no
    half-made set is left behind.
    """
    media = [Path(m) for m in media]
    if len(media) < MIN_COPIES:
        raise MediaError(
            f"a custody bundle is written to at least {MIN_COPIES} media, {len(media)} given",
            todo="name a second medium in the ceremony script",
        )
    if len({m.resolve() for m in media}) != len(media):
        raise MediaError(
            "the same media directory is named twice for the custody bundle",
            todo="name a different medium for each copy",
        )
    files = {**(beside or {}), BUNDLE_FILE: sealed.ciphertext,
             RECORD_FILE: sealed.record.to_json()}
    written: list[Path] = []
    try:
        for medium in media:
            written.append(write_directory(
                medium / copy_name(sealed.record.ceremony_id), files, marked=True))
        try:
            found = read_copies(written, expected=sealed.record, unsealed=True)
        except ArchiveCopyError as error:
            raise MediaError(error.what, todo="the media are faulty; use others") from None
        if found.problems:
            raise MediaError(
                f"a copy reads back wrong: {found.problems[0]}",
                todo="the medium is faulty; use another one",
            )
    except MediaError as error:
        _remove_all(written)
        todo = error.todo
        if written:
            todo = f"{todo} (the copies already written by this step were removed)"
        raise MediaError(error.what, where=error.where, todo=todo) from None
    except BaseException:
        _remove_all(written)
        raise
    return tuple(written)


def _remove_all(paths: Sequence[Path]) -> None:
    for path in paths:
        remove_directory(path)


@dataclass(frozen=True)
class ArchiveCopy:
    path: Path
    ciphertext: bytes = field(repr=False)


@dataclass(frozen=True)
class FoundCopies:
    """The copies read: the record they agree on, the good ones, the bad.

    ``vouched`` is False when no record was given to check the copies
    against and their own custody.json was used: then ``notes`` says so, for
    the operator to read (the copies vouch for themselves).
    """

    record: CustodyRecord
    good: tuple[ArchiveCopy, ...]
    problems: tuple[CopyProblem, ...]
    vouched: bool = True

    @property
    def notes(self) -> tuple[str, ...]:
        if self.vouched:
            return ()
        return (
            f"no record of ceremony {self.record.ceremony_id} was given to check the copies "
            "against (the current bundle carries none), so the copies' own custody.json "
            "was used: only the copies vouch for the key fingerprints it lists",
        )


def unsealed_copy_text(path: Path) -> str:
    """What is said of a copy still marked INCOMPLETE, where it is refused."""
    return (
        "is from a ceremony whose bundle was never sealed (its INCOMPLETE mark is still "
        f"there); it restores nothing; remove it with `ceremony clean {path}`"
    )


def read_copies(
    paths: Sequence[Path], expected: CustodyRecord | None = None, *, unsealed: bool = False
) -> FoundCopies:
    """Read every copy directory and check each against the record.

    ``expected`` is the record from elsewhere (the export bundle, the
    transcript); without it the copies' own custody.json files must agree.
    A copy still marked INCOMPLETE (its ceremony's bundle was never sealed) is
    refused unread, unless ``unsealed``: the ceremony writing it checks its
    own copies before it seals. Raises ArchiveCopyError when no copy is good,
    listing what is wrong with each; otherwise returns the good copies and
    the problems of the rest.
    """
    paths = [Path(p) for p in paths]
    read: list[tuple[Path, CustodyRecord | None, bytes | None]] = []
    problems: list[CopyProblem] = []
    for path in paths:
        if not unsealed and is_marked(path):
            problems.append(CopyProblem(path, unsealed_copy_text(path)))
            continue
        record = ciphertext = None
        try:
            record = CustodyRecord.from_json(read_limited(path / RECORD_FILE, MAX_RECORD_BYTES))
        except FileNotFoundError:
            problems.append(CopyProblem(path, f"{RECORD_FILE} is missing"))
        except MediaError as error:  # a link, a pipe, too large: what is wrong with it
            problems.append(CopyProblem(path, f"{RECORD_FILE} {error.what}"))
        except OSError as error:
            problems.append(CopyProblem(path, f"{RECORD_FILE} cannot be read ({_reason(error)})"))
        except RecordFormatError as error:
            problems.append(CopyProblem(path, f"{RECORD_FILE} is damaged ({error})"))
        try:
            ciphertext = read_limited(path / BUNDLE_FILE, MAX_BUNDLE_BYTES)
        except FileNotFoundError:
            problems.append(CopyProblem(path, f"{BUNDLE_FILE} is missing"))
        except MediaError as error:  # a link, a pipe, too large: what is wrong with it
            problems.append(CopyProblem(path, f"{BUNDLE_FILE} {error.what}"))
        except OSError as error:
            problems.append(CopyProblem(path, f"{BUNDLE_FILE} cannot be read ({_reason(error)})"))
        read.append((path, record, ciphertext))
    if not read:  # every copy given is from a ceremony that never sealed
        raise ArchiveCopyError(
            "no good copy of the custody bundle: " + "; ".join(str(p) for p in problems),
            problems=problems,
            todo="bring a copy written by a ceremony whose bundle was sealed",
        )

    record = expected or _agreed_record(read, problems)
    good: list[ArchiveCopy] = []
    for path, own, ciphertext in read:
        if own is not None and own != record:
            problems.append(CopyProblem(path, f"{RECORD_FILE} differs from the record of "
                                              f"ceremony {record.ceremony_id}"))
        if ciphertext is None:
            continue
        if len(ciphertext) != record.bundle_size:
            cut = " (cut short)" if len(ciphertext) < record.bundle_size else ""
            problems.append(CopyProblem(
                path, f"{BUNDLE_FILE} is {len(ciphertext)} bytes, the record says "
                      f"{record.bundle_size}{cut}: the copy is damaged"))
        elif hashlib.sha256(ciphertext).hexdigest() != record.bundle_sha256:
            problems.append(CopyProblem(
                path,
                f"{BUNDLE_FILE} does not match the sha256 in the record: the copy is damaged",
            ))
        elif (suspicion := _suspicion(record, ciphertext)) is not None:
            problems.append(CopyProblem(path, suspicion))
        else:
            good.append(ArchiveCopy(path, ciphertext))
    problems.sort(key=lambda p: paths.index(p.path))
    if not good:
        raise ArchiveCopyError(
            "no good copy of the custody bundle: "
            + "; ".join(str(p) for p in problems),
            problems=problems,
            where=f"ceremony {record.ceremony_id}",
            todo="bring another copy (every custody bundle was written to two or more media)",
        )
    return FoundCopies(record, tuple(good), tuple(problems), vouched=expected is not None)


def _suspicion(record: CustodyRecord, ciphertext: bytes) -> str | None:
    """Why a copy must not be opened at all, or None: a passphrase bundle
    asking for more scrypt work than any this tool seals (checked without
    running scrypt)."""
    if not record.passphrase_only:
        return None
    try:
        age.passphrase_work_factor(ciphertext)
    except AgeWorkFactorError as error:
        return suspicious_archive_text(error)
    except AgeError:
        return None  # not a passphrase file: opening it says so
    return None


def suspicious_archive_text(error: AgeWorkFactorError) -> str:
    return f"{BUNDLE_FILE} is suspicious: {error}; no passphrase was tried"


def suspicious_archive(path: Path, error: AgeWorkFactorError) -> SuspiciousArchiveError:
    return SuspiciousArchiveError(
        suspicious_archive_text(error),
        where=str(path),
        todo="do not retry the passphrase; bring a copy written by the ceremony and check "
        "its sha256 against the paper record",
    )


def _agreed_record(
    read: Sequence[tuple[Path, CustodyRecord | None, bytes | None]],
    problems: list[CopyProblem],
) -> CustodyRecord:
    readable = {r for _, r, _ in read if r is not None}
    # when the copies disagree, believe only records that match their own bundle
    records = readable if len(readable) < 2 else {
        r for _, r, c in read
        if r is not None and c is not None and hashlib.sha256(c).hexdigest() == r.bundle_sha256
    }
    if len(records) == 1:
        return next(iter(records))
    if readable and not records:
        raise ArchiveCopyError(
            "the copies' custody.json files disagree and none matches its own bundle.age",
            problems=problems,
            todo="give the custody record kept in the ceremony's export bundle",
        )
    if not records:
        raise ArchiveCopyError(
            "no readable custody.json in any copy: "
            + "; ".join(str(p) for p in problems),
            problems=problems,
            todo="bring another copy, or give the custody record kept in the ceremony's "
            "export bundle",
        )
    raise ArchiveCopyError(
        "the copies given are of different custody bundles ("
        + ", ".join(sorted(r.ceremony_id for r in records)) + "): "
        + "; ".join(f"{path} is ceremony {record.ceremony_id}'s" for path, record, _ in read
                    if record in records),
        problems=problems,
        todo="give only copies of the bundle being recovered, or its custody record",
    )


def _reason(error: Exception) -> str:
    if isinstance(error, OSError) and error.errno:
        return os.strerror(error.errno)
    return str(error)


@dataclass(frozen=True)
class Restored:
    """Keys recovered and checked, the copy they came from, and problems met."""

    keys: tuple[RecoveredKey, ...]
    record: CustodyRecord
    used: Path
    problems: tuple[CopyProblem, ...]

    def key(self, name: str) -> RecoveredKey | None:
        return next((k for k in self.keys if k.name == name), None)


def open_archive(found: FoundCopies, identity: CustodyIdentity) -> Restored:
    """Decrypt the first good copy and check every key against the record.

    Raises WrongSecretError when ``identity`` is not the bundle's (a wrong
    SLIP-39 passphrase), KeyMismatchError when a key differs from its
    recorded fingerprint or keyid, ArchiveCopyError when no copy decrypts.
    """
    if identity.recipient != found.record.recipient:
        raise wrong_secret(found.record)

    def decrypt(copy: ArchiveCopy) -> bytes | CopyProblem:
        try:
            return identity.decrypt(copy.ciphertext)
        except AgeWrongSecretError:
            return CopyProblem(copy.path, f"{BUNDLE_FILE} does not decrypt")
        except AgeError as error:
            return CopyProblem(copy.path, f"{BUNDLE_FILE} does not decrypt: {error}")

    return open_first_copy(found, decrypt)


def open_first_copy(
    found: FoundCopies, decrypt: Callable[[ArchiveCopy], bytes | CopyProblem]
) -> Restored:
    """Unpack the first good copy ``decrypt`` opens; ``decrypt`` returns a
    CopyProblem for a copy it cannot open (and raises to stop at once)."""
    record = found.record
    problems = list(found.problems)
    for copy in found.good:
        plaintext = decrypt(copy)
        if isinstance(plaintext, CopyProblem):
            problems.append(plaintext)
            continue
        try:
            keys = archive.unpack(plaintext, record.keys, where=str(copy.path / BUNDLE_FILE))
        finally:
            del plaintext
        return Restored(keys, record, copy.path, tuple(problems))
    raise ArchiveCopyError(
        "no copy of the custody bundle decrypts: " + "; ".join(str(p) for p in problems),
        problems=problems,
        where=f"ceremony {record.ceremony_id}",
        todo="bring another copy",
    )


def restore(
    paths: Sequence[Path], identity: CustodyIdentity, expected: CustodyRecord | None = None
) -> Restored:
    """Read the copies at ``paths`` and open the first good one."""
    return open_archive(read_copies(paths, expected), identity)

