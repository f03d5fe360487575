"""``ceremony status PATH... [--at DATE] [--margin [ROLE=]DAYS] [--critical [ROLE=]DAYS] [--json]``.

For every role at every path (bundles, published metadata folders, DCT
bundles): its version, expiry, days left, the date by which the next
ceremony must happen, and a state. The exit code is for monitoring (cron,
Nagios, a Prometheus text-file check): 0 fine, 1 some role inside its
renewal margin, 2 some role expired or inside its critical margin, 3 a path
could not be read. The judging is ceremony/lifecycle/status.py's.
"""

from __future__ import annotations

import sys
from pathlib import Path

from ceremony.cli.quick import SUMMARIES

TYPE_CHECKING = False
if TYPE_CHECKING:  # argparse too: a plain status command line is read without it (quick.py)
    import argparse
    from datetime import timedelta

    from ceremony.lifecycle.status import Margins, RoleStatus


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from ceremony.cli.dates import parse_date

    status = sub.add_parser("status", help=SUMMARIES["status"])
    status.add_argument("paths", type=Path, nargs="+", metavar="PATH",
                        help="bundles, published metadata folders or files, client caches, "
                             "Sigstore trusted_root.json files, DCT state folders or trust dirs")
    status.add_argument("--at", type=parse_date, metavar="DATE",
                        help="judge as at this date (default now), e.g. 2027-01-31")
    status.add_argument("--margin", type=_margin, action="append", default=[],
                        metavar="[ROLE=]DAYS",
                        help="renew this long before expiry (default: the bundle's policy:, "
                             "else 30 days for root and targets, 0.5 for snapshot and timestamp)")
    status.add_argument("--critical", type=_margin, action="append", default=[],
                        metavar="[ROLE=]DAYS",
                        help="exit 2 this long before expiry (default 7 days; 2 hours online)")
    status.add_argument("--json", action="store_true", help="machine-readable output")


def _margin(text: str) -> tuple[str | None, timedelta]:
    from argparse import ArgumentTypeError
    from datetime import timedelta

    role, _, days = text.rpartition("=")
    try:
        value = float(days)
    except ValueError:
        value = -1.0
    if not 0 <= value <= 36500 or (role == "" and "=" in text):
        raise ArgumentTypeError(
            f"{text!r} is not a margin: write days (30, 0.5) or ROLE=DAYS (timestamp=0.25)"
        )
    return role or None, timedelta(days=value)


def margins_of(args: argparse.Namespace) -> Margins | None:
    """The margins the command line sets over the defaults (None: it sets none)."""
    from ceremony.lifecycle.status import Margin, Margins

    if not args.margin and not args.critical:
        return None
    renew, critical = dict(args.margin), dict(args.critical)
    defaults = Margins()
    offline = Margin(renew.pop(None, defaults.offline.renew),
                     critical.pop(None, defaults.offline.critical))
    unnamed = Margins(offline=offline)  # --margin DAYS: every role signed offline
    roles = {
        role: Margin(renew.get(role, unnamed.of(role).renew),
                     critical.get(role, unnamed.of(role).critical))
        for role in {*renew, *critical}
    }
    return Margins(offline=offline, roles=roles)


def status_command(args: argparse.Namespace) -> int:
    from ceremony.lifecycle.status import exit_code, judge

    statuses = judge(args.paths, at=args.at, margins=margins_of(args))
    code = exit_code(statuses)
    if args.json:
        import json

        print(json.dumps({"exit_code": code, "roles": [s.facts() for s in statuses]},
                         indent=2, sort_keys=True))
    else:
        for line in status_lines(statuses):
            print(line)
    sys.stdout.flush()
    return code


def status_lines(statuses: list[RoleStatus]) -> list[str]:
    from ceremony.inspect import columns
    from ceremony.verify.problem import safe_path

    header = ["path", "role", "version", "expires", "days left", "renew by", "state"]
    rows = [header] + [
        [safe_path(facts["path"]), safe_path(s.lifetime.name), s.lifetime.version_text,
         facts["expires"], str(facts["days_left"]), facts["renew_by"][:10],
         facts["state"].upper() if facts["state"] != "fine" else "fine"]
        for s in statuses
        for facts in [s.facts()]
    ]
    return columns(rows, indent="")
