"""``ceremony runsheet SCRIPT -o FILE.pdf``: the run sheet to print before a ceremony.

The script is loaded and checked as ``run`` would (no preflight: the media
may not be in the room yet); FILE.pdf and FILE.txt are written beside each
other, whole or not at all.
"""

from __future__ import annotations

import argparse

from ceremony.cli.exit_codes import ExitCode
from ceremony.cli.quick import SUMMARIES


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from pathlib import Path

    parser = sub.add_parser("runsheet", help=SUMMARIES["runsheet"])
    parser.add_argument("script", type=Path)
    add_pdf_output(parser)


def add_pdf_output(parser: argparse.ArgumentParser) -> None:
    """``-o FILE.pdf`` and ``--paper``, as every printed record takes them."""
    from pathlib import Path

    parser.add_argument("-o", "--output", type=Path, required=True, metavar="FILE.pdf",
                        help="the PDF to write; its text goes beside it as FILE.txt")
    parser.add_argument("--paper", choices=("a4", "letter"), default="a4",
                        help="A4 (the default) or US Letter")


def runsheet_command(args: argparse.Namespace) -> int:
    from ceremony.describe import grouped
    from ceremony.records.files import check_output, write_document
    from ceremony.records.runsheet import runsheet_document
    from ceremony.script.load import load_script

    check_output(args.output)
    plan = load_script(args.script)
    pdf, text = write_document(runsheet_document(plan), args.output, args.paper)
    print(f"run sheet {pdf} and {text}")
    print(f"  script sha256 {grouped(plan.script_sha256)}")
    return ExitCode.OK
