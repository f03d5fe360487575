"""``ceremony verify``: check a bundle on media as a strict client would.

:func:`verify_bundle` reads a bundle directory once (treating the media as
hostile input, loader.py), judges what it read with no further I/O, and
returns a :class:`VerificationReport`: one :class:`Problem` per thing wrong,
saying where and what, facts for a summary, and the contents it read. What
every bundle has is judged here (the manifest, the transcript chain); what
its flavor wrote (root histories, keys, a DCT publish set...) is judged by
the flavor the manifest names (``Flavor.check_bundle``). A ceremony that
builds on a bundle takes the contents from the report: no file is read twice
(two reads of hostile media may see two different files). It never prints
and never raises for a bad bundle; a bad bundle is a report with problems.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from ceremony.errors import UnknownFlavorError
from ceremony.flavor import Flavor, flavor_named, flavor_names
from ceremony.verify.contents import BundleContents
from ceremony.verify.limits import MANIFEST, REHEARSAL
from ceremony.verify.loader import read_bundle
from ceremony.verify.manifest import ManifestFacts, check_manifest
from ceremony.verify.problem import Problem, shown
from ceremony.verify.report import VerificationReport
from ceremony.verify.times import as_utc, utc_text
from ceremony.verify.transcript import check_transcript

__all__ = ["Problem", "VerificationReport", "judge_bundle", "verify_bundle"]


def verify_bundle(path: Path, *, at: datetime | None = None) -> VerificationReport:
    """Verify the bundle at ``path`` as of ``at`` (default: now; a naive
    datetime is taken as UTC)."""
    return judge_bundle(read_bundle(Path(path)), as_utc(at), bundle=str(path))


def judge_bundle(contents: BundleContents, at: datetime, bundle: str = "") -> VerificationReport:
    """Judge a bundle already read into memory as of ``at`` (an aware datetime)."""
    report = VerificationReport(bundle=bundle, checked_at=utc_text(at), contents=contents)
    problems = report.problems
    problems.extend(contents.problems)
    if not contents.found:
        return report
    report.files_checked = sum(1 for f in contents.files.values() if f.sha256 is not None)
    manifest = check_manifest(contents, problems)
    report.ceremony, report.ceremony_id = manifest.ceremony, manifest.ceremony_id
    report.rehearsal = REHEARSAL in contents.files or bool(manifest.rehearsal)
    flavor = _flavor_of(manifest, problems)
    report.flavor = flavor.name
    flavor.check_bundle(contents, at, report)
    transcript = check_transcript(contents, manifest.transcript_head, problems)
    report.transcript_head, report.transcript_lines = transcript.head, transcript.lines
    return report


def _flavor_of(manifest: ManifestFacts, problems: list[Problem]) -> Flavor:
    """The flavor the manifest names; the first one when it names none it can."""
    if manifest.flavor is not None:
        try:
            return flavor_named(manifest.flavor)
        except UnknownFlavorError:
            problems.append(
                Problem(
                    MANIFEST,
                    f"flavor {shown(manifest.flavor)} is not one this tool knows "
                    f"({', '.join(flavor_names())}); judged as {flavor_names()[0]}",
                )
            )
    return flavor_named(flavor_names()[0])
