"""Shared makings for the custody tests: keys, a custody, media directories.

Keys are made once per test session (RSA is slow to generate); each test gets
its own custody and media under its tmp_path.
"""

from __future__ import annotations

import itertools
import shutil
from functools import cache
from pathlib import Path

import pytest

from ceremony.bundle.writer import remove_mark
from ceremony.custody import CustodyKey, SharePlan, make_custody, write_copies
from hsm.algorithms import algorithm

CEREMONY_ID = "20261126T173000Z-bootstrap-3f2a9c1e"


@cache
def _private_keys() -> tuple:
    return (
        algorithm("ed25519").generate(),
        algorithm("ecdsa-p256").generate(),
        algorithm("ed25519").generate(),
    )


def custody_keys() -> list[CustodyKey]:
    alice, bob, targets = _private_keys()
    return [
        CustodyKey("root-alice", ("root",), alice),
        CustodyKey("root-bob", ("root",), bob),
        CustodyKey("targets", ("targets",), targets),
    ]


def make(plan: SharePlan | None = None, passphrase: str = "", ceremony_id: str = CEREMONY_ID):
    return make_custody(
        custody_keys(),
        ceremony_id=ceremony_id,
        root_version=1,
        plan=plan or SharePlan.of(3, 5),
        passphrase=passphrase,
    )


def another_set(custody, plan: SharePlan | None = None):
    """A second custody whose share set id differs from ``custody``'s (set
    ids are 15 random bits: two could be equal)."""
    while True:
        other = make(plan or SharePlan.of(3, 5), ceremony_id="20261201T090000Z-bootstrap-0badc0de")
        if other.shares.facts.identifier != custody.shares.facts.identifier:
            return other


def media(tmp_path: Path, count: int = 2, under: str = "") -> list[Path]:
    """``count`` empty media directories (under a sub-folder, for a second set)."""
    paths = []
    for name in itertools.islice("abcdefgh", count):
        path = tmp_path / under / f"media-{name}"
        path.mkdir(parents=True)
        paths.append(path)
    return paths


def sealed_copies(sealed, folders) -> tuple[Path, ...]:
    """Copies as a ceremony leaves them once its bundle is sealed: written
    (marked INCOMPLETE), then the mark removed, as the engine does."""
    copies = write_copies(sealed, folders)
    for copy in copies:
        remove_mark(copy)
    return copies


def written(custody, tmp_path: Path) -> tuple[Path, ...]:
    return sealed_copies(custody.sealed, media(tmp_path))


def need(*commands: str) -> None:
    """Fail (saying how to fix it) when a real tool the test drives is missing."""
    missing = [c for c in commands if shutil.which(c) is None]
    if missing:
        pytest.fail(f"{', '.join(missing)} not installed: run scripts/install-test-tools")


def runs_of_words(share_words, length: int = 3, between: str = " ") -> set[str]:
    """Every run of ``length`` consecutive words of a share, for leak checks.

    One word alone is no evidence: SLIP-39's list holds common words ("answer",
    "event") that a transcript or a repr may hold for its own reasons. ``between``
    is what separates the words where they might leak: a space in text, or
    ``"', '"`` and ``'", "'`` in a Python or JSON list.
    """
    return {between.join(share_words[i : i + length])
            for i in range(len(share_words) - length + 1)}


def holds_share_words(share_words, text: str) -> bool:
    """Whether ``text`` holds a run of three of a share's words, as text or as a list."""
    return any(run in text for between in (" ", "', '", '", "')
               for run in runs_of_words(share_words, between=between))
