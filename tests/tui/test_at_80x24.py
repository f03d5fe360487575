"""What 80x24 must not get wrong: a read-only medium is never offered for
output (and says so on the home screen), media paths fold at their slashes,
never mid-name, and a placeholder never passes for a value."""

from __future__ import annotations

import asyncio

from ceremony.tui.room import Room, look_around
from ceremony.tui.screens.build import BuildScreen
from ceremony.tui.screens.home import room_text

from .conftest import PINNED_TOKENS, open_screen, wait_for

LONG = "/run/media/alice/KEYS-2026-NOVEMBER-BOOTSTRAP"


def test_a_read_only_medium_is_listed_as_such_and_never_offered(tmp_path, still_app):
    mounts = tmp_path / "mounts"
    mounts.write_text(
        "/dev/sr0 /media/alice/DVD\\040RECORD iso9660 ro,nosuid 0 0\n"
        f"/dev/sdb1 {LONG} vfat rw,nosuid 0 0\n"
        "proc /proc proc rw 0 0\n"
    )
    room = look_around(mounts)
    assert room.media == (LONG,) and room.read_only == ("/media/alice/DVD RECORD",)
    text = str(room_text(room))
    assert "  /run/media/alice\n    /KEYS-2026-NOVEMBER-BOOTSTRAP\n" in text  # at a slash
    assert "/media/alice/DVD RECORD\n    read-only: no output here" in text

    async def scenario():
        app = still_app(room=Room(read_only=("/media/alice/DVD",), tokens=PINNED_TOKENS))
        async with app.run_test(size=(80, 24)) as pilot:
            await open_screen(app, pilot, "bootstrap", BuildScreen)
            def holders():
                return [e for e in app.screen.query("Entry")
                        if e.placeholder == "holder" and not e.value]

            await wait_for(pilot, holders, "a key row with no holder")
            output = app.screen.query_one("#output")
            assert not output.value.startswith("/media/alice/DVD")
            # a placeholder is set apart from a value: italic, and dimmer than the text
            holder = holders()[0]  # the targets key's: no keyholder
            style = holder.get_component_rich_style("input--placeholder")
            assert style.italic
            assert style.color != holder.rich_style.color

    asyncio.run(scenario())
