"""The verification core: every check on a bundle already read into memory.

No I/O here (like python-tuf's trusted metadata set): the loader reads the
media, this judges what was read, in one pass, each file parsed once.
"""

from __future__ import annotations

from datetime import datetime, timezone

from ceremony.verify.contents import BundleContents
from ceremony.verify.key_index import check_key_index
from ceremony.verify.keys import KeyRing
from ceremony.verify.limits import REHEARSAL
from ceremony.verify.manifest import check_manifest
from ceremony.verify.report import VerificationReport
from ceremony.verify.root_history import check_root_history
from ceremony.verify.targets import check_targets
from ceremony.verify.transcript import check_transcript


def utc_text(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def as_utc(moment: datetime | None) -> datetime:
    """``moment`` in UTC; now when None; a naive time is taken as UTC."""
    if moment is None:
        return datetime.now(timezone.utc)
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def check_bundle(contents: BundleContents, at: datetime, bundle: str = "") -> VerificationReport:
    """Judge a bundle read into memory as of ``at`` (an aware datetime)."""
    at_text = utc_text(at)
    report = VerificationReport(bundle=bundle, checked_at=at_text)
    problems = report.problems
    problems.extend(contents.problems)
    if not contents.found:
        return report
    report.files_checked = sum(1 for f in contents.files.values() if f.sha256 is not None)

    manifest = check_manifest(contents, problems)
    report.ceremony, report.ceremony_id = manifest.ceremony, manifest.ceremony_id
    report.rehearsal = REHEARSAL in contents.files or bool(manifest.rehearsal)

    ring = KeyRing()
    history = check_root_history(contents, ring, at, at_text, problems)
    report.root_versions = history.versions
    if history.newest is not None:
        report.root_expires = history.newest.expires_text

    targets = check_targets(contents, ring, history, at, at_text, problems)
    if targets.file is not None:
        report.targets_version = targets.file.version
        report.targets_expires = targets.file.expires_text

    known_keys = {**history.every_key, **targets.delegation_keys}
    required: dict[str, str] = {}
    # keys the newest metadata relies on; ones that cannot count were reported
    if history.newest is not None:
        for rule in history.newest.roles.values():
            for keyid in rule.keyids:
                if keyid in history.newest_keys:
                    required.setdefault(keyid, rule.name)
    if targets.file is not None:
        for rule in targets.file.roles.values():
            for keyid in rule.keyids:
                if keyid in targets.delegation_keys:
                    required.setdefault(keyid, f"delegated {rule.name}")
    check_key_index(contents, known_keys, required, problems)

    transcript = check_transcript(contents, manifest.transcript_head, problems)
    report.transcript_head, report.transcript_lines = transcript.head, transcript.lines
    return report
