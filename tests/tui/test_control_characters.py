"""No control character from the media reaches the terminal as itself in the UI.

Textual drops only BEL, BS, VT, FF and CR from what it draws: an escape
sequence, a C1 control or a bidirectional override in a medium's label or a
bundle's manifest would go to the terminal raw (the window retitled, the
screen cleared, a line reversed). The home screen shows a medium's path and
the bundles on it escaped, the verify report the manifest's words, the run
screen's log an event's words (a sitting's name from a signature file), the sign
screen a refusal naming a path on the media; whatever a
screen does not escape (a medium's label, offered in a field) is dropped from
every line the app draws (tui/safe_lines.py).
"""

from __future__ import annotations

import asyncio
import json

from bundle_factory import make_bundle
from textual.geometry import Region

from ceremony import events as ev
from ceremony.tui.app import make_app
from ceremony.tui.room import Room
from ceremony.tui.screens.home import HomeScreen
from ceremony.tui.screens.sign import SignScreen
from ceremony.tui.screens.verify import VerifyScreen

from .conftest import wait_for
from .fakes import started

RAW = ("\x1b", "\x9b", "\u202e", "\u200b")
LABEL = "/media/alice/K\x1b]0;PWNED\x1b\\EYS\u202e\u200b\x9b2J"


def drawn(screen) -> str:
    """Every line the screen's widgets draw, as the terminal would be sent them."""
    lines = []
    for widget in screen.query("*"):
        width, height = widget.region.size  # its border too
        if widget.display and width and height:
            for strip in widget.render_lines(Region(0, 0, width, height)):
                lines.append("".join(segment.text for segment in strip))
    return "\n".join(lines)


def raw_in(text: str) -> list[str]:
    return [ch for ch in RAW if ch in text]


def test_a_medium_s_label_never_reaches_the_terminal_raw(tmp_path):
    async def scenario() -> None:
        app = make_app(workdir=tmp_path, room=Room(media=(LABEL,)), still=True)
        async with app.run_test(size=(100, 30)) as pilot:
            await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen), "the home screen")
            await pilot.pause()
            assert not raw_in(drawn(app.screen))
            await pilot.press("v")
            await wait_for(pilot, lambda: isinstance(app.screen, VerifyScreen), "verify")
            await pilot.pause()
            text = drawn(app.screen)  # the label is offered in the field, its controls dropped
            assert not raw_in(text) and "/media/alice/K]0;PWNED\\EYS2J" in text, text

    asyncio.run(scenario())


def test_the_verify_screen_shows_a_hostile_manifest_s_words_escaped(tmp_path):
    bundle = make_bundle(tmp_path / "bundle", versions=1).path
    manifest = json.loads((bundle / "MANIFEST.json").read_text())
    manifest["ceremony"] = "boot\x1b]0;PWNED\x1b\\strap\x1b[2J"
    manifest["ceremony_id"] = "id\u202eevil\x1b]8;;https://evil.example/\x1b\\click\x1b]8;;\x1b\\"
    (bundle / "MANIFEST.json").write_text(json.dumps(manifest))

    async def scenario() -> None:
        app = make_app(workdir=tmp_path, room=Room(), still=True)
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen), "the home screen")
            await pilot.press("v")
            await wait_for(pilot, lambda: isinstance(app.screen, VerifyScreen), "verify")
            await pilot.pause()
            app.screen.query_one("#bundle-path").value = str(bundle)
            await pilot.press("enter")
            await app.workers.wait_for_complete()
            await pilot.pause()
            text = drawn(app.screen)
            assert not raw_in(text), text
            assert "Ceremony  boot\\x1b]0;PWNED\\x1b\\strap\\x1b[2J" in text, text
            assert ("Id        id\\u202eevil\\x1b]8;;https://evil.example/\\x1b\\click"
                    "\\x1b]8;;\\x1b\\") in text, text

    asyncio.run(scenario())


def test_the_home_screen_shows_a_hostile_medium_and_bundle_folder_escaped(tmp_path):
    medium = tmp_path / "K\x1b]0;PWNED\x1b\\EYS"
    make_bundle(medium / "b\u202eoot\x9b2J", versions=1)

    async def scenario() -> None:
        app = make_app(workdir=tmp_path, room=Room(media=(str(medium),)), still=True)
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen), "the home screen")
            bundles = app.screen.query_one("#media-bundles")
            await wait_for(pilot, lambda: bundles.display, "the bundles on the media")
            await pilot.pause()
            text = drawn(app.screen)
            assert not raw_in(text), text
            assert "K\\x1b]0;PWNED\\x1b\\EYS" in text, text  # under Media
            assert "b\\u202eoot\\x9b2J" in text, text  # under Bundles

    asyncio.run(scenario())


def test_the_run_log_shows_an_event_s_words_escaped(tmp_path):
    def source(operator):
        yield from started()
        yield ev.Warning("sitting b\u202eob\x1b]0;PWNED\x1b\\ joined")
        operator.leaving.wait(30)  # held here until the screen goes

    async def scenario() -> None:
        app = make_app(workdir=tmp_path, room=Room(), still=True)
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen), "the home screen")
            app.start_ceremony(source, heading="Hostile", verify=False)
            await wait_for(pilot, lambda: "WARNING" in drawn(app.screen), "the warning")
            text = drawn(app.screen)
            assert not raw_in(text), text
            assert "WARNING: sitting b\\u202eob\\x1b]0;PWNED\\x1b\\ joined" in text, text
            app.run_screen.stop()

    asyncio.run(scenario())


def test_the_sign_screen_names_a_hostile_request_path_escaped(tmp_path):
    folder = tmp_path / "req\x1b]0;PWNED\x1b\\uest\u202e"
    folder.mkdir()  # a folder holding no request

    async def scenario() -> None:
        app = make_app(workdir=tmp_path, room=Room(), still=True)
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen), "the home screen")
            app.open_choice("sign")
            await wait_for(pilot, lambda: isinstance(app.screen, SignScreen), "the sign screen")
            app.screen.query_one("#request-path").value = str(folder)
            app.screen.action_check()
            await pilot.pause()
            text = drawn(app.screen)
            assert not raw_in(text), text
            assert "req\\x1b]0;PWNED\\x1b\\uest\\u202e" in text, text

    asyncio.run(scenario())
