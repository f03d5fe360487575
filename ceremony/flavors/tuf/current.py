"""The current TUF bundle a ceremony builds on (``current:``).

A rotation, delegation or recovery starts from the newest bundle on media,
read and verified as verified.py reads it (nothing is read from the media a
second time; every failure is a BundleError naming the file); a ceremony
adds python-tuf's Metadata of its newest root and targets, which its steps
sign from.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

# python-tuf documents these as tuf.api.metadata's API but lists no __all__:
# mypy's strict re-export rule cannot see them as exported
from tuf.api.metadata import Metadata, Root, Targets

from ceremony.engine.current import OnlineSigner
from ceremony.flavors.tuf.verified import VerifiedBundle
from ceremony.threshold import ThresholdResult, threshold_result

if TYPE_CHECKING:  # a type only: reading a bundle needs no ceremony running
    from ceremony.engine.context import Context


class CurrentBundle(VerifiedBundle, frozen=False):
    """The verified TUF bundle a ceremony builds on."""

    root: Metadata[Root] | None = None  # the newest root's, made from root_history
    targets: Metadata[Targets] | None = None  # made from targets_bytes

    def __post_init__(self) -> None:
        if self.root is None and self.root_history:
            self.root = Metadata[Root].from_bytes(self.root_history[-1])
        if self.targets is None and self.targets_bytes:
            self.targets = Metadata[Targets].from_bytes(self.targets_bytes)

    @property
    def root_signed(self) -> Root:
        assert self.root is not None  # a CurrentBundle always has its root
        return self.root.signed

    @property
    def root_version(self) -> int:
        return self.root_signed.version

    def root_thresholds(self, keyids: Iterable[str]) -> list[tuple[str, ThresholdResult]]:
        role = self.root_signed.roles["root"]
        label = f"the current root (version {self.root_version})"
        return [(label, threshold_result(role.keyids, role.threshold, set(keyids)))]

    def roles_of(self, keyid: str) -> tuple[str, ...]:
        """The roles of the current root that ``keyid`` is a key of."""
        return tuple(name for name, role in self.root_signed.roles.items() if keyid in role.keyids)

    def role_keys(self) -> list[tuple[str, str, set[str], int]]:
        """Each role of the current root."""
        return [("the current root", name, set(role.keyids), role.threshold)
                for name, role in self.root_signed.roles.items()]


def current_bundle(ctx: Context) -> CurrentBundle:
    """The verified TUF bundle the ceremony builds on (rotate-root, delegate, recover)."""
    current = ctx.building_on
    assert isinstance(current, CurrentBundle)  # the TUF preflight read it
    return current


def read_current(
    path: Path, *, at: datetime | None = None, renew_expired: bool = False,
    online_signer: OnlineSigner = False,
) -> CurrentBundle:
    """Verify the bundle at ``path``, then take what a ceremony needs of it;
    ``renew_expired``: expiry is its only fault that is let pass; ``online_signer``:
    the expiry of what it re-signs is let pass (the ceremony signs it again)."""
    return CurrentBundle.read(
        path, at=at, renew_expired=renew_expired, online_signer=online_signer)
