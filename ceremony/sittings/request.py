"""The request sitting: a script in, a signing request folder out, nothing signed.

It runs the checks of a ceremony's preflight that need no key (the script,
the current bundle verified, the imported public keys, the new root's size and
recoverability, the output free),
builds the unsigned payloads through the flavor's adapter and writes the
request whole. Every new key of a request is imported (``import:``): its
keyholder made it at their own sitting, so no private key is made, opened
or written here.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from ceremony.engine.keys import import_key, know_current_keys
from ceremony.engine.preflight import check_imports, check_imports_new, raise_on_failure
from ceremony.engine.preflight_result import PreflightResult
from ceremony.engine.recoverability_check import check_recoverability
from ceremony.engine.size_preflight import check_root_size
from ceremony.errors import PreflightError, ScriptError
from ceremony.events import CeremonyStarted
from ceremony.flavor import flavor_named
from ceremony.installed import installed_digest
from ceremony.script.checks import sittings_problems
from ceremony.script.plan import Plan
from ceremony.sittings.adapter import RequestKey
from ceremony.sittings.context import sitting_context
from ceremony.sittings.request_file import SigningRequest, stamp
from ceremony.sittings.signature_size import refuse_oversized


def make_request(
    plan: Plan, clock: Callable[[], datetime], *, replaces: str | None = None
) -> SigningRequest:
    """The signing request of ``plan`` (checked, built, not yet written);
    ``replaces``: the digest of an earlier request this one replaces."""
    refuse_what_sittings_cannot(plan)
    ctx = sitting_context(plan, clock)
    result = PreflightResult()
    imported = check_imports(plan, result)
    check_root_size(plan, result)
    ctx.current = result.current = ctx.flavor.preflight(plan, result, ctx.started)
    check_imports_new(imported, result)
    check_recoverability(plan, result)  # as validate judges it: one loss, accept-risk
    raise_on_failure(result)
    adapter = flavor_named(plan.flavor).sittings()
    ctx.transcript.append(
        CeremonyStarted(
            ceremony_id=ctx.id, kind=plan.kind, flavor=plan.flavor, title=plan.title,
            script_sha256=plan.script_sha256, rehearsal=plan.rehearsal,
            tool_version=ctx.tool_version, steps=("request",),
            step_titles=("Write the signing request",),
            software_digest=installed_digest().digest,
        ).record()
    )
    if ctx.current is not None:
        know_current_keys(ctx)
    ctx.work = ctx.flavor.start_work(ctx)
    for spec in plan.keys:
        for event in import_key(ctx, spec, ctx.flavor.key_roles(plan, spec.name)):
            ctx.transcript.append(event.record())
    payloads = adapter.payloads(ctx)
    counted = {keyid for p in payloads for g in p.groups for keyid in g.keyids}
    keys = tuple(
        RequestKey(r.name, r.keyid, r.holder or "", r.public_pem)
        for r in sorted(ctx.keys.values(), key=lambda r: r.name)
        if r.keyid in counted
    )
    refuse_oversized(payloads, keys)
    assert ctx.current is not None  # every kind signed in sittings builds on a current state
    base = adapter.base(ctx.current)
    summary = tuple(adapter.summary(ctx, payloads))
    ctx.transcript.append({
        "event": "request-written",
        "payloads": {p.name: p.sha256 for p in payloads},
        "base": base,
        "expires": stamp(plan.request_expires) if plan.request_expires else None,
        "replaces": replaces,
    })
    return SigningRequest(
        flavor=plan.flavor, kind=plan.kind, title=plan.title, ceremony_id=ctx.id,
        rehearsal=plan.rehearsal, script_text=plan.script_text,
        script_sha256=plan.script_sha256, created=ctx.started, expires=plan.request_expires,
        base=base, payloads=payloads, keys=keys, summary=summary,
        transcript=tuple(ctx.transcript.lines), replaces=replaces,
    )


def refuse_what_sittings_cannot(plan: Plan) -> None:
    """Refuse a script that cannot be signed in sittings: one with no current bundle to
    extend, or one the script checks refuse for holding private material."""
    if plan.current is None:
        raise PreflightError(
            f"a {plan.kind} ceremony builds on no current bundle, and a signing request "
            "extends one", todo="sign a bootstrap in one sitting (`ceremony run`)",
        )
    for problem in sittings_problems(plan):
        raise ScriptError(problem.what, where=plan.where(problem.path), todo=problem.todo)
