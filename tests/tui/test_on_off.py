"""Checkboxes read in monochrome: the mark and the word say the state, in
both themes, not a colour alone ("Network allowed" is a safety switch)."""

from __future__ import annotations

import asyncio

from ceremony.tui.screens.build import BuildScreen
from ceremony.tui.widgets import OnOff

from .conftest import open_screen


def test_network_allowed_reads_on_or_off_without_colour(still_app):
    async def scenario():
        app = still_app()
        async with app.run_test(size=(120, 40)) as pilot:
            await open_screen(app, pilot, "bootstrap", BuildScreen)
            network = app.screen.query_one("#network", OnOff)
            for theme in ("ceremony-dark", "ceremony-light"):  # the app's own (themes.py)
                app.theme = theme
                network.value = False
                await pilot.pause()
                assert network.render().plain == "[ ] Network allowed: off"
                network.focus()
                await pilot.press("space")
                assert network.value
                assert network.render().plain == "[x] Network allowed: on"
                assert network.size.width == len("[ ] Network allowed: off")  # never cut

    asyncio.run(scenario())
