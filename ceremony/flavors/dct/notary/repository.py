"""Whole offline operations on one GUN: bootstrap, root and targets-key rotation, delegation.

Each function takes the current metadata (as read from media) and the keys at
hand, and returns a :class:`GunUpdate`: the files to upload in one POST to
the Notary server (role name -> exact bytes), the certificates it made, and
warnings for the operator. With ``check`` (the default) every signature in
the result is verified before it is returned, and one that does not verify
stops the operation naming its key, even when the others meet the threshold
(a faulty token must not publish a bad signature); a root rotation is
checked against both thresholds. An update that would be refused never
leaves here.

Defaults are notary's: root 10 years, targets 3 years, snapshot 3 years.
Nothing here does I/O.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from ceremony.flavors.dct.notary.certs import (
    ROOT_CERT_VALIDITY,
    CertificateRequest,
    issue_root_certificate,
)
from ceremony.flavors.dct.notary.errors import DctError
from ceremony.flavors.dct.notary.keyids import certificate_of, pem_from_der, spki_der
from ceremony.flavors.dct.notary.model import (
    Metadata,
    PublicKey,
    Root,
    SignedT,
    Snapshot,
    Targets,
)
from ceremony.flavors.dct.notary.root import (
    RootKey,
    check_rotation,
    first_root,
    next_root,
    root_warnings,
    sign_root,
    verify_root,
)
from ceremony.flavors.dct.notary.serverkeys import ServerKeys
from ceremony.flavors.dct.notary.signing import (
    NotarySigner,
    RawSigner,
    notary_signer,
    sign_metadata,
    verify_role,
    verify_signature,
)
from ceremony.flavors.dct.notary.snapshot import build_snapshot, sign_snapshot
from ceremony.flavors.dct.notary.targets import (
    TARGETS_EXPIRY,
    add_delegation,
    add_signer,
    build_targets,
    next_targets,
    sign_targets,
)
from ceremony.flavors.dct.notary.validate import check_gun


@dataclass
class GunUpdate:
    """What one operation produced for one GUN, ready for ``dct-publish``."""

    gun: str
    files: dict[str, bytes] = field(default_factory=dict)
    root_keys: list[RootKey] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _whole_second(now: datetime | None) -> datetime:
    """``now`` (default: the clock) to the second, as every time in notary's files is."""
    if now is None:
        return datetime.fromtimestamp(int(time.time()), UTC)
    return now.replace(microsecond=0)


def _prepared(signers: Iterable[RawSigner]) -> list[NotarySigner]:
    return [notary_signer(signer) for signer in signers]


def _new_root_key(
    signer: NotarySigner, gun: str, now: datetime, validity: timedelta, check: bool
) -> RootKey:
    certificate, der = issue_root_certificate(
        signer, gun, now=now, validity=validity, check=check
    )
    return RootKey(certificate, signer, pem_from_der(der))


def root_keys_of(root: Root) -> list[RootKey]:
    """The root keys a root names (certificates only, no signers)."""
    return [RootKey(certificate_of(root.keys[keyid])) for keyid in root.roles["root"].keyids]


def with_signers(root_keys: list[RootKey], signers: Iterable[RawSigner]) -> list[RootKey]:
    """The root keys that one of ``signers`` can sign for, paired with that signer."""
    by_key = {signer.spki: signer for signer in _prepared(signers)}
    paired = []
    for root_key in root_keys:
        signer = by_key.get(spki_der(root_key.certificate.public_key()))
        if signer is not None:
            paired.append(RootKey(root_key.certificate, signer))
    return paired


def check_signed(metadata: Metadata[SignedT], root: Root, role: str, gun: str) -> None:
    """Raise DctError unless the keys ``root`` lists for ``role`` give ``metadata``
    the role's threshold of valid signatures, and none of its signatures is bad
    (:func:`refuse_bad_signatures`)."""
    keys = role_keys(root, role)
    result = verify_role(metadata, keys, root.roles[role].threshold, role)
    if not result.met:
        raise DctError(
            f"the {role} metadata has {result.words('valid signature')}",
            where=gun,
            todo="A key or token returned a bad signature, or too few keys signed; nothing "
            "was written",
        )
    refuse_bad_signatures(metadata, keys, role, gun, counted=result.have)


def refuse_bad_signatures(
    metadata: Metadata[SignedT],
    keys: dict[str, PublicKey],
    role: str,
    gun: str,
    counted: int = -1,
) -> None:
    """Raise DctError naming the key of any signature on ``metadata`` that
    does not verify with the key of ``keys`` it names, that names no key of
    ``keys``, or that repeats a key. ``counted``: how many signatures
    :func:`verify_role` already found valid; when that is all of them,
    nothing is verified twice."""
    if counted == len(metadata.signatures):
        return
    payload = metadata.signed_bytes()
    seen: set[str] = set()
    for signature in metadata.signatures:
        key = keys.get(signature.keyid)
        if key is None:
            problem = "is by a key the role does not list"
        elif signature.keyid in seen:
            problem = "repeats a key that already signed"
        elif not verify_signature(key, signature, payload):
            problem = "does not verify"
        else:
            seen.add(signature.keyid)
            continue
        raise DctError(
            f"the {role} metadata's signature by key {signature.keyid[:12]} {problem}",
            where=gun,
            todo="That key or its token returned a bad signature; nothing was written. Stop "
            "and check the key backend before signing again",
        )


def role_keys(root: Root, role: str) -> dict[str, PublicKey]:
    """The keys ``root`` lists for ``role``, by id."""
    return {keyid: root.keys[keyid] for keyid in root.roles[role].keyids}


def check_new_root(current: Root, metadata: Metadata[Root], gun: str) -> None:
    """Raise DctError unless ``metadata`` is ``current``'s next version with both
    thresholds met (:func:`check_rotation`) and not one bad signature, by the
    current root keys or its own (:func:`refuse_bad_signatures`)."""
    check_rotation(current, metadata)
    root_keys = {**role_keys(current, "root"), **role_keys(metadata.signed, "root")}
    refuse_bad_signatures(metadata, root_keys, "root", gun)


@functools.lru_cache(maxsize=16)
def _first_targets_part(expires: datetime) -> tuple[Targets, bytes]:
    targets = build_targets(expires=expires)
    return targets, Metadata(targets).signed_bytes()


def _first_targets(expires: datetime) -> Metadata[Targets]:
    """An unsigned first targets.json. Every GUN bootstrapped in the same second
    has the same one, so its canonical bytes are made once and shared (the
    shared part never leaves this module: only the file bytes do)."""
    targets, canonical = _first_targets_part(expires)
    metadata = Metadata(targets)
    metadata.use_canonical(canonical)
    return metadata


def _sign_new(
    metadata: Metadata[SignedT], signers: list[tuple[NotarySigner, str]]
) -> Metadata[SignedT]:
    """:func:`sign_metadata` for unsigned metadata and prepared signers, without its
    generic steps (the common case of a bootstrap, once per GUN)."""
    if len({keyid for _, keyid in signers}) != len(signers):
        return sign_metadata(metadata, signers)  # one key twice: its rule applies
    payload = metadata.signed_bytes()
    metadata.signatures = [signer.sign(payload, keyid) for signer, keyid in signers]
    return metadata


@dataclass(frozen=True)
class NewGun:
    """One GUN to bootstrap, and what signs its first publish besides the root
    keys every GUN of the batch shares."""

    gun: str
    targets_signers: Sequence[RawSigner]
    server_keys: ServerKeys
    snapshot_signer: RawSigner | None = None


def bootstrap_gun(
    gun: str,
    *,
    root_signers: Sequence[RawSigner],
    targets_signers: Sequence[RawSigner],
    server_keys: ServerKeys,
    snapshot_signer: RawSigner | None = None,
    root_threshold: int | None = None,
    root_expires: datetime | None = None,
    targets_expires: datetime | None = None,
    snapshot_expires: datetime | None = None,
    cert_validity: timedelta = ROOT_CERT_VALIDITY,
    now: datetime | None = None,
    check: bool = True,
) -> GunUpdate:
    """The first publish of ``gun``: root.json v1, targets.json v1, and snapshot.json
    v1 when the snapshot key is offline (``snapshot_signer``), else the server's."""
    (update,) = bootstrap_guns(
        [NewGun(gun, targets_signers, server_keys, snapshot_signer)],
        root_signers=root_signers,
        root_threshold=root_threshold,
        root_expires=root_expires,
        targets_expires=targets_expires,
        snapshot_expires=snapshot_expires,
        cert_validity=cert_validity,
        now=now,
        check=check,
    )
    return update


def bootstrap_guns(
    guns: Sequence[NewGun],
    *,
    root_signers: Sequence[RawSigner],
    root_threshold: int | None = None,
    root_expires: datetime | None = None,
    targets_expires: datetime | None = None,
    snapshot_expires: datetime | None = None,
    cert_validity: timedelta = ROOT_CERT_VALIDITY,
    now: datetime | None = None,
    check: bool = True,
) -> list[GunUpdate]:
    """:func:`bootstrap_gun` for each of ``guns``, in order, the root keys signing
    in batches: every GUN's certificate, then every GUN's root.json, each root
    key's signatures in one ``sign_raw_many`` (one hop to a token's thread per
    batch, not per signature). Every GUN is checked before anything is signed."""
    now = _whole_second(now)
    root_notary = _prepared(root_signers)
    signers = [_gun_signers(new) for new in guns]
    root_keys = _new_root_keys(root_notary, [new.gun for new in guns], now, cert_validity, check)
    roots = [
        first_root(
            gun=new.gun,
            root_keys=keys,
            targets_keys=[s.key for s in targets],
            snapshot_keys=[snapshot_key],
            timestamp_keys=[new.server_keys.timestamp],
            root_threshold=root_threshold or 1,  # notary's default; the plan sets its own
            targets_threshold=1,
            expires=root_expires,
            now=now,
        )  # its certificates were made and (with check) checked just above
        for new, keys, (targets, _, snapshot_key) in zip(guns, root_keys, signers, strict=True)
    ]
    _sign_roots(roots, root_keys, root_notary)
    targets_expires = targets_expires or now + TARGETS_EXPIRY
    updates = []
    for new, root_metadata, keys, (targets, snapshot_notary, _) in zip(
        guns, roots, root_keys, signers, strict=True
    ):
        root = root_metadata.signed
        targets_metadata = _sign_new(
            _first_targets(targets_expires), [(s, s.keyid) for s in targets]
        )
        update = GunUpdate(new.gun, root_keys=keys, warnings=root_warnings(root, new.gun, now))
        update.files["root"] = root_metadata.to_bytes()
        update.files["targets"] = targets_metadata.to_bytes()
        snapshot_metadata: Metadata[Snapshot] | None = None
        if snapshot_notary is not None:
            snapshot = build_snapshot(dict(update.files), expires=snapshot_expires, now=now)
            snapshot_metadata = sign_snapshot(snapshot, [snapshot_notary])
            update.files["snapshot"] = snapshot_metadata.to_bytes()
        if check:
            check_signed(root_metadata, root, "root", new.gun)
            check_signed(targets_metadata, root, "targets", new.gun)
            if snapshot_metadata is not None:  # the root was built with its threshold 1
                check_signed(snapshot_metadata, root, "snapshot", new.gun)
        updates.append(update)
    return updates


def _new_root_keys(
    signers: list[NotarySigner], guns: list[str], now: datetime, validity: timedelta, check: bool
) -> list[list[RootKey]]:
    """Each GUN's root keys: a new certificate of each root key for it. Every
    request is made (and its GUN and key checked) before anything is signed;
    then each key signs all its certificates as one batch."""
    requests = [[CertificateRequest.of(signer, gun, now, validity) for gun in guns]
                for signer in signers]
    by_signer = []
    for signer, row in zip(signers, requests, strict=True):
        signatures = signer.sign_raw_many([request.tbs for request in row])
        made = [request.finish(signature, check=check)
                for request, signature in zip(row, signatures, strict=True)]
        by_signer.append([RootKey(certificate, signer, pem_from_der(der))
                          for certificate, der in made])
    return [[keys[g] for keys in by_signer] for g in range(len(guns))]


def _gun_signers(new: NewGun) -> tuple[list[NotarySigner], NotarySigner | None, PublicKey]:
    """A GUN's targets signers, offline snapshot signer and snapshot key, or
    the DctError saying what is missing."""
    check_gun(new.gun)
    targets_notary = _prepared(new.targets_signers)
    snapshot_notary = notary_signer(new.snapshot_signer) if new.snapshot_signer else None
    if not targets_notary:
        raise DctError(
            "the first publish must include targets.json signed by the targets key",
            where=new.gun,
            todo="Make the targets key in this ceremony (it is then exported to CI)",
        )
    if snapshot_notary is not None:
        return targets_notary, snapshot_notary, snapshot_notary.key
    if new.server_keys.snapshot is not None:
        return targets_notary, None, new.server_keys.snapshot
    raise DctError(
        "there is no snapshot key: the server's was not fetched and none is offline",
        where=new.gun,
        todo="Fetch the server's snapshot key with scripts/dct-fetch-keys, or make an "
        "offline snapshot key",
    )


def _sign_roots(
    roots: list[Metadata[Root]], root_keys: list[list[RootKey]], signers: list[NotarySigner]
) -> None:
    """Every root signed by every root key under its certificate's id, each
    key's signatures as one batch."""
    payloads = [metadata.signed_bytes() for metadata in roots]
    by_signer = [
        signer.sign_many(payloads, [keys[k].keyid for keys in root_keys])
        for k, signer in enumerate(signers)
    ]
    for g, metadata in enumerate(roots):
        metadata.signatures = [signatures[g] for signatures in by_signer]


def rotate_root_keys(
    gun: str,
    current_root: Metadata[Root],
    *,
    old_signers: Sequence[RawSigner],
    new_signers: Sequence[RawSigner],
    new_threshold: int | None = None,
    timestamp_key: PublicKey | None = None,
    snapshot_key: PublicKey | None = None,
    expires: datetime | None = None,
    cert_validity: timedelta = ROOT_CERT_VALIDITY,
    now: datetime | None = None,
    check: bool = True,
) -> GunUpdate:
    """Root version + 1 with new root keys (a new certificate for each, for ``gun``),
    signed by the old root keys at hand and by every new one.

    A key in both lists keeps signing under its old certificate and gets a new
    one. ``timestamp_key``/``snapshot_key`` replace the server-held keys too.
    """
    check_gun(gun)
    now = _whole_second(now)
    new_signers = _prepared(new_signers)
    current = current_root.signed
    old_keys = with_signers(root_keys_of(current), old_signers)
    new_keys = [_new_root_key(s, gun, now, cert_validity, check) for s in new_signers]
    root = next_root(
        current,
        gun=gun,
        root_keys=new_keys,
        root_threshold=new_threshold or 1,
        timestamp_keys=[timestamp_key] if timestamp_key else None,
        snapshot_keys=[snapshot_key] if snapshot_key else None,
        expires=expires,
        now=now,
        check_certificates=False,  # made and (with check) checked just above
    )
    metadata = sign_root(root, old_keys + new_keys)
    if check:
        check_new_root(current, metadata, gun)
    update = GunUpdate(gun, root_keys=new_keys, warnings=root_warnings(root, gun, now))
    update.files["root"] = metadata.to_bytes()
    return update


def resign_root(
    gun: str,
    current_root: Metadata[Root],
    *,
    root_signers: Sequence[RawSigner],
    targets_keys: list[PublicKey] | None = None,
    timestamp_key: PublicKey | None = None,
    snapshot_key: PublicKey | None = None,
    expires: datetime | None = None,
    now: datetime | None = None,
    check: bool = True,
) -> tuple[Root, Metadata[Root]]:
    """Root version + 1 with the same root keys and some other role's keys replaced."""
    now = _whole_second(now)
    current = current_root.signed
    root_keys = with_signers(root_keys_of(current), root_signers)
    root = next_root(
        current,
        gun=gun,
        targets_keys=targets_keys,
        timestamp_keys=[timestamp_key] if timestamp_key else None,
        snapshot_keys=[snapshot_key] if snapshot_key else None,
        expires=expires,
        now=now,
    )
    metadata = sign_root(root, root_keys)
    if check:
        check_new_root(current, metadata, gun)
    return root, metadata


def rotate_server_keys(
    gun: str,
    current_root: Metadata[Root],
    *,
    root_signers: Sequence[RawSigner],
    timestamp_key: PublicKey | None = None,
    snapshot_key: PublicKey | None = None,
    expires: datetime | None = None,
    now: datetime | None = None,
    check: bool = True,
) -> GunUpdate:
    """Root version + 1 naming the server's new timestamp and/or snapshot key
    (``dct-fetch-keys --rotate``), signed by the root keys at hand."""
    check_gun(gun)
    if timestamp_key is None and snapshot_key is None:
        raise DctError("no new server key was given", where=gun,
                       todo="Bring the rotated key from dct-fetch-keys --rotate on media")
    now = _whole_second(now)
    root, metadata = resign_root(
        gun, current_root, root_signers=root_signers, timestamp_key=timestamp_key,
        snapshot_key=snapshot_key, expires=expires, now=now, check=check,
    )
    return GunUpdate(
        gun, files={"root": metadata.to_bytes()}, warnings=root_warnings(root, gun, now)
    )


def rotate_targets_key(
    gun: str,
    current_root: Metadata[Root],
    current_targets: Metadata[Targets],
    *,
    root_signers: Sequence[RawSigner],
    new_targets_signers: Sequence[RawSigner],
    expires: datetime | None = None,
    targets_expires: datetime | None = None,
    now: datetime | None = None,
    check: bool = True,
) -> GunUpdate:
    """Root version + 1 naming new targets key(s), and targets.json version + 1
    (same content and delegations) signed by them. The old targets key is not needed."""
    check_gun(gun)
    now = _whole_second(now)
    new_targets_signers = _prepared(new_targets_signers)
    root, root_metadata = resign_root(
        gun,
        current_root,
        root_signers=root_signers,
        targets_keys=[s.key for s in new_targets_signers],
        expires=expires,
        now=now,
        check=check,
    )
    targets = next_targets(current_targets.signed, expires=targets_expires, now=now)
    targets_metadata = sign_targets(targets, new_targets_signers)
    if check:
        check_signed(targets_metadata, root, "targets", gun)
    update = GunUpdate(gun, warnings=root_warnings(root, gun, now))
    update.files["root"] = root_metadata.to_bytes()
    update.files["targets"] = targets_metadata.to_bytes()
    return update


def delegate(
    gun: str,
    current_root: Metadata[Root],
    current_targets: Metadata[Targets],
    *,
    targets_signers: Sequence[RawSigner],
    signer_name: str | None = None,
    role_name: str | None = None,
    keys: list[PublicKey],
    threshold: int | None = None,
    paths: list[str] | None = None,
    targets_expires: datetime | None = None,
    now: datetime | None = None,
    check: bool = True,
) -> GunUpdate:
    """targets.json version + 1 with a delegation: ``signer_name`` as ``docker trust
    signer add`` does it, or a custom ``role_name`` with ``paths`` and ``threshold``."""
    check_gun(gun)
    if (signer_name is None) == (role_name is None):
        raise DctError("name either a signer or a delegated role, not both or neither", where=gun)
    targets = next_targets(current_targets.signed, expires=targets_expires, now=now)
    if signer_name is not None:
        add_signer(targets, signer_name, keys)
    elif role_name is not None:  # one of the two, as checked above
        add_delegation(targets, role_name, keys, threshold=threshold, paths=paths)
    metadata = sign_targets(targets, targets_signers)
    root = current_root.signed
    if check:
        check_signed(metadata, root, "targets", gun)
    return GunUpdate(gun, files={"targets": metadata.to_bytes()})


__all__ = [
    "GunUpdate",
    "NewGun",
    "RootKey",
    "bootstrap_gun",
    "bootstrap_guns",
    "check_new_root",
    "check_signed",
    "delegate",
    "refuse_bad_signatures",
    "resign_root",
    "root_keys_of",
    "rotate_root_keys",
    "rotate_server_keys",
    "role_keys",
    "rotate_targets_key",
    "verify_root",
    "with_signers",
]
