"""Custody questions on screen: a share handed out, a share collected.

The words typed are masked and go to the engine only; the fake stream here
reports how many words it got, never the words.
"""

from __future__ import annotations

import asyncio

from ceremony import events as ev
from ceremony.operator import Secret, ShareHandout, ShareRequest
from ceremony.tui.modals.hand_out import HandOutModal
from ceremony.tui.modals.share import ShareModal

from .conftest import wait_for
from .fakes import started


def custody_stream(got: dict):
    def source(operator):
        yield from started()[:1]
        words = operator.hand_out(
            ShareHandout(
                id="handout/share-01", ceremony_id="c", number=1, total=5, custodian="erin",
                group=1, group_count=1, member=1, member_count=5, member_threshold=3,
                group_threshold=1, sheet_pdf="/media/sheets/share-01.pdf",
                sheet_text="/media/sheets/share-01.txt", checksum_positions=(31, 32, 33),
                share=Secret("never shown on screen"),
            )
        )
        got["read back"] = words.reveal()
        answer = operator.share(ShareRequest(id="share/1", ceremony_id="c", set_id=7, number=1,
                                             progress="0 of 3 shares collected"))
        got["share"] = (answer.how, answer.words.reveal())
        got["then"] = operator.share(ShareRequest(id="share/2", ceremony_id="c", set_id=7, number=2,
                                                  progress="1 of 3 shares collected"))
        yield ev.Warning(f"{len(got['read back'].split())} words read back")

    return source


def test_hand_out_and_collect_a_share(still_app):
    got: dict = {}

    async def scenario():
        app = still_app()
        async with app.run_test(size=(80, 24)) as pilot:
            app.start_ceremony(custody_stream(got), heading="Custody", verify=False)
            def shown() -> str:
                return "\n".join(str(w.render()) for w in app.screen.query("Static"))

            # the modal is the screen before its widgets are mounted: wait for its text
            await wait_for(
                pilot,
                lambda: isinstance(app.screen, HandOutModal) and "Hand share" in shown(),
                "the hand-out",
            )
            text = shown()
            assert "Hand share 1 of 5 to erin" in text and "words 31 to 33" in text
            assert "never shown" not in text
            await pilot.press(*"apple  banana cherry", "enter")
            await wait_for(pilot, lambda: isinstance(app.screen, ShareModal), "the share prompt")
            await pilot.press(*"one two three", "enter")
            await wait_for(
                pilot,
                lambda: isinstance(app.screen, ShareModal) and app.screen.request.number == 2,
                "the next share prompt",
            )
            await pilot.press("ctrl+n")  # no more shares
            await app.workers.wait_for_complete()
            await pilot.pause()

    asyncio.run(scenario())
    assert got == {
        "read back": "apple banana cherry", "share": ("typed", "one two three"), "then": None
    }
