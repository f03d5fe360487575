"""Tamper-evident bags: serials checked at preflight, typed at sealing.

At the end of preflight, each bag the script opens is read before it is
opened: the serial on it is typed (``bag/open/NAME``) and compared with the
one the current bundle's ceremony recorded when it sealed the bag. A bag
whose serial differs stops the ceremony, unless the internal witness has
recorded an exception naming the bag (``!`` at the question, F7 in the
terminal UI, ``--exception`` for a headless run): then it goes on, and the
record shows both. After the bundle is written and the keys closed, each bag
the script seals gets its serial typed (``bag/seal/NAME``); it goes into the
transcript and onto the printed record.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

from ceremony.engine.context import Context
from ceremony.errors import CeremonyError
from ceremony.events import BagChecked, BagSealed, Event
from ceremony.events import Warning as WarningEvent
from ceremony.operator import TextRequest
from ceremony.verify.bags import SealedBag, sealed_bags

MAX_SERIAL = 64
#: how often a serial that differs from the record is asked for, at a terminal
SERIAL_TRIES = 2


def same_serial(one: str, other: str) -> bool:
    """Serials compared as printed: case, spaces and dashes aside."""
    return _plain(one) == _plain(other)


def _plain(serial: str) -> str:
    return "".join(serial.split()).replace("-", "").upper()


def serial_problem(serial: str) -> str:
    """Why ``serial`` cannot be a bag's serial ("" when it can)."""
    if not _plain(serial):
        return "no serial was typed"
    if len(serial) > MAX_SERIAL or not serial.isprintable():
        return f"a serial is one line of at most {MAX_SERIAL} printable characters"
    return ""


def ask_serial(ctx: Context, request: TextRequest) -> str:
    """A serial typed for ``request``; asked again (at a terminal) while it is not one."""
    retry = getattr(ctx.operator, "can_retry", True)
    while True:
        serial = ctx.operator.text(request).strip()
        problem = serial_problem(serial)
        if not problem:
            return serial
        if not retry or request.attempt >= SERIAL_TRIES + 1:
            raise CeremonyError(f"{request.question} {problem}",
                                todo="read the serial printed on the bag and type it")
        request = TextRequest(request.id, request.question, request.detail,
                              request.attempt + 1, problem)


def open_bags(ctx: Context) -> Iterator[Event]:
    """Check the serial of every bag the script opens against the current record."""
    if not ctx.plan.bags.open:
        return
    known = sealed_bags(ctx.current.contents if ctx.current else None)
    for name in ctx.plan.bags.open:
        yield from _open_bag(ctx, known[name])  # preflight found every one


def _open_bag(ctx: Context, bag: SealedBag) -> Iterator[Event]:
    request = TextRequest(
        f"bag/open/{bag.name}",
        f"Serial number on bag {bag.name} ({bag.holds})?",
        detail=f"Read it off the bag before it is opened; it is compared with the record of "
        f"ceremony {bag.ceremony_id}, which sealed it.",
    )
    retry = getattr(ctx.operator, "can_retry", True)
    while True:
        serial = ask_serial(ctx, request)
        if same_serial(serial, bag.serial) or not retry or request.attempt >= SERIAL_TRIES:
            break
        request = TextRequest(
            request.id, request.question, request.detail, request.attempt + 1,
            f"{serial} is not the serial recorded when the bag was sealed ({bag.serial}): "
            f"read it again; if the bag is not the one sealed, the witness records an "
            f"exception naming bag {bag.name} (! here, F7 in the terminal UI), then type "
            "the serial on the bag",
        )
    matches = same_serial(serial, bag.serial)
    yield BagChecked(bag=bag.name, holds=bag.holds, serial=serial, recorded=bag.serial,
                     sealed_by=bag.ceremony_id, matches=matches)
    if matches:
        return
    # the engine has put every exception recorded so far into the transcript
    exception = _exception_naming(ctx, bag.name)
    if exception is None:
        raise CeremonyError(
            f"bag {bag.name} ({bag.holds}) has serial {serial}, but ceremony "
            f"{bag.ceremony_id} sealed it with serial {bag.serial}",
            todo=f"stop and investigate: the bag may have been opened or replaced. To go on "
            f"knowingly, the internal witness records an exception naming bag {bag.name} and "
            f"why (--exception \"bag {bag.name} serial differs: WHY\" --witness NAME, ! at "
            "a question, F7 in the terminal UI), then the ceremony is run again",
        )
    yield WarningEvent(
        f"bag {bag.name}: serial {serial} differs from the record ({bag.serial}); going on "
        f"under the witness's exception recorded at {exception}"
    )


def _exception_naming(ctx: Context, bag: str) -> str | None:
    """When the witness recorded an exception naming ``bag`` (None: none did)."""
    for raw in ctx.transcript.lines:
        line = json.loads(raw)
        if line.get("event") != "witness-exception":
            continue
        said = f"{line.get('what', '')} {line.get('why', '')}"
        if re.search(rf"(?<![\w-]){re.escape(bag)}(?![\w-])", said, re.IGNORECASE):
            return str(line.get("at") or line.get("time"))
    return None


def seal_bags(ctx: Context) -> Iterator[Event]:
    """The serial of every bag the script seals, typed as it is sealed."""
    for bag in ctx.plan.bags.seal:
        serial = ask_serial(ctx, TextRequest(
            f"bag/seal/{bag.name}",
            f"Serial number of bag {bag.name}, sealed now with {bag.holds} in it?",
            detail="Put it in, seal the bag, and read its serial aloud; the witness checks "
            "what is typed against the bag and the run sheet.",
        ))
        yield BagSealed(bag=bag.name, holds=bag.holds, serial=serial)
