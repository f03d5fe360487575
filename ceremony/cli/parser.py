"""The command line: every ``ceremony`` command and its arguments, for argparse.

:func:`command_line` builds the parser the commands' own modules add their
parts to (custody.py, status.py, sittings.py, ...); each command's one-line
help is ``SUMMARIES[name]`` in quick.py, which also answers ``ceremony
--help`` and a plain ``ceremony verify`` without it. argparse and pathlib
are imported only when a command line is parsed here (main.py asks for it
then), so that start-up stays fast.
"""

from __future__ import annotations

from ceremony.cli.quick import DESCRIPTION, SUMMARIES

# False when the program runs, true for mypy (which reads the name itself):
# importing typing for it would cost start-up a tenth of its time
TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse


def command_line() -> argparse.ArgumentParser:
    """Every command and its arguments, as argparse reads them."""
    import argparse
    from pathlib import Path

    from ceremony.cli.dates import parse_date
    from ceremony.cli.paper import paper_digest

    parser = argparse.ArgumentParser(
        prog="ceremony",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    run = sub.add_parser("run", help=SUMMARIES["run"])
    run.add_argument("script", type=Path)
    run.add_argument(
        "--secrets", type=Path, metavar="FILE", help="YAML: key name -> passphrase (chmod 600)"
    )
    run.add_argument("--answers", type=Path, metavar="FILE", help="YAML: question id -> answer")
    run.add_argument("--yes", action="store_true", help="answer every confirmation yes")
    run.add_argument(
        "--share", type=Path, action="append", default=[], metavar="FILE",
        help="recover: a share as a text file or an image of its QR code (repeat, in order)",
    )
    from ceremony.cli.exceptions import add_exception_arguments

    add_exception_arguments(run)

    validate = sub.add_parser("validate", help=SUMMARIES["validate"])
    validate.add_argument("script", type=Path)

    questions = sub.add_parser("questions", help=SUMMARIES["questions"])
    questions.add_argument("script", type=Path)

    verify = sub.add_parser("verify", help=SUMMARIES["verify"])
    verify.add_argument("path")  # a str, as quick.py reads it: no pathlib
    verify.add_argument("--at", type=parse_date, metavar="DATE", help="check expiry as of DATE")
    verify.add_argument(
        "--head", metavar="HEX", type=paper_digest,
        help="the transcript head written on the paper record (spaces allowed): it must match",
    )
    verify.add_argument(
        "--manifest", metavar="HEX", type=paper_digest,
        help="the MANIFEST.json sha256 written on the paper record: it must match",
    )

    clean = sub.add_parser("clean", help=SUMMARIES["clean"])
    clean.add_argument("path", type=Path, help="the leftover folder the tool named")

    inspect = sub.add_parser("inspect", help=SUMMARIES["inspect"])
    inspect.add_argument("file", type=Path)
    inspect.add_argument("--json", action="store_true", help="machine-readable output")

    rehearse = sub.add_parser("rehearse", help=SUMMARIES["rehearse"])
    rehearse.add_argument("--out", type=Path, metavar="DIR", help="a new folder for the results")
    rehearse.add_argument(
        "--backend", choices=("software", "softhsm"), default="software",
        help="softhsm: root keys on a throwaway SoftHSM token made for the rehearsal",
    )
    rehearse.add_argument(
        "--sittings", action="store_true",
        help="a root rotation signed in three sittings: request, two signers, seal",
    )
    rehearse.add_argument(
        "--flavor", metavar="NAME",
        help="the flavor whose ceremonies to rehearse (default: the first; an unknown name "
        "lists them all)",
    )
    rehearse.add_argument(
        "--lifecycle", action="store_true",
        help="a root's whole life instead (TUF): a root that expires soon, status after its "
        "expiry, its renewal, a quarterly rotation from `ceremony next`, the calendar",
    )

    version = sub.add_parser("version", help=SUMMARIES["version"])
    version.add_argument(
        "--verbose", action="store_true",
        help="also the digest of the installed files and lock, to compare with the offline kit's",
    )

    tokens = sub.add_parser("tokens", help=SUMMARIES["tokens"])
    tokens.add_argument("--module", action="append", default=[], metavar="PATH",
                        help="a PKCS#11 module (repeat; default $CEREMONY_PKCS11_MODULE)")
    tokens.add_argument("--token", metavar="LABEL", help="only the token with this label")
    tokens.add_argument("--bundle", type=Path, action="append", default=[], metavar="PATH",
                        help="flag keys this bundle did not record (repeat)")
    tokens.add_argument("--login", action="store_true",
                        help="ask each token's PIN to see its private keys")
    tokens.add_argument("--secrets", type=Path, metavar="FILE",
                        help="YAML: pin/<token label> -> PIN (chmod 600)")
    tokens.add_argument("--json", action="store_true",
                        help="print the modules and tokens as JSON (no PIN asked)")
    from ceremony.cli.custody import add_parser as add_custody

    add_custody(sub)
    from ceremony.cli.runsheet import add_parser as add_runsheet

    add_runsheet(sub)
    from ceremony.cli.record import add_parser as add_record

    add_record(sub)
    from ceremony.cli.evidence import add_parser as add_evidence

    add_evidence(sub)

    from ceremony.cli.status import add_parser as add_status

    add_status(sub)
    from ceremony.cli.next import add_parser as add_next

    add_next(sub)
    from ceremony.cli.calendar import add_parser as add_calendar

    add_calendar(sub)
    from ceremony.cli.sittings import add_parsers as add_sittings

    add_sittings(sub)
    return parser
