"""What every sitting checks of a request before it signs or seals: still good, still current.

A request expires at the time its script set (``request-expires:``), and
is superseded once the current state it extends is no longer the newest
(another request was sealed first, or the coordinator wrote a new one and
sealed it). Both refusals say what to do instead.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from ceremony.engine.current import CurrentState
from ceremony.errors import CeremonyError
from ceremony.flavor import flavor_named
from ceremony.script.load import load_script, load_script_text
from ceremony.script.plan import Plan
from ceremony.sittings.adapter import SittingsAdapter
from ceremony.sittings.request_file import SigningRequest, is_request, read_request, stamp
from ceremony.sittings.show import base_words


def refuse_expired(request: SigningRequest, now: datetime, folder: Path) -> None:
    if request.expires is not None and now >= request.expires:
        raise CeremonyError(
            f"the signing request expired at {stamp(request.expires)}",
            where=str(folder),
            todo="ask the coordinator for a new request (`ceremony request` with the script "
            "again); nothing was signed or sealed",
        )


def refuse_replaced(request: SigningRequest, folder: Path) -> None:
    """Refuse ``request`` when a request kept beside it (the coordinator keeps them
    side by side) says it replaces it."""
    for other in sorted(folder.parent.iterdir()):
        if other == folder or not is_request(other):
            continue
        try:
            newer = read_request(other)
        except CeremonyError:
            continue  # a damaged folder replaces nothing; it is refused when it is used
        if newer.replaces == request.digest:
            raise CeremonyError(
                f"the request {other} (written {stamp(newer.created)}) replaces this one",
                where=str(folder),
                todo=f"seal {other} with its own signature files; nothing was sealed",
            )


def refuse_other_base(request: SigningRequest, base: dict[str, object], current: Path) -> None:
    """Refuse a request that does not extend the state at ``current``."""
    if base == request.base:
        return
    wanted, found = base_words(request.base), base_words(base)
    raise CeremonyError(
        f"the request extends {wanted}, and the bundle at {current} has {found}: it does "
        "not extend the current state you hold, or a newer request superseded it",
        todo="check with the coordinator which bundle is current; nothing was signed or sealed",
    )


def read_extended(
    adapter: SittingsAdapter, request: SigningRequest, current: Path, now: datetime
) -> CurrentState:
    """The verified state at ``current``, refused unless ``request`` extends it."""
    state = adapter.read_current(current, now)
    refuse_other_base(request, adapter.base(state), current)
    return state


def extends(request: SigningRequest, current: Path, now: datetime) -> str:
    """Words saying that ``request`` extends the state at ``current`` (a keyholder's
    own copy, verified); a CeremonyError saying why it does not."""
    read_extended(flavor_named(request.flavor).sittings(), request, current, now)
    return f"it extends the bundle you hold: {base_words(request.base, short=True)}"


def request_plan(request: SigningRequest, script: Path | None = None) -> Plan:
    """The plan of the request's script, as it was loaded when the request was
    written; from ``script`` (its paths relative to it) when given, which must
    be the same script byte for byte."""
    if script is None:
        return load_script_text(request.script_text, now=request.created)
    plan = load_script(script, now=request.created)
    if plan.script_sha256 != request.script_sha256:
        raise CeremonyError(
            f"{script} is not the request's script (sha256 {plan.script_sha256[:16]}..., "
            f"the request's is {request.script_sha256[:16]}...)",
            todo="give the script the request was written from; nothing was sealed",
        )
    return plan
