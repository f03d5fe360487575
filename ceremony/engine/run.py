"""Running a ceremony: a validated Plan in, a stream of events out.

``run_ceremony`` runs a ceremony's steps in order and yields every event;
each one (but the quiet ones) is also appended to the transcript, so both
front ends and the record see the same thing. Anything a person must
decide or type is asked of the Operator. When a step fails, or the front
end stops listening, the staging folder is removed, every open key closed,
and the transcript of the abandoned attempt written beside the output; then
the error is raised again for the front end to show. The bundle's naming
and the removal of its marks run whole, stop signals held (a stop lands
once they are done): from then on it is sealed, and a stop or a front end
gone undoes nothing and writes no abandoned transcript. Once the bundle is
sealed, what waited for the seal runs (engine/after_seal.py: a
decommission's destruction), its record written beside the bundle; stopped
before it began, its record says it was not reached.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Generator, Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path

from ceremony.bundle.files import write_new
from ceremony.bundle.writer import remove_mark
from ceremony.checked import remembering
from ceremony.engine.after_seal import after_seal, stopped_once_sealed
from ceremony.engine.context import Context
from ceremony.engine.token_cleanup import tidy_tokens
from ceremony.errors import CeremonyAbandonedError, CeremonyError, MediaError
from ceremony.events import (
    BundleSealed,
    CeremonyAbandoned,
    CeremonyFinished,
    CeremonyStarted,
    Event,
    StepFailed,
    StepFinished,
    StepStarted,
)
from ceremony.events import Warning as WarningEvent
from ceremony.flavor import flavor_named
from ceremony.installed import installed_digest
from ceremony.operator import Operator
from ceremony.script.plan import Plan
from ceremony.signals import Stopped, stop_signals_held, stop_words
from ceremony.verify import judge_bundle
from ceremony.verify.loader import read_bundle
from ceremony.verify.problem import Problem
from ceremony.witness import WitnessLog
from hsm.errors import KeyBackendError


def utc_now() -> datetime:
    return datetime.now(UTC)


def run_ceremony(
    plan: Plan,
    operator: Operator,
    *,
    clock: Callable[[], datetime] = utc_now,
    witness: WitnessLog | None = None,
) -> Generator[Event, None, None]:
    flavor = flavor_named(plan.flavor)
    ctx = Context(plan, flavor, operator, clock)
    steps = flavor.steps(plan)
    witness = witness or WitnessLog()

    def recorded(event: Event) -> Event:
        if not event.quiet:
            ctx.transcript.append(event.record())
        return event

    def noted() -> Iterator[Event]:
        """The exceptions the witness recorded since the last event."""
        for exception in witness.take():
            yield recorded(exception)

    yield recorded(
        CeremonyStarted(
            ceremony_id=ctx.id,
            kind=plan.kind,
            flavor=plan.flavor,
            title=plan.title,
            script_sha256=plan.script_sha256,
            rehearsal=plan.rehearsal,
            tool_version=ctx.tool_version,
            steps=tuple(step.id for step in steps),
            step_titles=tuple(step.title for step in steps),
            software_digest=installed_digest().digest,
        )
    )
    yield from noted()
    with remembering():  # a signature the steps checked is not checked again by the seal
        step = steps[0]
        sealed: BundleSealed | None = None  # once it is, a stop undoes nothing
        marks: list[WarningEvent] = []
        head = 0  # how many lines the sealed transcript has
        try:
            for step in steps:
                ctx.step = step.id
                yield recorded(StepStarted(step.id, step.title, step.say_aloud, step.check_by_eye))
                for event in step.action(ctx):
                    yield recorded(event)
                    yield from noted()
                yield recorded(StepFinished(step.id))
                yield from noted()
            yield recorded(CeremonyFinished(output=str(plan.output), summary=ctx.summary))
            ready_to_seal(ctx)
            head = len(ctx.transcript.lines)  # the sealed transcript's: a record goes on from it
            with stop_signals_held():  # named and unmarked whole: a stop lands once sealed
                sealed = name_bundle(ctx)
                marks = list(unmark(ctx))
            yield sealed
            yield from marks
        except (CeremonyError, KeyBackendError) as error:
            reason = str(error)
            yield from noted()  # an exception typed at the question that stopped it
            yield recorded(StepFailed(step.id, reason))
            for event in tidy_tokens(ctx, ask=True):  # keys this attempt put on tokens
                yield recorded(event)
            how = "stopped" if isinstance(error, CeremonyAbandonedError) else "failed"
            yield abandon(ctx, how, reason)
            raise
        except GeneratorExit:
            record_all(ctx, witness.take())  # the witness's last word stays on the record
            if sealed is not None:  # nothing is undone, and what waited for it is named
                stopped_once_sealed(ctx, "the operator left the ceremony", head)
                raise
            record_all(ctx, tidy_tokens(ctx, ask=False))
            abandon(ctx, "stopped", "the operator left the ceremony")
            raise
        except KeyboardInterrupt as stop:  # Ctrl-C, SIGTERM or SIGHUP (ceremony/signals.py)
            record_all(ctx, witness.take())
            if sealed is not None:
                done = stopped_once_sealed(ctx, stop_words(stop), head)
                if isinstance(stop, Stopped):  # what stays, and the marks' warnings unshown
                    stop.done, stop.left = done, tuple(marks)
                raise
            left = record_all(ctx, tidy_tokens(ctx, ask=False))
            stopped = abandon(ctx, "stopped", stop_words(stop))
            if isinstance(stop, Stopped):  # the keys left and the transcript, for the screen
                stop.left = (*left, stopped)
            raise
        except BaseException as error:  # a fault in the tool: still leave nothing half-written
            if sealed is not None:
                stopped_once_sealed(ctx, f"internal error: {type(error).__name__}", head)
                raise
            record_all(ctx, tidy_tokens(ctx, ask=False))
            abandon(ctx, "failed", f"internal error: {type(error).__name__}")
            raise
        finally:
            ctx.close_keys()
            ctx.forget_secrets()
        # sealed: what waited for it (a decommission's destruction), its record beside
        yield from after_seal(ctx, recorded, noted)


def ready_to_seal(ctx: Context) -> None:
    """Write the transcript and the manifest, and verify the whole bundle in
    staging exactly as ``ceremony verify`` will: a bundle its own verify would
    refuse is never sealed. The files are judged as the writer read them back
    from the medium (its folders walked again)."""
    writer = ctx.bundle
    writer.write("transcript.jsonl", ctx.transcript.to_bytes())
    writer.finish(
        {
            "format": 1,
            "ceremony": ctx.plan.kind,
            "flavor": ctx.plan.flavor,
            "ceremony_id": ctx.id,
            "rehearsal": ctx.plan.rehearsal,
            "transcript_head": ctx.transcript.head,
            "transcript_lines": len(ctx.transcript.lines),
        }
    )
    contents = read_bundle(writer.staging, read_back=writer.take_read_back())
    report = judge_bundle(contents, ctx.clock(), bundle=str(ctx.plan.output), staging=True)
    if not report.ok:
        refuse_unsealable(report.problems)


def name_bundle(ctx: Context) -> BundleSealed:
    """Give the bundle :func:`ready_to_seal` verified its name, and remove its mark."""
    writer = ctx.bundle
    writer.seal()
    ctx.cleanups.clear()  # sealed: nothing of this ceremony is undone now
    return BundleSealed(
        output=str(ctx.plan.output),
        transcript_head=ctx.transcript.head,
        manifest_sha256=writer.manifest_sha256,
    )


def refuse_unsealable(problems: list[Problem]) -> None:
    """Refuse to seal a bundle its own verify refused, the first problems named.
    Expiries alone (a role's time ran out between the signing and the seal, or
    this machine's clock is wrong) are the operator's to mend, and so is a file
    larger than verify reads (named first: what else it finds may follow from
    that file not being read); anything else is a fault in the tool or the media."""
    problems = sorted(problems, key=lambda problem: not problem.too_large)
    shown = "; ".join(str(problem) for problem in problems[:3])
    more = len(problems) - 3
    what = (
        f"the bundle would not pass `ceremony verify` ({len(problems)} problem(s): "
        f"{shown}{f'; and {more} more' if more > 0 else ''})"
    )
    if problems[0].too_large:
        raise CeremonyError(
            what,
            todo="nothing was sealed; the bundle would hold a file larger than `ceremony "
            "verify` reads: name fewer keys, paths or GUNs in the script and run it again",
        )
    if all(problem.expiry for problem in problems):
        raise CeremonyError(
            what,
            todo="nothing was sealed; its expiry had passed by the seal: check this machine's "
            "clock, then run the ceremony again with a later expiry in the script",
        )
    raise MediaError(
        what,
        todo="nothing was sealed; this is a fault in the tool or the media: keep the "
        "attempt's transcript and report it",
    )


def unmark(ctx: Context) -> Iterator[WarningEvent]:
    """Remove the INCOMPLETE marks of what the ceremony wrote beside its bundle
    (custody copies, share sheets), each synced, once the bundle is sealed.
    The bundle's own mark goes first: a stop between the two leaves marked
    copies beside a sealed bundle, named as leftovers, never unmarked copies
    of an unsealed one. A mark that cannot be removed is a warning: the
    bundle is sealed, and recovery refuses that folder, saying why."""
    for folder in ctx.marked:
        try:
            remove_mark(folder)
        except OSError as error:
            yield WarningEvent(
                f"the bundle is sealed, but the INCOMPLETE mark of {folder} could not be "
                f"removed ({error.strerror}): recovery refuses it while the mark is there; "
                "check that medium"
            )


def record_all(ctx: Context, events: Iterable[Event]) -> list[Event]:
    """Put ``events`` in the transcript when they cannot be yielded (the
    ceremony is being closed or interrupted), and return them; a fault here is
    not raised."""
    seen: list[Event] = []
    with contextlib.suppress(Exception):  # cleanup goes on; leftovers are named next run
        for event in events:
            seen.append(event)
            ctx.transcript.append(event.record())
    return seen


def abandon(ctx: Context, how: str, reason: str) -> CeremonyAbandoned:
    """Remove the staging folder; keep the transcript of the attempt.

    A ceremony stopped in preflight did nothing and writes nothing."""
    event = CeremonyAbandoned(reason=reason)
    while ctx.cleanups:  # e.g. custody copies and share sheets written by a step
        ctx.cleanups.pop()()
    if ctx.writer is None:
        return event  # stopped in preflight: nothing was done, nothing to record
    ctx.writer.discard()
    try:
        ctx.transcript.append(event.record() | {"how": how})
        path = abandoned_transcript_path(ctx.plan.output, ctx.clock())
        write_new(path, ctx.transcript.to_bytes())
    except (OSError, RuntimeError):
        return event  # nowhere to write it: the event still tells the front end
    return CeremonyAbandoned(reason=reason, transcript=str(path))


def abandoned_transcript_path(output: Path, now: datetime) -> Path:
    stamp = now.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    return output.parent / f"{output.name}.abandoned-{stamp}.jsonl"
