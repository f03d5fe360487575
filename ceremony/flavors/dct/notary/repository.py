"""The first publish of GUNs (bootstrap), and what every operation on a GUN returns.

:func:`bootstrap_guns` (and :func:`bootstrap_gun`, for one) takes the keys at
hand and returns, for each GUN, a :class:`GunUpdate`: the files to upload in
one POST to the Notary server (role name -> exact bytes), the certificates
it made, and warnings for the operator. The later operations (root, server
and targets-key rotations, delegation) are rotation.py's; the checks every
result passes before it leaves (signature_checks.py) are shared. With
``check`` (the default) every signature in the result is verified before it
is returned, and one that does not verify stops the operation naming its
key, even when the others meet the threshold (a faulty token must not
publish a bad signature). An update that would be refused never leaves here.

Defaults are notary's: root 10 years, targets 3 years, snapshot 3 years.
Nothing here does I/O.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta

from ceremony.flavors.dct.notary.certs import (
    ROOT_CERT_VALIDITY,
    tbs_many,
)
from ceremony.flavors.dct.notary.errors import DctError
from ceremony.flavors.dct.notary.first_publish import (
    GunSigners,
    GunUpdate,
    NewGun,
    first_targets_part,
    issued_root_keys,
    new_root_keys,
)
from ceremony.flavors.dct.notary.model import (
    Metadata,
    Root,
    SignedT,
    Snapshot,
    Targets,
)
from ceremony.flavors.dct.notary.root import (
    ROOT_EXPIRY,
    RootKey,
    first_root,
    root_warnings,
)
from ceremony.flavors.dct.notary.serverkeys import ServerKeys
from ceremony.flavors.dct.notary.signature_checks import check_signed
from ceremony.flavors.dct.notary.signing import (
    NotarySigner,
    RawSigner,
    notary_signer,
    sign_metadata,
)
from ceremony.flavors.dct.notary.snapshot import build_snapshot, sign_snapshot
from ceremony.flavors.dct.notary.targets import (
    TARGETS_EXPIRY,
)
from ceremony.flavors.dct.notary.usual_bootstrap import usual_batch, usual_bootstrap
from ceremony.flavors.dct.notary.validate import check_gun


def whole_second(now: datetime | None) -> datetime:
    """``now`` (default: the clock) to the second, as every time in notary's files is."""
    if now is None:
        return datetime.fromtimestamp(int(time.time()), UTC)
    return now.replace(microsecond=0)


def prepared_signers(signers: Iterable[RawSigner]) -> list[NotarySigner]:
    return [notary_signer(signer) for signer in signers]


def _first_targets(expires: datetime) -> Metadata[Targets]:
    """An unsigned first targets.json. Every GUN bootstrapped in the same second
    has the same one, so its canonical bytes are made once and shared (the
    shared part never leaves the bootstrap: only the file bytes do)."""
    targets, canonical = first_targets_part(expires)
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
    now = whole_second(now)
    root_notary = prepared_signers(root_signers)
    signers = [_gun_signers(new) for new in guns]  # each GUN checked here
    gun_names = [new.gun for new in guns]
    requests = [
        tbs_many(signer, gun_names, now, cert_validity, guns_checked=True)
        for signer in root_notary
    ]
    targets_expires = targets_expires or now + TARGETS_EXPIRY
    if usual_batch(guns, signers, root_notary, root_threshold):
        # the targets signatures first, one after the other (as each root key's
        # batch is: signatures between other work cost more, the signing code's
        # tables out of the caches), so that each GUN's targets.json is written
        # with its root's bytes, its keys at hand
        targets_payload = first_targets_part(targets_expires)[1]
        targets_sigs = [targets[0].sign_notary(targets_payload) for targets, _, _ in signers]
        return usual_bootstrap(
            guns, signers, requests, root_notary, root_threshold or 1,
            root_expires or now + ROOT_EXPIRY, targets_expires, targets_sigs, now, check,
        )
    root_keys = issued_root_keys(root_notary, requests, gun_names, now, check)
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


def _gun_signers(new: NewGun) -> GunSigners:
    """A GUN's targets signers, offline snapshot signer and snapshot key, or
    the DctError saying what is missing."""
    check_gun(new.gun)
    targets_signers, server_snapshot = new.targets_signers, new.server_keys.snapshot
    if (
        len(targets_signers) == 1 and targets_signers[0].__class__ is NotarySigner
        and new.snapshot_signer is None and server_snapshot is not None
    ):  # the usual GUN, its targets key prepared already: what the steps below give
        return [targets_signers[0]], None, server_snapshot
    targets_notary = prepared_signers(new.targets_signers)
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


__all__ = [
    "GunUpdate",
    "NewGun",
    "bootstrap_gun",
    "bootstrap_guns",
    "new_root_keys",
    "prepared_signers",
    "usual_batch",
    "whole_second",
]
