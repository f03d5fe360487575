"""What a Sigstore ceremony builds while it runs (``ctx.work``).

The TUF part (root, targets) is the shared :class:`TufWork` the TUF steps
fill; a Sigstore trust root also signs snapshot and timestamp (its mirror
is served as it is), from trust material read at the start.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tuf.api.metadata import Metadata, Snapshot, Timestamp

from ceremony.engine.context import Context
from ceremony.flavors.sigstore.material import TrustMaterial
from ceremony.signed_repository import SignedRepository
from ceremony.tufmeta.work import TufWork


@dataclass
class SigstoreWork(TufWork):
    material: TrustMaterial | None = None
    documents: dict[str, bytes] | None = None  # target name -> bytes (trusted_root.json ...)
    custom: dict[str, dict[str, Any]] | None = None  # target name -> its ``custom`` field
    client_trust_config: dict[str, Any] | None = None
    snapshot: Metadata[Snapshot] | None = None
    snapshot_bytes: bytes | None = None
    timestamp: Metadata[Timestamp] | None = None
    timestamp_bytes: bytes | None = None
    # migrate-dct: the DCT bundle's GUNs, by name
    migration: dict[str, SignedRepository] | None = None


def sigstore_work(ctx: Context) -> SigstoreWork:
    found: SigstoreWork = ctx.work
    return found
