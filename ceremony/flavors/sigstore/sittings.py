"""The Sigstore flavor's part of signing in several sittings (a rotate-root).

The root is the TUF flavor's (asked through the Flavor interface): the same
payload, thresholds, summary and signature checks. Sealing differs: once
the root's signatures are on it, the mirror is signed again under the new
root at the sealing sitting, as a one-sitting rotation does (targets with
the trust documents, then snapshot and timestamp), by the current online
keys the script names in sign-with, opened there.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from ceremony.engine.context import Context
from ceremony.engine.current import CurrentState
from ceremony.events import Event
from ceremony.flavor import flavor_named
from ceremony.flavors.sigstore.kinds.mirror import read_trust
from ceremony.flavors.sigstore.kinds.update_trust import (
    build_snapshot_and_timestamp,
    build_targets,
)
from ceremony.sittings.adapter import Payload, RequestKey, SittingsAdapter
from ceremony.steps.common import open_keys
from ceremony.tufmeta.sittings import put_root
from hsm.signer import KeySigner


class SigstoreSittings:
    """Root rotations of a Sigstore trust root, signed in several sittings."""

    def __init__(self) -> None:
        self.tuf: SittingsAdapter = flavor_named("tuf").sittings()

    def payloads(self, ctx: Context) -> tuple[Payload, ...]:
        return self.tuf.payloads(ctx)

    def summary(self, ctx: Context, payloads: tuple[Payload, ...]) -> list[str]:
        return [*self.tuf.summary(ctx, payloads),
                "the mirror (targets, snapshot, timestamp) is signed again at the sealing "
                "sitting by " + ", ".join(mirror_keys(ctx, payloads) or ["no key named"])]

    def base(self, current: CurrentState) -> dict[str, Any]:
        return self.tuf.base(current)

    def read_current(self, path: Path, at: datetime) -> CurrentState:
        return self.tuf.read_current(path, at)

    def sign(self, payload: Payload, signer: KeySigner) -> str:
        return self.tuf.sign(payload, signer)

    def verifies(self, payload: Payload, key: RequestKey, signature: str) -> bool:
        return self.tuf.verifies(payload, key, signature)

    def certify(
        self, current: CurrentState, signer: KeySigner, name: str, now: datetime,
        expires: datetime | None,
    ) -> bytes:
        return self.tuf.certify(current, signer, name, now, expires)

    def write_bundle(
        self, ctx: Context, payloads: tuple[Payload, ...],
        signatures: Mapping[str, Mapping[str, str]],
    ) -> Iterator[Event]:
        yield from put_root(ctx, payloads, signatures)
        yield from read_trust(ctx)
        yield from open_keys(ctx, [ctx.keys[name] for name in mirror_keys(ctx, payloads)])
        yield from build_targets(ctx)
        yield from build_snapshot_and_timestamp(ctx)
        yield from ctx.flavor.write_bundle(ctx)


def mirror_keys(ctx: Context, payloads: tuple[Payload, ...]) -> list[str]:
    """The sign-with keys that sign the mirror at the sealing sitting: those the
    root's thresholds do not count."""
    return [
        name for name in ctx.plan.sign_with
        if name in ctx.keys and not any(p.counts(ctx.keys[name].keyid) for p in payloads)
    ]
