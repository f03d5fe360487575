"""Preflight for custody: the media, the sheets' medium, and the bundle to recover.

Run by preflight() with the other checks, with no side effects. For a
custody section: every media folder and the sheets folder exist and are
writable, each copy goes on its own device and the sheets on a device
holding no copy (``same_medium``; a rehearsal, which keeps everything in one
folder, is told instead of stopped), and a passphrase named by environment
variable is set. For a recovery: the copies are found (a copy folder, or a
media folder holding one ``custody-*`` copy), at least one is good, and the
keys its record names can sign the current root(s) (public facts only: no
share is asked for before this holds); then the flavor checks what the
recovery will do with them (``Flavor.check_recovery``).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from ceremony.bundle.leftovers import CUSTODY_COPY_PREFIX as COPY_PREFIX
from ceremony.bundle.writer import is_marked, link_problem
from ceremony.custody import ArchiveCopyError, CustodyRecord, FoundCopies, read_copies
from ceremony.custody.media import same_medium
from ceremony.custody.status import read_copy
from ceremony.engine.current import CurrentState
from ceremony.engine.keyring import KeyRecord
from ceremony.engine.preflight_result import PreflightResult
from ceremony.flavor import flavor_named
from ceremony.script.plan import CustodySpec, PassphraseSource, Plan
from ceremony.threshold import ThresholdResult
from hsm.errors import KeyBackendError
from hsm.signer import tuf_key_for

_UNCLEAR = "custody copies, so which one is meant is not clear"


def check_custody(plan: Plan, result: PreflightResult, now: datetime | None = None) -> None:
    """Add the custody checks of ``plan`` to the preflight ``result``, as of the
    ceremony's time ``now`` (None: the clock's)."""
    if plan.custody is not None:
        _check_media(plan, plan.custody, result)
        _check_source("custody passphrase", plan.custody.passphrase, result)
    if plan.recover_from is not None:
        _check_source("SLIP-39 passphrase", plan.recover_from.slip39_passphrase, result)
        _check_source("custody passphrase", plan.recover_from.passphrase, result)
        _check_recovery(plan, result, now)


def _check_source(what: str, source: PassphraseSource | None, result: PreflightResult) -> None:
    if source is not None and source.kind == "env" and not os.environ.get(source.name):
        result.add(
            what,
            f"the environment variable {source.name} is not set; set it before the "
            "ceremony, or change the script to `prompt`",
        )


def _folder_problem(path: Path) -> str | None:
    linked = link_problem(path, "custody")
    if linked is not None:
        return linked
    if not path.is_dir():
        return f"{path} is not a folder: insert and mount the medium, or create the folder"
    if not os.access(path, os.W_OK | os.X_OK):
        return f"{path} is not writable: check the medium is mounted read-write"
    return None


def _check_media(plan: Plan, custody: CustodySpec, result: PreflightResult) -> None:
    folders = [("custody copy", path) for path in custody.media]
    if custody.sheets is not None:
        folders.append(("share sheets", custody.sheets))
    usable = []
    for what, path in folders:
        problem = _folder_problem(path)
        result.add(f"{what} {path}", problem, "a writable folder")
        if problem is None:
            usable.append((what, path))
    copies = [path for what, path in usable if what == "custody copy"]
    sheets = [path for what, path in usable if what == "share sheets"]
    shared = [
        (a, b) for i, a in enumerate(copies) for b in copies[i + 1:] if same_medium(a, b)
    ]
    shared_sheets = [(s, c) for s in sheets for c in copies if same_medium(s, c)]
    _same_medium_check(
        plan, result, "custody copies", shared,
        "{a} and {b} are on the same device, so they are one copy, not two: put each copy "
        "on its own removable medium",
        "each copy is on its own device",
    )
    _same_medium_check(
        plan, result, "share sheets", shared_sheets,
        "the share sheets' folder {a} is on the same device as the custody copy {b}: a "
        "share never goes on the bundle's media; use another medium for the sheets",
        "the sheets go on a device that holds no copy",
    )


def _same_medium_check(
    plan: Plan,
    result: PreflightResult,
    check: str,
    pairs: list[tuple[Path, Path]],
    problem: str,
    fine: str,
) -> None:
    if not pairs:
        result.add(check, None, fine)
        return
    a, b = pairs[0]
    if plan.rehearsal:
        result.add(check, None, f"{a} and {b} share a device (allowed in a rehearsal only)")
    else:
        result.add(check, problem.format(a=a, b=b))


def resolve_copies(paths: Iterable[Path]) -> tuple[list[Path], list[str]]:
    """The copy folders the script's ``copies`` name, and what could not be
    found: each path is a copy (it holds custody.json) or a media folder
    holding exactly one ``custody-*`` copy (not counting copies still marked
    INCOMPLETE beside a sealed one)."""
    found: list[Path] = []
    problems: list[str] = []
    for path in paths:
        path = Path(path)
        files = (CustodyRecord.RECORD_FILE, CustodyRecord.BUNDLE_FILE)
        if any((path / name).exists() for name in files):
            found.append(path)
            continue
        if not path.is_dir():
            problems.append(f"{path}: not found (insert and mount the medium)")
            continue
        inside = sorted(p for p in path.iterdir() if p.is_dir() and p.name.startswith(COPY_PREFIX))
        # a copy still marked INCOMPLETE (a killed ceremony's) is chosen only alone,
        # for read_copies to refuse it, saying why
        inside = [p for p in inside if not is_marked(p)] or inside
        if len(inside) == 1:
            found.append(inside[0])
        elif not inside:
            problems.append(f"{path}: holds no custody-* copy")
        else:
            names = ", ".join(str(p) for p in inside)
            problems.append(
                f"{path} holds {len(inside)} {_UNCLEAR}: name that copy's own folder in "
                f"recover-from.copies (one of {names})"
            )
    return found, problems


def find_copies(plan: Plan, current: CurrentState | None) -> tuple[FoundCopies, list[str]]:
    """The custody bundle's copies, read and checked against its record:
    the one the current bundle carries when it has it, else the copies' own.
    Raises ArchiveCopyError when no copy is good."""
    assert plan.recover_from is not None  # only a recovery looks for copies
    paths, missing = resolve_copies(plan.recover_from.copies)
    retired = [(path, read_copy(path).retirement) for path in paths]
    for path, retirement in retired:
        if retirement is not None:
            missing.append(f"{path}: RETIRED on {retirement.retired_at} ({retirement.reason}); "
                           "a retired copy is never used")
    paths = [path for path, retirement in retired if retirement is None]
    if paths:
        found = read_copies(paths)  # which ceremony's bundle this is
        carried = current.custody_records if current is not None else {}
        if found.record.ceremony_id in carried:
            expected = carried[found.record.ceremony_id][1]
            found = read_copies(paths, expected=expected)
        return found, missing
    ambiguous = [problem for problem in missing if _UNCLEAR in problem]
    raise ArchiveCopyError(
        ("which custody copy to recover from is not clear: " + "; ".join(ambiguous))
        if ambiguous else "no copy of the custody bundle was found: " + "; ".join(missing),
        where="recover-from.copies",
        todo="insert the media holding the copies, and check the folders in the script",
    )


def custody_id(record: KeyRecord) -> str:
    """The id a custody record names a key by (its TUF keyid, whatever the flavor)."""
    return tuf_key_for(record.public_key).keyid


def held_keyids(record: CustodyRecord, current: CurrentState) -> set[str]:
    """The current keys (by the flavor's ids) that the custody bundle holds."""
    held = set(record.root_keyids)
    return {key.keyid for key in current.keys.values() if _custody_id_or_none(key) in held}


def _custody_id_or_none(record: KeyRecord) -> str | None:
    try:
        return custody_id(record)
    except (ValueError, TypeError, KeyBackendError):
        return None  # a key a custody bundle cannot hold


def custody_problems(record: CustodyRecord, current: CurrentState) -> list[tuple[str, str]]:
    """(check, problem) for a custody bundle whose keys cannot sign after the
    current root(s), or that names a key like a current key but is another."""
    for key in record.keys:
        named = current.keys.get(key.name)
        if named is not None and _custody_id_or_none(named) != key.keyid:
            return [(
                f"custody key {key.name}",
                f"key {key.name} in the custody bundle of ceremony {record.ceremony_id} is "
                f"not the current bundle's {key.name}: this custody bundle is not of this "
                "repository's ceremonies; bring the right copies",
            )]
    held = held_keyids(record, current)
    problems = []
    for label, result in current.root_thresholds(held):
        if not result.met:
            problems.append(("custody keys", _what_is_missing(record, current, label, result)))
    return problems


def _what_is_missing(
    record: CustodyRecord, current: CurrentState, label: str, result: ThresholdResult
) -> str:
    """Which of the root's keys this custody bundle lacks, and why, in words."""
    absent = [current.key_by_id(keyid) for keyid in result.unsigned]
    why = [_why_absent(key) for key in sorted((k for k in absent if k is not None),
                                              key=lambda k: k.name)]
    unknown = sum(1 for key in absent if key is None)
    if unknown:
        why.append(f"{_count(unknown, 'root key')} this bundle does not name")
    said = (
        f"the custody bundle of ceremony {record.ceremony_id} holds {result.have} of the "
        f"{result.need} root keys that {label} needs"
        + (f" ({'; '.join(why)})" if why else "")
    )
    if result.have:
        return (
            said + ": a recovery from custody alone cannot sign it. Sign with the root keys "
            "still at hand in a rotate-root (sign-with) instead, or bring the custody bundle "
            "of a later ceremony that holds enough of them"
        )
    return said + ": bring the custody bundle of a ceremony that made this root's keys"


def _why_absent(key: KeyRecord) -> str:
    if key.location.startswith("pkcs11:"):
        made = "was imported into a token" if key.origin == "imported" else "was made on a token"
        return f"{key.name} {made} and is not in custody"
    return f"{key.name} is kept in its key file, not in this custody bundle"


def _count(n: int, noun: str) -> str:
    """``1 good copy``, ``2 good copies``, ``3 root keys``."""
    if n == 1:
        return f"1 {noun}"
    return f"{n} {noun[:-1]}ies" if noun.endswith("y") else f"{n} {noun}s"


def _check_recovery(plan: Plan, result: PreflightResult, now: datetime | None) -> None:
    try:
        found, missing = find_copies(plan, result.current)
    except ArchiveCopyError as error:
        result.add("custody bundle", error.message())
        return
    notes = [str(p) for p in found.problems] + missing
    detail = f"ceremony {found.record.ceremony_id}: {_count(len(found.good), 'good copy')}"
    if notes:
        detail += "; will not use: " + "; ".join(notes)
    if found.record.rehearsal and not plan.rehearsal:
        result.add("custody bundle", f"{detail}; it is a REHEARSAL's custody bundle, whose "
                   "keys are practice keys: a production recovery never uses them; bring the "
                   "production copies")
        return
    if found.record.rehearsal:
        detail += "; a REHEARSAL's custody bundle (practice keys)"
    result.add("custody bundle", None, detail)
    current = result.current
    if current is None:
        return  # the current bundle's own check already failed
    problems = custody_problems(found.record, current)
    for check, problem in problems:
        result.add(check, problem)
    if not problems:
        result.add("custody keys", None, "its root keys can sign the next root version")
        flavor_named(plan.flavor).check_recovery(plan, found.record, current, result, now)
