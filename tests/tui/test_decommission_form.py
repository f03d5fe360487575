"""The decommission form, its key destruction part and its tamper-evident bags.

The keys to destroy and the files to wipe, the next root's expiry below
them; then the bags: two sealed (the second row added with Ctrl+N in the
table) and the bags the current bundle's ceremony sealed, opened today.
Snapshots of the destruction part at 80x24 and 120x40 (where the bags show
too), dark and light, and of the bags at 80x24. The keyboard's way through
the form, Ctrl+L from a real bundle, a bag typed in and the headless run of
the saved script are in test_forms.py.
"""

from __future__ import annotations

import pytest

from ceremony.tui.forms.bags import BagRowForm
from ceremony.tui.screens.build import BuildScreen

from .conftest import THEMES, every_look, form_snapshot, wait_for


async def fill_in(pilot) -> str:
    """The decommission form opened and filled in; the id of the second bag's
    "what goes in" field, once the script holds it all."""
    pilot.app.push_screen(BuildScreen("decommission"))
    await wait_for(pilot, lambda: pilot.app.screen.query("#decommission-form"), "the form")
    screen = pilot.app.screen
    first = screen.query_one(BagRowForm).tag
    screen.query_one(f"#bag-{first}-name").focus()
    await pilot.press("ctrl+n")  # in the bags table: a second row
    await wait_for(pilot, lambda: len(screen.query(BagRowForm)) == 2, "a second row")
    second = screen.query(BagRowForm).last().tag
    for field_id, value in {
        "current": "../media/2027-05-rotation", "sign-with": "root-alice, root-bob",
        "destroy": "root-carol",
        "wipe-key-files": "../media/2027-05-rotation/keys/offline/root-carol.age",
        f"bag-{first}-name": "hsm-a",
        f"bag-{first}-holds": "token root-hsm-a, wiped, and its PIN envelope",
        f"bag-{second}-name": "log-2", f"bag-{second}-holds": "the paper log of this destruction",
        "bags-open": "hsm-a, log-1",
    }.items():
        screen.query_one(f"#{field_id}").value = value
    await wait_for(pilot, lambda: "log-2" in (screen.rendered.text if screen.rendered else ""),
                   "judged")
    return f"#bag-{second}-holds"


@every_look
def test_decommission_form(snap_compare, still_app, size, theme):
    async def prepare(pilot):
        await fill_in(pilot)
        return "#destroy", "#decommission-form"

    assert form_snapshot(snap_compare, still_app(), size, theme, prepare)


@pytest.mark.parametrize("theme", THEMES)
def test_bags_form(snap_compare, still_app, theme):
    async def prepare(pilot):
        return await fill_in(pilot), "#bags-form"

    assert form_snapshot(snap_compare, still_app(), (80, 24), theme, prepare)
