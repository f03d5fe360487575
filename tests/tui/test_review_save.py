"""Review says "save first" until the script is saved; Ctrl+R never silently
does nothing; the Saved notice is in sight and the header says where."""

from __future__ import annotations

import asyncio

from ceremony.tui.app import make_app
from ceremony.tui.modals.confirm import ConfirmModal
from ceremony.tui.room import Room
from ceremony.tui.screens.review import ReviewScreen

from .conftest import wait_for
from .test_stopping import SCRIPT, write_script


def test_review_asks_to_save_first_then_says_where_it_saved(tmp_path):
    write_script(tmp_path)
    path = tmp_path / "reviewed.yaml"

    async def scenario():
        app = make_app(workdir=tmp_path, room=Room(), still=True)
        async with app.run_test(size=(80, 24)) as pilot:
            app.push_screen(ReviewScreen(SCRIPT, path))
            await wait_for(pilot, lambda: isinstance(app.screen, ReviewScreen), "the review")
            review = app.screen
            await wait_for(pilot, lambda: review.preflight_ok, "preflight to pass")
            preflight = str(review.query_one("#preflight").render())
            assert "Preflight passes. Save it first: Ctrl+S saves the script" in preflight
            await pilot.press("ctrl+r")  # not saved: says so, runs nothing
            await pilot.pause()
            assert app.screen is review
            note = review.query_one("#review-saved")
            assert "Not saved yet: Ctrl+S saves the script first" in str(note.render())
            review.query_one("#review-body").scroll_end(animate=False)  # read to the end
            await pilot.press("ctrl+s")
            await pilot.pause()
            assert path.read_text() == SCRIPT
            assert note.display and "Saved." in str(note.render())
            assert review.screen.find_widget(note).region.y < 24  # in sight, not scrolled away
            assert str(review.query_one(".banner").render()) == f"Saved as {path}"
            assert "Preflight passes. Ctrl+R runs the ceremony." in str(
                review.query_one("#preflight").render()
            )
            await pilot.press("ctrl+r")
            await wait_for(pilot, lambda: isinstance(app.screen, ConfirmModal), "the run")

    asyncio.run(scenario())
