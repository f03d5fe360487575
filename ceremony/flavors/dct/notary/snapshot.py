"""Notary snapshot.json, for the GUNs whose snapshot key is kept offline.

Most Docker Content Trust repositories let the server hold the snapshot key
and sign snapshots itself; then no snapshot.json is uploaded. When the
snapshot key is offline, the first publish carries a snapshot that lists the
exact bytes of root.json and targets.json (length, sha256, sha512), version
1, expiring in three years. Nothing here does I/O.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from ceremony.flavors.dct.notary.model import FileMeta, Metadata, Snapshot, format_expires
from ceremony.flavors.dct.notary.signing import RawSigner, sign_metadata

SNAPSHOT_EXPIRY = timedelta(days=3 * 365)


def build_snapshot(
    files: dict[str, bytes],
    *,
    version: int = 1,
    expires: datetime | None = None,
    now: datetime | None = None,
) -> Snapshot:
    """A snapshot of ``files`` (role name -> the exact file bytes)."""
    now = now or datetime.now(UTC)
    return Snapshot(
        version=version,
        expires=format_expires(expires or now + SNAPSHOT_EXPIRY),
        meta={role: FileMeta.of(data) for role, data in sorted(files.items())},
    )


def sign_snapshot(snapshot: Snapshot, signers: Sequence[RawSigner]) -> Metadata[Snapshot]:
    """``snapshot`` signed by each signer (keys named by their canonical id)."""
    return sign_metadata(Metadata(snapshot), [(signer, None) for signer in signers])
