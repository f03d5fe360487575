"""Witness exceptions on the command line: ``ceremony run --exception "WHAT: WHY" --witness NAME``.

For a headless run, exceptions known before it starts (a bag found torn, a
participant replaced) are given on the command line and recorded first
thing in the transcript; at a terminal, ``!`` at any question records one
as it happens (prompt.py). Either way they are printed on the record.
"""

from __future__ import annotations

import argparse

# False when the program runs, true for mypy: `ceremony --help` loads no more than it needs
TYPE_CHECKING = False
if TYPE_CHECKING:
    from ceremony.witness import WitnessLog


def add_exception_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--exception", action="append", default=[], metavar="'WHAT: WHY'",
        help="record a witness exception in the transcript at the start (repeat); "
        "at a terminal, type ! at any question to record one",
    )
    parser.add_argument("--witness", default="", metavar="NAME",
                        help="the internal witness recording the exceptions")


def witness_log(args: argparse.Namespace, *, named: str = "") -> WitnessLog:
    """A log holding the command line's exceptions (each checked before anything runs);
    their witness is ``--witness``, else the one the answers file names (``named``)."""
    from ceremony.witness import WitnessLog, parse_exception

    log = WitnessLog(args.witness or named)
    for text in args.exception:
        what, why = parse_exception(text)
        log.add(what, why)
    return log
