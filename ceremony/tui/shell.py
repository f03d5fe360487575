"""What every screen may ask of the app: its settings, what it saw, where to go.

:class:`CeremonyShell` is the app as its screens know it (``self.app``): the
clock, the working folder, the room it looked at, the ceremony running now,
and the ways on (home, a choice, a ceremony to run). The app itself
(tui/app.py) builds on it and alone opens the screens, so no screen imports
the module that imports it.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from textual.app import App
from textual.filter import LineFilter

from ceremony.tui.room import Room, TokensSeen, look_around
from ceremony.tui.safe_lines import NoControlCharacters

if TYPE_CHECKING:
    from ceremony.events import Event
    from ceremony.script.plan import Plan
    from ceremony.tui.operator import TuiOperator
    from ceremony.witness import WitnessLog

#: what a run screen runs: the events of a ceremony that asks ``operator``, from a
#: generator, because stopping the ceremony throws CeremonyAbandonedError into it
CeremonySource = Callable[["TuiOperator"], Generator["Event", None, None]]


def utc_now() -> datetime:
    return datetime.now(UTC)


class RunningCeremony(Protocol):
    """What the app asks of the run screen while a ceremony runs on it."""

    @property
    def running(self) -> bool: ...

    @property
    def operator(self) -> TuiOperator: ...

    def stop(self, then: Callable[[], None] | None = None, why: str = ...) -> None: ...


class CeremonyShell(App[int]):
    """The app's state and the ways between its screens (tui/app.py opens them)."""

    def __init__(
        self,
        *,
        clock: Callable[[], datetime] = utc_now,
        room: Room | None = None,
        find_tokens: Callable[[], TokensSeen] | None = None,
        workdir: Path | str | None = None,
        still: bool = False,
        signals: bool = False,
    ) -> None:
        super().__init__()
        self.signals = signals
        self.clock = clock
        self.fixed_room = room
        self.find_tokens = find_tokens  # None: a child process, unless the room is fixed
        self.tokens_seen: TokensSeen | None = None  # what the home screen's last look found
        self.workdir = Path(workdir) if workdir is not None else Path.cwd()
        self.still = still
        if still:
            self.animation_level = "none"
        self.run_screen: RunningCeremony | None = None  # while a ceremony runs
        self.witness: WitnessLog | None = None  # the running plan's exceptions (F7)
        self._no_controls = NoControlCharacters()

    def get_line_filters(self) -> Sequence[LineFilter]:
        """Textual's filters, then the guard that no control character from the
        media reaches the terminal as itself (safe_lines.py)."""
        return [*super().get_line_filters(), self._no_controls]

    def look_around(self) -> Room:
        return self.fixed_room if self.fixed_room is not None else look_around()

    def tokens(self) -> TokensSeen | None:
        """The tokens the home screen saw last (the fixed room's, in tests)."""
        if self.tokens_seen is not None:
            return self.tokens_seen
        return self.fixed_room.tokens if self.fixed_room is not None else None

    def waiting_for_secret(self) -> bool:
        """A running ceremony has asked for a secret that is not yet given."""
        running = self.run_screen
        return running is not None and running.operator.asking_secret

    def go_home(self) -> None:
        while len(self.screen_stack) > 1:
            self.pop_screen()

    # Where the screens lead (tui/app.py) -------------------------------------

    def open_choice(self, choice: str) -> None:
        """Open the screen of one of the home screen's choices."""
        raise NotImplementedError

    def start_ceremony(
        self,
        source: CeremonySource,
        *,
        heading: str,
        expected: int = 1,
        verify: bool = True,
        attempts: tuple[Path, str] | None = None,
    ) -> None:
        """Run ``source(operator)``'s events on a fresh run screen over home;
        a failed attempt's transcript is kept in ``attempts`` (folder, glob)."""
        raise NotImplementedError

    def start_plan(self, plan: Plan) -> None:
        """Run a checked plan's ceremony, its exceptions recorded (F7)."""
        raise NotImplementedError

    def start_rehearsal(self, folder: Path, flavor_name: str = "") -> None:
        """Rehearse a flavor's ceremonies into ``folder``."""
        raise NotImplementedError
