"""The custody part of the forms: typed in, written as YAML, judged by the loader.

A bootstrap form gets custody media, a sheets folder, shares 3 of 5, five
custodians and a SLIP-39 passphrase; the script it writes holds exactly that
``custody:`` block, and a loader message about the shares lands next to the
share fields. Leaving the media empty writes no custody at all. Snapshots show
the custody part at 80x24 and 120x40, dark and light.
"""

from __future__ import annotations

import asyncio

from ceremony.tui.screens.build import BuildScreen

from .conftest import every_look, form_snapshot, wait_for

CUSTODY = {
    "custody-media": "/media/custody-a, /media/custody-b",
    "custody-sheets": "/media/sheets",
    "custody-threshold": "3",
    "custody-of": "5",
    "custody-custodians": "erin, frank, grace, heidi, ivan",
}


async def open_form(pilot, kind: str = "bootstrap") -> BuildScreen:
    pilot.app.open_choice(kind)
    await wait_for(pilot, lambda: pilot.app.screen.query("#custody-media"), "the custody form")
    screen = pilot.app.screen
    assert isinstance(screen, BuildScreen)
    return screen


def test_custody_is_written_as_typed_and_judged_by_the_loader(still_app):
    asyncio.run(custody_typed(still_app()))


async def custody_typed(app) -> None:
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await open_form(pilot)
        assert "custody:" not in screen.rendered.text  # no media: no custody bundle
        for field_id, value in CUSTODY.items():
            screen.query_one(f"#{field_id}").value = value
        screen.query_one("#custody-slip39").value = True
        await wait_for(pilot, lambda: "custodians" in screen.rendered.text, "the custody block")
        assert (
            "custody:\n"
            "  media: [/media/custody-a, /media/custody-b]\n"
            "  sheets: /media/sheets\n"
            "  shares: {threshold: 3, of: 5}\n"
            "  custodians: [erin, frank, grace, heidi, ivan]\n"
            "  slip39-passphrase: prompt\n"
        ) in screen.rendered.text
        assert screen.problem is None, screen.problem
        screen.query_one("#custody-threshold").value = "6"
        await wait_for(pilot, lambda: screen.problem is not None, "the loader's verdict")
        shown = str(screen.query_one("#custody-threshold-error").render())
        assert "6" in shown and "5" in shown, shown
        screen.query_one("#custody-threshold").value = "3"
        screen.query_one("#custody-custodians").value = "erin, frank"
        await wait_for(pilot, lambda: screen.problem is not None, "the custodians verdict")
        assert "custodians" in str(screen.query_one("#custody-custodians-error").render())
        screen.query_one("#custody-media").value = ""
        await wait_for(pilot, lambda: screen.problem is None, "custody gone")
        assert "custody:" not in screen.rendered.text


@every_look
def test_custody_form(snap_compare, still_app, size, theme):
    async def prepare(pilot):
        screen = await open_form(pilot)
        for field_id, value in CUSTODY.items():
            screen.query_one(f"#{field_id}").value = value
        screen.query_one("#custody-of").value = "two"
        await wait_for(pilot, lambda: screen.problem is not None, "the loader's verdict")
        return "#custody-of", "#custody-form"

    assert form_snapshot(snap_compare, still_app(), size, theme, prepare)
