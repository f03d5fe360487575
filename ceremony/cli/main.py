"""The headless front end: ``ceremony run|validate|verify|inspect|rehearse|version|...``.

stdout carries what a command produces (the ceremony log, verification
lines, inspection output, JSON); diagnostics and errors go to stderr. An
operator's mistake ends with one clear message and an exit code from
:class:`ExitCode`, never a traceback. Heavy modules are imported inside the
commands, and argparse and pathlib in the command line's parsing, so that
``ceremony --help`` and ``ceremony version`` (answered by quick.py) start
fast. With no command, the terminal UI opens.
"""

from __future__ import annotations

import sys

from ceremony.cli.exit_codes import ExitCode
from ceremony.cli.quick import DESCRIPTION, SUMMARIES, quick_answer, quick_verify

#: problems `ceremony verify` prints before it says how many more there are
SHOWN_PROBLEMS = 40

# False when the program runs, true for mypy (which reads the name itself):
# importing typing for it would cost `ceremony --help` a tenth of its time
TYPE_CHECKING = False
if TYPE_CHECKING:  # what only a command loads, when it runs
    import argparse
    from collections.abc import Callable, Iterable, Iterator

    from ceremony.events import BundleVerified, Event
    from ceremony.script.plan import Plan


def build_parser() -> argparse.ArgumentParser:
    import argparse
    from pathlib import Path

    from ceremony.cli.dates import parse_date

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
    verify.add_argument("path", type=Path)
    verify.add_argument("--at", type=parse_date, metavar="DATE", help="check expiry as of DATE")
    verify.add_argument(
        "--head", metavar="HEX",
        help="the transcript head written on the paper record (spaces allowed): it must match",
    )
    verify.add_argument(
        "--manifest", metavar="HEX",
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


def main(argv: list[str] | None = None) -> int:
    given = sys.argv[1:] if argv is None else argv
    answered = quick_answer(given)
    if answered is not None:
        return answered
    args = quick_verify(given) or build_parser().parse_args(argv)
    if args.command is None:
        return open_ui()
    from ceremony.cli.exit_codes import for_error
    from ceremony.cli.output import safe_terminal
    from ceremony.errors import CeremonyError
    from ceremony.signals import Stopped, stop_on_signals
    from hsm.errors import KeyBackendError

    with safe_terminal():  # no control character from a script or media reaches the screen
        try:
            with stop_on_signals():  # Ctrl-C, SIGTERM and SIGHUP alike
                code = COMMANDS[args.command](args)
                sys.stdout.flush()  # a reader gone away is met here, not at exit
                return code
        except BrokenPipeError:
            return reader_gone()
        except (CeremonyError, KeyBackendError) as error:
            print(f"ceremony: {error}", file=sys.stderr)
            return for_error(args.command)
        except EOFError:
            print("\nceremony: the input ended before a question was answered; nothing was "
                  "sealed", file=sys.stderr)
            return ExitCode.FAILED
        except KeyboardInterrupt as stop:
            words = stop.words if isinstance(stop, Stopped) else "interrupted (Ctrl-C)"
            print(f"\nceremony: {words}; nothing was sealed", file=sys.stderr)
            return stop.exit_code if isinstance(stop, Stopped) else ExitCode.INTERRUPTED


def reader_gone() -> int:
    """stdout's reader went away (``ceremony inspect ... | head``): stop
    quietly, as a shell command does, with nothing more written to it."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # the exit's own flush finds no pipe
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass  # stdout is no file (a test's capture): nothing will flush to a pipe
    return ExitCode.BROKEN_PIPE


def open_ui() -> int:
    try:
        from ceremony.tui.app import run_app
    except ImportError:
        build_parser().print_help()
        return ExitCode.OK
    return run_app()


def show(events: Iterable[Event]) -> None:
    from ceremony.describe import describe

    for event in events:
        line = describe(event)
        if line:
            print(line, flush=True)


def show_plan(plan: Plan) -> None:
    """The plan in words, first: what the witnesses check against the reviewed script
    (keys, roles, thresholds, each delegation's paths and whether it terminates)."""
    from ceremony.describe_plan import plan_lines

    print("The plan (check it against the reviewed script):")
    for line in plan_lines(plan):
        print(f"  {line}")
    print(flush=True)


def cmd_run(args: argparse.Namespace) -> int:
    from ceremony.cli.exceptions import witness_log
    from ceremony.cli.operator import HeadlessOperator
    from ceremony.cli.prompt import listening_for_exceptions
    from ceremony.engine import run_ceremony
    from ceremony.script.load import load_script

    plan = load_script(args.script)
    operator = HeadlessOperator(
        secrets_file=args.secrets, answers_file=args.answers, yes=args.yes, shares=args.share,
        production=not plan.rehearsal,
    )
    witness = witness_log(args, named=operator.witness)  # one internal witness, however named
    show_plan(plan)
    events = run_ceremony(plan, operator, witness=witness)
    with listening_for_exceptions(witness):
        try:
            show(events)
        except KeyboardInterrupt as stop:
            # stopped while this side printed: the engine stops as if stopped inside
            events.throw(stop)
    return ExitCode.OK


def cmd_validate(args: argparse.Namespace) -> int:
    from ceremony.describe import describe
    from ceremony.engine.preflight import preflight
    from ceremony.script.load import load_script

    plan = load_script(args.script)
    print(f"script {args.script}: {plan.kind} ({plan.flavor}), sha256 {plan.script_sha256}")
    result = preflight(plan)
    for check in result.checks:
        print(describe(check))
    if result.failures:
        print(
            f"ceremony: {len(result.failures)} preflight problem(s); nothing was done",
            file=sys.stderr,
        )
        return ExitCode.PROBLEMS
    print("The script is valid and preflight passes. Nothing was changed.")
    return ExitCode.OK


def cmd_questions(args: argparse.Namespace) -> int:
    from ceremony.cli.questions import questions_command

    return questions_command(args.script)


def cmd_verify(args: argparse.Namespace) -> int:
    from ceremony.describe import grouped
    from ceremony.verify import verify_bundle
    from ceremony.verify.limits import MANIFEST
    from ceremony.verify.problem import Problem

    report = verify_bundle(args.path, at=args.at, head=args.head)
    manifest = report.contents.files.get(MANIFEST) if report.contents else None
    manifest_sha = manifest.sha256 if manifest is not None else None
    wanted = args.manifest.replace(" ", "").lower() if args.manifest else None
    if wanted is not None and manifest_sha != wanted:
        report.problems.append(
            Problem(MANIFEST, "its sha256 is not the one written on the paper record")
        )
    for problem in report.problems[:SHOWN_PROBLEMS]:
        print(problem)
    if len(report.problems) > SHOWN_PROBLEMS:
        print(f"... and {len(report.problems) - SHOWN_PROBLEMS} more")
    if report.ok:
        print(f"{args.path}: every check holds")
    if report.transcript_head:
        print(f"  transcript head {grouped(report.transcript_head)} ({report.transcript_lines} "
              "lines): compare it with the paper record, or give it with --head")
    if manifest_sha:
        print(f"  manifest sha256 {grouped(manifest_sha)}")
    if report.ok:
        return ExitCode.OK
    print(f"ceremony: {len(report.problems)} problem(s) in {args.path}", file=sys.stderr)
    return ExitCode.PROBLEMS


def cmd_clean(args: argparse.Namespace) -> int:
    from ceremony.cli.clean import clean_command

    return clean_command(args.path)


def cmd_inspect(args: argparse.Namespace) -> int:
    import json

    from ceremony.inspect import inspect_file, render_lines
    from ceremony.sittings.request_file import is_request

    if is_request(args.file):
        from ceremony.cli.sittings import show_request
        from ceremony.sittings.request_file import read_request

        request = read_request(args.file)
        if args.json:
            print(json.dumps(request.document(), indent=2, sort_keys=True))
        else:
            show_request(request)
        return ExitCode.OK
    facts = inspect_file(args.file)
    if args.json:
        print(json.dumps(facts, indent=2, sort_keys=True))
    else:
        for line in render_lines(facts):
            print(line)
    return ExitCode.OK


def cmd_rehearse(args: argparse.Namespace) -> int:
    from ceremony.errors import UnknownFlavorError
    from ceremony.events import BundleVerified
    from ceremony.flavor import flavor_named, flavor_names

    names = flavor_names()
    if args.lifecycle:
        return _rehearse_lifecycle(args)
    try:
        flavor = flavor_named(args.flavor or names[0])
    except UnknownFlavorError:
        print(
            f"ceremony: no flavor is called {args.flavor!r}; the flavors are: {', '.join(names)}",
            file=sys.stderr,
        )
        return ExitCode.USAGE
    if args.sittings:
        if "sittings" not in flavor.rehearsal_backends:
            print(f"ceremony: --flavor {flavor.name} is not rehearsed in sittings yet",
                  file=sys.stderr)
            return ExitCode.USAGE
        args.backend = "sittings"
    if args.backend not in flavor.rehearsal_backends:
        keys = " or ".join(b for b in flavor.rehearsal_backends if b != "sittings")
        print(f"ceremony: --flavor {flavor.name} rehearses with {keys} keys only", file=sys.stderr)
        return ExitCode.USAGE
    verified: list[BundleVerified] = []

    def watch(events: Iterable[Event]) -> Iterator[Event]:
        for event in events:
            if isinstance(event, BundleVerified):
                verified.append(event)
            yield event

    show(watch(flavor.rehearse(args.out, backend=args.backend)))
    if all(v.ok for v in verified):
        from pathlib import Path

        folder = Path(verified[-1].path).parent
        print(
            f"\nRehearsal complete: {len(verified)} ceremonies "
            f"({flavor.rehearsal_words(args.backend)}), every bundle verifies. Results in {folder}"
        )
        return ExitCode.OK
    return ExitCode.PROBLEMS


def _rehearse_lifecycle(args: argparse.Namespace) -> int:
    from ceremony.events import BundleVerified, PreflightChecked
    from ceremony.rehearsal.lifecycle import rehearse_lifecycle

    if (args.flavor or "tuf") != "tuf" or args.backend != "software":
        print("ceremony: --lifecycle rehearses TUF with software keys only", file=sys.stderr)
        return ExitCode.USAGE
    judged: list[bool] = []

    def watch(events: Iterable[Event]) -> Iterator[Event]:
        for event in events:
            if isinstance(event, BundleVerified | PreflightChecked):
                judged.append(event.ok)
            yield event

    show(watch(rehearse_lifecycle(args.out)))
    if judged and all(judged):
        print("\nLifecycle rehearsal complete: bootstrap, expiry, renewal, rotation, calendar; "
              "every bundle verifies and every status is as expected.")
        return ExitCode.OK
    return ExitCode.PROBLEMS


def cmd_version(args: argparse.Namespace) -> int:
    from ceremony import __version__

    print(f"ceremony {__version__}")
    if args.verbose:
        from ceremony.describe import grouped
        from ceremony.installed import installed_digest

        found = installed_digest()
        print(f"software digest {grouped(found.digest)}")
        print(f"  {found.files} files of the ceremony and hsm packages in {found.packages_dir}")
        if found.lock_path:
            print(f"  lock {found.lock_path}, sha256 {grouped(found.lock_sha256)}")
        if found.requirements_path:
            print(f"  wheels installed as {found.requirements_path} pins them, "
                  f"sha256 {grouped(found.requirements_sha256)}")
        else:
            print("  no lock recorded: this environment was made neither by the offline kit's "
                  "install.sh nor by scripts/_venv.sh, so the digest covers the files only")
        print(f"  python {sys.version.split()[0]} ({sys.executable})")
    return ExitCode.OK


def cmd_tokens(args: argparse.Namespace) -> int:
    from ceremony.cli.tokens import list_tokens_command

    return list_tokens_command(args)


def cmd_custody(args: argparse.Namespace) -> int:
    from ceremony.cli.custody import custody_command

    return custody_command(args)


def cmd_runsheet(args: argparse.Namespace) -> int:
    from ceremony.cli.runsheet import runsheet_command

    return runsheet_command(args)


def cmd_record(args: argparse.Namespace) -> int:
    from ceremony.cli.record import record_command

    return record_command(args)


def cmd_evidence(args: argparse.Namespace) -> int:
    from ceremony.cli.evidence import evidence_command

    return evidence_command(args)


def cmd_status(args: argparse.Namespace) -> int:
    from ceremony.cli.status import status_command

    return status_command(args)


def cmd_next(args: argparse.Namespace) -> int:
    from ceremony.cli.next import next_command

    return next_command(args)


def cmd_calendar(args: argparse.Namespace) -> int:
    from ceremony.cli.calendar import calendar_command

    return calendar_command(args)


def cmd_request(args: argparse.Namespace) -> int:
    from ceremony.cli.sittings import request_command

    return request_command(args)


def cmd_sign(args: argparse.Namespace) -> int:
    from ceremony.cli.sittings import sign_command

    return sign_command(args)


def cmd_seal(args: argparse.Namespace) -> int:
    from ceremony.cli.sittings import seal_command

    return seal_command(args)


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "run": cmd_run,
    "validate": cmd_validate,
    "questions": cmd_questions,
    "verify": cmd_verify,
    "clean": cmd_clean,
    "inspect": cmd_inspect,
    "rehearse": cmd_rehearse,
    "tokens": cmd_tokens,
    "custody": cmd_custody,
    "status": cmd_status,
    "next": cmd_next,
    "calendar": cmd_calendar,
    "version": cmd_version,
    "runsheet": cmd_runsheet,
    "record": cmd_record,
    "evidence": cmd_evidence,
    "request": cmd_request,
    "sign": cmd_sign,
    "seal": cmd_seal,
}
