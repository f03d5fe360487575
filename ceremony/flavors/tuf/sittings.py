"""The TUF flavor's part of signing in several sittings (a rotate-root).

The one payload is root version N+1, unsigned, in its canonical JSON (the
bytes TUF signatures cover), counted by two thresholds: the current root's
and its own. A request extends root version N, named by the sha256 of its
bytes. Sealing puts the signatures onto the root, carries targets as a
one-sitting rotation does, and writes the bundle with the flavor's writer.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.serialization import load_pem_public_key

# python-tuf and securesystemslib document these as their API but list no __all__:
# mypy's strict re-export rule cannot see them as exported
from securesystemslib.signer import Signature
from tuf.api.metadata import Metadata, Root

from ceremony.engine.context import Context
from ceremony.engine.current import CurrentState
from ceremony.errors import CeremonyError
from ceremony.events import Event
from ceremony.flavors.tuf.current import CurrentBundle, current_bundle, read_current
from ceremony.flavors.tuf.kinds.rotate_root import carry_targets, planned_root
from ceremony.script.kind_fields import SIGNED_IN_SITTINGS
from ceremony.sittings.adapter import Group, Payload, RequestKey
from ceremony.tufmeta.sittings import put_root
from ceremony.tufmeta.work import tuf_key_id
from hsm.signer import KeySigner, tuf_key_for


class TufSittings:
    """Root rotations signed in several sittings."""

    def payloads(self, ctx: Context) -> tuple[Payload, ...]:
        if ctx.plan.kind not in SIGNED_IN_SITTINGS:
            raise CeremonyError(
                f"a {ctx.flavor.title} {ctx.plan.kind} ceremony is not signed in sittings yet",
                todo="sign it in one sitting (`ceremony run`), or write a rotate-root script",
            )
        old = current_bundle(ctx).root_signed
        new = planned_root(ctx)
        data = Metadata(new).signed_bytes
        return (Payload(f"{new.version}.root.json", data, (
            Group("old", f"the current root (version {old.version})",
                  old.roles["root"].threshold, tuple(old.roles["root"].keyids)),
            Group("new", f"the new root (version {new.version})",
                  new.roles["root"].threshold, tuple(new.roles["root"].keyids)),
        )),)

    def summary(self, ctx: Context, payloads: tuple[Payload, ...]) -> list[str]:
        old = current_bundle(ctx).root_signed
        new = Root.from_dict(json.loads(payloads[0].data, strict=False))
        names = {record.keyid: record.name for record in ctx.keys.values()}
        lines = [f"root version {old.version} -> {new.version}"]
        for name in sorted(set(old.roles) | set(new.roles)):
            before, after = old.roles[name], new.roles[name]
            added = sorted(names.get(k, k[:8]) for k in set(after.keyids) - set(before.keyids))
            removed = sorted(names.get(k, k[:8]) for k in set(before.keyids) - set(after.keyids))
            if added:
                lines.append(f"{name}: keys added: {', '.join(added)}")
            if removed:
                lines.append(f"{name}: keys removed: {', '.join(removed)}")
            if before.threshold != after.threshold:
                lines.append(f"{name}: threshold {before.threshold} -> {after.threshold}")
        if old.expires != new.expires:
            lines.append(f"root expires {old.expires:%Y-%m-%d} -> {new.expires:%Y-%m-%d}")
        return lines

    def base(self, current: CurrentState) -> dict[str, Any]:
        assert isinstance(current, CurrentBundle)  # read_current's
        newest = current.root_history[-1]
        return {"root version": current.root_version,
                "root sha256": hashlib.sha256(newest).hexdigest()}

    def read_current(self, path: Path, at: datetime) -> CurrentState:
        """The verified bundle at ``path``. Only a Sigstore mirror's snapshot and
        timestamp carry the verifier's mark of what a ceremony signs again
        (``Problem.online``): their expiry between sittings passes, as the Sigstore
        adapter's seal signs both again; a TUF bundle has none to let through."""
        return read_current(path, at=at, online_signer=True)

    def sign(self, payload: Payload, signer: KeySigner) -> str:
        return str(signer.sign(payload.data).signature)

    def verifies(self, payload: Payload, key: RequestKey, signature: str) -> bool:
        public_key = load_pem_public_key(key.public_pem.encode())
        tuf_key = tuf_key_for(public_key)
        if tuf_key_id(public_key) != key.keyid:
            return False
        try:
            tuf_key.verify_signature(Signature(key.keyid, signature), payload.data)
        except Exception:  # securesystemslib raises its own kinds for a bad signature
            return False
        return True

    def certify(
        self, current: CurrentState, signer: KeySigner, name: str, now: datetime,
        expires: datetime | None,
    ) -> bytes:
        raise CeremonyError(
            f"a TUF root names key {name} by its public key alone: there is nothing to certify",
            todo="send its public key (.pem) to the coordinator, for the script's import:",
        )

    def write_bundle(
        self, ctx: Context, payloads: tuple[Payload, ...],
        signatures: Mapping[str, Mapping[str, str]],
    ) -> Iterator[Event]:
        yield from put_root(ctx, payloads, signatures)
        yield from carry_targets(ctx)
        yield from ctx.flavor.write_bundle(ctx)
