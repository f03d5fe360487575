"""Later offline operations on one GUN: root, server and targets-key rotation, delegation.

Each function takes the current metadata (as read from media) and the keys at
hand, and returns a :class:`GunUpdate` (repository.py) for ``dct-publish``.
With ``check`` (the default) every signature in the result is verified
before it is returned (signature_checks.py); a root rotation is checked
against both thresholds. An update that would be refused never leaves here.
Nothing here does I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from ceremony.flavors.dct.notary.certs import (
    ROOT_CERT_VALIDITY,
    issue_root_certificate,
)
from ceremony.flavors.dct.notary.errors import DctError
from ceremony.flavors.dct.notary.keyids import certificate_of, pem_from_der, spki_der
from ceremony.flavors.dct.notary.model import (
    Metadata,
    PublicKey,
    Root,
    Targets,
)
from ceremony.flavors.dct.notary.repository import GunUpdate, prepared_signers, whole_second
from ceremony.flavors.dct.notary.root import (
    RootKey,
    next_root,
    root_warnings,
    sign_root,
)
from ceremony.flavors.dct.notary.signature_checks import check_new_root, check_signed
from ceremony.flavors.dct.notary.signing import (
    NotarySigner,
    RawSigner,
)
from ceremony.flavors.dct.notary.targets import (
    add_delegation,
    add_signer,
    next_targets,
    sign_targets,
)
from ceremony.flavors.dct.notary.validate import check_gun


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
    by_key = {signer.spki: signer for signer in prepared_signers(signers)}
    paired = []
    for root_key in root_keys:
        signer = by_key.get(spki_der(root_key.certificate.public_key()))
        if signer is not None:
            paired.append(RootKey(root_key.certificate, signer))
    return paired


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
    now = whole_second(now)
    new_signers = prepared_signers(new_signers)
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
    now = whole_second(now)
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
    now = whole_second(now)
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
    now = whole_second(now)
    new_targets_signers = prepared_signers(new_targets_signers)
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
