"""What a TUF plan holds beyond the fields every flavor has (Plan.details)."""

from __future__ import annotations

from dataclasses import dataclass


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
    """``delegations``: the delegated roles a delegate ceremony makes."""

    delegations: tuple[DelegationSpec, ...] = ()
