"""A signing or sealing sitting on the run screen: the core's events, framed.

The sign and seal screens hand the run screen a source whose events are the
core's own (ceremony/sittings/sign.py, seal.py), framed by a start and one
step, so the run screen draws them as any ceremony: the steps, the key
card, the meters, the question for a passphrase, the log, the summary.
The frame is drawn only: the sitting's transcript is the core's.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from ceremony import __version__
from ceremony import events as ev
from ceremony.describe import grouped

if TYPE_CHECKING:
    from ceremony.sittings.request_file import SigningRequest
    from ceremony.sittings.sign import KeyChoice
    from ceremony.tui.operator import TuiOperator
    from ceremony.tui.shell import CeremonySource


def framed(
    request: SigningRequest, title: str, step: tuple[str, str, str, str],
    events: Callable[[TuiOperator], Iterator[ev.Event]],
) -> CeremonySource:
    """``events`` framed by a start (``title``) and one ``step`` (id, title, say
    aloud, check by eye)."""

    def source(operator: TuiOperator) -> Generator[ev.Event, None, None]:
        yield ev.CeremonyStarted(
            ceremony_id=request.ceremony_id, kind=request.kind, flavor=request.flavor,
            title=title, script_sha256=request.script_sha256, rehearsal=request.rehearsal,
            tool_version=__version__, steps=(step[0],), step_titles=(step[1],),
        )
        yield ev.StepStarted(*step)
        yield from events(operator)
        yield ev.StepFinished(step[0])

    return source


def signing_source(
    request: SigningRequest, folder: Path, *, current: Path, keys: Sequence[KeyChoice],
    sitting: str, output: Path, qr: bool, clock: Callable[[], datetime],
) -> CeremonySource:
    from ceremony.sittings.sign import sign_sitting

    def events(operator: TuiOperator) -> Iterator[ev.Event]:
        return sign_sitting(request, folder, current=current, keys=keys, operator=operator,
                            clock=clock, sitting=sitting, output=output, qr=qr)

    step = ("sign", "Sign the request with your keys",
            f"the request digest, to the coordinator: {grouped(request.digest)}",
            "The summary is the change you agreed to; each key opened is yours.")
    return framed(request, f"Signing sitting · {request.title}", step, events)


def sealing_source(
    request: SigningRequest, folder: Path, signatures: Sequence[Path], *, current: Path,
    output: Path, clock: Callable[[], datetime],
) -> CeremonySource:
    from ceremony.sittings.seal import seal_request

    def events(operator: TuiOperator) -> Iterator[ev.Event]:
        return seal_request(request, folder, signatures, output=output, current=current,
                            clock=clock, operator=operator)

    from ceremony.tui.screens.run import SEALING

    step = (SEALING, "Count the signature files, then seal the bundle", "",
            "Both meters read met before the bundle is sealed.")
    return framed(request, f"Sealing sitting · {request.title}", step, events)
