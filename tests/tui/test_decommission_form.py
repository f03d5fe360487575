"""The decommission form at 80x24 and 120x40, dark and light: its key
destruction part, and the tamper-evident bags part.

The keys to destroy and the files to wipe, the next root's expiry below
them; then the bags: two sealed (the second row added with Ctrl+N in the
table) and the bags the current bundle's ceremony sealed, opened today. The
keyboard's way through the form, Ctrl+L from a real bundle, a bag typed in
and the headless run of the saved script are in test_forms.py.
"""

from __future__ import annotations

from ceremony.tui.forms.bags import BagRowForm
from ceremony.tui.screens.build import BuildScreen

from .conftest import every_look, form_snapshot, wait_for

DESTROY = {"current": "../media/2027-05-rotation", "sign-with": "root-alice, root-bob",
           "destroy": "root-carol"}


async def fill_in(pilot, values: dict[str, str], judged: str) -> BuildScreen:
    """The decommission form, ``values`` (field id -> text) put in; once the
    script shows ``judged``."""
    screen = pilot.app.screen
    for field_id, value in values.items():
        screen.query_one(f"#{field_id}").value = value
    await wait_for(pilot, lambda: judged in (screen.rendered.text if screen.rendered else ""),
                   "judged")
    return screen


async def open_form(pilot) -> BuildScreen:
    pilot.app.push_screen(BuildScreen("decommission"))
    await wait_for(pilot, lambda: pilot.app.screen.query("#decommission-form"), "the form")
    return pilot.app.screen


@every_look
def test_decommission_form(snap_compare, still_app, size, theme):
    async def prepare(pilot):
        await open_form(pilot)
        wipe = "../media/2027-05-rotation/keys/offline/root-carol.age"
        await fill_in(pilot, {**DESTROY, "wipe-key-files": wipe}, "root-carol.age")
        return "#destroy", "#decommission-form"

    assert form_snapshot(snap_compare, still_app(), size, theme, prepare)


@every_look
def test_bags_form(snap_compare, still_app, size, theme):
    async def prepare(pilot):
        screen = await open_form(pilot)
        first = screen.query_one(BagRowForm).tag
        screen.query_one(f"#bag-{first}-name").focus()
        await pilot.press("ctrl+n")  # in the bags table: a second row
        await wait_for(pilot, lambda: len(screen.query(BagRowForm)) == 2, "a second row")
        second = screen.query(BagRowForm).last().tag
        await fill_in(pilot, {
            **DESTROY, f"bag-{first}-name": "hsm-a",
            f"bag-{first}-holds": "token root-hsm-a, wiped, and its PIN envelope",
            f"bag-{second}-name": "log-2",
            f"bag-{second}-holds": "the paper log of this destruction",
            "bags-open": "hsm-a, log-1"}, "log-2")
        return f"#bag-{second}-holds", "#bags-form"

    assert form_snapshot(snap_compare, still_app(), size, theme, prepare)
