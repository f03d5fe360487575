"""Correcting a mistyped share word without retyping 33 words blind: the
words typed so far show as numbered masks (countable, nothing of a word
shown), Ctrl+W removes one word, and after a failing checksum Enter keeps
the words and selects the one the checksum points at (the engine's own
collector, ShareCollector.check_partial, finds it), so typing replaces it."""

from __future__ import annotations

from custody_helpers import make

from ceremony.custody import ShareCollector
from ceremony.operator import ShareRequest
from ceremony.tui.modals.share import ShareModal

from .conftest import play, wait_for
from .fakes import started


def recovery(collector, given):
    def source(operator):
        yield from started()[:1]
        given.append(operator.share(ShareRequest(
            id="share/1", ceremony_id=collector.record.ceremony_id,
            set_id=collector.record.share_set.identifier, number=1,
            progress="0 shares collected; any 3 of the 5 shares are needed",
            check_words=lambda typed: collector.check_partial(typed, source="typed"),
            sheet_of=collector.sheet_of,
        )))
        operator.leaving.wait(30)

    return source


def test_a_wrong_word_is_selected_and_replaced_and_ctrl_w_removes_one(still_app):
    custody = make()
    words = list(custody.shares.shares[1].words)
    wrong = list(words)
    wrong[9] = next(w for w in ("academic", "acid", "acne") if w != words[9])
    given: list = []

    async def check(app, pilot):
        await wait_for(pilot, lambda: isinstance(app.screen, ShareModal), "the share dialog")
        modal = app.screen
        entry = modal.query_one("#share-words")
        entry.insert_text_at_cursor(" ".join(wrong[:32]) + " ")  # typed, in one go
        await pilot.press(*wrong[32], "enter")
        assert modal.word_problem.startswith("Share 2 of 5: the checksum fails: word 10 looks")
        assert app.screen is modal and entry.value == " ".join(wrong)  # every word kept
        start = len(" ".join(wrong[:9])) + 1
        assert (entry.selection.start, entry.selection.end) == (start, start + len(wrong[9]))
        grid = str(modal.query_one("#share-words-typed").render())
        assert grid.count("•••") == 33 and "33·•••" in grid
        assert all(w not in grid for w in words)  # nothing of a word shows
        assert modal.marked == (10,)
        await pilot.press(*words[9])  # replaces the selected word
        assert entry.value == " ".join(words) and not modal.word_problem
        await pilot.press("end", "ctrl+w")  # one word goes, not all
        assert entry.value == " ".join(words[:32]) + " "
        assert str(modal.query_one("#share-words-typed").render()).count("•••") == 32
        await pilot.press(*words[32], "enter")
        await wait_for(pilot, lambda: given, "the share given")
        assert given[0].words.reveal() == " ".join(words)

    play(still_app, recovery(ShareCollector(custody.record), given), check)
