"""``ceremony verify`` for a Sigstore bundle.

The TUF flavor judges the root history, targets and key index (asked
through the Flavor interface); this then judges, on the contents already in
memory, what a client of the instance meets: the mirror as a TUF client
walks it (mirror.py), the trust documents it carries (documents.py), and
the cosign keys for CI (cosign_keys.py) and the cluster policies that trust
them (policies.py). A migrate-dct bundle has no trust root: its cosign keys,
policies and MIGRATION.md are judged.
"""

from __future__ import annotations

from datetime import datetime

from ceremony.flavor import flavor_named
from ceremony.flavors.sigstore.plan import MIGRATION_PAGE
from ceremony.flavors.sigstore.verify.cosign_keys import check_cosign_keys
from ceremony.flavors.sigstore.verify.documents import check_documents
from ceremony.flavors.sigstore.verify.mirror import check_mirror
from ceremony.flavors.sigstore.verify.policies import check_policies
from ceremony.verify.contents import BundleContents
from ceremony.verify.problem import Problem
from ceremony.verify.report import VerificationReport


def check_sigstore_bundle(
    contents: BundleContents, at: datetime, report: VerificationReport
) -> None:
    if report.ceremony == "migrate-dct":  # no trust root: keys, policies, the page
        check_cosign_keys(contents, report.problems)
        check_policies(contents, report.problems)
        if MIGRATION_PAGE not in contents.files:
            report.problems.append(Problem(MIGRATION_PAGE, "missing: a migrate-dct bundle has it"))
        return
    flavor_named("tuf").check_bundle(contents, at, report)
    targets = check_mirror(contents, at, report.problems)
    check_documents(contents, targets, report.problems)
    check_cosign_keys(contents, report.problems)
    check_policies(contents, report.problems)
