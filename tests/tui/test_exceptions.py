"""F7 on any screen: the witness records an exception into the running ceremony.

It opens over whatever the engine is asking, goes into the transcript with
the time it was typed, and the question it opened over is still there after.
"""

from __future__ import annotations

import asyncio
import json

from ceremony.tui.app import make_app
from ceremony.tui.modals.ask import AskModal
from ceremony.tui.modals.confirm import ConfirmModal
from ceremony.tui.modals.exception import ExceptionModal
from ceremony.tui.modals.secret import SecretModal
from ceremony.tui.room import Room
from ceremony.tui.screens.home import HomeScreen

from .conftest import wait_for
from .test_stopping import open_script, write_script


def test_f7_records_an_exception_over_a_question_and_the_question_stays(tmp_path):
    write_script(tmp_path)

    async def scenario():
        app = make_app(workdir=tmp_path, room=Room(), still=True)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("f7")  # nothing is running: nothing opens
            await pilot.pause()
            assert isinstance(app.screen, HomeScreen)
            await open_script(app, pilot)
            await pilot.press("ctrl+r")
            await wait_for(
                pilot, lambda: isinstance(app.screen, ConfirmModal), "the sha256 question"
            )
            await pilot.press("f7")
            await wait_for(pilot, lambda: isinstance(app.screen, ExceptionModal), "the form")
            form = app.screen
            await pilot.press("enter")  # nothing typed: refused, the form stays
            await pilot.pause()
            assert app.screen is form
            form.query_one("#what").value = "printed script lacks page 2"
            form.query_one("#why").value = "printer jam; reprinted and compared"
            form.query_one("#witness").value = "wendy"
            await pilot.press("enter")
            await wait_for(pilot, lambda: isinstance(app.screen, ConfirmModal), "the question")
            await pilot.press("enter")  # the sha256 matches
            await wait_for(
                pilot, lambda: isinstance(app.screen, SecretModal), "root-alice's passphrase"
            )
            await pilot.press("ctrl+q")
            await wait_for(pilot, lambda: isinstance(app.screen, AskModal), "are you sure")
            await pilot.press("y")
            await wait_for(pilot, lambda: not app.is_running, "the app to close", timeout=20)

    asyncio.run(scenario())
    (transcript,) = (tmp_path / "media").glob("stopped.abandoned-*.jsonl")
    lines = [json.loads(line) for line in transcript.read_text().splitlines()]
    (exception,) = [line for line in lines if line["event"] == "witness-exception"]
    assert exception["what"] == "printed script lacks page 2"
    assert exception["why"] == "printer jam; reprinted and compared"
    assert exception["witness"] == "wendy" and exception["at"].endswith("Z")
