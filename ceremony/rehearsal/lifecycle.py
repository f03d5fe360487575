"""``ceremony rehearse --lifecycle``: a root's whole life, on embedded defaults.

A TUF bootstrap whose root expires in 30 days (with a ``policy:``), then, on
the rehearsal's own clock: ``ceremony status`` a day after that expiry (exit
2); the renewal ``ceremony next --kind renew`` writes (the expired root and
targets signed again, ``current-root-expired: renew``); ``status`` fine again;
the next day the quarterly rotation ``ceremony next --kind rotate-root``
writes (the online keys the policy's ``rotation`` names replaced); and the calendar of the newest
bundle written as an iCalendar file and as text. Each status is shown as a
check line; the scripts ``next`` wrote stay in the folder for review.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Generator, Iterator
from datetime import datetime, timedelta
from pathlib import Path

from ceremony.bundle.files import write_new
from ceremony.engine import utc_now
from ceremony.events import Event, FileWritten, PreflightChecked
from ceremony.lifecycle.calendar import schedule
from ceremony.lifecycle.ics import ics_text
from ceremony.lifecycle.next import next_script_text
from ceremony.lifecycle.status import exit_code, judge
from ceremony.rehearsal.operator import RehearsalOperator
from ceremony.rehearsal.run import default_folder, new_folder, run_scripts

BOOTSTRAP = """\
# Rehearsal of a root's life, 1 of 3: a root that expires in 30 days.
format: 1
ceremony: bootstrap
flavor: tuf
title: Rehearsal - a TUF root that expires soon
rehearsal: true
output: 1-bootstrap
keyholders: [{name: alice}, {name: bob}, {name: carol}, {name: online-team}]
keys:
  - {name: root-alice, holder: alice, algorithm: ed25519}
  - {name: root-bob, holder: bob, algorithm: ecdsa-p256}
  - {name: root-carol, holder: carol, algorithm: ed25519}
  - {name: targets-1, holder: online-team, algorithm: ed25519}
  - {name: snapshot-1, holder: online-team, algorithm: ed25519}
  - {name: timestamp-1, holder: online-team, algorithm: ed25519}
roles:
  root: {keys: [root-alice, root-bob, root-carol], threshold: 2, expires: 30d}
  targets: {keys: [targets-1], threshold: 1, expires: 30d}
  snapshot: {keys: [snapshot-1], threshold: 1, expires: 7d}
  timestamp: {keys: [timestamp-1], threshold: 1, expires: 1d}
policy:
  renewal-margin: 14d
  critical-margin: 3d
  rotation: {snapshot: 90d, timestamp: 90d}
"""
README = """\
REHEARSAL - NOT FOR PRODUCTION

Made by `ceremony rehearse --lifecycle`: a root's whole life on the
rehearsal's clock. 1-bootstrap's root expires in 30 days; a day after, it
has expired and is renewed (2-renew.yaml, written by `ceremony next --kind
renew`); the next day the quarterly rotation replaces the snapshot and
timestamp keys (3-rotate.yaml, by `ceremony next --kind rotate-root`);
calendar.ics and calendar.txt hold the dates to act on for the newest
bundle. The keys had random passphrases that lived only in memory: never
trust them.
"""


def rehearse_lifecycle(
    folder: Path | None = None, *, clock: Callable[[], datetime] = utc_now
) -> Iterator[Event]:
    start = clock()
    folder = new_folder(folder or default_folder(start), README)
    operator = RehearsalOperator()
    yield from run_scripts(folder, [("1-bootstrap.yaml", BOOTSTRAP)], operator, lambda: start)
    bundle = folder / "1-bootstrap"
    yield _status(bundle, start, 0)
    expired = start + timedelta(days=31)
    yield _status(bundle, expired, 2)
    renewed = yield from _next(folder, bundle, "renew", "2-renew.yaml", expired, operator)
    yield _status(renewed, expired, 0)
    quarter = expired + timedelta(days=1)  # the quarter's rotation, within the renewed 30 days
    rotated = yield from _next(folder, renewed, "rotate-root", "3-rotate.yaml", quarter, operator)
    yield _status(rotated, quarter, 0)
    entries = schedule(judge([rotated], at=quarter))
    lines = [f"{e.when:%Y-%m-%d %H:%MZ}  {e.what:<13}  {e.status.lifetime.name} "
             f"(version {e.status.lifetime.version})" for e in entries]
    for name, data in (("calendar.ics", ics_text(entries, stamp=quarter).encode()),
                       ("calendar.txt", ("\n".join(lines) + "\n").encode())):
        write_new(folder / name, data)
        yield FileWritten(str(folder / name), hashlib.sha256(data).hexdigest(), len(data))


def _next(
    folder: Path, bundle: Path, kind: str, name: str, at: datetime, operator: RehearsalOperator
) -> Generator[Event, None, Path]:
    """Write ``ceremony next``'s script of ``kind`` as at ``at``, run it; its bundle."""
    text = next_script_text(bundle, kind, folder / name, at=at)
    outputs = [line.split(":", 1)[1].strip() for line in text.splitlines()
               if line.startswith("output:")]
    yield from run_scripts(folder, [(name, text)], operator, lambda: at)
    return folder / outputs[0]


def _status(bundle: Path, at: datetime, expected: int) -> PreflightChecked:
    statuses = judge([bundle], at=at)
    code = exit_code(statuses)
    words = ", ".join(f"{s.lifetime.name} v{s.lifetime.version} {s.state}" for s in statuses)
    return PreflightChecked(
        f"status {bundle.name} at {at:%Y-%m-%d}", code == expected,
        f"exit {code} (expected {expected}): {words}",
    )
