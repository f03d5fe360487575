"""``ceremony calendar PATH... [--text] [--ics FILE] [--at DATE]``: the renewal schedule.

Every role's renew-by date, critical date and expiry, earliest first, with
those already past marked; margins as ``ceremony status`` takes them (the
bundle's ``policy:``, else the defaults). The dates come from
ceremony/lifecycle/calendar.py; ``--ics`` writes them as an iCalendar file
with alarms (lifecycle/ics.py), whole or not at all, never over a file.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ceremony.cli.exit_codes import ExitCode
from ceremony.cli.quick import SUMMARIES


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from ceremony.cli.dates import parse_date

    command = sub.add_parser("calendar", help=SUMMARIES["calendar"])
    command.add_argument("paths", type=Path, nargs="+", metavar="PATH",
                         help="bundles, published metadata folders or files, client caches, "
                              "DCT state folders or trust dirs")
    command.add_argument("--text", action="store_true",
                         help="a plain printable schedule (the default without --ics)")
    command.add_argument("--ics", type=Path, metavar="FILE",
                         help="write an iCalendar file (a new file) with an event and alarms "
                              "for every date")
    command.add_argument("--at", type=parse_date, metavar="DATE",
                         help="mark the dates before this one as past (default now)")


def calendar_command(args: argparse.Namespace) -> int:
    from ceremony.inspect import columns
    from ceremony.lifecycle.calendar import schedule
    from ceremony.lifecycle.status import judge
    from ceremony.verify.problem import safe_path

    entries = schedule(judge(args.paths, at=args.at))
    if args.ics is not None:
        from ceremony.engine import utc_now
        from ceremony.lifecycle.ics import ics_text
        from ceremony.lifecycle.writing import write_whole

        write_whole(args.ics, ics_text(entries, stamp=utc_now()), "--ics")
        print(f"wrote {len(entries)} dates, each with its alarms, to {safe_path(str(args.ics))}")
        if not args.text:
            return ExitCode.OK
    rows = [["date", "what", "role", "version", "path"]]
    for entry in entries:
        lifetime = entry.status.lifetime
        rows.append([
            entry.when.strftime("%Y-%m-%d %H:%MZ") + (" (past)" if entry.past else ""),
            entry.what, safe_path(lifetime.name), lifetime.version_text,
            safe_path(entry.status.path),
        ])
    for line in columns(rows, indent=""):
        print(line)
    return ExitCode.OK
