"""A whole rehearsal driven through the UI, checked on disk like the headless one."""

from __future__ import annotations

import asyncio

import pytest

from ceremony.flavors.tuf.rehearsal_scripts import SCRIPTS
from ceremony.tui.app import make_app
from ceremony.tui.room import Room
from ceremony.tui.screens.summary import SummaryScreen
from ceremony.verify import verify_bundle

from .conftest import settle

pytestmark = pytest.mark.slow


def test_rehearsal_end_to_end(tmp_path):
    asyncio.run(rehearse_in_the_ui(tmp_path))


async def rehearse_in_the_ui(tmp_path):
    app = make_app(workdir=tmp_path, room=Room(), still=True)
    folder = tmp_path / "rehearsal"
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("r")
        await pilot.pause()
        app.screen.query_one("#folder").value = str(folder)
        await pilot.press("enter")
        await pilot.pause()
        await settle(pilot, SummaryScreen)
        assert isinstance(app.screen, SummaryScreen), app.screen
        summary = app.screen
        assert len(summary.records) == len(SCRIPTS)
        assert all(r.verified for r in summary.records)
        rotation = next(r for r in summary.records if r.kind == "rotate-root")
        assert set(rotation.thresholds) == {"old", "new"}  # the two meters
        assert all(have >= need for have, need in rotation.thresholds.values())
        text = summary.query_one("#summary-verdict").render()
        assert f"{len(SCRIPTS)} bundle(s) written and verified" in str(text)
        await pilot.press("h")
        await pilot.pause()
        assert len(app.screen_stack) == 1
    check_bundles(folder)


def check_bundles(folder):
    for script, _ in SCRIPTS:
        name = script.removesuffix(".yaml")
        report = verify_bundle(folder / name)
        assert report.ok, report.problems
    assert verify_bundle(folder / "3-rotate-root").root_versions == [1, 2]
