"""The summary says everything a ceremony made: roles in a fixed order with
"threshold N, M signatures", the meters as they ended, keys and where they
live, custody (copies written and verified, shares and to whom, the test
restore) and media. A failure after every step ran (writing the bundle)
never reads as finished: the step list, the dialog and the summary say the
bundle was not sealed."""

from __future__ import annotations

from ceremony.tui.modals.error import ErrorModal
from ceremony.tui.screens.run import SEALING
from ceremony.tui.screens.summary import SummaryScreen
from ceremony.tui.widgets import DONE, FAILED

from .conftest import play, settle, wait_for
from .fakes import fake_rotation


def shown(screen) -> str:
    return "\n".join(str(w.render()) for w in screen.query("Static"))


def test_the_summary_says_everything_made(still_app):
    async def check(app, pilot):
        await settle(pilot, SummaryScreen)
        text = shown(app.screen)
        roles = [line.split()[0] for line in text.splitlines() if "threshold " in line]
        assert roles == ["root", "targets", "snapshot", "timestamp"]
        assert "root      threshold 2, 2 signatures: root-alice 25649aef" in text
        assert "targets   threshold 1, not signed here: targets 11223344" in text
        assert "Current root v1  ██ ░░  1 of 2, 1 more needed" in text
        assert "New root v2      ██ ██  2 of 2, met ✓" in text
        assert "file keys/offline/root-dave.age (age-encrypted)" in text
        assert "root-dave sealed, any 3 of 5 shares (set id 7)" in text
        copy = "/media/bob/KEYS-2/custody-4da4a8f5.age"
        assert f"copy {copy}: written, read back, opened by the test restore" in text
        assert "share 3 of 5 to carol (read back)" in text
        assert "restore ✓ shares 2, 4, 5 opened it; every key matched" in text
        assert f"custody copy: {copy}" in text
        assert "5 share sheets: /media/alice/KEYS-1/sheets" in text
        assert "Ceremony complete" in text
        steps = app.run_screen.query_one("#steps").steps
        assert steps[-1] == (SEALING, "Seal the bundle (written, verified, named)", DONE)

    play(still_app, fake_rotation("end"), check, (120, 40))


def test_a_failure_writing_the_bundle_never_reads_finished(still_app):
    async def check(app, pilot):
        await wait_for(pilot, lambda: isinstance(app.screen, ErrorModal), "the error")
        assert app.screen.heading.startswith("Every step ran, but writing the bundle failed")
        run = app.run_screen
        steps = run.query_one("#steps").steps
        assert steps[-1][0] == SEALING and steps[-1][2] == FAILED
        assert [state for *_, state in steps[:-1]] == [DONE] * (len(steps) - 1)
        title = str(run.query_one("#step-title").render())
        assert title == "✗ Writing the bundle failed: nothing was sealed"
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is run, "the run screen")
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, SummaryScreen), "the summary")
        text = shown(app.screen)
        assert "Ceremony stopped: not everything was sealed" in text
        assert "✗ No bundle was written" in text
        assert "every step ran, then writing the bundle failed" in text
        for finished in ("complete", "✓", "Ceremony finished"):
            assert finished not in text

    play(still_app, fake_rotation("sealing"), check, (80, 24))
