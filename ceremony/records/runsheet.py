"""The run sheet: printed before a ceremony and reviewed with its script.

From a checked Plan: the ceremony's title and kind, the script's sha256 and
the tool's version and software digest (each grouped, with a QR code), the
roles with name lines, every step the engine will run in order (the same
list ``run_ceremony`` takes from the flavor) with what to say aloud, what to
check by eye and Initial and Time boxes, the media and tamper-evident bags
expected, a page for exceptions and a sign-off page for every participant.
"""

from __future__ import annotations

from ceremony import __version__
from ceremony.describe_plan import plan_lines
from ceremony.flavor import flavor_named
from ceremony.installed import installed_digest
from ceremony.records.document import (
    Digest,
    Document,
    ExceptionRows,
    Facts,
    Heading,
    Lines,
    StepRow,
)
from ceremony.records.roles import name_lines, sign_off
from ceremony.script.plan import Plan

DEFAULT_CHECK = "The screen shows this step finished, with no warning left unexplained."


def runsheet_document(plan: Plan, software_digest: str = "") -> Document:
    """The run sheet of ``plan``; ``software_digest``: the one a past ceremony recorded
    (the evidence pack), else the running tool's."""
    flavor = flavor_named(plan.flavor)
    rehearsal = " - REHEARSAL, practice only" if plan.rehearsal else ""
    document = Document(
        title=f"Run sheet: {plan.title}",
        subtitle=f"{plan.kind} ({flavor.title}){rehearsal}. Print before the ceremony and "
        "review it with the script; initial and time each step as it is done.",
    )
    script = str(plan.script_path) if plan.script_path else "(embedded)"
    document.add(
        Facts((
            ("Ceremony", plan.title),
            ("Kind", f"{plan.kind} ({flavor.title})"),
            ("Script", script),
            ("Tool", f"ceremony {__version__}"),
            ("Output", str(plan.output)),
        )),
        Digest("Script sha256 (read aloud at the first step)", plan.script_sha256),
        Digest("Software digest: the tool's installed files and lock "
               "(`ceremony version --verbose`)", software_digest or installed_digest().digest),
        Heading("What the ceremony does"),
        Lines(tuple(plan_lines(plan))),
        Heading("Roles"),
    )
    keyholders = [holder.name for holder in plan.keyholders]
    custodians = plan.custody.custodians if plan.custody else ()
    document.add(*name_lines(keyholders, custodians))
    document.add(Heading("Steps, in the order the tool runs them", new_page=True))
    for number, step in enumerate(flavor.steps(plan), start=1):
        document.add(StepRow(
            number, step.title,
            step.say_aloud or f"\"Step {number}: {step.title}.\"",
            step.check_by_eye or DEFAULT_CHECK,
        ))
    document.add(Heading("Media and tamper-evident bags expected"), Lines(media_lines(plan)))
    document.add(
        Heading("Exceptions", new_page=True),
        Lines(("The internal witness writes down every deviation from this sheet: what "
               "happened, why, and the time. Typing ! at any question of `ceremony run`, or F7 "
               "on any screen of the terminal UI, records it in the transcript too.",)),
        ExceptionRows(),
        Heading("Sign-off", new_page=True),
        sign_off(keyholders, custodians),
    )
    return document


def media_lines(plan: Plan) -> tuple[str, ...]:
    """What is carried into and out of the room, each with a bag number to write in."""
    bag = "bag no. ____________"
    lines = [f"Output medium: {plan.output}  ({bag})"]
    if plan.current is not None:
        lines.append(f"Current bundle read: {plan.current}")
    if plan.custody is not None:
        lines += [f"Custody copy medium: {medium}  ({bag})" for medium in plan.custody.media]
        if plan.custody.sheets is not None:
            lines.append(f"Share sheets printed from: {plan.custody.sheets}")
        custodians = plan.custody.custodians or ("",) * plan.custody.share_count
        lines += [f"Share sheet {n} of {plan.custody.share_count}"
                  f"{' for ' + name if name else ''}  ({bag})"
                  for n, name in enumerate(custodians, start=1)]
    if plan.recover_from is not None:
        lines += [f"Custody copy brought in: {copy}  ({bag})" for copy in plan.recover_from.copies]
    lines += [f"Key file to wipe: {path}  (its medium's bag no. ____________)"
              for path in plan.wipe.key_files]
    lines += [f"Custody copy to wipe: {path}  (its medium's bag no. ____________)"
              for path in plan.wipe.custody_copies]
    tokens = {spec.hardware.token.name for spec in plan.keys if spec.hardware is not None}
    tokens |= {token.name for spec in plan.keys for token, _ in spec.backup_tokens}
    tokens |= {spec.token.name for spec in plan.rehome}
    lines += [f"Hardware: {name}  ({bag})" for name in sorted(tokens)]
    lines += [f"Bag {name}, brought in sealed by the last ceremony: serial read at preflight, "
              "before it is opened; the tool compares it with that ceremony's record "
              "(serial ____________)" for name in plan.bags.open]
    lines += [f"Bag {sealed.name}, sealed at the end (after the bundle is written), holding "
              f"{sealed.holds}: its serial is typed then  (serial ____________)"
              for sealed in plan.bags.seal]
    return tuple(lines)
