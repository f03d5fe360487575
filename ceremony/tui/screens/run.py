"""The run screen: a ceremony as it happens.

Steps on the left (done, current, waiting, failed); on the right the current
step: its title, what to say aloud, what to check by eye, the threshold
meters, the key just made, and what the tool is doing (the describe() log).

The engine runs in a thread worker. Each event reaches this screen as an
``EngineSaid`` message; each question for a person as ``OperatorAsked``,
answered by a modal. Stopping goes through the engine, so it removes its
staging folder and writes the transcript of the attempt itself.

This module lays the screen out and routes each event to its place; the
worker is run_worker.py, the step pane's notes run_cards.py, the meters and
the glance run_meters.py, the modal for a ceremony that stopped run_error.py.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Footer, ProgressBar, RichLog, Static

from ceremony import events as ev
from ceremony.check_groups import AlikeHeld
from ceremony.describe import describe
from ceremony.safe_text import terminal_safe
from ceremony.tui.operator import OperatorAsked, TuiOperator, settle
from ceremony.tui.record import KIND_NAMES, CeremonyRecord, follow
from ceremony.tui.screens.run_cards import (
    key_card,
    sealed,
    token_closed,
    token_unlocked,
    touch_banner,
)
from ceremony.tui.screens.run_error import error_modal
from ceremony.tui.screens.run_meters import clear_meters, glance_of, move_meter
from ceremony.tui.screens.run_worker import CeremonyEnded, EngineSaid, drive
from ceremony.tui.widgets import (
    CURRENT,
    DONE,
    FAILED,
    KeysMade,
    Note,
    Spinner,
    StepList,
    ThresholdMeter,
)

if TYPE_CHECKING:
    from ceremony.tui.shell import CeremonyShell, CeremonySource

AnswerT = TypeVar("AnswerT")

#: the step list's last row: the engine seals the bundle after its last step
SEALING = "seal-the-bundle"


class RunScreen(Screen[None]):
    app: CeremonyShell  # shown only by the ceremony app: its type, for the checker

    BINDINGS = [
        Binding("k", "keys", "Keys & QR", id="run-keys", tooltip="Key ids made or opened so far"),
        Binding(
            "ctrl+x", "stop", "Stop", id="run-stop", tooltip="Stop the ceremony; nothing is sealed"
        ),
        Binding("s", "summary", "Summary", id="run-summary", tooltip="What was made"),
        Binding("h", "home", "Home", id="run-home", tooltip="Back to the home screen"),
    ]

    running = reactive(False)

    def __init__(
        self,
        source: CeremonySource,
        *,
        heading: str,
        expected: int = 1,
        verify: bool = True,
        attempts: tuple[Path, str] | None = None,
    ) -> None:
        super().__init__()
        self.source = source
        # where the engine keeps a failed attempt's transcript: (folder, glob)
        self.attempts = attempts
        self.heading = heading
        self.expected = expected
        self.verify = verify
        self.records: list[CeremonyRecord] = []
        self.operator = TuiOperator(self.post_message)
        self.finished = False
        self.error: BaseException | None = None
        self._then: Callable[[], None] | None = None
        self._meters: dict[str, ThresholdMeter] = {}
        self._step_title = ""
        self.touching: ev.TouchRequested | None = None  # a touch asked for, not yet given
        self._alike = AlikeHeld()  # checks of many GUNs, shown as one line when alike

    def compose(self) -> ComposeResult:
        yield Static(self.heading, id="run-banner", classes="banner")
        with Horizontal(id="run-body"):
            with VerticalScroll(id="steps-pane"):
                yield StepList(id="steps")
                yield KeysMade(id="keys-made")
            with Vertical(id="step-pane"):
                yield Static("Starting…", id="step-title")
                yield Note(id="touch-banner", classes="touch")
                yield Note(id="say-aloud", classes="say")
                yield Note(id="check-by-eye", classes="check")
                yield Vertical(id="meters")
                yield Note(id="key-card")
                yield ProgressBar(id="progress", show_eta=False)
                yield Spinner(id="busy")
                yield RichLog(id="log", wrap=True, markup=False, highlight=False, min_width=20)
        yield Footer()

    def on_mount(self) -> None:
        self.started_at = time.time() - 1  # file times are coarse on some media
        self.app.run_screen = self
        self.running = True
        self.query_one("#busy", Spinner).say("Starting the ceremony…", turning=True)
        self.run_engine()

    def on_unmount(self) -> None:
        self.operator.leave()
        if self.app.run_screen is self:
            self.app.run_screen = None

    def watch_running(self) -> None:
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "stop":
            return True if self.running else None
        if action == "keys" and self.operator.asking_secret:
            return False  # a secret's keystrokes, typed ahead of its prompt, open nothing
        if action in ("home", "summary"):
            if action == "summary" and not self.records:
                return None
            return None if self.running else True
        return True

    # The worker ----------------------------------------------------------------

    @work(thread=True, exit_on_error=False, group="ceremony", name="ceremony")
    def run_engine(self) -> None:
        """Run the engine, post every event; stop it through the engine when asked."""
        drive(self.source, self.operator, self.post_message)

    # Messages from the worker ----------------------------------------------------

    @on(OperatorAsked)
    def _operator_asked(self, message: OperatorAsked[AnswerT]) -> None:
        if self.operator.leaving.is_set():
            settle(message.answer, None)
            return
        self.query_one("#busy", Spinner).say("Waiting for an answer on screen…", turning=False)
        self.app.push_screen(
            message.make(), callback=lambda result: settle(message.answer, result)
        )

    @on(EngineSaid)
    def _engine_said(self, message: EngineSaid) -> None:
        self.show(message.event)

    def show(self, event: ev.Event) -> None:
        """Draw one event (also used by tests and snapshots to replay a stream)."""
        follow(self.records, event)
        shown = self._alike.shown(event)  # alike ones one line, as validate shows them
        if not shown:
            return
        log = self.query_one("#log", RichLog)
        for each in shown:
            line = describe(each)
            if line:
                log.write(terminal_safe(line))  # its words may come from the media
        steps = self.query_one("#steps", StepList)
        busy = self.query_one("#busy", Spinner)
        match event:
            case ev.CeremonyStarted():
                self._start(event)
            case ev.StepStarted():
                steps.set_state(event.step, CURRENT, event.title)
                self._show_step(event)
            case ev.StepFinished():
                steps.set_state(event.step, DONE)
            case ev.StepFailed():
                sealing = bool(self.records) and self.records[-1].steps_done
                steps.set_state(SEALING if sealing else event.step, FAILED)
                self.query_one("#step-title", Static).update(
                    Content.assemble(
                        ("✗ Writing the bundle failed: nothing was sealed", "$text-error bold")
                        if sealing
                        else Content.assemble(("✗ Stopped: ", "$text-error bold"), self._step_title)
                    )
                )
            case ev.CeremonyFinished():  # not finished yet: the bundle is still to be written
                self._step_title = "Writing the bundle"
                steps.set_state(SEALING, CURRENT, "Seal the bundle (written, verified, named)")
                self.query_one("#step-title", Static).update(
                    Content.assemble(("Every step is done  ", "$text-muted"),
                                     ("Writing the bundle…", "bold"))
                )
            case ev.ThresholdMet():
                self._meter(event)
                self.show_glance()
            case ev.KeyGenerated() | ev.KeyImported() | ev.KeyLoaded() | ev.KeyRecovered():
                self._key_card(event)
                self._keys_made()
            case ev.Progress():
                bar = self.query_one("#progress", ProgressBar)
                bar.display = event.done < event.total
                bar.update(total=event.total, progress=event.done)
            case ev.TouchRequested():  # the engine blocks until the touch: say so loudly
                self.touching = event
                self.query_one("#touch-banner", Note).say(touch_banner(event))
                busy.say(f"Waiting for a touch of {event.token} (serial {event.serial})…",
                         turning=True, style="$text-warning bold")
                return
            case ev.SignatureAdded() | ev.StepFailed() | ev.CeremonyAbandoned():
                self._touched()
            case ev.TokenLoggedIn():
                self.query_one("#key-card", Note).say(token_unlocked(event))
            case ev.TokenClosed():
                self.query_one("#key-card", Note).say(token_closed(event))
            case ev.BundleSealed():
                steps.set_state(SEALING, DONE)
                self.query_one("#key-card", Note).say(sealed(event))
        if self.running and not self.operator.waiting and self.touching is None:
            working = f"Working: {self._step_title}…" if self._step_title else "Working…"
            busy.say(working, turning=True)

    def _touched(self) -> None:
        """The signature that needed a touch is in (or the ceremony stopped)."""
        if self.touching is not None:
            self.touching = None
            self.query_one("#touch-banner", Note).say("")

    def _start(self, event: ev.CeremonyStarted) -> None:
        n = len(self.records)
        kind = KIND_NAMES.get(event.kind, event.kind)
        of = f" · ceremony {n} of {self.expected}" if self.expected > 1 else ""
        mark = " · REHEARSAL" if event.rehearsal else ""
        self.query_one("#run-banner", Static).update(
            Content.assemble((f"{kind}{mark}{of} · ", "bold"), event.title)
        )
        self.query_one("#steps", StepList).reset(
            event.steps, heading=f"{kind} steps", titles=event.step_titles
        )
        clear_meters(self._meters, self.query_one("#meters", Vertical))
        self.query_one("#key-card", Note).say("")
        self._keys_made()

    def _show_step(self, event: ev.StepStarted) -> None:
        self._step_title = event.title
        steps = self.query_one("#steps", StepList)
        index = next((i for i, s in enumerate(steps.steps, 1) if s[0] == event.step), 0)
        self.query_one("#step-title", Static).update(
            Content.assemble(
                (f"Step {index} of {len(steps.steps)}  ", "$text-muted"), (event.title, "bold")
            )
        )
        say = event.say_aloud and Content.assemble(("SAY ALOUD  ", "bold"), event.say_aloud)
        self.query_one("#say-aloud", Note).say(say or "")
        check = event.check_by_eye and Content.assemble(
            ("CHECK BY EYE  ", "bold"), event.check_by_eye
        )
        self.query_one("#check-by-eye", Note).say(check or "")

    def _meter(self, event: ev.ThresholdMet) -> None:
        move_meter(self._meters, self.query_one("#meters", Vertical), event)

    def _keys_made(self) -> None:
        self.query_one("#keys-made", KeysMade).show(self.keys_so_far())
        self.show_glance()

    def keys_so_far(self) -> list[tuple[str, str]]:
        """(name, key id) of every key this ceremony made or opened, in order."""
        record = self.records[-1] if self.records else None
        return [(k.name, k.keyid) for k in record.keys] if record else []

    def glance(self) -> Content:
        """What a dialog over this screen keeps in sight: the threshold
        meters, and the keys made so far by short id."""
        return glance_of(self._meters.values(), self.keys_so_far())

    def show_glance(self) -> None:
        """Redraw the glance on every dialog above this screen."""
        from ceremony.tui.modals.question import QuestionModal

        for screen in self.app.screen_stack:
            if isinstance(screen, QuestionModal):
                screen.show_glance(self.glance())

    def _key_card(
        self, event: ev.KeyGenerated | ev.KeyImported | ev.KeyLoaded | ev.KeyRecovered
    ) -> None:
        where = self.records[-1].keys[-1].where if self.records and self.records[-1].keys else ""
        self.query_one("#key-card", Note).say(key_card(event, where))

    @on(CeremonyEnded)
    def _ended(self, message: CeremonyEnded) -> None:
        self.running = False
        self._touched()
        self.finished = message.error is None
        self.error = message.error
        busy = self.query_one("#busy", Spinner)
        self.query_one("#progress", ProgressBar).display = False
        if self._then is not None:
            self._then()
            return
        if message.error is None:
            busy.say("Finished. s: summary · h: home", turning=False)
            self.action_summary()
        else:
            busy.say("Stopped. Nothing was sealed. h: home", turning=False)
            self.query_one("#steps", StepList).fail_current()
            self.app.push_screen(
                error_modal(message.error, self.records, self.kept_attempt()), self._after_error
            )

    def kept_attempt(self) -> str:
        """The transcript the engine kept of this attempt, if it did not say
        (a fault in the tool ends without the event): the newest one written
        since the ceremony started."""
        abandoned = self.records[-1].abandoned if self.records else None
        if abandoned is not None and abandoned.transcript:
            return abandoned.transcript
        if self.attempts is None:
            return ""
        folder, pattern = self.attempts
        since = self.started_at
        kept = [p for p in folder.glob(pattern) if p.stat().st_mtime >= since]
        return str(max(kept, key=lambda p: p.stat().st_mtime)) if kept else ""

    def _after_error(self, where: str | None) -> None:
        if where == "home":
            self.app.go_home()

    # Bindings -------------------------------------------------------------------------

    def action_stop(self) -> None:
        from ceremony.tui.modals.ask import AskModal

        def answered(sure: bool | None) -> None:
            if sure:
                self.stop()

        self.app.push_screen(
            AskModal(
                "Stop the ceremony?",
                "Nothing will be sealed: the staging folder is removed and the transcript "
                "of the attempt is kept beside the output.",
                yes="Stop the ceremony",
                no="Go on",
            ),
            answered,
        )

    def stop(
        self,
        then: Callable[[], None] | None = None,
        why: str = "the operator stopped the ceremony",
    ) -> None:
        """Stop the ceremony through the engine; ``then`` runs when it has ended."""
        self._then = then
        self.query_one("#busy", Spinner).say("Stopping: cleaning up…", turning=True)
        while self.app.screen is not self and len(self.app.screen_stack) > 1:
            self.app.pop_screen()
        self.operator.leave(why)
        if not self.running and then is not None:
            then()

    def action_keys(self) -> None:
        from ceremony.tui.screens.keys import KeysScreen

        self.app.push_screen(KeysScreen(self.records))

    def action_summary(self) -> None:
        from ceremony.tui.screens.summary import SummaryScreen

        self.app.push_screen(SummaryScreen(self.records, verify=self.verify))

    def action_home(self) -> None:
        self.app.go_home()

