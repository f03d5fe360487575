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

from typing import TYPE_CHECKING

from ceremony.bundle.files import INCOMPLETE
from ceremony.errors import UnknownFlavorError
from ceremony.flavor import Flavor, flavor_named, flavor_names
from ceremony.verify.contents import BundleContents
from ceremony.verify.limits import MANIFEST, REHEARSAL, TRANSCRIPT
from ceremony.verify.loader import read_bundle
from ceremony.verify.manifest import ManifestFacts, check_agreement, check_manifest
from ceremony.verify.problem import Problem, shown
from ceremony.verify.report import VerificationReport
from ceremony.verify.times import as_utc, utc_text
from ceremony.verify.transcript import check_transcript

if TYPE_CHECKING:
    from datetime import datetime
    from os import PathLike

__all__ = ["Problem", "VerificationReport", "judge_bundle", "verify_bundle"]


def verify_bundle(
    path: str | PathLike[str], *, at: datetime | None = None, head: str | None = None
) -> VerificationReport:
    """Verify the bundle at ``path`` as of ``at`` (default: now; a naive
    datetime is taken as UTC); ``head``: the transcript head on the paper record."""
    report = judge_bundle(read_bundle(path), as_utc(at), bundle=str(path))
    if head is not None and report.transcript_head != head.strip().replace(" ", "").lower():
        report.problems.append(
            Problem(
                TRANSCRIPT,
                f"its head {report.transcript_head or 'unreadable'} is not the head written on "
                "the paper record: the record on the media is not the one read aloud",
            )
        )
    return report


def judge_bundle(
    contents: BundleContents, at: datetime, bundle: str = "", *, staging: bool = False
) -> VerificationReport:
    """Judge a bundle already read into memory as of ``at`` (an aware datetime).

    ``staging``: the engine's own check of a bundle about to be sealed, whose
    INCOMPLETE mark is expected; anywhere else that mark means "not a bundle"."""
    report = VerificationReport(bundle=bundle, checked_at=utc_text(at), contents=contents)
    problems = report.problems
    problems.extend(contents.problems)
    if not contents.found:
        return report
    if contents.files.pop(INCOMPLETE, None) is not None and not staging:
        problems.append(
            Problem(
                INCOMPLETE,
                "this folder was never sealed: a ceremony stopped while writing it, so it is "
                "not a bundle and nothing in it may be used; remove it with `ceremony clean "
                f"{bundle or 'PATH'}`",
            )
        )
    report.files_checked = sum(1 for f in contents.files.values() if f.sha256 is not None)
    manifest = check_manifest(contents, problems)
    report.ceremony, report.ceremony_id = manifest.ceremony, manifest.ceremony_id
    report.rehearsal = REHEARSAL in contents.files or bool(manifest.rehearsal)
    flavor = _flavor_of(manifest, problems)
    report.flavor = flavor.name
    flavor.check_bundle(contents, at, report)
    transcript = check_transcript(
        contents, manifest.transcript_head, problems, manifest.transcript_lines
    )
    report.transcript_head, report.transcript_lines = transcript.head, transcript.lines
    check_agreement(manifest, transcript.started, problems)
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
