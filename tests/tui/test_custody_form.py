"""The custody part of the forms: typed in, written as YAML, judged by the loader.

A bootstrap form gets custody media, a sheets folder, shares 3 of 5, five
custodians and a SLIP-39 passphrase; the script it writes holds exactly that
``custody:`` block, and a loader message about the shares lands next to the
share fields. Leaving the media empty writes no custody at all. By keyboard
at 80x24, a passphrase-only bundle (the loader's words under the risks until
all three are accepted) and shares in three SLIP-39 groups on Letter paper
(its words under "Groups needed" until it is typed; a group added with
Ctrl+N) are saved from the review as shown and pass ``ceremony validate``.
Snapshots show the custody part at 80x24 and 120x40, dark and light.
"""

from __future__ import annotations

import asyncio

from ceremony.cli.main import main
from ceremony.script.load import load_script
from ceremony.tui.forms.custody import ShareGroupRowForm
from ceremony.tui.room import Room
from ceremony.tui.screens.build import BuildScreen

from .conftest import every_look, form_snapshot, wait_for
from .keyboard import choose_in, review_and_save, switch_on, tab_to, type_in

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


def saved_and_valid(still_app, tmp_path, capsys, typed, name: str):
    """Run ``typed(pilot)`` on a bootstrap form (script ``name``, a rehearsal, media
    folders in ``tmp_path``); the saved text, once ``ceremony validate`` passes it,
    and its plan."""
    for folder in ("media", "custody-a", "custody-b", "sheets"):
        (tmp_path / folder).mkdir()

    async def scenario() -> str:
        async with still_app(workdir=str(tmp_path), room=Room()).run_test(size=(80, 24)) as pilot:
            screen = await open_form(pilot)
            await type_in(pilot, "script", name)
            await switch_on(pilot, "rehearsal")
            await typed(pilot, screen)
            await wait_for(pilot, lambda: screen.problem is None, "the script to load")
            return await review_and_save(pilot)

    saved = asyncio.run(scenario())
    assert main(["validate", str(tmp_path / name)]) == 0, capsys.readouterr()
    return saved, load_script(tmp_path / name)


def test_passphrase_only_custody_by_keyboard_saved_and_valid(still_app, tmp_path, capsys):
    saved, plan = saved_and_valid(still_app, tmp_path, capsys, passphrase_only_typed,
                                  "custody.yaml")
    assert (
        "custody:\n"
        "  mode: passphrase-only\n"
        "  media: [custody-a, custody-b]\n"
        "  passphrase: prompt\n"
        "  accept-risks: [one-person-recovers, forgotten-means-lost, offline-guessing]\n"
    ) in saved
    assert plan.custody is not None and plan.custody.mode == "passphrase-only"


async def passphrase_only_typed(pilot, screen) -> None:
    await choose_in(pilot, "custody-mode", "passphrase-only")
    assert not screen.query_one("#custody-shares").display  # the shares' fields are not shown
    await type_in(pilot, "custody-media", "custody-a, custody-b")
    await switch_on(pilot, "custody-risk-one-person-recovers")
    await wait_for(pilot, lambda: screen.problem is not None, "the loader's verdict")
    shown = str(screen.query_one("#custody-risk-one-person-recovers-error").render())
    assert "does not accept forgotten-means-lost, offline-guessing" in shown, shown
    await switch_on(pilot, "custody-risk-forgotten-means-lost")
    await switch_on(pilot, "custody-risk-offline-guessing")


def test_share_groups_and_paper_by_keyboard_saved_and_valid(still_app, tmp_path, capsys):
    saved, plan = saved_and_valid(still_app, tmp_path, capsys, groups_typed, "groups.yaml")
    assert (
        "custody:\n"
        "  media: [custody-a, custody-b]\n"
        "  sheets: sheets\n"
        "  paper: Letter\n"
        "  shares:\n"
        "    groups-needed: 2\n"
        "    groups:\n"
        "      - {threshold: 2, of: 3}\n"
        "      - {threshold: 2, of: 3}\n"
        "      - {threshold: 1, of: 1}\n"
    ) in saved
    custody = plan.custody
    assert custody is not None and custody.paper == "Letter"
    assert custody.groups == ((2, 3), (2, 3), (1, 1)) and custody.group_threshold == 2


async def groups_typed(pilot, screen) -> None:
    await type_in(pilot, "custody-media", "custody-a, custody-b")
    await type_in(pilot, "custody-sheets", "sheets")
    await choose_in(pilot, "custody-paper", "Letter")
    await type_in(pilot, "custody-threshold", "2")
    await type_in(pilot, "custody-of", "3")
    first = screen.query(ShareGroupRowForm).first()
    await type_in(pilot, f"sharegroup-{first.tag}-threshold", "2")
    await type_in(pilot, f"sharegroup-{first.tag}-of", "3")
    # groups without groups-needed: the loader's words under that field
    await wait_for(pilot, lambda: screen.problem is not None, "the loader's verdict")
    shown = str(screen.query_one("#custody-groups-needed-error").render())
    assert "groups-needed" in shown, shown
    await type_in(pilot, "custody-groups-needed", "2")
    await tab_to(pilot, f"sharegroup-{first.tag}-of")
    await pilot.press("ctrl+n")  # a third group, in the groups table
    await wait_for(pilot, lambda: len(screen.query(ShareGroupRowForm)) == 2, "a new row")
    third = list(screen.query(ShareGroupRowForm))[1]
    assert pilot.app.focused.id == f"sharegroup-{third.tag}-threshold"
    await type_in(pilot, f"sharegroup-{third.tag}-threshold", "1")
    await type_in(pilot, f"sharegroup-{third.tag}-of", "1")
