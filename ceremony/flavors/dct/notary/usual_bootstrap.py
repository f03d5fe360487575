"""The usual batch of a bootstrap, laid out as bytes.

Most bootstraps are usual (:func:`usual_batch`): root keys that meet their
threshold, one targets key a GUN, the server's snapshot key, keys of the kinds
whose root is laid out directly. For those :func:`usual_bootstrap` writes each
GUN's root.json and targets.json as bytes straight away, the same bytes as
the generic path in repository.py (tests/test_dct_usual_batch.py holds them),
and makes the model objects only for the checks. Nothing here does I/O.
"""

from __future__ import annotations

import binascii
from collections.abc import Sequence
from datetime import datetime

from ceremony.flavors.dct.notary import canonical as cjson
from ceremony.flavors.dct.notary.certs import loaded_certificate, signed_der
from ceremony.flavors.dct.notary.first_publish import (
    CertificateRequests,
    GunSigners,
    GunUpdate,
    NewGun,
    first_targets_part,
    issued_root_keys,
)
from ceremony.flavors.dct.notary.keyids import x509_key_of_der
from ceremony.flavors.dct.notary.model import (
    Metadata,
    PublicKey,
    Root,
    Signature,
    parse_expires,
)
from ceremony.flavors.dct.notary.root import (
    LAID_OUT_KEYTYPES,
    IssuedRootKey,
    RootKey,
    expires_text_of,
    first_root,
    first_root_bytes,
    one_key_root,
    one_key_root_bytes,
)
from ceremony.flavors.dct.notary.signature_checks import check_signed
from ceremony.flavors.dct.notary.signing import NotarySigner
from ceremony.flavors.dct.notary.validate import root_expiry_warning


def usual_batch(
    guns: Sequence[NewGun],
    signers: list[GunSigners],
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


def usual_bootstrap(
    guns: Sequence[NewGun],
    signers: list[GunSigners],
    requests: list[CertificateRequests],
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
    targets_model, targets_payload = first_targets_part(targets_expires)
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
    signers: list[GunSigners],
    root_signer: NotarySigner,
    keytype: str,
    request: CertificateRequests,
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
