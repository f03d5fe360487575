"""The rehearsal screen promises no duration: it once said "about a minute"
and took 17 s on one machine and longer on another."""

from __future__ import annotations

import asyncio
import re

from ceremony.tui.screens.rehearse import RehearseScreen

from .conftest import open_screen


def test_the_rehearsal_screen_says_nothing_about_how_long(still_app):
    async def scenario():
        app = still_app()
        async with app.run_test(size=(80, 24)) as pilot:
            await open_screen(app, pilot, "rehearse", RehearseScreen)
            shown = " ".join(str(w.render()) for w in app.screen.query("Static"))
            assert "A rehearsal runs" in shown
            assert not re.search(r"minute|second|takes|about a|quick|fast", shown), shown

    asyncio.run(scenario())
