"""``ceremony status``: every role's expiry judged against its renewal margins.

For every path (a bundle, a published metadata folder, a state folder) the
flavor that reads it (the one ``ceremony inspect`` would ask) lists each
role's version and expiry (:class:`~ceremony.lifecycle.lifetime.Lifetime`);
:func:`judge` says, at a moment, how many days are left, the date by which
the next ceremony must happen (the expiry minus the renewal margin) and a
state: ``fine``, ``renew`` (inside the renewal margin), ``critical`` (inside
the critical margin) or ``expired``. Expired means the moment is at or after
the expiry, python-tuf's rule (``Metadata.signed.is_expired``): the expiry's
own second is already expired. :func:`exit_code` folds the states into the
monitoring codes 0, 1 and 2 (Nagios' OK, WARNING, CRITICAL). The margins
are the command line's when it gives any, else the ``policy:`` of the
script a bundle keeps (ceremony.yaml), else the defaults below.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from ceremony.inspect import flavor_at
from ceremony.lifecycle.lifetime import Lifetime
from ceremony.plain_record import PlainRecord
from ceremony.script.policy import policy_in_script
from ceremony.verify.limits import OTHER_MAX_BYTES
from ceremony.verify.loader import read_file_within
from ceremony.verify.problem import safe_path
from ceremony.verify.times import as_utc, utc_text

FINE, RENEW, CRITICAL, EXPIRED = "fine", "renew", "critical", "expired"
#: the monitoring exit code of each state
CODES = {FINE: 0, RENEW: 1, CRITICAL: 2, EXPIRED: 2}
#: roles an online system re-signs on its own, with expiries of days, not months
ONLINE_ROLES = ("snapshot", "timestamp")


class Margin(PlainRecord):
    """How long before an expiry to renew (warning) and to worry (critical)."""

    renew: timedelta
    critical: timedelta


OFFLINE_MARGIN = Margin(renew=timedelta(days=30), critical=timedelta(days=7))
ONLINE_MARGIN = Margin(renew=timedelta(hours=12), critical=timedelta(hours=2))


class Margins(PlainRecord):
    """The margins of every role: one for roles signed offline (root, targets,
    delegations), one for those an online system re-signs, and any per role."""

    offline: Margin = OFFLINE_MARGIN
    online: Margin = ONLINE_MARGIN
    roles: Mapping[str, Margin] = {}  # a new dict for each Margins (PlainRecord)

    def of(self, role: str) -> Margin:
        if role in self.roles:
            return self.roles[role]
        return self.online if role in ONLINE_ROLES else self.offline


class RoleStatus(PlainRecord):
    """One role judged at one moment."""

    path: str  # the path the operator gave
    lifetime: Lifetime
    margin: Margin
    at: datetime

    @property
    def days_left(self) -> int:
        return math.floor((self.lifetime.expires - self.at).total_seconds() / 86400)

    @property
    def renew_by(self) -> datetime:
        """The date by which the next ceremony must happen."""
        return self.lifetime.expires - self.margin.renew

    @property
    def state(self) -> str:
        expires = self.lifetime.expires
        if self.at >= expires:  # python-tuf: is_expired(now) is now >= expires
            return EXPIRED
        if self.at >= expires - self.margin.critical:
            return CRITICAL
        if self.at >= self.renew_by:
            return RENEW
        return FINE

    def facts(self) -> dict[str, Any]:
        """The ``--json`` output for this role."""
        return {
            "path": self.path,
            "file": self.lifetime.file,
            "role": self.lifetime.role,
            "scope": self.lifetime.scope or None,
            "version": self.lifetime.version or None,  # None: no metadata carries it
            "expires": utc_text(self.lifetime.expires),
            "days_left": self.days_left,
            "renew_by": utc_text(self.renew_by),
            "state": self.state,
        }


def lifetimes_at(path: Path) -> list[Lifetime]:
    """Every role's lifetime at ``path``, from the flavor that reads it."""
    return flavor_at(path).lifetimes(path)


def margins_at(path: Path) -> Margins:
    """The margins the ``policy:`` of the bundle at ``path`` sets (defaults without)."""
    script = path / "ceremony.yaml"
    if not path.is_dir() or not script.is_file():
        return Margins()
    text = read_file_within(script, OTHER_MAX_BYTES, "a ceremony script").decode("utf-8", "replace")
    policy = policy_in_script(text, safe_path(str(script)))
    if policy is None:
        return Margins()
    return Margins(offline=Margin(policy.renewal_margin, policy.critical_margin))


def judge(
    paths: Iterable[Path], *, at: datetime | None = None, margins: Margins | None = None
) -> list[RoleStatus]:
    """Every role at every path, judged at ``at`` (default now), with ``margins``
    (default: each bundle's policy)."""
    moment = as_utc(at)
    statuses = []
    for path in map(Path, paths):
        chosen = margins or margins_at(path)
        statuses += [
            RoleStatus(str(path), lifetime, chosen.of(lifetime.role), moment)
            for lifetime in lifetimes_at(path)
        ]
    return statuses


def exit_code(statuses: Sequence[RoleStatus]) -> int:
    """0 all fine, 1 some role inside its renewal margin, 2 some expired or critical."""
    return max((CODES[status.state] for status in statuses), default=0)
