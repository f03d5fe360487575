"""The headless front end: ``ceremony run|validate|verify|inspect|rehearse|version|...``.

stdout carries what a command produces (the ceremony log, verification
lines, inspection output, JSON); diagnostics and errors go to stderr. An
operator's mistake ends with one clear message and an exit code from
:class:`ExitCode`, never a traceback. Heavy modules are imported inside the
commands, and argparse and pathlib in the command line's parsing, so that
``ceremony --help`` and ``ceremony version`` (answered by quick.py) start
fast. With no command, the terminal UI opens.

Here: the table of commands, and the one place their errors become a
message and an exit code; ``verify`` (kept here, so that it loads nothing
more), ``inspect`` and ``version``. The command line is parser.py's; run and
validate are ceremonies.py's, rehearse is rehearse.py's, the others each
have their own module.
"""

from __future__ import annotations

import sys

from ceremony.cli.exit_codes import ExitCode
from ceremony.cli.quick import quick_answer, quick_next, quick_status, quick_verify

#: problems `ceremony verify` prints before it says how many more there are
SHOWN_PROBLEMS = 40

# False when the program runs, true for mypy (which reads the name itself):
# importing typing for it would cost `ceremony --help` a tenth of its time
TYPE_CHECKING = False
if TYPE_CHECKING:  # what only a command loads, when it runs
    import argparse
    import contextlib
    from collections.abc import Callable


def build_parser() -> argparse.ArgumentParser:
    """The whole command line (parser.py), loaded only when argparse must read it."""
    from ceremony.cli.parser import command_line

    return command_line()


#: what a command stopped by Ctrl-C, SIGTERM or SIGHUP leaves and what to do next,
#: where it is not a ceremony's "nothing was sealed" (each leaves nothing: a file
#: appears whole or not at all, docs/reference/sittings.md)
STOPPED = {
    "request": "no request was written; write it again when ready",
    "sign": "no signature file was written; sign the request again when ready",
    "certify": "nothing was written; certify the key again when ready",
    "seal": "nothing was sealed; seal the signature files again when ready",
}
#: the commands that may ask at the terminal: typing is hidden while they run
ASKING = ("run", "clean", "tokens", "certify", "sign", "seal", "custody")
#: the commands that, as a process, end with what they loaded frozen (see main)
ENDED_FROZEN = ("verify", "status", "next")


def main(argv: list[str] | None = None) -> int:
    given = sys.argv[1:] if argv is None else argv
    answered = quick_answer(given)
    if answered is not None:
        return answered
    args = (quick_verify(given) or quick_status(given) or quick_next(given)
            or build_parser().parse_args(argv))
    if args.command is None:
        return open_ui()
    if args.command not in ENDED_FROZEN or argv is not None:
        return run_command(args)
    # `ceremony verify` as a process (the console script, python -m ceremony): it
    # writes nothing but its report, and ends. The cyclic collector's pass at the
    # interpreter's exit would look at every object the checks and cryptography
    # loaded, a tenth of its start-up, to free nothing; frozen, they are left out.
    # So for `status` (its report) and `next` (its script, written whole and closed
    # before run_command returns).
    import gc

    try:
        return run_command(args)
    finally:
        gc.freeze()


def run_command(args: argparse.Namespace) -> int:
    """Run the command ``args`` names: its errors become a message and an exit code."""
    from ceremony.cli.exit_codes import for_error
    from ceremony.cli.output import safe_terminal
    from ceremony.errors import CeremonyError
    from ceremony.signals import Stopped, stop_on_signals
    from hsm.errors import KeyBackendError

    with safe_terminal():  # no control character from a script or media reaches the screen
        try:
            with stop_on_signals(), typing_hidden(args.command):  # Ctrl-C, SIGTERM, SIGHUP
                code = COMMANDS[args.command](args)
                sys.stdout.flush()  # a reader gone away is met here, not at exit
                return code
        except BrokenPipeError:
            return reader_gone()
        except (CeremonyError, KeyBackendError) as error:
            print(f"ceremony: {error}", file=sys.stderr)
            return for_error(args.command)
        except OSError as error:  # a path no check of the command's own foresaw
            print(f"ceremony: {os_error_words(error)}", file=sys.stderr)
            return for_error(args.command)
        except EOFError:
            print("\nceremony: the input ended before a question was answered; nothing was "
                  "sealed", file=sys.stderr)
            return ExitCode.FAILED
        except KeyboardInterrupt as stop:
            words = stop.words if isinstance(stop, Stopped) else "interrupted (Ctrl-C)"
            left = (stop.done if isinstance(stop, Stopped) else "") or STOPPED.get(
                args.command, "nothing was sealed")
            print(f"\nceremony: {words}; {left}", file=sys.stderr)
            return stop.exit_code if isinstance(stop, Stopped) else ExitCode.INTERRUPTED


def typing_hidden(command: str) -> contextlib.AbstractContextManager[None]:
    """For a command that asks questions, what is typed at the terminal is not
    shown while it runs (hidden_typing.py): a secret typed ahead stays unseen."""
    if command not in ASKING:
        import contextlib

        return contextlib.nullcontext()
    from ceremony.cli.hidden_typing import typing_hidden as hidden

    return hidden()


def os_error_words(error: OSError) -> str:
    """An error the system gave about a path, in words: which path, what is wrong,
    what to do (a name too long is the operator's to shorten)."""
    import errno

    where = f"{error.filename}: " if error.filename is not None else ""
    what = error.strerror or str(error)
    if error.errno == errno.ENAMETOOLONG:
        todo = "use a shorter name: a name may have 255 bytes, a whole path 4,096"
    else:
        todo = "check the path, its permissions and the media"
    return f"{where}{what}. {todo[0].upper()}{todo[1:]}"


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


def cmd_run(args: argparse.Namespace) -> int:
    from ceremony.cli.ceremonies import run_command

    return run_command(args)


def cmd_validate(args: argparse.Namespace) -> int:
    from ceremony.cli.ceremonies import validate_command

    return validate_command(args)


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
    from ceremony.cli.rehearse import rehearse_command

    return rehearse_command(args)


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


def cmd_certify(args: argparse.Namespace) -> int:
    from ceremony.cli.sittings import certify_command

    return certify_command(args)


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
    "certify": cmd_certify,
    "sign": cmd_sign,
    "seal": cmd_seal,
}
