"""The secrets part of the forms: passphrases and PINs read from the environment.

A bootstrap form, at 80x24 by keyboard: root-alice's passphrase from a
variable whose name the loader refuses (its words under the row), then from
ROOT_ALICE_PASSPHRASE, and a second row added with Ctrl+N for root-bob; a
token's PIN from ROOT_A_PIN, written as ``pins:`` and refused by the loader
under its row (no key of the script is on that token), then cleared. The
script it saves from the review is the one shown, holds ``passphrases:`` as
``{env: VAR}``, and passes ``ceremony validate`` with those variables set.
Nothing typed writes neither.
Snapshots of the part at 80x24 and 120x40, dark and light.
"""

from __future__ import annotations

import asyncio

from ceremony.cli.main import main
from ceremony.script.load import load_script
from ceremony.script.plan import PassphraseSource
from ceremony.tui.forms.secrets import FromEnvRowForm
from ceremony.tui.room import Room
from ceremony.tui.screens.build import BuildScreen

from .conftest import every_look, form_snapshot, wait_for
from .keyboard import review_and_save, switch_on, tab_to, type_in


async def open_form(pilot) -> BuildScreen:
    pilot.app.open_choice("bootstrap")
    await wait_for(pilot, lambda: pilot.app.screen.query("#secrets-form"), "the secrets part")
    screen = pilot.app.screen
    assert isinstance(screen, BuildScreen)
    await wait_for(pilot, lambda: screen.rendered is not None, "the first verdict")
    return screen


def rows(screen: BuildScreen, head: str) -> list[FromEnvRowForm]:
    return [row for row in screen.query(FromEnvRowForm) if row.head == head]


def test_secrets_from_the_environment_by_keyboard_saved_and_valid(
        still_app, tmp_path, capsys, monkeypatch):
    (tmp_path / "media").mkdir()
    for variable in ("ROOT_ALICE_PASSPHRASE", "ROOT_BOB_PASSPHRASE"):
        monkeypatch.setenv(variable, "correct horse battery staple")
    app = still_app(workdir=str(tmp_path), room=Room())
    saved = asyncio.run(secrets_typed(app))
    assert (
        "passphrases:\n"
        "  root-alice: {env: ROOT_ALICE_PASSPHRASE}\n"
        "  root-bob: {env: ROOT_BOB_PASSPHRASE}\n"
    ) in saved
    script = tmp_path / "secrets.yaml"
    assert main(["validate", str(script)]) == 0, capsys.readouterr()
    plan = load_script(script)
    assert dict(plan.passphrases)["root-alice"] == PassphraseSource("env", "ROOT_ALICE_PASSPHRASE")


async def secrets_typed(app) -> str:
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_form(pilot)
        assert "passphrases:" not in screen.rendered.text  # nothing typed: none written
        assert "pins:" not in screen.rendered.text
        await type_in(pilot, "script", "secrets.yaml")
        await switch_on(pilot, "rehearsal")
        alice = rows(screen, "passphrase")[0].tag
        await type_in(pilot, f"passphrase-{alice}-name", "root-alice")
        await type_in(pilot, f"passphrase-{alice}-env", "9-lives")
        await wait_for(pilot, lambda: screen.problem is not None, "the loader's verdict")
        shown = str(screen.query_one(f"#passphrase-{alice}-error").render())
        assert "is not an environment variable name" in shown, shown
        await type_in(pilot, f"passphrase-{alice}-env", "ROOT_ALICE_PASSPHRASE")
        await pilot.press("ctrl+n")  # another row, in the passphrases table
        await wait_for(pilot, lambda: len(rows(screen, "passphrase")) == 2, "a new row")
        bob = rows(screen, "passphrase")[1].tag
        assert pilot.app.focused.id == f"passphrase-{bob}-name"
        await type_in(pilot, f"passphrase-{bob}-name", "root-bob")
        await type_in(pilot, f"passphrase-{bob}-env", "ROOT_BOB_PASSPHRASE")
        token = rows(screen, "pin")[0].tag
        await tab_to(pilot, f"pin-{token}-name")
        await type_in(pilot, f"pin-{token}-name", "root-a")
        await type_in(pilot, f"pin-{token}-env", "ROOT_A_PIN")
        await wait_for(pilot, lambda: "pins:" in screen.rendered.text, "the pins block")
        assert "pins:\n  root-a: {env: ROOT_A_PIN}\n" in screen.rendered.text
        # no key of this script is on that token: the loader's words under the row
        await wait_for(pilot, lambda: screen.problem is not None, "the loader's verdict")
        shown = str(screen.query_one(f"#pin-{token}-error").render())
        assert "no token labelled 'root-a'" in shown, shown
        await type_in(pilot, f"pin-{token}-name", "")
        await type_in(pilot, f"pin-{token}-env", "")
        await wait_for(pilot, lambda: screen.problem is None, "the script to load")
        assert "pins:" not in screen.rendered.text
        return await review_and_save(pilot)


@every_look
def test_secrets_form(snap_compare, still_app, size, theme):
    async def prepare(pilot):
        screen = await open_form(pilot)
        alice = rows(screen, "passphrase")[0].tag
        token = rows(screen, "pin")[0].tag
        screen.query_one(f"#passphrase-{alice}-name").value = "root-alice"
        screen.query_one(f"#passphrase-{alice}-env").value = "9-lives"
        screen.query_one(f"#pin-{token}-name").value = "root-a"
        screen.query_one(f"#pin-{token}-env").value = "ROOT_A_PIN"
        await wait_for(pilot, lambda: screen.problem is not None, "the loader's verdict")
        return f"#passphrase-{alice}-env", "#secrets-form"

    assert form_snapshot(snap_compare, still_app(), size, theme, prepare)
