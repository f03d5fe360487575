"""Stopping: a ceremony can be left at any point and leaves a clean state.

Quitting the app in the middle of a real ceremony asks first, then stops the
engine, which removes its staging folder and keeps the transcript of the
attempt; stopping from the run screen says what happened in a modal.
"""

from __future__ import annotations

import asyncio
import json

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from ceremony.tui.app import make_app
from ceremony.tui.modals.ask import AskModal
from ceremony.tui.modals.confirm import ConfirmModal
from ceremony.tui.modals.error import ErrorModal
from ceremony.tui.modals.secret import SecretModal
from ceremony.tui.room import Room
from ceremony.tui.screens.run import RunScreen
from ceremony.tui.screens.script import OpenScriptScreen

from .conftest import start_running, wait_for
from .fakes import fake_rotation

SCRIPT = """\
format: 1
ceremony: bootstrap
flavor: tuf
title: A small bootstrap to stop half way
network: allowed
output-media: any-device
output: media/stopped
keyholders:
  - name: alice
keys:
  - {name: root-alice, holder: alice, algorithm: ed25519}
  - {name: targets, import: targets.pem}
  - {name: snapshot, import: snapshot.pem}
  - {name: timestamp, import: timestamp.pem}
roles:
  root: {keys: [root-alice], threshold: 1, expires: 1y}
  targets: {keys: [targets], threshold: 1, expires: 180d}
  snapshot: {keys: [snapshot], threshold: 1, expires: 30d}
  timestamp: {keys: [timestamp], threshold: 1, expires: 7d}
spare-keys: none
accept-risk: every root key must sign (a test root)
"""


def write_script(folder):
    for name in ("targets", "snapshot", "timestamp"):
        key = ed25519.Ed25519PrivateKey.generate().public_key()
        (folder / f"{name}.pem").write_bytes(
            key.public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
        )
    (folder / "media").mkdir()
    (folder / "small.yaml").write_text(SCRIPT)


async def open_script(app, pilot, name="small.yaml"):
    """Open ``name`` from the home screen; the script screen once it is checked."""
    app.open_choice("script")
    await wait_for(pilot, lambda: isinstance(app.screen, OpenScriptScreen), "the script screen")
    await pilot.pause()
    app.screen.query_one("#script-path").value = name
    await pilot.press("enter")
    screen = app.screen
    await wait_for(pilot, lambda: screen.ready, "the script and its preflight")
    return screen


def test_quit_in_the_middle_asks_then_leaves_a_clean_state(tmp_path):
    write_script(tmp_path)

    async def scenario():
        app = make_app(workdir=tmp_path, room=Room(), still=True)
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await open_script(app, pilot)
            assert "A small bootstrap" in str(screen.query_one("#plan").render())
            await pilot.press("ctrl+r")
            await wait_for(
                pilot, lambda: isinstance(app.screen, ConfirmModal), "the sha256 question"
            )
            await pilot.press("enter")
            await wait_for(
                pilot, lambda: isinstance(app.screen, SecretModal), "root-alice's passphrase"
            )
            await pilot.press("ctrl+q")
            await wait_for(pilot, lambda: isinstance(app.screen, AskModal), "are you sure")
            await pilot.press("n")  # stay: nothing changes
            await pilot.pause()
            assert isinstance(app.screen, SecretModal)
            await pilot.press("ctrl+q")
            await wait_for(pilot, lambda: isinstance(app.screen, AskModal), "are you sure")
            await pilot.press("y")
            await wait_for(pilot, lambda: not app.is_running, "the app to close", timeout=20)

    asyncio.run(scenario())
    media = sorted(p.name for p in (tmp_path / "media").iterdir())
    assert not (tmp_path / "media" / "stopped").exists()
    assert not [name for name in media if name.startswith(".")], media  # no staging left
    (transcript,) = (tmp_path / "media").glob("stopped.abandoned-*.jsonl")
    last = json.loads(transcript.read_text().splitlines()[-1])
    assert last["event"] == "ceremony-abandoned"
    assert last["how"] == "stopped"


def test_stop_from_the_run_screen_says_what_happened(still_app):
    async def scenario():
        app = still_app()
        async with app.run_test(size=(80, 24)) as pilot:
            await start_running(app, pilot, fake_rotation("running"))
            run = app.run_screen
            assert isinstance(run, RunScreen)
            assert run.check_action("home", ()) is None  # no leaving by the back door
            await pilot.press("ctrl+x")
            await wait_for(pilot, lambda: isinstance(app.screen, AskModal), "are you sure")
            await pilot.press("y")
            await wait_for(pilot, lambda: isinstance(app.screen, ErrorModal), "the error modal")
            assert "stopped" in app.screen.heading
            assert "the operator stopped the ceremony" in app.screen.what
            await pilot.press("enter")  # home
            await pilot.pause()
            assert len(app.screen_stack) == 1

    asyncio.run(scenario())
