"""The policy part of the forms: typed at the keyboard, written as ``policy:``, loader-judged.

A bootstrap form gets a renewal margin of 45 days, a critical margin of 10
and the snapshot and timestamp keys replaced every 90 days, each typed after
Tab; the script it writes holds exactly that ``policy:`` block and loads
(the Plan's policy says the same). A critical margin longer than the renewal
margin gets the loader's own words under the field; a length that is no
length gets them under the role's field. Empty, no ``policy:`` is written.
A dct form offers only the roles a dct ceremony replaces (no timestamp: the
Notary server's). Snapshots of the part at 80x24 and 120x40, dark and light.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

from ceremony.script.load import load_script_text
from ceremony.tui.screens.build import BuildScreen

from .conftest import PINNED, every_look, form_snapshot, wait_for
from .keyboard import type_in

POLICY = {
    "policy-renewal-margin": "45d",
    "policy-critical-margin": "10d",
    "policy-rotation-snapshot": "90d",
    "policy-rotation-timestamp": "90d",
}


async def open_form(pilot, kind: str = "bootstrap") -> BuildScreen:
    pilot.app.open_choice(kind)
    await wait_for(pilot, lambda: pilot.app.screen.query("#policy-form"), "the policy form")
    screen = pilot.app.screen
    assert isinstance(screen, BuildScreen)
    await wait_for(pilot, lambda: screen.rendered is not None, "the first verdict")
    return screen


def error_under(screen: BuildScreen, field_id: str) -> str:
    return str(screen.query_one(f"#{field_id}-error").render())


def test_policy_is_typed_written_and_judged_by_the_loader(still_app):
    asyncio.run(policy_typed(still_app()))


async def policy_typed(app) -> None:
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await open_form(pilot)
        assert "policy:" not in screen.rendered.text  # nothing typed: no policy
        assert screen.problem is None, screen.problem
        for field_id, value in POLICY.items():
            await type_in(pilot, field_id, value)
        await wait_for(pilot, lambda: "rotation" in screen.rendered.text, "the policy block")
        assert (
            "policy:\n"
            "  renewal-margin: 45d\n"
            "  critical-margin: 10d\n"
            "  rotation: {snapshot: 90d, timestamp: 90d}\n"
        ) in screen.rendered.text
        assert screen.problem is None, screen.problem
        plan = load_script_text(screen.rendered.text, base_dir=Path("/srv/ceremony"), now=PINNED)
        assert plan.policy.renewal_margin == timedelta(days=45)
        assert plan.policy.critical_margin == timedelta(days=10)
        assert dict(plan.policy.rotation) == {"snapshot": timedelta(days=90),
                                              "timestamp": timedelta(days=90)}

        await type_in(pilot, "policy-critical-margin", "60d")
        await wait_for(pilot, lambda: screen.problem is not None, "the margins' verdict")
        shown = error_under(screen, "policy-renewal-margin")
        assert "critical margin is longer than the renewal margin" in shown, shown
        await type_in(pilot, "policy-critical-margin", "10d")
        await type_in(pilot, "policy-rotation-timestamp", "quarterly")
        await wait_for(pilot, lambda: screen.problem is not None, "the length's verdict")
        shown = error_under(screen, "policy-rotation-timestamp")
        assert "30d, 12w or 1y" in shown, shown

        for field_id in POLICY:
            await type_in(pilot, field_id, "")
        await wait_for(pilot, lambda: screen.problem is None, "no policy")
        assert "policy:" not in screen.rendered.text


def test_a_dct_form_offers_the_roles_dct_replaces(still_app):
    asyncio.run(dct_roles(still_app()))


async def dct_roles(app) -> None:
    async with app.run_test(size=(100, 40)) as pilot:
        pilot.app.push_screen(BuildScreen("bootstrap", flavor="dct"))
        await wait_for(pilot, lambda: pilot.app.screen.query("#policy-form"), "the dct form")
        screen = pilot.app.screen
        assert not screen.query("#policy-rotation-timestamp")  # the Notary server's key
        await type_in(pilot, "policy-rotation-snapshot", "90d")
        await wait_for(pilot, lambda: "rotation" in screen.rendered.text, "the policy block")
        assert "policy:\n  rotation: {snapshot: 90d}\n" in screen.rendered.text


@every_look
def test_policy_form(snap_compare, still_app, size, theme):
    async def prepare(pilot):
        screen = await open_form(pilot)
        for field_id, value in POLICY.items():
            screen.query_one(f"#{field_id}").value = value
        screen.query_one("#policy-critical-margin").value = "60d"
        await wait_for(pilot, lambda: screen.problem is not None, "the loader's verdict")
        return "#policy-critical-margin", "#policy-form"

    assert form_snapshot(snap_compare, still_app(), size, theme, prepare)
