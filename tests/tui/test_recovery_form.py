"""The recovery actions of the recover form, filled in with the keyboard only.

Tab and typed keys turn on "rotate the root keys away from the custodians":
the script gets ``replace: root:`` beside the lost targets key, and the
loader's verdict on it (a rotation away needs a new custody bundle) lands
under the root row. Then re-homing: two rows (Ctrl+N in the table adds the
second) become ``rehome:`` entries, the script loads, and Ctrl+O removes a
row again. Snapshots of the part at 80x24 and 120x40, dark and light.
"""

from __future__ import annotations

import asyncio

import yaml

from ceremony.tui.forms.recovery import RehomeRowForm
from ceremony.tui.screens.build import BuildScreen

from .conftest import every_look, form_snapshot, wait_for
from .keyboard import switch_on, tab_to, type_in

MODULE = "/usr/lib/x86_64-linux-gnu/pkcs11/opensc-pkcs11.so"


async def open_recover(pilot) -> BuildScreen:
    pilot.app.open_choice("recovery")
    await wait_for(pilot, lambda: pilot.app.screen.query("#recovery-form"), "the recover form")
    screen = pilot.app.screen
    assert isinstance(screen, BuildScreen)
    await type_in(pilot, "current", "../media/2027-05-rotation")
    await type_in(pilot, "copies", "/media/custody-a, /media/custody-b")
    return screen


def test_recovery_actions_from_the_keyboard(still_app):
    asyncio.run(recovery_actions(still_app()))


async def recovery_actions(app) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_recover(pilot)
        await wait_for(pilot, lambda: screen.problem is None, "a sound recovery")
        assert "rehome" not in screen.rendered.text
        assert not screen.query_one("#root-away").display
        await switch_on(pilot, "rotate-root-away")
        assert screen.query_one("#root-away").display
        await type_in(pilot, "role-root-keys", "targets-2")
        await wait_for(pilot, lambda: "root: {keys: [targets-2]" in screen.rendered.text, "root")
        replace = yaml.safe_load(screen.rendered.text)["replace"]
        assert replace["root"] == {"keys": ["targets-2"], "threshold": 2, "expires": "1y"}
        assert set(replace) == {"root", "targets"}
        assert screen.problem is not None
        shown = str(screen.query_one("#role-root-error").render())
        assert "threshold is 2" in shown, shown  # under the root row
        await tab_to(pilot, "rotate-root-away")
        await pilot.press("space")  # off again: no root rotation
        await switch_on(pilot, "rehome-on")
        first = screen.query_one(RehomeRowForm).tag
        await type_in(pilot, f"rehome-{first}-key", "root-alice")
        await type_in(pilot, f"rehome-{first}-token", "root-hsm-a")
        await type_in(pilot, f"rehome-{first}-module", MODULE)
        await pilot.press("ctrl+n")  # in the rehome table: a second row
        await wait_for(pilot, lambda: len(screen.query(RehomeRowForm)) == 2, "a second row")
        second = screen.query(RehomeRowForm).last().tag
        assert screen.focused.id == f"rehome-{second}-key"
        await pilot.press(*"root-bob")
        await type_in(pilot, f"rehome-{second}-token", "root-hsm-b")
        await type_in(pilot, f"rehome-{second}-object", "root-2027-bob")
        await type_in(pilot, f"rehome-{second}-module", MODULE)
        await wait_for(pilot, lambda: "root-2027-bob" in screen.rendered.text, "the second row")
        data = yaml.safe_load(screen.rendered.text)
        assert "root" not in data["replace"]
        assert data["rehome"] == [
            {"key": "root-alice", "module": MODULE, "token-label": "root-hsm-a"},
            {"key": "root-bob", "module": MODULE, "token-label": "root-hsm-b",
             "object-label": "root-2027-bob"},
        ]
        assert screen.problem is None, screen.problem
        await type_in(pilot, f"rehome-{second}-token", "")
        await wait_for(pilot, lambda: screen.problem is not None, "the loader's verdict")
        assert str(screen.query_one(f"#rehome-{second}-error").render()), "no message on the row"
        await pilot.press("ctrl+o")  # removes the row with the cursor
        await wait_for(pilot, lambda: len(screen.query(RehomeRowForm)) == 1, "the row removed")
        await wait_for(pilot, lambda: screen.problem is None, "a sound recovery again")
        assert "root-bob" not in screen.rendered.text


@every_look
def test_recovery_actions_form(snap_compare, still_app, size, theme):
    async def prepare(pilot):
        pilot.app.open_choice("recovery")
        await wait_for(pilot, lambda: pilot.app.screen.query("#recovery-form"), "the form")
        screen = pilot.app.screen  # filled in directly: the keyboard's way is tested above
        tag = screen.query_one(RehomeRowForm).tag
        for field_id, value in {"current": "../media/2027-05-rotation", "copies": "/media/c-a",
                                "role-root-keys": "root-dave, root-erin",
                                f"rehome-{tag}-key": "root-alice",
                                f"rehome-{tag}-token": "root-hsm-a"}.items():
            screen.query_one(f"#{field_id}").value = value
        screen.query_one("#rotate-root-away").value = True
        screen.query_one("#rehome-on").value = True
        await wait_for(pilot, lambda: screen.problem is not None, "the loader's verdict")
        return f"#rehome-{tag}-token", "#recovery-form"

    assert form_snapshot(snap_compare, still_app(), size, theme, prepare)
