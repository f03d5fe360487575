"""The home screen's Tokens pane: what the token look-up found, and `t`."""

from __future__ import annotations

import asyncio
import threading

from ceremony.tui.room import Room, SeenToken, TokensSeen, tokens_from_json
from ceremony.tui.screens.home import HomeScreen, room_text

from .conftest import wait_for


def pane(app) -> str:
    return str(app.screen.query_one("#room").render())


def test_the_pane_shows_the_tokens_of_the_room(still_app):
    asyncio.run(_shows_the_tokens_of_the_room(still_app))


async def _shows_the_tokens_of_the_room(still_app):
    seen = TokensSeen(
        modules=("/usr/lib/softhsm/libsofthsm2.so",),
        tokens=(
            SeenToken(label="root-b", serial="0a1b2c", model="SoftHSM v2"),
            SeenToken(label="", serial="", model="SoftHSM v2", initialized=False),
        ),
    )
    app = still_app(room=Room(tokens=seen))
    async with app.run_test() as pilot:
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        shown = pane(app)
        assert "root-b" in shown and "serial 0a1b2c" in shown and "SoftHSM v2" in shown
        assert "and 1 free slot" in shown


def test_t_looks_again_with_the_injected_look_up(still_app):
    asyncio.run(_t_looks_again(still_app))


async def _t_looks_again(still_app):
    answers = [
        TokensSeen(modules=("/usr/lib/x86_64-linux-gnu/libykcs11.so",)),
        TokensSeen(
            modules=("/usr/lib/x86_64-linux-gnu/libykcs11.so",),
            tokens=(SeenToken(label="root-c", serial="27182818", model="YubiKey YK5"),),
        ),
    ]
    asked = []
    lock = threading.Lock()

    def find_tokens():
        with lock:
            asked.append(threading.current_thread() is not threading.main_thread())
            return answers[len(asked) - 1]

    app = still_app(room=Room(), find_tokens=find_tokens)
    async with app.run_test() as pilot:
        await wait_for(pilot, lambda: "no token seen" in pane(app), "the first look")
        await pilot.press("t")
        await wait_for(pilot, lambda: "root-c" in pane(app), "the second look")
        assert "27182818" in pane(app)
    assert asked == [True, True]  # both looks ran off the UI thread


def test_what_the_pane_says_otherwise():
    def said(seen):
        return room_text(Room(), seen).plain

    assert "no PKCS#11 module installed" in said(TokensSeen())
    assert "no token seen" in said(TokensSeen(modules=("/m.so",)))
    timed_out = TokensSeen(problem="the look for tokens took over 20s and was stopped")
    assert "took over" in said(timed_out)
    assert "not looked for" in said(None)
    assert "looking" in room_text(Room(), None, looking=True).plain


def test_the_json_is_read():
    seen = tokens_from_json('{"modules": [{"path": "/m.so", "error": "no module", "tokens": []},'
                            ' {"path": "/n.so", "error": null, "tokens": [{"label": "a",'
                            ' "serial": "1", "model": "M", "initialized": true}]}]}')
    assert seen.modules == ("/m.so", "/n.so")
    assert seen.tokens == (SeenToken("a", "1", "M"),)
    assert seen.module_problems == ("/m.so: no module",)
    assert tokens_from_json("not json").problem is not None
