"""targets.json, when a bundle has one: signed as the newest root requires.

Checks its shape, that a threshold of the newest root's targets keys signed
it, that its delegations name keys by correct keyids, that
``V.targets.json`` holds the same bytes (consistent snapshots), and that it
has not expired at the checked time.
"""

from __future__ import annotations

import re

from ceremony.flavors.tuf.verify.metadata import SignedFile, read_metadata
from ceremony.flavors.tuf.verify.root_history import RootHistory
from ceremony.flavors.tuf.verify.signatures import SignatureChecks, check_signed_by, usable_keys
from ceremony.verify.contents import BundleContents
from ceremony.verify.keys import KeyRing, PublicKey
from ceremony.verify.problem import Problem, safe_path
from ceremony.verify.times import datetime

CURRENT_TARGETS = "metadata/targets.json"
_VERSIONED_TARGETS = re.compile(r"metadata/([1-9][0-9]{0,8})\.targets\.json")


class TargetsFacts:
    def __init__(self) -> None:
        self.file: SignedFile | None = None
        self.delegation_keys: dict[str, PublicKey] = {}


def check_targets(
    contents: BundleContents,
    ring: KeyRing,
    history: RootHistory,
    at: datetime,
    at_text: str,
    problems: list[Problem],
) -> TargetsFacts:
    facts = TargetsFacts()
    versioned = {
        int(match.group(1)): path
        for path in contents.files
        if (match := _VERSIONED_TARGETS.fullmatch(path))
    }
    if CURRENT_TARGETS not in contents.files:
        for version in sorted(versioned):
            problems.append(
                Problem(versioned[version], f"present, but {CURRENT_TARGETS} is missing")
            )
        return facts
    data = contents.content(CURRENT_TARGETS)
    file = read_metadata(CURRENT_TARGETS, data, "targets", problems) if data is not None else None
    if file is None:
        return facts
    facts.file = file

    root = history.newest
    if root is not None and "targets" in root.roles:
        rule = root.roles["targets"]
        owner = f"root version {root.version or history.versions[-1]}"
        check_signed_by(SignatureChecks(file), [(rule, history.newest_keys, owner)], problems)
    facts.delegation_keys = usable_keys(file, ring, problems, "signed.delegations.keys")

    if file.version is not None:
        _check_versioned_copies(contents, file.version, versioned, problems)
    if file.expires is not None and at >= file.expires:
        problems.append(
            Problem(CURRENT_TARGETS, f"expired {file.expires_text} (checked as of {at_text})",
                    expiry=True)
        )
    return facts


def _check_versioned_copies(
    contents: BundleContents, version: int, versioned: dict[int, str], problems: list[Problem]
) -> None:
    current = contents.files[CURRENT_TARGETS]
    copy_path = f"metadata/{version}.targets.json"
    copy = contents.files.get(copy_path)
    if copy is None:
        problems.append(
            Problem(copy_path, f"missing: it must hold the same bytes as {CURRENT_TARGETS}")
        )
    elif copy.sha256 != current.sha256:
        problems.append(Problem(copy_path, f"not the same bytes as {CURRENT_TARGETS}"))
    for other_version, path in versioned.items():
        if other_version > version:
            problems.append(
                Problem(
                    safe_path(path),
                    f"newer than {CURRENT_TARGETS}, which is version {version}",
                )
            )
