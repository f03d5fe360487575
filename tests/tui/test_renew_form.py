"""Renew and rotate from the last bundle: the home menu's "Renew the root",
and Ctrl+L filling the form from what ``ceremony next`` writes.

A real bootstrap (with a ``policy:``) is made headless; in the UI the renew
form is opened from the home menu, the current bundle named, and Ctrl+L
fills in the same keys to sign with, the root's expiry period and the
policy carried as written; the script it writes loads. A rotation from the
same bundle gets the new online keys (snapshot-2, timestamp-2) as key rows.
A folder that is no bundle is named under the field, with the flavor's words.
Snapshots of the renew form at 80x24 and 120x40, dark and light.

Before all that, the home screen shows the bundles on the mounted media and
when each needs its next ceremony (ceremony/tui/media_status.py): the same
bootstrap on a medium, found and judged in a thread after the first paint,
and a folder whose manifest holds no metadata, named with why; snapshots of
the home screen at 80x24, dark and light, with stand-in bundles whose
metadata (unsigned: status reads expiries, verify checks signatures) falls
inside and outside the renewal margin on the pinned clock.
"""

from __future__ import annotations

import asyncio
import shutil
from datetime import timedelta

import pytest
from test_next_script import NOW
from tuf.api.metadata import Metadata, Root, Targets

from ceremony.lifecycle import on_media
from ceremony.tui.room import Room
from ceremony.tui.screens.build import BuildScreen
from ceremony.tui.screens.home import HomeScreen

from .conftest import PINNED, PINNED_TOKENS, THEMES, every_look, form_snapshot, wait_for


@pytest.fixture(scope="module")
def last_bundle(tmp_path_factory, policy_bootstrap):
    """test_next_script's BOOTSTRAP, run at NOW (made once for the session): our copy."""
    folder = tmp_path_factory.mktemp("renew-form")
    shutil.copytree(policy_bootstrap, folder, symlinks=True, dirs_exist_ok=True)
    return folder


async def from_last(pilot, kind: str, current: str) -> BuildScreen:
    pilot.app.open_choice(kind)
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, BuildScreen), "the form")
    first = pilot.app.screen
    first.query_one("#current").value = current
    await pilot.press("ctrl+l")
    await wait_for(
        pilot,
        lambda: pilot.app.screen is not first or str(first.query_one("#current-error").render()),
        "the last bundle's script",
    )
    return pilot.app.screen


def test_renew_and_rotate_from_the_last_bundle(still_app, last_bundle):
    asyncio.run(renew_and_rotate(still_app(clock=lambda: NOW, workdir=str(last_bundle))))


async def renew_and_rotate(app) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await from_last(pilot, "renew", "nothing-here")
        assert isinstance(screen, BuildScreen) and screen.draft is None
        assert "nothing-here" in str(screen.query_one("#current-error").render())
        await pilot.press("escape")
        screen = await from_last(pilot, "renew", "v1")
        assert screen.draft is not None and screen.draft.kind == "renew"
        assert screen.query_one("#sign-with").value == "root-a, root-b"
        assert screen.query_one("#root-expires").value == "1y"
        assert "renewal-margin: 45d" in str(screen.query_one("#carried").render())
        await wait_for(pilot, lambda: screen.rendered is not None, "the verdict")
        assert screen.problem is None, screen.problem
        text = screen.rendered.text
        assert "ceremony: renew\n" in text and "sign-with: [root-a, root-b]\n" in text
        assert "policy:\n  renewal-margin: 45d\n" in text and "keys:" not in text
        await pilot.press("escape")
        screen = await from_last(pilot, "rotate-root", "v1")
        assert screen.draft is not None
        names = [row.name for row in screen.draft.keys]
        assert names == ["timestamp-2", "snapshot-2"] or names == ["snapshot-2", "timestamp-2"]
        await wait_for(pilot, lambda: screen.rendered is not None, "the verdict")
        text = screen.rendered.text
        assert "  timestamp: {keys: [timestamp-2], threshold: 1, expires: 7d}\n" in text
        assert "  root: {keys: [root-a, root-b], threshold: 2, expires: 1y}\n" in text
        assert screen.problem is None, screen.problem


@every_look
def test_renew_form(snap_compare, still_app, size, theme):
    async def prepare(pilot):
        pilot.app.open_choice("renew")
        await wait_for(pilot, lambda: pilot.app.screen.query("#renewal-form"), "the form")
        pilot.app.screen.query_one("#current").value = "../media/2026-11-bootstrap"
        pilot.app.screen.query_one("#sign-with").value = "root-alice, root-bob"
        await pilot.pause()
        return "#root-expires", "#form > *"

    assert form_snapshot(snap_compare, still_app(), size, theme, prepare)


def bundles_pane(app) -> str:
    found = app.screen.query("#media-bundles")  # none before the home screen is composed
    return str(found.first().render()) if found else ""


def test_home_shows_the_bundles_on_the_media(still_app, last_bundle, tmp_path):
    medium = tmp_path / "KEYS-1"
    shutil.copytree(last_bundle / "v1", medium / "2026" / "v1")
    (medium / "broken").mkdir()
    (medium / "broken" / "MANIFEST.json").write_text("{}")
    (medium / "notes").mkdir()  # no manifest: not a bundle
    app = still_app(clock=lambda: NOW, room=Room(media=(str(medium),), tokens=PINNED_TOKENS))
    asyncio.run(shows_the_bundles(app))


async def shows_the_bundles(app) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: "Bundles" in bundles_pane(app), "the bundles")
        assert isinstance(app.screen, HomeScreen)
        lines = [line.strip() for line in bundles_pane(app).splitlines()]
        renew_by = NOW + timedelta(days=365 - 45)  # the bootstrap's policy: 45 days
        assert lines[lines.index("2026/v1") + 1] == f"fine, due {renew_by:%Y-%m-%d}"
        assert lines[lines.index("broken") + 1].startswith("cannot read: no root metadata")
        assert "notes" not in lines


def stand_in(folder, root_expires, targets_expires):
    """A bundle's metadata, unsigned: what status reads (its expiries)."""
    (folder / "metadata").mkdir(parents=True)
    (folder / "MANIFEST.json").write_text("{}")
    Metadata(Root(expires=root_expires)).to_file(str(folder / "metadata" / "1.root.json"))
    Metadata(Targets(expires=targets_expires)).to_file(str(folder / "metadata" / "targets.json"))


@pytest.mark.parametrize("theme", THEMES)
def test_home_with_bundles(snap_compare, still_app, tmp_path, monkeypatch, theme):
    old, new = tmp_path / "old", tmp_path / "new"
    stand_in(old, PINNED + timedelta(days=20), PINNED + timedelta(days=90))  # inside 30 days
    stand_in(new, PINNED + timedelta(days=365), PINNED + timedelta(days=180))
    bundles = [("2026-01-bootstrap", old), ("2026-11-rotate-root", new)]
    monkeypatch.setattr(on_media, "bundles_on", lambda media: bundles)

    async def run_before(pilot):
        pilot.app.theme = theme
        await wait_for(pilot, lambda: "RENEW" in bundles_pane(pilot.app), "the bundles")

    assert snap_compare(still_app(), terminal_size=(80, 24), run_before=run_before)
