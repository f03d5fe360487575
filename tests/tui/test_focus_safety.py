"""Focus safety: a secret typed at machine speed never lands in a plain field.

Every key is posted at once, before any screen it is meant for exists, as
a fast typist (or a stuck key) would: the script path, Enter, Ctrl+R, the
passphrase before its prompt shows, then the prompts' own answers. After each
transition every Input on every screen is read: no character of the secret
may be in any field that is not a masked secret field.
"""

from __future__ import annotations

import asyncio

from textual import events
from textual.widgets import Input

from ceremony.tui.app import make_app
from ceremony.tui.modals.ask import AskModal
from ceremony.tui.modals.confirm import ConfirmModal
from ceremony.tui.modals.secret import SecretModal
from ceremony.tui.room import Room
from ceremony.tui.screens.run import RunScreen
from ceremony.tui.screens.script import OpenScriptScreen
from ceremony.tui.widgets import SecretEntry

from .conftest import open_screen, wait_for
from .test_stopping import write_script

SECRET = "zq7xw9vj4kpt"  # none of these letters is in the script path "small.yaml"


def burst(app, keys):
    """Post every key at once, without waiting for anything to be drawn."""
    for key in keys:
        character = key if len(key) == 1 else None
        app.post_message(events.Key(key, character))


def plain_values(app):
    """What every plain (unmasked) field on every screen holds."""
    return {
        f"{type(screen).__name__}#{entry.id}": entry.value
        for screen in app.screen_stack
        for entry in screen.query(Input)
        if not isinstance(entry, SecretEntry)
    }


def assert_no_secret_leaked(app):
    for where, value in plain_values(app).items():
        leaked = [c for c in value if c in SECRET]
        assert not leaked, f"secret characters {leaked} reached plain field {where}: {value!r}"


async def open_script_screen(app, pilot):
    await open_screen(app, pilot, "script", OpenScriptScreen)


def test_a_passphrase_typed_ahead_through_every_transition_never_lands_in_clear(tmp_path):
    write_script(tmp_path)

    async def scenario():
        app = make_app(workdir=tmp_path, room=Room(), still=True)
        async with app.run_test(size=(80, 24)) as pilot:
            await open_script_screen(app, pilot)
            path = app.screen.query_one("#script-path", Input)
            # the path, Enter, Ctrl+R at once, and the passphrase straight after,
            # twice, as the reported operator typed it: all before preflight answers
            burst(app, [*"small.yaml", "enter", "ctrl+r", *SECRET, "enter", *SECRET, "enter"])
            await pilot.pause()
            assert path.value == "small.yaml"  # even once its screen is gone
            assert_no_secret_leaked(app)
            await wait_for(
                pilot, lambda: isinstance(app.screen, ConfirmModal), "the sha256 question"
            )
            assert isinstance(app.screen_stack[1], RunScreen)
            assert_no_secret_leaked(app)
            # the typed-ahead Enters did not answer the question nobody had read yet
            await pilot.pause(0.2)
            assert isinstance(app.screen, ConfirmModal)
            burst(app, ["enter", *SECRET, "tab", *SECRET])  # confirm, then type ahead again
            await wait_for(
                pilot, lambda: isinstance(app.screen, SecretModal), "root-alice's passphrase"
            )
            prompt = app.screen
            await pilot.pause()
            assert_no_secret_leaked(app)
            # keys typed before the prompt showed never reach it either
            assert [e.value for e in prompt.query(SecretEntry)] == ["", ""]
            # while the secret is awaited, no plain field anywhere takes a key
            assert app.waiting_for_secret()
            await pilot.press(*SECRET, "enter", *SECRET)
            assert [e.value for e in prompt.query(SecretEntry)] == [SECRET, SECRET]
            assert_no_secret_leaked(app)
            await pilot.press("enter")
            await wait_for(pilot, lambda: isinstance(app.screen, ConfirmModal), "write the bundle?")
            assert_no_secret_leaked(app)
            await pilot.press("ctrl+q")
            await wait_for(pilot, lambda: isinstance(app.screen, AskModal), "are you sure")
            await pilot.press("y")
            await wait_for(pilot, lambda: not app.is_running, "the app to close", timeout=20)
            assert_no_secret_leaked(app)

    asyncio.run(scenario())


def test_ctrl_r_before_the_check_says_what_is_missing(tmp_path):
    write_script(tmp_path)

    async def scenario():
        app = make_app(workdir=tmp_path, room=Room(), still=True)
        async with app.run_test(size=(80, 24)) as pilot:
            await open_script_screen(app, pilot)
            script = app.screen
            script.query_one("#script-path", Input).value = "small.yaml"
            await pilot.press("ctrl+r")
            problem = str(script.query_one("#script-problem").render())
            assert "Not checked yet: Enter checks the script" in problem
            await pilot.press("enter")
            await wait_for(pilot, lambda: script.ready, "the script and its preflight")
            await pilot.press("x")  # the path changed: the old verdict is gone
            assert not script.ready
            assert str(script.query_one("#preflight").render()) == ""
            assert "The path changed" in str(script.query_one("#script-problem").render())

    asyncio.run(scenario())


def test_no_plain_field_takes_keys_while_a_secret_is_awaited(tmp_path):
    """The guard itself: from the engine's call for a secret until its answer
    (before its prompt is up), a plain field takes neither keys nor a paste."""

    async def scenario():
        app = make_app(workdir=tmp_path, room=Room(), still=True)
        async with app.run_test(size=(80, 24)) as pilot:
            await open_script_screen(app, pilot)
            path = app.screen.query_one("#script-path", Input)
            awaited = True
            app.waiting_for_secret = lambda: awaited  # as while the engine asks
            await pilot.press(*SECRET)
            app.post_message(events.Paste(SECRET))
            await pilot.pause()
            assert path.value == ""
            awaited = False  # answered: the field takes keys again
            await pilot.press(*"small")
            app.post_message(events.Paste(".yaml"))
            await pilot.pause()
            assert path.value == "small.yaml"

    asyncio.run(scenario())
