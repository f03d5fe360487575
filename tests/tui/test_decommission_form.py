"""The key destruction part of the decommission form, at 80x24 (dark).

The keys to destroy and the files to wipe, the next root's expiry below
them; the keyboard's way through the form, Ctrl+L from a real bundle and
the headless run of the saved script are in test_forms.py.
"""

from __future__ import annotations

from ceremony.tui.screens.build import BuildScreen

from .conftest import form_snapshot, wait_for


def test_decommission_form(snap_compare, still_app):
    async def prepare(pilot):
        pilot.app.push_screen(BuildScreen("decommission"))
        await wait_for(pilot, lambda: pilot.app.screen.query("#decommission-form"), "the form")
        screen = pilot.app.screen
        for field_id, value in {"current": "../media/2027-05-rotation",
                                "sign-with": "root-alice, root-bob", "destroy": "root-carol",
                                "wipe-key-files": "../media/2027-05-rotation/keys/offline/"
                                "root-carol.age"}.items():
            screen.query_one(f"#{field_id}").value = value
        await wait_for(pilot, lambda: "root-carol.age" in (screen.rendered.text
                                                          if screen.rendered else ""), "judged")
        return "#destroy", "#decommission-form"

    assert form_snapshot(snap_compare, still_app(), (80, 24), "ceremony-dark", prepare)
