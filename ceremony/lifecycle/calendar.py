"""``ceremony calendar``: the dates to act on, in order, for every role at every path.

For each role judged by status.py: the date its renewal ceremony is due
(renew-by), the date it turns critical, and its expiry; sorted by date,
the ones already past marked, as a plain printable schedule.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from ceremony.lifecycle.status import RoleStatus


@dataclass(frozen=True)
class Entry:
    """One date in the schedule."""

    when: datetime
    what: str  # "renew by", "critical from", "expires"
    status: RoleStatus

    @property
    def past(self) -> bool:
        return self.when <= self.status.at


def schedule(statuses: Sequence[RoleStatus]) -> list[Entry]:
    """Every role's renew-by, critical and expiry dates, earliest first."""
    entries = []
    for status in statuses:
        expires = status.lifetime.expires
        entries += [
            Entry(status.renew_by, "renew by", status),
            Entry(expires - status.margin.critical, "critical from", status),
            Entry(expires, "expires", status),
        ]
    order = {"renew by": 0, "critical from": 1, "expires": 2}
    return sorted(entries, key=lambda e: (e.when, order[e.what], e.status.lifetime.name))
