"""A DCT bundle's root history, one GUN at a time, judged by notary's rules.

For each GUN listed in ``metadata/dct.json``: every ``metadata/<gun>/N.root.json``
from the first version the bundle holds (1, or the root a Docker trust dir
had cached when it was imported) to the newest, without gaps; each file in
notary's exact bytes (Go's serialization: a re-serialized file would give
clients a different checksum); version N+1 signed by a threshold of version
N's root keys AND of its own (notary's signature rules: raw ``r||s`` ECDSA,
x509 key ids, distinct keys); the first version signed by its own root
keys; the newest root's certificates for this GUN, not CA, not expired, and
the newest root not expired at the checked time; ``root.json`` the newest
bytes; ``targets.json``, when present, signed by the newest root's targets
key. No I/O: everything comes from the contents the loader read.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes

from ceremony.checked import read_once
from ceremony.errors import CeremonyError
from ceremony.flavors.dct import layout
from ceremony.flavors.dct.notary.keyids import certificate_of, public_key_of
from ceremony.flavors.dct.notary.model import (
    Metadata,
    PublicKey,
    Root,
    SignedT,
    Targets,
    is_of_type,
)
from ceremony.flavors.dct.notary.root import check_rotation, verify_root
from ceremony.flavors.dct.notary.signing import verify_role
from ceremony.flavors.dct.notary.validate import (
    check_root_certificate_at,
    root_certificate_window,
)
from ceremony.flavors.dct.shared_reading import read_shared
from ceremony.verify.contents import BundleContents
from ceremony.verify.problem import Problem, safe_path


@dataclass
class GunFacts:
    """What the walk found for one GUN."""

    gun: str
    versions: list[int] = field(default_factory=list)
    newest: Metadata[Root] | None = None
    newest_path: str = ""
    targets: Metadata[Targets] | None = None


def root_versions(contents: BundleContents) -> dict[str, list[int]]:
    """Every GUN's root versions present in the bundle, each list sorted: read once
    for the whole bundle (a scan per GUN would cost GUNs x files)."""
    found: dict[str, list[int]] = {}
    for path in contents.files:
        if (root := layout.versioned_root(path)) is not None:
            found.setdefault(root[0], []).append(root[1])
    return {gun: sorted(versions) for gun, versions in found.items()}


def check_gun_history(
    contents: BundleContents,
    gun: str,
    first: int,
    newest_version: int,
    at: datetime,
    problems: list[Problem],
    present: list[int] | None = None,
) -> GunFacts:
    """``gun``'s root history; ``present``: its versions in the bundle, from
    :func:`root_versions` (found here when not given)."""
    facts = GunFacts(gun)
    if present is None:
        present = root_versions(contents).get(gun, [])
    facts.versions = present
    expected = list(range(first, newest_version + 1))
    for version in sorted(set(expected) - set(present)):
        problems.append(
            Problem(
                safe_path(layout.root_path(gun, version)),
                f"missing: the root history of {gun} runs from version {first} to "
                f"{newest_version} without gaps",
            )
        )
    for version in sorted(set(present) - set(expected)):
        problems.append(
            Problem(
                safe_path(layout.root_path(gun, version)),
                f"not part of the history metadata/dct.json gives ({first} to {newest_version})",
            )
        )
    previous: Metadata[Root] | None = None
    for version in expected:
        path = layout.root_path(gun, version)
        metadata = _read(contents, path, Root, problems)
        if metadata is None:
            previous = None
            continue
        if metadata.signed.version != version:
            problems.append(
                Problem(
                    safe_path(path),
                    f"signed.version is {metadata.signed.version}, but its name says {version}",
                )
            )
        _check_signatures(path, metadata, previous, version == first, problems)
        previous = metadata
        if version == newest_version:
            facts.newest, facts.newest_path = metadata, path
    _check_newest(contents, facts, at, problems)
    facts.targets = _check_targets(contents, facts, at, problems)
    return facts


def _read(
    contents: BundleContents, path: str, kind: type[SignedT], problems: list[Problem]
) -> Metadata[SignedT] | None:
    data = contents.content(path)
    if data is None:
        return None  # missing or unreadable: already a problem
    # the same bytes at the same path (the current bundle's, then the sealed
    # one's): parsed and judged once inside a seal or a ceremony
    metadata, found = read_once(("dct metadata", path, kind.TYPE, data),
                                lambda: _parsed(data, path, kind))
    problems.extend(found)
    return metadata


def _parsed(
    data: bytes, path: str, kind: type[SignedT]
) -> tuple[Metadata[SignedT] | None, tuple[Problem, ...]]:
    """``data`` read as notary metadata of ``kind``, and the problems found in it.
    The reading of good bytes is the one the ceremony's other readers share (a
    GUN's newest root, which the state the seal builds on reads too; a new root,
    which the seal's events read before it is verified): the same parse of the
    same bytes. Bytes that do not read as ``kind`` are read again here, to say why."""
    where = safe_path(path)
    try:
        read: Metadata[Any] = read_shared(data, kind, path)
    except CeremonyError:
        try:
            read = Metadata.from_bytes(data, path)
        except CeremonyError as error:
            return None, (Problem(where, f"not valid notary metadata: {error.what}"),)
    if not is_of_type(read, kind):
        return None, (Problem(where, f"is a {read.type} file, not {kind.TYPE}"),)
    if read.to_bytes() != data:
        return read, (
            Problem(
                where,
                "not in notary's exact bytes (Go's JSON): clients would compute a different "
                "checksum than the server's",
            ),
        )
    return read, ()


def _check_signatures(
    path: str,
    metadata: Metadata[Root],
    previous: Metadata[Root] | None,
    first: bool,
    problems: list[Problem],
) -> None:
    where = safe_path(path)
    if previous is not None:
        try:
            check_rotation(previous.signed, metadata)
        except CeremonyError as error:
            problems.append(Problem(where, error.what))
        return
    result = verify_root(metadata, metadata.signed)
    if not result.met:
        whose = "its own" if first else "its own (the version before it could not be read)"
        problems.append(
            Problem(
                where,
                f"{whose} root keys give it {result.words('valid signature')}",
            )
        )


def _check_newest(
    contents: BundleContents, facts: GunFacts, at: datetime, problems: list[Problem]
) -> None:
    newest = facts.newest
    if newest is None:
        return
    where = safe_path(facts.newest_path)
    root = newest.signed
    for keyid in root.roles["root"].keyids:
        key = root.keys[keyid]
        # the same certificate for the same GUN (the current bundle's, then the
        # sealed one's): what no clock changes is judged once inside a seal
        window = read_once(("dct root certificate", key.keytype, key.public, facts.gun),
                           functools.partial(_certificate_window, key, facts.gun))
        try:
            if isinstance(window, str):
                problems.append(Problem(where, f"root key {keyid[:8]}: {window}"))
                continue
            check_root_certificate_at(window, facts.gun, at, new=False)
        except CeremonyError as error:
            problems.append(Problem(where, f"root key {keyid[:8]}: {error.what}"))
    if at >= root.expires_at:
        problems.append(
            Problem(where, f"expired {root.expires} (checked as of {at:%Y-%m-%dT%H:%M:%SZ})",
                    expiry=True)
        )
    current = layout.newest_root_path(facts.gun)
    listed, newest_file = contents.files.get(current), contents.files.get(facts.newest_path)
    if listed is None:
        problems.append(
            Problem(safe_path(current), f"missing: it must hold the same bytes as {where}")
        )
    elif listed.sha256 and newest_file and listed.sha256 != newest_file.sha256:
        problems.append(
            Problem(safe_path(current), f"not the same bytes as {where}, the newest root")
        )


def _certificate_window(key: PublicKey, gun: str) -> tuple[datetime, datetime] | str:
    """A root key's certificate for ``gun``: its validity window, or what notary refuses."""
    try:
        certificate = certificate_of(key)
        try:  # the key the signature checks parsed already
            public_key: PublicKeyTypes | None = public_key_of(key)
        except CeremonyError:
            public_key = None  # the certificate's own parse says what is wrong, in turn
        return root_certificate_window(certificate, gun, public_key)
    except CeremonyError as error:
        return error.what


def _check_targets(
    contents: BundleContents, facts: GunFacts, at: datetime, problems: list[Problem]
) -> Metadata[Targets] | None:
    path = layout.targets_path(facts.gun)
    if path not in contents.files:
        return None
    metadata = _read(contents, path, Targets, problems)
    if metadata is None or facts.newest is None:
        return metadata
    root = facts.newest.signed
    role = root.roles["targets"]
    keys = {keyid: root.keys[keyid] for keyid in role.keyids if keyid in root.keys}
    result = verify_role(metadata, keys, role.threshold, "targets")
    where = safe_path(path)
    if not result.met:
        problems.append(
            Problem(
                where,
                f"the targets key of root version {root.version} gives it "
                f"{result.words('valid signature')}",
            )
        )
    if at >= metadata.signed.expires_at:
        problems.append(Problem(where, f"expired {metadata.signed.expires}", expiry=True))
    return metadata
