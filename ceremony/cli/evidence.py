"""``ceremony evidence BUNDLE -o DIR``: the folder an auditor takes away.

DIR must not exist; it appears whole or not at all (ceremony/records/evidence.py).
"""

from __future__ import annotations

import argparse

from ceremony.cli.exit_codes import ExitCode
from ceremony.cli.quick import SUMMARIES


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from pathlib import Path

    parser = sub.add_parser("evidence", help=SUMMARIES["evidence"])
    parser.add_argument("bundle", type=Path)
    parser.add_argument("-o", "--output", type=Path, required=True, metavar="DIR",
                        help="a new folder for the pack")
    parser.add_argument("--paper", choices=("a4", "letter"), default="a4",
                        help="A4 (the default) or US Letter")


def evidence_command(args: argparse.Namespace) -> int:
    from ceremony.records.evidence import write_evidence

    items = write_evidence(args.bundle, args.output, args.paper)
    print(f"evidence pack {args.output}: {len(items)} items and INDEX.txt")
    for item in items:
        print(f"  {item.name}")
    return ExitCode.OK
