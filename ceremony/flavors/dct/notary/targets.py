"""Notary targets.json and its delegations, made offline.

The first targets.json of a GUN is empty (``targets`` ``{}``, delegations
``{"keys":{},"roles":[]}``), version 1, expiring in three years. Delegations
are added the way ``docker trust signer add NAME`` adds them (the signer's
keys on both ``targets/NAME`` and ``targets/releases``, paths ``[""]``), or
as custom roles with their own paths and threshold. Every change is a new
version signed by the targets key. Nothing here does I/O.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from ceremony.flavors.dct.notary.errors import DctError
from ceremony.flavors.dct.notary.model import (
    DelegatedRole,
    Delegations,
    Metadata,
    PublicKey,
    Targets,
    format_expires,
)
from ceremony.flavors.dct.notary.signing import RawSigner, sign_metadata
from ceremony.flavors.dct.notary.validate import check_delegation_role

TARGETS_EXPIRY = timedelta(days=3 * 365)
RELEASES = "targets/releases"


def build_targets(
    *, version: int = 1, expires: datetime | None = None, now: datetime | None = None
) -> Targets:
    """An empty targets part: no targets, no delegations."""
    now = now or datetime.now(UTC)
    return Targets(
        version=version,
        expires=format_expires(expires or now + TARGETS_EXPIRY),
        targets={},
        delegations=Delegations(),
    )


def next_targets(
    current: Targets, *, expires: datetime | None = None, now: datetime | None = None
) -> Targets:
    """A copy of ``current`` at version + 1, expiring ``expires`` (default: three years on)."""
    now = now or datetime.now(UTC)
    targets = copy.deepcopy(current)
    targets.version = current.version + 1
    targets.expires = format_expires(expires or now + TARGETS_EXPIRY)
    return targets


def add_delegation(
    targets: Targets,
    role_name: str,
    keys: list[PublicKey],
    *,
    threshold: int | None = None,
    paths: list[str] | None = None,
) -> Targets:
    """Add (or extend) the delegated role ``role_name`` in ``targets``, in place.

    An existing role gets the new keys added; its paths are extended with
    ``paths`` and its threshold replaced when one is given.
    """
    check_delegation_role(role_name)
    if not keys:
        raise DctError(f"the delegation {role_name} needs at least one key")
    paths = [""] if paths is None else list(paths)
    for key in keys:
        targets.delegations.keys[key.keyid] = key
    keyids = [key.keyid for key in keys]
    role = targets.delegations.role(role_name)
    if role is None:
        role = DelegatedRole(name=role_name, keyids=[], threshold=threshold or 1, paths=[])
        targets.delegations.roles.append(role)
    listed, covered = set(role.keyids), set(role.paths)  # a role may have thousands
    role.keyids += [keyid for keyid in keyids if keyid not in listed]
    role.paths += [path for path in paths if path not in covered]
    if threshold is not None:
        role.threshold = threshold
    if role.threshold > len(role.keyids):
        raise DctError(
            f"the delegation {role_name} has threshold {threshold} and {len(role.keyids)} key(s)",
            todo="Lower the threshold or add keys",
        )
    return targets


def add_signer(targets: Targets, signer_name: str, keys: list[PublicKey]) -> Targets:
    """What ``docker trust signer add NAME`` does: keys on targets/NAME and targets/releases."""
    role_name = f"targets/{signer_name}"
    check_delegation_role(role_name)
    if role_name == RELEASES:
        raise DctError(
            "a signer cannot be called 'releases'",
            todo="Choose the signer's own name, such as ci or alice",
        )
    add_delegation(targets, role_name, keys, paths=[""])
    add_delegation(targets, RELEASES, keys, paths=[""])
    return targets


def sign_targets(
    targets: Targets | Metadata[Targets], signers: Sequence[RawSigner]
) -> Metadata[Targets]:
    """Sign ``targets`` with each signer (keys named by their canonical id)."""
    metadata = targets if isinstance(targets, Metadata) else Metadata(targets)
    return sign_metadata(metadata, [(signer, None) for signer in signers])
