"""Screenshots of the screens an operator meets, at 80x24 and 120x40.

The app is pinned (clock, room, working folder, no animation, no cursor
blink) and the run screens replay a scripted root rotation (fakes.py), so
each picture is the same on every run. Update them with
``pytest tests/tui --snapshot-update`` and look at what changed.
"""

from __future__ import annotations

import pytest

from ceremony import events as ev
from ceremony.custody import ShareCollector
from ceremony.operator import SecretKind, SecretRequest, ShareRequest
from ceremony.tui.modals.confirm import ConfirmModal
from ceremony.tui.modals.error import ErrorModal
from ceremony.tui.modals.secret import SecretModal
from ceremony.tui.modals.share import ShareModal
from ceremony.tui.screens.build import BuildScreen
from ceremony.tui.screens.summary import SummaryScreen

from .conftest import SIZES, every_look, settle, wait_for
from .fakes import fake_rotation, started


def themed(theme, run_before):
    """``run_before``, with the app switched to ``theme`` first."""

    async def run(pilot):
        pilot.app.theme = theme
        await run_before(pilot)

    return run


@pytest.mark.parametrize("size", SIZES)
def test_home(snap_compare, still_app, size):
    assert snap_compare(still_app(), terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_form_with_a_validation_error(snap_compare, still_app, size):
    async def run_before(pilot):
        pilot.app.open_choice("bootstrap")
        await wait_for(pilot, lambda: pilot.app.screen.query("#role-root-threshold"), "the form")
        field = pilot.app.screen.query_one("#role-root-threshold")
        field.focus()
        await pilot.pause()
        field.value = "two"
        await wait_for(pilot, lambda: pilot.app.screen.problem is not None, "the loader's verdict")
        assert isinstance(pilot.app.screen, BuildScreen)

    assert snap_compare(still_app(), terminal_size=size, run_before=run_before)


def start(pilot, until: str) -> None:
    pilot.app.start_ceremony(fake_rotation(until), heading="Rotation", verify=False)


def run_screen(pilot):
    return pilot.app.run_screen


@pytest.mark.parametrize("size", SIZES)
def test_running_step(snap_compare, still_app, size):
    async def run_before(pilot):
        start(pilot, "running")
        await wait_for(
            pilot,
            lambda: run_screen(pilot) and len(run_screen(pilot).records[0].keys) == 2
            if run_screen(pilot) and run_screen(pilot).records else False,
            "a new key",
        )

    assert snap_compare(still_app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_passphrase_prompt(snap_compare, still_app, size):
    async def run_before(pilot):
        start(pilot, "secret")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, SecretModal), "the prompt")
        await pilot.press(*"not shown")

    assert snap_compare(still_app(), terminal_size=size, run_before=run_before)


@every_look
def test_meters_moving(snap_compare, still_app, size, theme):
    """Mid-signing: one signature in, both meters at 1 of 2; the keys so far listed."""
    async def run_before(pilot):
        start(pilot, "signing")
        await wait_for(
            pilot,
            lambda: run_screen(pilot) and run_screen(pilot).records
            and run_screen(pilot).records[0].thresholds.get("new") == (1, 2),
            "the meters at 1 of 2",
        )

    assert snap_compare(still_app(), terminal_size=size, run_before=themed(theme, run_before))


@every_look
def test_write_confirmation(snap_compare, still_app, size, theme):
    """The typed `write` confirmation, a typo in it saying why Enter is dimmed, and
    the meters and keys kept in sight below it."""
    async def run_before(pilot):
        start(pilot, "write")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConfirmModal), "the question")
        await pilot.press(*"wrte")
        await wait_for(pilot, lambda: pilot.app.screen.query_one("#typed-why").display, "why")

    assert snap_compare(still_app(), terminal_size=size, run_before=themed(theme, run_before))


@pytest.mark.parametrize("size", SIZES)
def test_error_modal(snap_compare, still_app, size):
    async def run_before(pilot):
        start(pilot, "failed")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ErrorModal), "the error")
        await settle(pilot)

    assert snap_compare(still_app(), terminal_size=size, run_before=run_before)


@every_look
def test_summary(snap_compare, still_app, size, theme):
    async def run_before(pilot):
        start(pilot, "end")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, SummaryScreen), "the summary")
        await settle(pilot)

    assert snap_compare(still_app(), terminal_size=size, run_before=themed(theme, run_before))


@every_look
def test_share_word_error(snap_compare, still_app, size, theme):
    """A recovery's share modal after a word that is not in the SLIP-39 list,
    checked by the engine's own collector as it was typed (masked), the words
    so far shown as numbered masks with the wrong one marked."""
    collector = ShareCollector()

    def source(operator):
        yield from started()[:1]
        operator.share(ShareRequest(
            id="share/1", ceremony_id="20261130T090000Z-bootstrap-3f2a9c1e", set_id=7, number=1,
            progress="0 shares collected; any 3 of the 5 shares are needed",
            check_words=lambda typed: collector.check_partial(typed, source="typed"),
        ))
        operator.leaving.wait(30)

    async def run_before(pilot):
        pilot.app.start_ceremony(source, heading="Recovery", verify=False)
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ShareModal), "the share modal")
        await pilot.press(*"academic acid ", *"acadmic ")
        await wait_for(pilot, lambda: pilot.app.screen.word_problem, "the word check")
        assert "This share, word 3: not in the SLIP-39 word list" in pilot.app.screen.word_problem

    assert snap_compare(still_app(), terminal_size=size, run_before=themed(theme, run_before))


def test_pin_prompt(snap_compare, still_app):
    def source(operator):
        yield from started()[:2]
        operator.secret(SecretRequest("pin/root-hsm-a", "pin/root-hsm-a",
                                      "PIN for token 'root-hsm-a' (serial 9c1e77b03f2a4d5e)",
                                      kind=SecretKind.PIN))
        yield ev.Warning("unreachable")

    async def run_before(pilot):
        pilot.app.start_ceremony(source, heading="Bootstrap", verify=False)
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, SecretModal), "the PIN prompt")
        await pilot.press(*"123456")

    assert snap_compare(still_app(), terminal_size=(80, 24), run_before=run_before)
