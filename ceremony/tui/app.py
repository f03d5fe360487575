"""The terminal UI application: one factory for the CLI and the tests.

``ceremony`` with no command calls :func:`run_app`. :func:`make_app` builds
the app; tests pass a fixed clock, a fixed view of the room and ``still``
(no animation, no cursor blink) so every screenshot is the same. Only the
home screen is imported up front, so the first screen paints fast; every
other screen, and the engine, load when first used.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Callable, Generator
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, TypedDict, Unpack

from textual import events
from textual.binding import Binding

from ceremony.tui.quit_watch import QuitWatch
from ceremony.tui.room import Room, TokensSeen
from ceremony.tui.screens.home import HomeScreen
from ceremony.tui.shell import CeremonyShell, CeremonySource
from ceremony.tui.themes import DARK, LIGHT, THEMES

if TYPE_CHECKING:  # loaded when a ceremony starts, not before the first screen
    from ceremony.events import Event
    from ceremony.script.plan import Plan
    from ceremony.tui.operator import TuiOperator


class AppOptions(TypedDict, total=False):
    """What :func:`make_app` may be given (tests pin all of it)."""

    clock: Callable[[], datetime]
    room: Room | None
    find_tokens: Callable[[], TokensSeen] | None
    workdir: Path | str | None
    still: bool
    signals: bool  # SIGTERM and SIGHUP stop a running ceremony, then quit (run_app)


class CeremonyApp(CeremonyShell):
    """Guided key ceremonies, keyboard only: the bindings, and the screens opened."""

    CSS_PATH = "app.tcss"
    TITLE = "ceremony"
    ENABLE_COMMAND_PALETTE = False
    BINDINGS = [
        Binding(
            "ctrl+q",
            "quit",
            "Quit",
            id="quit",
            tooltip="Leave the app; a running ceremony is stopped first, after asking",
            priority=True,
        ),
        Binding(  # as Ctrl+Q: a terminal user's reflex to leave must not do nothing
            "ctrl+c", "quit", "Quit", id="quit-c", show=False, priority=True
        ),
        Binding("f2", "toggle_theme", "Light/dark", id="theme", tooltip="Switch light and dark"),
        Binding("f7", "exception", "Exception", id="exception", show=False, priority=True,
                tooltip="The witness records a deviation from the run sheet"),
    ]

    def __init__(self, **options: Unpack[AppOptions]) -> None:
        super().__init__(**options)
        for theme in THEMES:  # every status colour readable (WCAG AA) in both
            self.register_theme(theme)
        self.theme = DARK.name

    def on_mount(self) -> None:
        if self.signals:  # the terminal closed, or `kill`: stop as Ctrl+Q would, unasked
            loop = asyncio.get_running_loop()

            def signalled(signum: int, frame: object) -> None:
                # run by Python in the main thread even while the loop is stuck on a
                # write to a terminal that hung up, where a handler the loop runs
                # would never run: the watch ends the process if the loop stays so
                QuitWatch(loop, 128 + signum).start()
                loop.call_soon_threadsafe(self.stop_on_signal, signum)

            for signum in (signal.SIGTERM, signal.SIGHUP):
                signal.signal(signum, signalled)

    def stop_on_signal(self, signum: int) -> None:
        """Stop a running ceremony (nothing sealed, transcript kept), then quit
        with the exit code a shell gives that signal."""
        code = 128 + signum
        running = self.run_screen
        if running is None or not running.running:
            self.exit(code)
            return
        running.stop(
            then=lambda: self.exit(code), why=f"stopped by {signal.Signals(signum).name}"
        )

    async def on_event(self, event: events.Event) -> None:
        """Keys and pastes typed before the modal on top was shown are dropped
        (see ceremony.tui.modals.modal): typed ahead, they were not meant for it."""
        typed = isinstance(event, (events.Key, events.Paste)) and not event.is_forwarded
        if typed and event.time < getattr(self.screen, "shown_at", float("-inf")):
            return
        await super().on_event(event)

    def get_default_screen(self) -> HomeScreen:
        return HomeScreen()

    # Where the home screen's choices lead ------------------------------------

    def open_choice(self, choice: str) -> None:
        if choice in ("bootstrap", "rotate-root", "renew", "delegate", "recovery"):
            from ceremony.tui.screens.build import BuildScreen

            self.push_screen(BuildScreen("recover" if choice == "recovery" else choice))
        elif choice == "script":
            from ceremony.tui.screens.script import OpenScriptScreen

            self.push_screen(OpenScriptScreen())
        elif choice == "certify":
            from ceremony.tui.screens.certify import CertifyScreen

            self.push_screen(CertifyScreen())
        elif choice == "sign":
            from ceremony.tui.screens.sign import SignScreen

            self.push_screen(SignScreen())
        elif choice == "seal":
            from ceremony.tui.screens.seal import SealScreen

            self.push_screen(SealScreen())
        elif choice == "verify":
            from ceremony.tui.screens.verify import VerifyScreen

            self.push_screen(VerifyScreen())
        elif choice == "rehearse":
            from ceremony.tui.screens.rehearse import RehearseScreen

            self.push_screen(RehearseScreen())

    def start_ceremony(
        self,
        source: CeremonySource,
        *,
        heading: str,
        expected: int = 1,
        verify: bool = True,
        attempts: tuple[Path, str] | None = None,
    ) -> None:
        from ceremony.tui.screens.run import RunScreen

        self.go_home()
        self.push_screen(
            RunScreen(
                source, heading=heading, expected=expected, verify=verify, attempts=attempts
            )
        )

    def start_plan(self, plan: Plan) -> None:
        from ceremony.witness import WitnessLog

        clock = self.clock
        witness = self.witness = WitnessLog(clock=clock)

        def source(operator: TuiOperator) -> Generator[Event, None, None]:
            from ceremony.engine import run_ceremony

            # yield from passes a stop thrown in here on to the engine's own generator
            yield from run_ceremony(plan, operator, clock=clock, witness=witness)

        output = plan.output
        self.start_ceremony(
            source, heading=plan.title, attempts=(output.parent, f"{output.name}.abandoned-*.jsonl")
        )

    def start_rehearsal(self, folder: Path, flavor_name: str = "") -> None:
        from ceremony.flavor import flavor_named, flavor_names

        clock = self.clock
        flavor = flavor_named(flavor_name or flavor_names()[0])
        self.witness = None  # a rehearsal records no exceptions

        def source(operator: TuiOperator) -> Generator[Event, None, None]:
            yield from flavor.rehearse(folder, clock=clock)

        self.start_ceremony(
            source,
            heading=f"Rehearsal into {folder}",
            expected=len(flavor.rehearsal_scripts()),
            verify=False,
            attempts=(folder, "**/*.abandoned-*.jsonl"),
        )

    # Bindings ----------------------------------------------------------------

    async def action_quit(self) -> None:
        running = self.run_screen
        if running is None or not running.running:
            self.exit(0)
            return
        from ceremony.tui.modals.ask import AskModal

        def answered(leave: bool | None) -> None:
            if leave:
                running.stop(then=lambda: self.exit(0))

        self.push_screen(
            AskModal(
                "Leave in the middle of the ceremony?",
                "The ceremony is stopped first: nothing is sealed, the staging folder is "
                "removed and the transcript of the attempt is kept beside the output.",
                yes="Stop and quit",
                no="Stay",
            ),
            answered,
        )

    def action_exception(self) -> None:
        """F7: the witness records an exception into the running ceremony's transcript."""
        running, witness = self.run_screen, self.witness
        if running is None or not running.running or witness is None:
            self.notify("No ceremony is running: an exception goes into a ceremony's "
                        "transcript. Write it on the run sheet.", severity="warning")
            return
        from ceremony.tui.modals.exception import ExceptionModal

        def answered(answer: tuple[str, str, str] | None) -> None:
            if answer is not None:
                recorded = witness.add(*answer)
                witness.witness = recorded.witness  # offered again next time
                self.notify(f"Exception recorded at {recorded.at}; it goes into the "
                            "transcript and onto the printed record.")

        self.push_screen(ExceptionModal(witness.witness), answered)

    def action_toggle_theme(self) -> None:
        self.theme = LIGHT.name if self.theme == DARK.name else DARK.name


def make_app(**options: Unpack[AppOptions]) -> CeremonyApp:
    """The app, as the CLI runs it (tests pass clock=, room=, find_tokens=, workdir=, still=)."""
    return CeremonyApp(**options)


def run_app() -> int:
    app = make_app(signals=True)
    code = app.run()
    return int(code or 0)
