"""Shared set-up for the terminal UI tests: a pinned app, and waiting helpers."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from textual.widgets import Input

from ceremony.tui.app import make_app
from ceremony.tui.room import Room, SeenToken, TokensSeen
from ceremony.tui.screens.home import CHOICES, HomeScreen
from ceremony.tui.widgets import SecretEntry

PINNED = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
# What the pinned room's token look-up found: no child process is run.
PINNED_TOKENS = TokensSeen(
    modules=("/usr/lib/x86_64-linux-gnu/libykcs11.so",),
    tokens=(SeenToken(label="root-a", serial="31415926", model="YubiKey YK5"),),
)


def pinned_clock() -> datetime:
    return PINNED


@pytest.fixture
def still_app():
    """An app that looks the same every run: fixed clock, room and folder."""

    def make(**options):
        options.setdefault("clock", pinned_clock)
        options.setdefault(
            "room", Room(interfaces_up=(), media=("/media/alice/KEYS-1",), tokens=PINNED_TOKENS)
        )
        options.setdefault("workdir", "/srv/ceremony")
        options.setdefault("still", True)
        return make_app(**options)

    return make


async def wait_for(pilot, condition, what: str, timeout: float = 30.0) -> None:
    """Let the app work until ``condition()`` holds (workers run meanwhile).

    Polls the condition between short pauses of the app: it waits for a
    state, never for a guessed length of time."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            shown = "\n".join(str(w.render()) for w in pilot.app.screen.query("Static"))
            raise AssertionError(
                f"timed out waiting for {what}; {pilot.app.screen} shows:\n{shown}"
            )
        await pilot.pause(0.05)
    # A screen just pushed is current before its widgets are mounted: let the
    # app handle what is queued, so keys and queries reach the widgets.
    await pilot.pause()


def shown(screen, selector: str) -> str:
    return str(screen.query_one(selector).render())


def plain_values(app) -> list[str]:
    return [entry.value for screen in app.screen_stack for entry in screen.query(Input)
            if not isinstance(entry, SecretEntry)]


async def choose(pilot, label: str, screen_type=None) -> None:
    """Go down the home screen's choices to ``label``, then Enter (and wait for
    its ``screen_type``, when given)."""
    index = [choice[1] for choice in CHOICES].index(label)
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, HomeScreen), "the home screen")
    await pilot.press("home", *["down"] * index, "enter")
    if screen_type is not None:
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, screen_type), label)


async def open_screen(app, pilot, choice: str, screen_type) -> None:
    """Open the home screen's ``choice``; wait until its screen is on top."""
    app.open_choice(choice)
    await wait_for(pilot, lambda: isinstance(app.screen, screen_type), f"the {choice} screen")


async def start_running(app, pilot, source) -> None:
    """Start ``source`` (a fake ceremony) on a run screen; wait for its first events."""
    app.start_ceremony(source, heading="Rotation", verify=False)
    await wait_for(pilot, lambda: app.run_screen is not None and app.run_screen.records, "the run")


async def settle(pilot, screen_type=None) -> None:
    """After a ceremony has ended: let its worker finish and the screen draw
    whatever it still had queued, so a snapshot sees the final state; with
    ``screen_type``, then wait for that screen to be on top."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    if screen_type is not None:
        await wait_for(
            pilot, lambda: isinstance(pilot.app.screen, screen_type), screen_type.__name__
        )


# The real-terminal rehearsal, started early so that it runs beside the others.
# Every xdist worker collects every test, but only one runs test_terminal.py: the
# first worker to make the run's shared folder starts the one rehearsal, and
# whichever worker gets the test watches it through that folder (tmux socket,
# what the opening keys met). The worker that started it closes it only once the
# test has watched it, or every other worker has finished without it.

_TERMINAL = pytest.StashKey[tuple]()
_WAIT_FOR_THE_OTHERS = 900.0  # seconds; a worker lost without a word frees it then


class Opening(threading.Thread):
    """Press the keys that start a rehearsal, as soon as the screen asks; then
    write what it met to ``said`` (a JSON list of problems) for any worker."""

    def __init__(self, terminal, said: Path) -> None:
        super().__init__(daemon=True)
        self.terminal = terminal
        self.said = said
        self.problems: list[str] = []

    def run(self) -> None:
        try:
            self.terminal.wait_for("What do you want to do?", timeout=30)
            self.terminal.keys("r")
            self.terminal.wait_for("A new folder for the results", timeout=15)
            self.terminal.keys("Enter")  # the folder offered: ./rehearsal-<time>
            self.terminal.wait_for("ceremony 1 of", timeout=30)
        except AssertionError as problem:
            self.problems.append(str(problem))
        finally:
            staged = self.said.with_name(self.said.name + ".part")
            with contextlib.suppress(OSError):  # the run already over, its folder gone
                staged.write_text(json.dumps(self.problems))
                staged.rename(self.said)


class OpeningSeen:
    """Another worker's Opening, as its ``said`` file tells: join, then problems."""

    def __init__(self, said: Path) -> None:
        self.said = said

    def join(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while not self.said.exists() and time.monotonic() < deadline:
            time.sleep(0.1)

    @property
    def problems(self) -> list[str]:
        return json.loads(self.said.read_text()) if self.said.exists() else []


def _shared_folder() -> Path | None:
    """The folder this run's workers share for the terminal rehearsal (None
    when not run by xdist)."""
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID")
    if run is None or os.environ.get("PYTEST_XDIST_WORKER") is None:
        return None
    return Path(tempfile.gettempdir()) / f"ceremony-tmux-run-{run}"


def pytest_collection_finish(session):
    wanted = any(item.name == "test_rehearsal_in_a_real_terminal" for item in session.items)
    if not wanted or shutil.which("tmux") is None or session.config.option.collectonly:
        return
    from .terminal import Terminal

    shared = _shared_folder()
    if shared is None:
        shared = Path(tempfile.mkdtemp(prefix="ceremony-tmux-"))
    else:
        try:
            shared.mkdir()
        except FileExistsError:  # another worker started it: watch that one when asked
            session.config.stash[_TERMINAL] = (None, shared, None)
            return
    (shared / "work").mkdir()
    terminal = Terminal(shared / "work")
    terminal.start(str(Path(sys.executable).parent / "ceremony"))
    (shared / "socket.part").write_text(terminal.socket)
    (shared / "socket.part").rename(shared / "socket")
    opening = Opening(terminal, shared / "opening")
    opening.start()
    session.config.stash[_TERMINAL] = (terminal, shared, opening)


def _others_done(shared: Path) -> bool:
    """The test has watched the rehearsal, or every other worker has finished."""
    if (shared / "watched").exists():
        return True
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    return len(list(shared.glob("finished-*"))) >= workers - 1


def pytest_sessionfinish(session):
    started = session.config.stash.get(_TERMINAL, None)
    if started is None:
        return
    terminal, shared, _ = started
    if terminal is None:  # another worker's: say this one is done with it
        (shared / f"finished-{os.environ['PYTEST_XDIST_WORKER']}").touch()
        return
    if _shared_folder() is not None:
        deadline = time.monotonic() + _WAIT_FOR_THE_OTHERS
        while not _others_done(shared) and time.monotonic() < deadline:
            time.sleep(0.5)
    terminal.close()
    shutil.rmtree(shared, ignore_errors=True)


@pytest.fixture
def terminal_rehearsal(request):
    started = request.config.stash.get(_TERMINAL, None)
    if started is None:
        pytest.fail("the real-terminal rehearsal was not started (is tmux installed?)")
    terminal, shared, opening = started
    if terminal is None:  # started by another worker, in ``shared``
        from .terminal import Terminal

        deadline = time.monotonic() + 60
        while not (shared / "socket").exists() and time.monotonic() < deadline:
            time.sleep(0.1)  # that worker is still starting it
        terminal = Terminal(shared / "work")
        terminal.socket = (shared / "socket").read_text()
        opening = OpeningSeen(shared / "opening")
    yield terminal, shared / "work", opening
    (shared / "watched").touch()


def play(still_app, source, check, size=(80, 24)) -> None:
    """Run ``source`` (a fake ceremony) on a pinned app's run screen, then
    ``await check(app, pilot)``."""

    async def scenario():
        app = still_app()
        async with app.run_test(size=size) as pilot:
            await start_running(app, pilot, source)
            await check(app, pilot)

    asyncio.run(scenario())


# Snapshots at both sizes and in both themes; of one part of the build form.

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]
THEMES = [pytest.param("ceremony-dark", id="dark"), pytest.param("ceremony-light", id="light")]


def every_look(test):
    """Parametrize a snapshot test over ``size`` and ``theme``: 80x24 and
    120x40, dark and light (ids such as ``80x24-dark``)."""
    return pytest.mark.parametrize("theme", THEMES)(pytest.mark.parametrize("size", SIZES)(test))


def form_snapshot(snap_compare, app, size, theme, prepare) -> bool:
    """Snapshot ``app`` after ``prepare(pilot)`` filled its form in; it returns
    the field to focus and the part to scroll to the top of the form."""

    async def run_before(pilot):
        pilot.app.theme = theme
        focus, top = await prepare(pilot)
        pilot.app.screen.query_one(focus).focus()
        await pilot.pause()
        pilot.app.screen.query_one("#form").scroll_to_widget(
            pilot.app.screen.query_one(top), animate=False, top=True
        )
        await pilot.pause()

    return snap_compare(app, terminal_size=size, run_before=run_before)
