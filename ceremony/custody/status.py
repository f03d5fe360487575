"""Custody status: which custody copies are on some media, and what each can still do.

A custody bundle outlives the ceremony that sealed it: after a root rotation
the bootstrap's copies still open keys the root no longer lists, and nothing
on the medium says so. :func:`find_copies_on` lists every custody copy in
the folders given (a copy folder, or a medium holding ``custody-*`` copies),
each with its record read as hostile input and its retirement, if any;
:func:`standing` says what a copy can still restore against a root
(:class:`RootFacts`: the caller reads the root, with ``ceremony inspect``'s
facts, for any flavor). :func:`retire` records on the medium that a copy must
no longer be used: ``RETIRED.json`` beside its bundle, written once, never
over anything. Nothing here decrypts, asks or prints.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ceremony.bundle.files import fsync_dir, write_new
from ceremony.bundle.leftovers import CUSTODY_COPY_PREFIX as COPY_PREFIX
from ceremony.bundle.writer import is_marked
from ceremony.custody.copies import unsealed_copy_text
from ceremony.custody.errors import CustodyError, RecordFormatError
from ceremony.custody.media import read_limited
from ceremony.custody.record import CustodyRecord
from ceremony.errors import MediaError
from ceremony.safe_text import HIDDEN_TODO, hidden_named
from ceremony.threshold import ThresholdResult, threshold_result

RETIRED_FILE = "RETIRED.json"
MAX_RECORD_BYTES = 1024 * 1024
MAX_RETIRED_BYTES = 64 * 1024


@dataclass(frozen=True)
class Retirement:
    """That a copy was retired: when, and why, as the operator said it."""

    retired_at: str
    reason: str


@dataclass(frozen=True)
class FoundCopy:
    """One custody copy on a medium: its record (None: unreadable, ``problem`` says
    why) and its retirement, if recorded."""

    path: Path
    record: CustodyRecord | None
    problem: str = ""
    retirement: Retirement | None = None

    @property
    def name(self) -> str:
        """How messages name it: the copy folder's path."""
        return str(self.path)


@dataclass(frozen=True)
class RootFacts:
    """The root a copy is judged against: what a flavor's inspect says of it."""

    label: str  # "root version 3", "root version 2 of registry.example.com/org/app"
    threshold: int
    keyids: frozenset[str]  # the root's key ids
    names: frozenset[str] = frozenset()  # the names its keys have in the bundle


@dataclass(frozen=True)
class Standing:
    """What one custody copy can still do for a root."""

    # "can restore", "cannot sign", "by name only", "obsolete", "retired", "unreadable"
    verdict: str
    result: ThresholdResult | None
    words: str


def find_copies_on(folders: Sequence[Path]) -> list[FoundCopy]:
    """Every custody copy in ``folders`` (copy folders, or media holding them)."""
    found: list[FoundCopy] = []
    for folder in folders:
        folder = Path(folder)
        if (folder / CustodyRecord.RECORD_FILE).exists():
            found.append(read_copy(folder))
        elif folder.is_dir() and not folder.is_symlink():
            found += [read_copy(path) for path in sorted(folder.iterdir())
                      if path.name.startswith(COPY_PREFIX) and path.is_dir()
                      and not path.is_symlink()]
    return found


def read_copy(path: Path) -> FoundCopy:
    """One copy's record and retirement, read as hostile input."""
    if is_marked(path):
        return FoundCopy(path, None, problem=unsealed_copy_text(path))
    try:
        record = CustodyRecord.from_json(
            read_limited(path / CustodyRecord.RECORD_FILE, MAX_RECORD_BYTES))
    except (MediaError, RecordFormatError) as error:
        return FoundCopy(path, None, problem=f"its custody.json cannot be read: {error}")
    retired = path / RETIRED_FILE
    if not retired.exists() and not retired.is_symlink():
        return FoundCopy(path, record)
    try:
        data = json.loads(read_limited(retired, MAX_RETIRED_BYTES))
        retirement = Retirement(str(data["retired_at"]), str(data["reason"]))
    except (MediaError, ValueError, KeyError, TypeError):
        retirement = Retirement("?", f"{RETIRED_FILE} is there but cannot be read")
    return FoundCopy(path, record, retirement=retirement)


def standing(copy: FoundCopy, root: RootFacts) -> Standing:
    """What ``copy`` can restore against ``root``."""
    if copy.record is None:
        return Standing("unreadable", None, copy.problem)
    held = [key for key in copy.record.keys if "root" in key.roles]
    result = threshold_result(root.keyids, root.threshold, {key.keyid for key in held})
    counted = sorted(key.name for key in held if key.keyid in root.keyids)
    if copy.retirement is not None:
        return Standing("retired", result, f"RETIRED on {copy.retirement.retired_at}: "
                        f"{copy.retirement.reason}")
    named = sorted(key.name for key in held if key.name in root.names)
    if not result.have and named:
        # custody names keys by TUF key id; a flavor whose root names them another way
        # (DCT's notary ids) is matched by the names the bundle gives them
        by_name = threshold_result(root.names, root.threshold, set(named))
        return Standing("by name only", by_name, (
            f"by name it holds {', '.join(named)}: {by_name.words('root key')} for "
            f"{root.label}, but its key ids are not the ids this root names its keys by; "
            "check the keys' ids with `ceremony inspect` before relying on it"))
    if not result.have:
        return Standing("obsolete", result, (
            f"OBSOLETE: none of its {len(held)} root key(s) is a key of {root.label}; "
            "retire it (`ceremony custody retire`) and destroy the medium's copy as your "
            "procedure says"))
    if not result.met:
        return Standing("cannot sign", result, (
            f"holds {', '.join(counted)}: {result.words('root key')} for {root.label}, so a "
            "recovery from it alone cannot sign it"))
    return Standing("can restore", result, (
        f"holds {', '.join(counted)}: {result.words('root key')} for {root.label}: a recovery "
        "from it can sign the next root"))


def describe_copy(copy: FoundCopy) -> str:
    """One line on a copy: its ceremony, root version, keys and shares."""
    record = copy.record
    if record is None:
        return f"{copy.name}: {copy.problem}"
    shares = ("one passphrase, no shares" if record.passphrase_only else
              f"shares: {_share_words(record)}")
    marks = " REHEARSAL (practice keys)" if record.rehearsal else ""
    roots = [key.name for key in record.keys if "root" in key.roles]
    return (f"{copy.name}: ceremony {record.ceremony_id}, sealed at root version "
            f"{record.root_version}, root keys {', '.join(roots) or 'none'}; {shares}{marks}")


def _share_words(record: CustodyRecord) -> str:
    share_set = record.share_set
    if len(share_set.groups) == 1:
        threshold, count = share_set.groups[0]
        return f"any {threshold} of {count}"
    return f"{share_set.group_threshold} of {len(share_set.groups)} groups"


def retire(copy: Path, reason: str, now: datetime) -> Retirement:
    """Record on the medium that ``copy`` is retired (``RETIRED.json``, written once)."""
    hidden = hidden_named(reason)
    if hidden:
        raise CustodyError(f"the reason holds {hidden}", todo=HIDDEN_TODO)
    found = read_copy(copy)
    if found.record is None:
        raise CustodyError(f"{copy} is not a custody copy this tool can read: {found.problem}",
                           todo="name the custody-<id> folder of the copy to retire")
    if found.retirement is not None:
        raise CustodyError(f"{copy} was already retired on {found.retirement.retired_at}",
                           todo="nothing to do; `ceremony custody status` shows it")
    retirement = Retirement(now.strftime("%Y-%m-%dT%H:%M:%SZ"), reason)
    data = json.dumps({"ceremony_id": found.record.ceremony_id,
                       "retired_at": retirement.retired_at, "reason": reason},
                      indent=2, sort_keys=True).encode() + b"\n"
    try:
        write_new(copy / RETIRED_FILE, data)
        fsync_dir(copy)
    except OSError as error:
        raise MediaError(f"the retirement cannot be written: {error.strerror or error}",
                         where=str(copy / RETIRED_FILE),
                         todo="check the medium is mounted read-write, then run again") from None
    return retirement
