"""Steps every ceremony shares: preflight, keys, sealing the media.

Each is a generator of events over the ceremony's Context. They hold the
ceremony's order of things: nothing irreversible before preflight, every
private key stored and checked before it signs, a typed confirmation before
the bundle is written, every private key closed at the end. What differs
between flavors (their state, their bundle) they ask the plan's flavor.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from ceremony.bundle.leftovers import leftovers_beside, remove_leftover
from ceremony.bundle.writer import REHEARSAL_NOTE, BundleWriter
from ceremony.engine.context import Context
from ceremony.engine.custody_records import write_records
from ceremony.engine.keyring import KeyRecord
from ceremony.engine.keys import generate_key, import_key, know_current_keys, open_key
from ceremony.engine.media_preflight import custody_folders
from ceremony.engine.preflight import preflight, raise_on_failure
from ceremony.engine.step import Step
from ceremony.engine.tokens import HARDWARE_BACKENDS, tokens_closed
from ceremony.errors import CeremonyAbandonedError, PreflightError
from ceremony.events import Event, KeyDestroyed, LeftoverRemoved, OperatorConfirmed, Progress
from ceremony.events import Warning as WarningEvent
from ceremony.operator import Confirmation, scripted, witness_of
from ceremony.steps.bags import open_bags, seal_bags


def confirm(ctx: Context, request: Confirmation) -> Iterator[Event]:
    if not ctx.operator.confirm(request):
        raise CeremonyAbandonedError(
            f"the operator declined: {request.question}",
            todo="nothing was sealed; run the ceremony again when ready",
        )
    yield OperatorConfirmed(
        question=request.question,
        answer=request.typed_word or "yes",
        witness=witness_of(ctx.operator, request.id),
        scripted=scripted(ctx.operator, request.id),
    )


def check_plan(ctx: Context) -> Iterator[Event]:
    plan = ctx.plan
    if plan.request_expires is not None:
        raise PreflightError(
            f"{plan.where('request-expires')}: this script is signed in several sittings",
            todo="write its signing request with `ceremony request SCRIPT -o REQUEST` "
            "(docs/reference/sittings.md); nothing was done",
        )
    result = preflight(plan, now=ctx.started)
    yield from result.checks
    raise_on_failure(result)
    if result.network_up:
        up = ", ".join(result.network_up)
        yield WarningEvent(f"network interfaces up during the ceremony: {up}")
    ctx.current = result.current
    if ctx.current is not None:
        know_current_keys(ctx)
    ctx.work = ctx.flavor.start_work(ctx)
    yield from offer_to_remove_leftovers(ctx)
    yield from open_bags(ctx)  # each bag brought in: its serial against the record
    yield from confirm(
        ctx,
        Confirmation(
            id="confirm/script",
            question="Does this sha256 match the reviewed copy of the script?",
            detail=plan.script_sha256,
        ),
    )
    ctx.writer = BundleWriter(plan.output)


def offer_to_remove_leftovers(ctx: Context) -> Iterator[Event]:
    """Name what earlier, stopped attempts left beside the output and offer to
    remove each (typed ``remove``); declining leaves it and goes on."""
    for leftover in leftovers_beside(ctx.plan.output, custody_folders(ctx.plan)):
        request = Confirmation(
            id="confirm/remove-leftover",
            question=f"Remove {leftover.path}, {leftover.what}?",
            detail="Its key files are overwritten with zeros, then it is removed. It is "
            "not used by this ceremony either way.",
            typed_word="remove",
        )
        if ctx.operator.confirm(request):
            remove_leftover(leftover.path)
            yield LeftoverRemoved(path=str(leftover.path), what=leftover.what)
        else:
            yield WarningEvent(
                f"{leftover.path} is left as it was; `ceremony clean {leftover.path}` removes it"
            )


def make_keys(ctx: Context, *, only_roles: set[str] | None = None) -> Iterator[Event]:
    """Generate or import the script's keys (those of ``only_roles`` when given)."""
    todo = []
    for spec in ctx.plan.keys:
        roles = ctx.flavor.key_roles(ctx.plan, spec.name)
        if only_roles is not None and not roles & only_roles:
            continue
        if only_roles is None and spec.name in ctx.keys:
            continue
        todo.append((spec, roles))
    for done, (spec, roles) in enumerate(todo):
        yield Progress(step=ctx.step, done=done, total=len(todo), what=f"key {spec.name}")
        if spec.source == "import":
            yield from import_key(ctx, spec, roles)
        else:
            yield from generate_key(ctx, spec, roles)
    if todo:
        yield Progress(step=ctx.step, done=len(todo), total=len(todo), what="keys")


def open_keys(ctx: Context, records: Iterable[KeyRecord]) -> Iterator[Event]:
    """Open each of ``records`` to sign today (on its token, or from its key file)."""
    for record in records:
        yield from open_key(ctx, record, ctx.flavor.key_files)


def open_signing_keys(ctx: Context) -> Iterator[Event]:
    """Open the current keys the script names in sign-with."""
    yield from open_keys(ctx, [ctx.keys[name] for name in ctx.plan.sign_with])


def confirm_write(ctx: Context) -> Iterator[Event]:
    """The typed ``write``, asked once: a decommission asks it before it destroys
    anything, so that the medium is checked while declining still leaves the current
    bundle whole (a key file it wipes is that bundle's)."""
    if ctx.write_confirmed:
        return
    yield from confirm(
        ctx,
        Confirmation(
            id="confirm/write",
            question=f"Write the bundle to {ctx.plan.output}?",
            detail="Every signature is checked. After this the keys in memory are destroyed.",
            typed_word="write",
        ),
    )
    ctx.write_confirmed = True


def write_media(ctx: Context) -> Iterator[Event]:
    yield from confirm_write(ctx)
    yield from ctx.flavor.write_bundle(ctx)
    assert ctx.writer is not None  # made at the end of preflight
    yield ctx.writer.write("ceremony.yaml", ctx.plan.script_text.encode())  # as reviewed
    if ctx.plan.rehearsal:
        yield ctx.writer.write("REHEARSAL", REHEARSAL_NOTE.encode())
    yield from write_records(ctx)  # custody/: records of the custody bundles in force
    # a re-homed key (recover) has a token home but signed today in software
    in_memory = {n for n, r in ctx.keys.items() if getattr(r.signer, "backend", "") == "software"}
    for record in ctx.close_keys():
        if record.backend in HARDWARE_BACKENDS and record.name not in in_memory:
            continue  # it stays on its token: TokenClosed says so
        yield KeyDestroyed(key=record.name, keyid=record.keyid)
    yield from tokens_closed(ctx)
    yield from seal_bags(ctx)  # tokens, media and sheets go into their bags


def preflight_step() -> Step:
    return Step(
        "preflight",
        "Check the room, the plan and the media",
        check_plan,
        say_aloud="Read the script's sha256 aloud; a witness compares it with the reviewed copy.",
        check_by_eye="No network cable plugged in; wireless off; "
        "only this ceremony's media inserted.",
    )


def write_media_step() -> Step:
    return Step(
        "write-media",
        "Write the bundle to media",
        write_media,
        say_aloud="Read the output folder aloud before typing `write`.",
        check_by_eye="The media named on screen is the one in the drive.",
    )
