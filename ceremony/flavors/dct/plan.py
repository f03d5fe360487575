"""The Docker Content Trust part of a Plan: GUNs, server keys, signers.

A ``flavor: dct`` script says which GUNs (Docker repositories) a ceremony
works on, where the Notary server's own public keys are on media, where the
server's current metadata is (for rotations and delegations), whether
existing Docker trust is imported, and which delegations to make. These
dataclasses hold what the loader read (dct_fields.py), checked by
dct_checks.py; like the rest of the Plan they never hold a secret.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from ceremony.errors import CeremonyError
from ceremony.script.plan import Plan

SNAPSHOT_MODES = ("server", "offline")
REPOSITORY_KEY_MODES = ("per-gun", "shared")

# notary's own defaults, used when a script gives no expiry
DEFAULT_EXPIRY = {
    "root": timedelta(days=3650),
    "targets": timedelta(days=3 * 365),
    "snapshot": timedelta(days=3 * 365),
}


@dataclass(frozen=True)
class SignerSpec:
    """A signer added as ``docker trust signer add NAME`` adds one: its keys go
    on ``targets/NAME`` and on ``targets/releases``, all paths."""

    name: str
    keys: tuple[str, ...]
    line: int = 0

    @property
    def role(self) -> str:
        return f"targets/{self.name}"


@dataclass(frozen=True)
class DctDelegationSpec:
    """A custom delegated role (``targets/<name>``) with its own paths and threshold."""

    role: str
    keys: tuple[str, ...]
    threshold: int = 1
    paths: tuple[str, ...] = ("",)
    line: int = 0


@dataclass(frozen=True)
class DctSpec:
    """What a dct script says beyond the fields every flavor has.

    ``guns`` empty means every GUN of the current state (rotate-root and
    delegate). ``server_keys`` is the media ``scripts/dct-fetch-keys`` wrote;
    ``published`` the media ``dct-fetch-keys --state`` wrote (the server's
    current root history and targets.json). ``import_trust`` is a copy of a
    Docker trust dir (``~/.docker/trust``) whose root keys sign a rotation
    away from them. ``default_expiries``: the roles whose expiry is notary's
    default because the script gave none. ``root_expires`` and
    ``renew_expired``: a renew's new root expiry, and whether it may renew
    roots that have already expired (``current-root-expired: renew``).
    """

    guns: tuple[str, ...] = ()
    server_keys: Path | None = None
    snapshot: str = "server"
    repository_keys: str = "per-gun"
    published: Path | None = None
    import_trust: Path | None = None
    signers: tuple[SignerSpec, ...] = ()
    delegations: tuple[DctDelegationSpec, ...] = ()
    default_expiries: frozenset[str] = frozenset()
    root_expires: datetime | None = None  # a renew's new root expiry
    renew_expired: bool = False  # a renew's current-root-expired: renew


def dct_spec(plan: Plan) -> DctSpec:
    """The dct part of ``plan`` (``plan.details``), which its loader made a DctSpec."""
    details = plan.details
    if not isinstance(details, DctSpec):
        raise CeremonyError(
            f"the plan of a {plan.flavor} script has no Docker Content Trust part",
            todo="this is a fault in the tool",
        )
    return details
