"""Ctrl+C does what Ctrl+Q does: leaves at once when nothing runs, and asks
first in the middle of a ceremony (a terminal user's reflex must not do
nothing, nor stop a ceremony unasked)."""

from __future__ import annotations

import asyncio

from ceremony.tui.modals.ask import AskModal

from .conftest import start_running, wait_for
from .fakes import fake_rotation


def test_ctrl_c_asks_in_a_ceremony_and_stays_when_told(still_app):
    async def scenario():
        app = still_app()
        async with app.run_test(size=(80, 24)) as pilot:
            await start_running(app, pilot, fake_rotation("running"))
            await pilot.press("ctrl+c")
            await wait_for(pilot, lambda: isinstance(app.screen, AskModal), "are you sure")
            assert "Leave in the middle of the ceremony?" in app.screen.question
            await pilot.press("n")
            await pilot.pause()
            assert app.is_running and app.run_screen.running
            await pilot.press("ctrl+c")
            await wait_for(pilot, lambda: isinstance(app.screen, AskModal), "are you sure")
            await pilot.press("y")
            await wait_for(pilot, lambda: not app.is_running, "the app to close", timeout=20)

    asyncio.run(scenario())


def test_ctrl_c_at_home_leaves(still_app):
    async def scenario():
        app = still_app()
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("ctrl+c")
            await wait_for(pilot, lambda: not app.is_running, "the app to close")

    asyncio.run(scenario())
