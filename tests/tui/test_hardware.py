"""Hardware keys in the UI: a bootstrap on a SoftHSM2 token, and the touch state.

The bootstrap script puts both root keys on a throwaway SoftHSM2 token
(tests/softhsm_support.py makes every token before anything in the process
loads the module, as SoftHSM sees no token made after it is loaded). It is
opened through "Open a ceremony script", run, and the PIN modal is answered
once for two keys made and signing; the bundle verifies and the transcript
holds the token's facts. The touch banner is shown with a scripted stream
(no YubiKey here): it stays until the signature is in.
"""

from __future__ import annotations

import asyncio
import json
import textwrap
import threading
import uuid
from pathlib import Path

import pytest
from softhsm_support import MODULE, USER_PIN, ran_fresh

from ceremony import events as ev
from ceremony.tui.app import make_app
from ceremony.tui.modals.confirm import ConfirmModal
from ceremony.tui.modals.secret import SecretModal
from ceremony.tui.room import Room
from ceremony.tui.screens.run import RunScreen
from ceremony.tui.screens.script import OpenScriptScreen
from ceremony.tui.screens.summary import SummaryScreen
from ceremony.verify import verify_bundle
from hsm.algorithms import ALGORITHMS
from hsm.software import SoftwareKey

from .conftest import wait_for
from .fakes import KEYID_ALICE, started

MAIN = "ceremony-main"


def token_script(folder: Path, tag: str) -> Path:
    for role in ("targets", "snapshot", "timestamp"):
        key = SoftwareKey.generate(ALGORITHMS["ed25519"])
        (folder / f"{role}.pem").write_text(key.facts().public_pem)

    def on_token(name, algorithm):
        return (f"{{name: {name}, holder: a, algorithm: {algorithm}, backend: pkcs11, "
                f"module: {MODULE}, token-label: {MAIN}, object-label: {name}-{tag}}}")

    script = folder / "bootstrap-token.yaml"
    script.write_text(
        "format: 1\nceremony: bootstrap\nflavor: tuf\ntitle: root keys on a token, from the UI\n"
        + textwrap.dedent(
            f"""\
            rehearsal: true
            network: allowed
            output-media: any-device
            output: out
            keyholders: [{{name: a}}]
            keys:
              - {on_token("root-a", "ecdsa-p256")}
              - {on_token("root-b", "ed25519")}
              - {{name: targets, import: targets.pem}}
              - {{name: snapshot, import: snapshot.pem}}
              - {{name: timestamp, import: timestamp.pem}}
            roles:
              root: {{keys: [root-a, root-b], threshold: 1, expires: 1y}}
              targets: {{keys: [targets], threshold: 1, expires: 90d}}
              snapshot: {{keys: [snapshot], threshold: 1, expires: 30d}}
              timestamp: {{keys: [timestamp], threshold: 1, expires: 7d}}
            """
        )
    )
    return script


@pytest.mark.slow
def test_bootstrap_on_a_softhsm_token_from_open_a_script(tmp_path):
    if ran_fresh(__file__, "test_bootstrap_on_a_softhsm_token_from_open_a_script"):
        return
    script = token_script(tmp_path, uuid.uuid4().hex[:8])
    asked = asyncio.run(run_script_in_the_ui(tmp_path, script))
    assert asked == [f"pin/{MAIN}"]  # one PIN for two keys made and two signatures
    bundle = tmp_path / "out"
    report = verify_bundle(bundle)
    assert report.ok, report.problems
    lines = [json.loads(line) for line in (bundle / "transcript.jsonl").open()]
    (login,) = [e for e in lines if e["event"] == "token-logged-in"]
    assert login["token"] == MAIN and login["serial"] and login["model"] == "SoftHSM v2"
    assert login["pin_entries"] == 1
    made = {e["key"]: e["facts"] for e in lines if e["event"] == "key-generated"}
    for name in ("root-a", "root-b"):
        assert made[name]["token_label"] == MAIN
        assert made[name]["generated_on_device"] is True
    closed = {e["token"]: e["keys"] for e in lines if e["event"] == "token-closed"}
    assert closed == {MAIN: ["root-a", "root-b"]}
    index = json.loads((bundle / "keys" / "index.json").read_text())["keys"]
    assert index["root-a"]["location"].startswith(f"pkcs11:token={MAIN};")
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert USER_PIN.encode() not in path.read_bytes()


async def run_script_in_the_ui(folder: Path, script: Path) -> list[str]:
    asked: list[str] = []
    app = make_app(workdir=folder, room=Room(), still=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("down", "down", "down", "down", "down")
        assert app.screen.query_one("#choices").highlighted_option.id == "script"
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, OpenScriptScreen), "the script screen")
        app.screen.query_one("#script-path").value = script.name
        await pilot.press("enter")
        opened = app.screen
        await wait_for(pilot, lambda: opened.ready, "preflight to pass (the token is present)")
        assert f"token '{MAIN}'" in str(opened.query_one("#preflight").render())
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: isinstance(app.screen, (RunScreen, ConfirmModal)), "the run")
        while not isinstance(app.screen, SummaryScreen):
            await wait_for(
                pilot,
                lambda: isinstance(app.screen, (ConfirmModal, SecretModal, SummaryScreen)),
                "a question or the summary",
                timeout=60,
            )
            modal = app.screen
            if isinstance(modal, ConfirmModal):
                if modal.request.typed_word:
                    await pilot.press(*modal.request.typed_word)
                await pilot.press("enter")
            elif isinstance(modal, SecretModal):
                asked.append(modal.request.id)
                text = "\n".join(str(w.render()) for w in modal.query("Static"))
                assert str(modal.query_one(".dialog-title").render()) == "PIN"
                assert "passphrase" not in text.lower()
                assert len(modal.query("SecretEntry")) == 1  # typed once, never twice
                modal.query_one("#first").value = USER_PIN
                await pilot.press("enter")
            await wait_for(pilot, lambda shown=modal: app.screen is not shown, "the modal to close")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.screen.records[0].verified, app.screen.records[0].problems
    return asked


def test_touch_banner_stays_until_the_signature(still_app):
    go_on = threading.Event()

    def source(operator):
        yield from started()[:2]
        yield ev.TouchRequested(
            key="root-alice", token="root-yubikey", serial="12345678",
            message="touch the YubiKey 'root-yubikey' (serial 12345678) now: "
            "key root-alice is signing",
        )
        go_on.wait(30)
        yield ev.SignatureAdded("root", 2, "root-alice", KEYID_ALICE)
        operator.leaving.wait(30)

    async def scenario():
        app = still_app()
        async with app.run_test(size=(80, 24)) as pilot:
            app.start_ceremony(source, heading="Touch", verify=False)
            await wait_for(pilot, lambda: app.run_screen and app.run_screen.touching, "the touch")
            banner = app.run_screen.query_one("#touch-banner")
            assert banner.display
            assert "TOUCH YOUR YUBIKEY NOW" in str(banner.render())
            assert "serial 12345678" in str(banner.render())
            await pilot.pause(0.3)
            assert banner.display  # still there: nothing else ends it
            go_on.set()
            await wait_for(pilot, lambda: not banner.display, "the banner to go")
            assert app.run_screen.touching is None

    asyncio.run(scenario())
