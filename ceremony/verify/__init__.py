"""``ceremony verify``: check a bundle on media as a strict TUF client would.

:func:`verify_bundle` reads a bundle directory (treating the media as hostile
input) and returns a :class:`VerificationReport`: one :class:`Problem` per
thing wrong, saying where and what, and facts for a summary. It never prints
and never raises for a bad bundle; a bad bundle is a report with problems.

The checks live in small modules: the manifest, the root history, targets,
the key index and the transcript chain; :mod:`.check` runs them on what
:mod:`.loader` read, with no I/O of its own.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from ceremony.verify.check import as_utc, check_bundle
from ceremony.verify.loader import read_bundle
from ceremony.verify.report import Problem, VerificationReport

__all__ = ["Problem", "VerificationReport", "verify_bundle"]


def verify_bundle(path: Path, *, at: datetime | None = None) -> VerificationReport:
    """Verify the bundle at ``path`` as of ``at`` (default: now; a naive
    datetime is taken as UTC)."""
    contents = read_bundle(Path(path))
    from ceremony.flavors.dct.verify.bundle import check_dct_bundle, is_dct_bundle

    if is_dct_bundle(contents):  # Docker Content Trust: per-GUN roots, notary's rules
        return check_dct_bundle(contents, as_utc(at), bundle=str(path))
    return check_bundle(contents, as_utc(at), bundle=str(path))
