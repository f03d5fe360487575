"""What a TUF plan holds beyond the fields every flavor has (Plan.details)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class DelegationSpec:
    """A delegated targets role made by the ``delegate`` ceremony."""

    name: str
    keys: tuple[str, ...]
    threshold: int
    paths: tuple[str, ...]
    terminating: bool = False
    line: int = 0


@dataclass(frozen=True)
class TufDetails:
    """``delegations``: the delegated roles a delegate ceremony makes;
    ``root_expires`` and ``renew_expired``: a renew's new root expiry, and
    whether the script allows renewing a root that has already expired
    (``current-root-expired: renew``)."""

    delegations: tuple[DelegationSpec, ...] = ()
    root_expires: datetime | None = None
    renew_expired: bool = False

    def online_signer(self, at: datetime) -> bool:
        """No server re-signs a TUF bundle's metadata: each of its expiries needs a renew
        (the Sigstore flavor's details answer for its mirror)."""
        return False

    def current_online_signer(self, at: datetime) -> bool:
        """Nor did one re-sign the current bundle (the Sigstore details ask it)."""
        return False
