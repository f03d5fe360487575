"""What a ceremony does once its bundle is sealed, and its record beside the bundle.

Some work must wait for the seal: a decommission destroys its keys only once
the bundle that no longer has them is written whole, read back and verified
(steps/destroy.py). A step hands it over (``Context.after_seal``); the engine
runs it right after the seal. Its events are shown as any other and go on
with the transcript's hash chain from the sealed transcript's head; those
lines are then written, whole or not at all, to the work's record beside the
bundle (``NAME.destruction.jsonl``), however it ends: done, something not
done (each item says why), an error, or a stop signal (its last line says
what was not reached; a stop as its end is shown leaves that end, once).
Only SIGKILL or a power cut leaves no record: the bundle's transcript still
says what was to be done, and the runbook how to check it. The sealed bundle
is never touched again. When anything was left undone, the run ends with an
error that says what, and what to do.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

from ceremony.bundle.files import write_new_whole
from ceremony.engine.context import AfterSeal, Context
from ceremony.errors import CeremonyError, MediaError
from ceremony.events import Event
from ceremony.signals import Stopped, stop_signals_held, stop_words
from hsm.errors import KeyBackendError


def after_seal(ctx: Context, recorded: Callable[[Event], Event],
               noted: Callable[[], Iterator[Event]]) -> Iterator[Event]:
    """Run each work that waited for the seal; ``recorded`` puts an event in the
    transcript (and returns it), ``noted`` gives the witness's exceptions since."""
    for work in ctx.after_seal:
        sealed, ended = len(ctx.transcript.lines), False
        try:
            for event in work.run(ctx):
                with stop_signals_held():  # recorded and known as its end whole
                    shown = recorded(event)
                    ended = event is work.last
                yield shown
                yield from noted()
        except KeyboardInterrupt as stop:  # Ctrl-C, SIGTERM, SIGHUP: the record first
            _stopped(ctx, work, sealed, stop_words(stop), ended)
            if isinstance(stop, Stopped) and ended:  # as its end was shown: it ended
                stop.done = (f"the bundle {ctx.plan.output} is sealed, and the {work.what} "
                             f"ended: {work.unfinished() or 'all was done'}; see {work.record}")
            elif isinstance(stop, Stopped):
                stop.done = (f"the bundle {ctx.plan.output} is sealed, but the {work.what} "
                             f"stopped: {work.unfinished()}; see {work.record}")
            raise
        except GeneratorExit:  # the front end stopped listening
            _stopped(ctx, work, sealed, "the operator left the ceremony", ended)
            raise
        except (CeremonyError, KeyBackendError) as error:  # e.g. no PIN for a token
            yield recorded(work.ended(str(error)))
        except BaseException as error:  # a fault in the tool: still say what was done
            _stopped(ctx, work, sealed, f"internal error: {type(error).__name__}", ended)
            raise
        finally:
            ctx.close_keys()  # log out of the tokens it opened
            ctx.forget_secrets()
        _write(ctx, work, sealed)
        unfinished = work.unfinished()
        if unfinished:
            raise CeremonyError(
                f"the bundle {ctx.plan.output} is sealed, but the {work.what} is not "
                f"finished: {unfinished}",
                todo=f"the record of what was done is {work.record}",
            )


def stopped_once_sealed(ctx: Context, why: str, sealed: int) -> str:
    """A stop (``why``) that landed once the bundle was sealed (its transcript
    ``sealed`` lines), before what waited for the seal began: each work's record
    says what it did not reach, and why (a fault here is not raised); what stays,
    in words, for the screen. The first record holds every line since the seal
    (the witness's last word), so that it goes on from the bundle's transcript."""
    words = f"the bundle {ctx.plan.output} is sealed"
    for work in ctx.after_seal:
        _stopped(ctx, work, sealed, why)
        sealed = len(ctx.transcript.lines)
        words += (f", but the {work.what} was not begun: {work.unfinished()}; see "
                  f"{work.record}")
    return words


def _stopped(ctx: Context, work: AfterSeal, sealed: int, why: str,
             ended: bool = False) -> None:
    """Record that ``work`` stopped (``why``) and write its record; a fault here is
    not raised (the stop is). ``ended``: its last event is recorded already (the stop
    came as it was shown), and the record ends with it, once."""
    with contextlib.suppress(Exception):
        if not ended:
            ctx.transcript.append(work.ended(why).record())
        _write(ctx, work, sealed)


def _write(ctx: Context, work: AfterSeal, sealed: int) -> None:
    """Write the transcript's lines after the seal to ``work.record``, whole or not at all."""
    lines = ctx.transcript.lines[sealed:]
    try:
        write_new_whole([(work.record, b"".join(line + b"\n" for line in lines))])
    except OSError as error:
        raise MediaError(
            f"the bundle {ctx.plan.output} is sealed, but the record of its {work.what} "
            f"could not be written to {work.record}: {error.strerror}",
            todo="what was done is shown above: copy it into the paper log",
        ) from None
