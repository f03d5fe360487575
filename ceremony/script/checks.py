"""Whether a ceremony script makes sense, beyond being well-formed.

load.py reads a script's fields; this module checks what they mean together
(docs/reference/scripts.md, "Checks" and each kind): every expiry in the future, a
script signed in several sittings that holds no private key (docs/reference/sittings.md), then
the rules the plan's flavor names for its kind (``Flavor.script_checks``:
thresholds that can be met, a root that a lost key cannot lock, names
defined once...; script/rules.py holds the ones every flavor shares). It
reads only the Plan; it never touches the filesystem or the current bundle.
What it cannot check (names of the current bundle's keys, thresholds
sign-with must reach) is left to preflight.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from ceremony.errors import ScriptError
from ceremony.flavor import flavor_named
from ceremony.script.expiry import format_expiry
from ceremony.script.plan import Plan
from ceremony.script.rules import Problem


def check_plan(plan: Plan, *, now: datetime) -> None:
    """Raise the first problem with ``plan`` (in script order), if any."""
    found = problems(plan, now=now)
    if found:
        raise found[0]


def problems(plan: Plan, *, now: datetime) -> list[ScriptError]:
    """Every problem with ``plan``, in script order, as ScriptErrors."""
    found = [*_expiries(plan, now), *_sittings(plan)]
    for check in flavor_named(plan.flavor).script_checks(plan.kind):
        found.extend(check(plan))
    found.sort(key=lambda problem: (problem.follow_on, plan.line_of(problem.path)))
    return [ScriptError(p.what, where=plan.where(p.path), todo=p.todo) for p in found]


def _expiries(plan: Plan, now: datetime) -> Iterator[Problem]:
    field = "replace" if plan.kind == "recover" else "roles"  # a recovery's roles: replace
    dated = [(f"{field}.{role.name}.expires", role.expires) for role in plan.roles]
    if plan.targets_expires is not None:
        dated.append(("targets-expires", plan.targets_expires))
    if plan.request_expires is not None:
        dated.append(("request-expires", plan.request_expires))
    for path, expires in dated:
        if expires <= now:
            yield Problem(
                path,
                f"this expiry, {format_expiry(expires)}, is not in the future "
                f"(it is now {format_expiry(now)})",
                "Give a later date, or a length from now such as 90d",
            )


def _sittings(plan: Plan) -> Iterator[Problem]:
    if plan.request_expires is not None:  # a script signed in several sittings
        yield from sittings_problems(plan)


def sittings_problems(plan: Plan) -> Iterator[Problem]:
    """What a script signed in several sittings cannot hold, since it writes a request
    with no private key: a key made here, or custody (``request-expires:`` marks such a
    script; ``ceremony request`` holds any script to the same)."""
    for index, key in enumerate(plan.keys):
        if key.source != "import":
            yield Problem(
                f"keys[{index}].algorithm" if key.source == "generate" else f"keys[{index}]",
                f"{key.name!r} would be made here, and a script signed in several sittings "
                "holds no private key",
                "Let its keyholder make it at their own sitting and write import: PATH to "
                "the public key",
            )
    root = plan.role("root")
    if root is not None and plan.request_expires is not None \
            and root.expires < plan.request_expires:
        yield Problem(
            "request-expires",
            f"the request could be signed and sealed until "
            f"{format_expiry(plan.request_expires)}, after the new root expires "
            f"({format_expiry(root.expires)}, roles.root.expires): a root sealed then is "
            "expired, and clients and the seal refuse it",
            "Give request-expires a time no later than the root's expiry, or "
            "roles.root.expires a later one",
        )
    for field in ("custody", "recover-from"):
        if getattr(plan, field.replace("-", "_")) is not None:
            yield Problem(
                field,
                "custody needs every key in one room, and this script is signed in several "
                "sittings",
                f"Leave {field}: out, or sign in one sitting (`ceremony run`, without "
                "request-expires:)",
            )
