"""The root history: every version from 1.root.json up, each trusted by the last.

Walks ``metadata/N.root.json`` as a client would: versions contiguous from 1,
each file's ``signed.version`` equal to its N, version N+1 signed by a
threshold of version N's root keys and of its own, ``root.json`` the same
bytes as the newest version, and the newest not expired at the checked time
(older versions may have expired: clients walk through them).

A version with nothing to say about it is read in one pass (usual_root.py);
any other is read fully (metadata.py, signatures.py), which says what is wrong.
"""

from __future__ import annotations

import re

from ceremony.flavors.tuf.verify.metadata import SignedFile, read_metadata
from ceremony.flavors.tuf.verify.signatures import SignatureChecks, check_signed_by, usable_keys
from ceremony.flavors.tuf.verify.usual_root import UsualRoots, read_usual_root
from ceremony.verify.contents import BundleContents
from ceremony.verify.keys import KeyRing, PublicKey
from ceremony.verify.problem import Problem, safe_path
from ceremony.verify.times import datetime

CURRENT_ROOT = "metadata/root.json"
_VERSIONED_ROOT = re.compile(r"metadata/([1-9][0-9]{0,8})\.root\.json")
_ANY_ROOT = re.compile(r"metadata/[^/]*\.root\.json")


class RootHistory:
    """What the walk found, for later checks and the summary."""

    def __init__(self) -> None:
        self.versions: list[int] = []
        self.newest: SignedFile | None = None
        self.newest_keys: dict[str, PublicKey] = {}
        self.every_key: dict[str, PublicKey] = {}  # any version, by keyid


def root_path(version: int) -> str:
    return f"metadata/{version}.root.json"


def check_root_history(
    contents: BundleContents, ring: KeyRing, at: datetime, at_text: str, problems: list[Problem]
) -> RootHistory:
    history = RootHistory()
    for path in contents.files:
        match = _VERSIONED_ROOT.fullmatch(path)
        if match:
            history.versions.append(int(match.group(1)))
        elif _ANY_ROOT.fullmatch(path):
            problems.append(
                Problem(safe_path(path), "not a root version name (N.root.json, N from 1)")
            )
    history.versions.sort()
    if not history.versions:
        problems.append(
            Problem("metadata/", "no root versions: a bundle holds every root from 1.root.json")
        )
        return history
    newest_version = history.versions[-1]
    present = set(history.versions)
    for version in range(1, newest_version):
        if version not in present:
            problems.append(
                Problem(
                    root_path(version),
                    f"missing: root versions must run from 1 to {newest_version} without gaps",
                )
            )

    previous: tuple[int, SignedFile, dict[str, PublicKey]] | None = None
    usual = UsualRoots(ring)
    for version in history.versions:
        path = root_path(version)
        data = contents.content(path)
        found = read_usual_root(path, data, usual) if data is not None else None
        if found is None:
            read = read_metadata(path, data, "root", problems) if data is not None else None
            if read is None:
                previous = None
                continue
            found = read, usable_keys(read, ring, problems)
        file, keys = found
        if file.version is not None and file.version != version:
            problems.append(
                Problem(path, f"signed.version is {file.version}, but its name says {version}")
            )
        history.every_key.update(keys)
        rules = []
        if previous is not None and previous[0] == version - 1 and "root" in previous[1].roles:
            rules.append((previous[1].roles["root"], previous[2], f"version {version - 1}"))
        if "root" in file.roles:
            rules.append((file.roles["root"], keys, f"version {version}"))
        check_signed_by(SignatureChecks(file), rules, problems)
        previous = (version, file, keys)
        if version == newest_version:
            history.newest, history.newest_keys = file, keys

    _check_current_root(contents, root_path(newest_version), problems)
    newest = history.newest
    if newest is not None and newest.expires is not None and at >= newest.expires:
        problems.append(
            Problem(newest.path, f"expired {newest.expires_text} (checked as of {at_text})",
                    expiry=True)
        )
    return history


def _check_current_root(
    contents: BundleContents, newest_path: str, problems: list[Problem]
) -> None:
    current, newest = contents.files.get(CURRENT_ROOT), contents.files.get(newest_path)
    if current is None:
        if not contents.was_refused(CURRENT_ROOT):  # a link or pipe is named already
            problems.append(
                Problem(CURRENT_ROOT, f"missing: it must hold the same bytes as {newest_path}")
            )
    elif current.sha256 and newest and newest.sha256 and current.sha256 != newest.sha256:
        problems.append(
            Problem(CURRENT_ROOT, f"not the same bytes as {newest_path}, the newest root version")
        )
