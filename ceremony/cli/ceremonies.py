"""``ceremony run`` and ``ceremony validate``: a script, run or only checked.

``run`` shows the plan in words first (what the witnesses check against the
reviewed script), then every event of the ceremony as a line on stdout;
``validate`` loads the script and runs preflight, changing nothing. Both are
called by main.py, which turns their errors into one message and an exit
code. :func:`show` is rehearse.py's too.
"""

from __future__ import annotations

import sys

from ceremony.cli.exit_codes import ExitCode

# False when the program runs, true for mypy (which reads the name itself)
TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from collections.abc import Iterable

    from ceremony.events import Event
    from ceremony.script.plan import Plan


def show(events: Iterable[Event]) -> None:
    """Each event's line; a run of preflight's checks for many items (GUNs), kept
    until the run ends, as ``ceremony validate`` shows it (alike checks one line)."""
    from ceremony.check_groups import AlikeHeld
    from ceremony.describe import describe

    held = AlikeHeld()
    try:
        for event in events:
            for shown in held.shown(event):
                line = describe(shown)
                if line:
                    print(line, flush=True)
    finally:  # the engine stopped (a failed preflight stops it) right after them
        for check in held.rest():
            print(describe(check), flush=True)


def show_plan(plan: Plan) -> None:
    """The plan in words, first: what the witnesses check against the reviewed script
    (keys, roles, thresholds, each delegation's paths and whether it terminates)."""
    from ceremony.describe_plan import plan_lines

    print("The plan (check it against the reviewed script):")
    for line in plan_lines(plan):
        print(f"  {line}")
    print(flush=True)


def run_command(args: argparse.Namespace) -> int:
    from ceremony.cli.exceptions import witness_log
    from ceremony.cli.operator import HeadlessOperator
    from ceremony.cli.prompt import listening_for_exceptions
    from ceremony.engine import run_ceremony
    from ceremony.script.load import load_script
    from ceremony.signals import Stopped

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
            try:  # stopped while this side printed: the engine stops as if stopped inside
                events.throw(stop)
            finally:  # the keys it left on tokens, and where the attempt's transcript is
                left = stop.left if isinstance(stop, Stopped) else ()
                if left:
                    print()  # off the line the ^C was echoed on
                show(left)
    return ExitCode.OK


def validate_command(args: argparse.Namespace) -> int:
    from ceremony.check_groups import grouped
    from ceremony.describe import describe
    from ceremony.engine.preflight import preflight
    from ceremony.script.load import load_script

    plan = load_script(args.script)
    print(f"script {args.script}: {plan.kind} ({plan.flavor}), sha256 {plan.script_sha256}")
    result = preflight(plan)
    for check in grouped(result.checks):
        print(describe(check))
    if result.failures:
        print(
            f"ceremony: {len(result.failures):,} preflight problem(s); nothing was done",
            file=sys.stderr,
        )
        return ExitCode.PROBLEMS
    print("The script is valid and preflight passes. Nothing was changed.")
    return ExitCode.OK
