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

import binascii
import functools
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes

from ceremony.flavors.dct.notary import canonical as cjson
from ceremony.flavors.dct.notary.certs import (
    ROOT_CERT_VALIDITY,
    loaded_certificate,
    signed_der,
    tbs_many,
)
from ceremony.flavors.dct.notary.errors import DctError
from ceremony.flavors.dct.notary.keyids import pem_from_der, x509_key_of_der
from ceremony.flavors.dct.notary.model import (
    Metadata,
    PublicKey,
    Root,
    Signature,
    SignedT,
    Snapshot,
    Targets,
    parse_expires,
)
from ceremony.flavors.dct.notary.root import (
    LAID_OUT_KEYTYPES,
    ROOT_EXPIRY,
    IssuedRootKey,
    RootKey,
    expires_text_of,
    first_root,
    first_root_bytes,
    one_key_root,
    one_key_root_bytes,
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
    build_targets,
)
from ceremony.flavors.dct.notary.validate import check_gun, root_expiry_warning


@dataclass
class GunUpdate:
    """What one operation produced for one GUN, ready for ``dct-publish``."""

    gun: str
    files: dict[str, bytes] = field(default_factory=dict)
    root_keys: list[RootKey] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def whole_second(now: datetime | None) -> datetime:
    """``now`` (default: the clock) to the second, as every time in notary's files is."""
    if now is None:
        return datetime.fromtimestamp(int(time.time()), UTC)
    return now.replace(microsecond=0)


def prepared_signers(signers: Iterable[RawSigner]) -> list[NotarySigner]:
    return [notary_signer(signer) for signer in signers]


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


class NewGun(NamedTuple):
    """One GUN to bootstrap, and what signs its first publish besides the root
    keys every GUN of the batch shares. A named tuple: immutable, and made in
    a third of a frozen dataclass's time (one per GUN)."""

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
        targets_payload = _first_targets_part(targets_expires)[1]
        targets_sigs = [targets[0].sign_notary(targets_payload) for targets, _, _ in signers]
        return _usual_bootstrap(
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


_GunSigners = tuple[list[NotarySigner], NotarySigner | None, PublicKey]


def usual_batch(
    guns: Sequence[NewGun],
    signers: list[_GunSigners],
    root_signers: list[NotarySigner],
    root_threshold: int | None,
) -> bool:
    """Whether every GUN of the batch is bootstrapped the usual way: root keys
    that can meet their threshold, one targets key, the server's snapshot key,
    and keys of the kinds whose root is laid out directly (:func:`ordinary_key`)."""
    if not 1 <= (root_threshold or 1) <= len(root_signers):
        return False
    kinds = LAID_OUT_KEYTYPES
    for new, (targets, snapshot_notary, snapshot_key) in zip(guns, signers, strict=True):
        timestamp_key = new.server_keys.timestamp
        if not (  # ordinary_key of both keys, written out: once per GUN of a batch
            len(targets) == 1 and snapshot_notary is None
            and snapshot_key.keytype in kinds and timestamp_key.keytype in kinds
            and not snapshot_key.unrecognized and not snapshot_key.keyval_unrecognized
            and not timestamp_key.unrecognized and not timestamp_key.keyval_unrecognized
        ):
            return False
    return True


def _usual_bootstrap(
    guns: Sequence[NewGun],
    signers: list[_GunSigners],
    requests: list[_Requests],
    root_signers: list[NotarySigner],
    root_threshold: int,
    root_expires: datetime,
    targets_expires: datetime,
    targets_sigs: list[bytes],
    now: datetime,
    check: bool,
) -> list[GunUpdate]:
    """The rest of :func:`bootstrap_guns` for a :func:`usual_batch`: each GUN's
    files laid out as bytes straight away (the same bytes: a test holds them
    to the generic path's). The model objects (the root, the targets) are made
    only for the checks, which ``check`` runs on every GUN as the generic path
    does, over the very bytes and signatures in its files."""
    expires_text = expires_text_of(root_expires)
    targets_model, targets_payload = _first_targets_part(targets_expires)
    one_key = len(root_signers) == 1 and root_threshold == 1
    keytype = root_signers[0].x509_keytype  # known: the requests checked the root keys
    if one_key and keytype is not None:
        root_keys, payloads, targets_files, root_ids = _one_key_roots(
            guns, signers, root_signers[0], keytype, requests[0], expires_text,
            targets_payload, targets_sigs, now, check,
        )
    else:
        gun_names = [new.gun for new in guns]
        root_keys = issued_root_keys(root_signers, requests, gun_names, now, check)
        payloads, targets_files, root_ids = [], [], []
        for new, keys, (targets, _, snapshot_key), targets_sig in zip(
            guns, root_keys, signers, targets_sigs, strict=True
        ):  # what reads each GUN's keys, in one pass
            targets_signer = targets[0]
            payloads.append(first_root_bytes(
                expires_text, [key.key for key in keys], root_threshold, targets_signer.key,
                snapshot_key, new.server_keys.timestamp,
            ))
            root_ids.append(keys[0].keyid)
            targets_files.append(cjson.one_signature_file(
                targets_payload, targets_signer.keyid, targets_signer.method, targets_sig
            ))
    by_signer = [signer.sign_notary_many(payloads) for signer in root_signers]
    expires_at = parse_expires(expires_text)
    warns = root_expiry_warning(expires_at, now, "") is not None  # the same for every GUN
    methods = [signer.method for signer in root_signers]
    # one root key: each root file in one step (its key id a SHA-256 in hex)
    root_layout = root_signers[0].file_layout if one_key else None
    b64 = binascii.b2a_base64
    updates = []
    for g, (new, keys, payload, targets_file) in enumerate(
        zip(guns, root_keys, payloads, targets_files, strict=True)
    ):
        if root_layout is not None:
            root_file = root_layout % (
                payload, root_ids[g].encode(), b64(by_signer[0][g], newline=False)
            )
        elif one_key:
            root_file = cjson.one_signature_file(payload, root_ids[g], methods[0], by_signer[0][g])
        else:
            root_file = cjson.file_bytes(payload, [
                cjson.signature_json(key.keyid, method, sigs[g])
                for key, method, sigs in zip(keys, methods, by_signer, strict=True)
            ], True)
        if check:  # the model objects, over the very bytes and signatures of the files
            targets, _, snapshot_key = signers[g]
            targets_signer = targets[0]
            root_metadata = _checked_root_model(
                new, keys, root_threshold, root_expires, targets_signer.key, snapshot_key,
                payload, now,
            )
            root_metadata.signatures = [
                Signature(key.keyid, signer.method, sigs[g])
                for key, signer, sigs in zip(keys, root_signers, by_signer, strict=True)
            ]
            targets_metadata = Metadata(targets_model, [
                Signature(targets_signer.keyid, targets_signer.method, targets_sigs[g])
            ])
            targets_metadata.use_canonical(targets_payload)
            check_signed(root_metadata, root_metadata.signed, "root", new.gun)
            check_signed(targets_metadata, root_metadata.signed, "targets", new.gun)
        warning = root_expiry_warning(expires_at, now, f"the root of {new.gun}") if warns else None
        updates.append(GunUpdate(
            new.gun,
            {"root": root_file, "targets": targets_file},
            keys,
            [warning] if warning else [],
        ))
    return updates


def _one_key_roots(
    guns: Sequence[NewGun],
    signers: list[_GunSigners],
    root_signer: NotarySigner,
    keytype: str,
    request: _Requests,
    expires_text: str,
    targets_payload: bytes,
    targets_sigs: list[bytes],
    now: datetime,
    check: bool,
) -> tuple[list[list[RootKey]], list[bytes], list[bytes], list[str]]:
    """:func:`issued_root_keys` for one root key, and each GUN's root bytes and
    targets.json, in one pass after the certificates are signed: each GUN's
    certificate, its key object (id and canonical bytes made with it), its root
    and its targets file one after the other, while its keys are at hand. The
    same keys and bytes as the two passes they replace (a test holds them to
    the generic path's); with ``check`` each certificate is checked as
    :func:`issued_root_keys` checks it, in the same order."""
    public_key, algorithm, parts = request
    root_keys: list[list[RootKey]] = []
    payloads, targets_files, root_ids = [], [], []
    b64 = binascii.b2a_base64
    for new, tbs, cert_sig, (targets, _, snapshot_key), targets_sig in zip(
        guns, parts, root_signer.sign_raw_many(parts), signers, targets_sigs, strict=True
    ):
        der = signed_der(tbs, algorithm, cert_sig)
        certificate = loaded_certificate(der, public_key, new.gun, now, True) if check else None
        key = x509_key_of_der(der, keytype)
        root_keys.append([IssuedRootKey(der, root_signer, key.public, certificate, key)])
        targets_signer = targets[0]
        payloads.append(one_key_root_bytes(
            expires_text, key, targets_signer.key, snapshot_key, new.server_keys.timestamp
        ))
        root_ids.append(key.keyid)
        layout = targets_signer.file_layout
        if layout is not None:
            targets_files.append(layout % (
                targets_payload, targets_signer.keyid.encode(), b64(targets_sig, newline=False)
            ))
        else:
            targets_files.append(cjson.one_signature_file(
                targets_payload, targets_signer.keyid, targets_signer.method, targets_sig
            ))
    return root_keys, payloads, targets_files, root_ids


def _checked_root_model(
    new: NewGun,
    keys: list[RootKey],
    root_threshold: int,
    root_expires: datetime,
    targets_key: PublicKey,
    snapshot_key: PublicKey,
    payload: bytes,
    now: datetime,
) -> Metadata[Root]:
    """The model of a usual root whose canonical bytes are ``payload``, for its checks."""
    if len(keys) == 1 and root_threshold == 1:
        return one_key_root(
            expires_text_of(root_expires), keys[0].key, targets_key, snapshot_key,
            new.server_keys.timestamp, payload,
        )
    metadata = first_root(
        gun=new.gun, root_keys=keys, targets_keys=[targets_key], snapshot_keys=[snapshot_key],
        timestamp_keys=[new.server_keys.timestamp], root_threshold=root_threshold,
        expires=root_expires, now=now,
    )
    metadata.use_canonical(payload)
    return metadata


def new_root_keys(
    signers: list[NotarySigner], guns: list[str], now: datetime, validity: timedelta, check: bool
) -> list[list[RootKey]]:
    """Each GUN's root keys: a new certificate of each root key for it. Every
    request is made (and its GUN and key checked) before anything is signed;
    then each key signs all its certificates as one batch."""
    requests = [tbs_many(signer, guns, now, validity) for signer in signers]
    return issued_root_keys(signers, requests, guns, now, check)


_Requests = tuple[PublicKeyTypes, bytes, list[bytes]]  # what tbs_many returns


def issued_root_keys(
    signers: list[NotarySigner],
    requests: list[_Requests],
    guns: list[str],
    now: datetime,
    check: bool,
) -> list[list[RootKey]]:
    """:func:`new_root_keys` once its requests are made: each key signs all its
    certificates as one batch. Unchecked, a certificate is parsed only if it is read."""
    by_signer = []
    for signer, (public_key, algorithm, parts) in zip(signers, requests, strict=True):
        keys = []
        for gun, tbs, signature in zip(guns, parts, signer.sign_raw_many(parts), strict=True):
            der = signed_der(tbs, algorithm, signature)
            certificate = loaded_certificate(der, public_key, gun, now, True) if check else None
            keys.append(IssuedRootKey(der, signer, pem_from_der(der), certificate))
        by_signer.append(keys)
    if len(by_signer) == 1:
        return [[key] for key in by_signer[0]]
    return [[keys[g] for keys in by_signer] for g in range(len(guns))]


def _gun_signers(new: NewGun) -> _GunSigners:
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
    "prepared_signers",
    "whole_second",
]
