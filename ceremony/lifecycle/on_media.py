"""The bundles on mounted media, and how soon each needs its next ceremony.

:func:`bundles_on` finds bundle folders (a ``MANIFEST.json`` at their top)
on each medium, at its top and up to two folders down, never following a
link and reading at most :data:`MOST_ENTRIES` names of any folder, so a
large medium costs little. :func:`summary` judges one bundle as ``ceremony
status`` does (status.py) and keeps what the next ceremony is about: the
worst state of the roles signed offline (root, targets, a Sigstore trusted
root's services; snapshot and timestamp are an online signer's to renew)
and the earliest of their renew-by dates. A bundle that cannot be read says
why. The home screen of the terminal UI shows these; nothing here prints.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ceremony.errors import CeremonyError
from ceremony.verify.limits import MANIFEST

MOST_ENTRIES = 200  # names read in any one folder
DEPTH = 2  # folders below a medium's top


@dataclass(frozen=True)
class BundleSummary:
    """One bundle on a medium: where (``label``: its path on the medium), and
    its worst offline state and earliest renew-by date, or why it was not read."""

    label: str
    path: Path
    state: str = "fine"
    renew_by: datetime | None = None
    problem: str = ""


def bundles_on(media: Iterable[str]) -> list[tuple[str, Path]]:
    """Each bundle folder on each medium: (its path on the medium, the folder)."""
    found = []
    for medium in map(Path, media):
        for folder in _folders(medium, DEPTH):
            if (folder / MANIFEST).is_file():
                found.append((str(folder.relative_to(medium)) if folder != medium
                              else medium.name, folder))
    return found


def _folders(folder: Path, depth: int) -> Iterable[Path]:
    if not folder.is_dir() or folder.is_symlink():
        return
    yield folder
    if depth == 0 or (folder / MANIFEST).is_file():  # a bundle holds no other
        return
    try:
        with os.scandir(folder) as entries:
            names = sorted(entry.name for entry in itertools.islice(entries, MOST_ENTRIES)
                           if entry.is_dir(follow_symlinks=False)
                           and not entry.name.startswith("."))
    except OSError:
        return
    for name in names:
        yield from _folders(folder / name, depth - 1)


def summary(label: str, path: Path, *, at: datetime) -> BundleSummary:
    """The bundle at ``path`` judged at ``at`` (see the module text)."""
    # the flavors load only when a bundle is found: looking at media with none is cheap
    from ceremony.lifecycle.status import CRITICAL, EXPIRED, FINE, ONLINE_ROLES, RENEW, judge

    try:
        statuses = [status for status in judge([path], at=at)
                    if status.lifetime.role not in ONLINE_ROLES]
    except CeremonyError as error:
        return BundleSummary(label, path, problem=error.what)
    except OSError as error:
        return BundleSummary(label, path, problem=error.strerror or str(error))
    if not statuses:
        return BundleSummary(label, path, problem="no role that expires")
    return BundleSummary(
        label, path,
        state=max((status.state for status in statuses),
                  key=(FINE, RENEW, CRITICAL, EXPIRED).index),
        renew_by=min(status.renew_by for status in statuses),
    )
