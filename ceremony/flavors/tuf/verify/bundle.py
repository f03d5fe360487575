"""``ceremony verify`` for a TUF bundle: the root history, targets and key index.

verify/__init__.py has read the bundle and judged its manifest; this judges
what a TUF ceremony wrote, on the contents already in memory, in one pass,
each file parsed once (like python-tuf's trusted metadata set), and adds the
facts a summary shows to the report. The transcript is judged after it.
"""

from __future__ import annotations

from ceremony.flavors.tuf.verify.root_history import check_root_history
from ceremony.flavors.tuf.verify.targets import check_targets
from ceremony.verify.contents import BundleContents
from ceremony.verify.destroyed import check_destroyed
from ceremony.verify.key_index import check_key_index
from ceremony.verify.keys import KeyRing, PublicKey
from ceremony.verify.report import VerificationReport
from ceremony.verify.times import datetime, utc_text


def check_tuf_bundle(contents: BundleContents, at: datetime, report: VerificationReport) -> None:
    """Judge a TUF bundle's metadata and key index as of ``at`` (an aware datetime)."""
    at_text = utc_text(at)
    problems = report.problems
    ring = KeyRing()
    history = check_root_history(contents, ring, at, at_text, problems)
    report.root_versions = history.versions
    if history.newest is not None:
        report.root_expires = history.newest.expires_text

    targets = check_targets(contents, ring, history, at, at_text, problems)
    if targets.file is not None:
        report.targets_version = targets.file.version
        report.targets_expires = targets.file.expires_text

    known_keys: dict[str, PublicKey] = {**history.every_key, **targets.delegation_keys}
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
    check_destroyed(contents, {k: f"the {role} role" for k, role in required.items()}, problems)
