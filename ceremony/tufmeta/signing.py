"""Signing metadata and counting signatures against thresholds.

Every key that is here today and belongs to a group signs; then each group's
threshold is checked with python-tuf's own verification (a second opinion
behind the signer's check of every single signature). A root rotation has
two groups, the current root's keys and the new root's keys, and both must
be met before anything is written.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

# python-tuf documents these as tuf.api.metadata's API but lists no __all__:
# mypy's strict re-export rule cannot see them as exported
from tuf.api.metadata import Metadata, Root

from ceremony.engine.context import Context
from ceremony.engine.keyring import KeyRecord
from ceremony.engine.tokens import before_signing
from ceremony.errors import CeremonyError
from ceremony.events import Event, SignatureAdded, ThresholdMet
from ceremony.threshold import ThresholdResult


@dataclass(frozen=True)
class SignerGroup:
    """Keys that must reach a threshold: e.g. "current root v3" or "new root v4"."""

    label: str  # "old" or "new" (root), "targets"
    root: Root  # the root that names the keys and the threshold
    role: str  # the role in that root ("root", "targets")

    def keyids(self) -> list[str]:
        return list(self.root.roles[self.role].keyids)

    @property
    def threshold(self) -> int:
        return self.root.roles[self.role].threshold


def sign(ctx: Context, md: Metadata[Any], groups: list[SignerGroup]) -> Iterator[Event]:
    """Sign ``md`` with every open key of every group; check every threshold."""
    role = md.signed.type
    version = md.signed.version
    wanted: list[KeyRecord] = []
    for group in groups:
        for keyid in group.keyids():
            record = ctx.key_by_keyid(keyid)
            if record and record.signer is not None and record not in wanted:
                wanted.append(record)
    payload = md.signed_bytes
    yield from count(md, payload, groups)  # the meters start at 0 of N
    for record in wanted:
        yield from before_signing(record)  # "touch the YubiKey now", when it needs one
        assert record.signer is not None  # wanted for its open signer
        md.sign(record.signer, append=True)
        yield SignatureAdded(role=role, version=version, key=record.name, keyid=record.keyid)
        yield from count(md, payload, [g for g in groups if record.keyid in g.keyids()])
    for group in groups:
        result = group.root.get_verification_result(group.role, payload, md.signatures)
        counted = ThresholdResult(
            group.threshold, frozenset(result.signed), frozenset(result.unsigned)
        )
        if not counted.met:
            missing = [
                ctx.key_by_keyid(keyid) or keyid for keyid in sorted(result.unsigned)
            ]
            raise CeremonyError(
                f"{role} version {version} has {counted.words()} from the {describe(group)}",
                todo="bring the keyholders of "
                + ", ".join(k.name if isinstance(k, KeyRecord) else k[:8] for k in missing)
                + " and add them to sign-with",
            )


def count(md: Metadata[Any], payload: bytes, groups: list[SignerGroup]) -> Iterator[Event]:
    """Where each group's threshold stands now (python-tuf counts)."""
    for group in groups:
        result = group.root.get_verification_result(group.role, payload, md.signatures)
        yield ThresholdMet(
            role=md.signed.type,
            version=md.signed.version,
            group=group.label,
            have=len(result.signed),
            need=group.threshold,
        )


def describe(group: SignerGroup) -> str:
    if group.role == "root":
        which = "current" if group.label == "old" else "new"
        return f"{which} root (version {group.root.version})"
    return f"{group.role} role of root version {group.root.version}"
