"""``ceremony record BUNDLE -o FILE.pdf``: the ceremony record to print after a ceremony.

The bundle must verify (as of the ceremony's end); FILE.pdf and FILE.txt are
written beside each other, whole or not at all.
"""

from __future__ import annotations

import argparse

from ceremony.cli.exit_codes import ExitCode
from ceremony.cli.quick import SUMMARIES


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from pathlib import Path

    from ceremony.cli.runsheet import add_pdf_output

    parser = sub.add_parser("record", help=SUMMARIES["record"])
    parser.add_argument("bundle", type=Path)
    add_pdf_output(parser)


def record_command(args: argparse.Namespace) -> int:
    from ceremony.records.files import check_output, outside, write_document
    from ceremony.records.record import record_document

    check_output(args.output)
    outside(args.output, args.bundle)
    pdf, text = write_document(record_document(args.bundle), args.output, args.paper)
    print(f"ceremony record {pdf} and {text}")
    return ExitCode.OK
