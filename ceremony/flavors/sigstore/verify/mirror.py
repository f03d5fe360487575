"""The mirror/ folder as a TUF client walks it, judged on bytes already in memory.

Its newest root is the bundle's (already judged by the TUF checks), byte
for byte; timestamp names the snapshot, snapshot names targets, each signed
by a threshold of the keys the root gives its role and not expired; every
target the targets metadata lists is under ``targets/<sha256>.<name>`` with
that hash and length. Returns the targets' files by name, for the documents'
checks; problems go to the list, never raised.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tuf.api.exceptions import LengthOrHashMismatchError, RepositoryError
from tuf.api.metadata import Metadata, Root, Snapshot, Targets, Timestamp
from tuf.api.serialization import DeserializationError

from ceremony.verify.contents import BundleContents
from ceremony.verify.problem import Problem

MIRROR = "mirror/"


def _root_version(path: str) -> int | None:
    name = path[len(MIRROR) :]
    number, _, rest = name.partition(".")
    return int(number) if rest == "root.json" and number.isdigit() else None


def check_mirror(
    contents: BundleContents, at: datetime, problems: list[Problem]
) -> dict[str, bytes]:
    """The target files of the mirror, by name, when the mirror holds together."""
    versions = sorted(v for p in contents.files if (v := _root_version(p)) is not None)
    if not versions:
        problems.append(Problem("mirror", "no N.root.json: there is no mirror to serve"))
        return {}
    newest = f"{MIRROR}{versions[-1]}.root.json"
    root_bytes = contents.content(newest)
    if root_bytes is None or root_bytes != contents.content("metadata/root.json"):
        problems.append(Problem(newest, "differs from the bundle's metadata/root.json"))
        return {}
    root: Root = Metadata[Root].from_bytes(root_bytes).signed
    timestamp = _signed(contents, f"{MIRROR}timestamp.json", root, Timestamp, at, problems)
    if timestamp is None:
        return {}
    snapshot_name = f"{MIRROR}{timestamp.snapshot_meta.version}.snapshot.json"
    snapshot_bytes = contents.content(snapshot_name)
    if not _matches(snapshot_name, snapshot_bytes, timestamp.snapshot_meta, problems):
        return {}
    snapshot = _signed(contents, snapshot_name, root, Snapshot, at, problems)
    if snapshot is None:
        return {}
    targets_meta = snapshot.meta.get("targets.json")
    if targets_meta is None:
        problems.append(Problem(snapshot_name, "names no targets.json"))
        return {}
    targets_name = f"{MIRROR}{targets_meta.version}.targets.json"
    targets = _signed(contents, targets_name, root, Targets, at, problems)
    if targets is None:
        return {}
    if targets.version != targets_meta.version:
        problems.append(
            Problem(
                targets_name,
                f"is version {targets.version}, but snapshot names version {targets_meta.version}",
            )
        )
        return {}
    found: dict[str, bytes] = {}
    for name, target in targets.targets.items():
        digest = target.hashes.get("sha256", "")
        path = f"{MIRROR}targets/{digest}.{name}"
        data = contents.content(path)
        if data is None:
            problems.append(Problem(path, f"missing: targets.json lists {name}"))
            continue
        try:
            target.verify_length_and_hashes(data)
        except LengthOrHashMismatchError:
            problems.append(
                Problem(path, f"does not match the length and sha256 targets.json gives {name}")
            )
            continue
        found[name] = data
    return found


def _matches(path: str, data: bytes | None, meta: Any, problems: list[Problem]) -> bool:
    if data is None:
        problems.append(Problem(path, "missing: the metadata before it names it"))
        return False
    if meta.hashes or meta.length:
        try:
            meta.verify_length_and_hashes(data)
        except LengthOrHashMismatchError:
            problems.append(Problem(path, "does not match the length and hash timestamp gives it"))
            return False
    return True


def _signed(
    contents: BundleContents,
    path: str,
    root: Root,
    kind: type[Any],
    at: datetime,
    problems: list[Problem],
) -> Any:
    data = contents.content(path)
    if data is None:
        problems.append(Problem(path, "missing from the mirror"))
        return None
    try:
        md = Metadata.from_bytes(data)
    except DeserializationError:
        problems.append(Problem(path, "is not TUF metadata python-tuf can read"))
        return None
    role = kind.type
    if not isinstance(md.signed, kind):
        problems.append(Problem(path, f"is not {role} metadata"))
        return None
    try:
        root.verify_delegate(role, md.signed_bytes, md.signatures)
    except RepositoryError:
        result = root.get_verification_result(role, md.signed_bytes, md.signatures)
        problems.append(
            Problem(
                path,
                f"has {len(result.signed)} valid signatures from the "
                f"{role} keys of the root, threshold {result.threshold}",
            )
        )
        return None
    if md.signed.is_expired(at):
        problems.append(
            Problem(
                path,
                f"expired {md.signed.expires:%Y-%m-%d %H:%M} UTC: "
                "clients refuse it; the signer must refresh it",
                expiry=True,  # a renew signs the mirror again
                online=kind in (Snapshot, Timestamp),  # and so does every later ceremony
            )
        )
    return md.signed
