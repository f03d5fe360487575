"""A failure screen names the kept transcript of the attempt, and the step
list marks the step that failed, even when the tool itself broke (the
engine then ends without a step-failed event)."""

from __future__ import annotations

import asyncio

from ceremony import events as ev
from ceremony.tui.modals.error import ErrorModal
from ceremony.tui.widgets import CURRENT, DONE, FAILED, WAITING

from .conftest import wait_for


def crashing_rotation(folder):
    """Two steps; the second breaks with a fault in the tool, after the engine
    kept the attempt's transcript beside the output (as its abandon() does)."""

    def source(operator):
        yield ev.CeremonyStarted(
            ceremony_id="20261130T090000Z-rotate-root-4da4a8f5", kind="rotate-root",
            flavor="tuf", title="Rotation", script_sha256="ab" * 32, rehearsal=False,
            tool_version="0.1.0", steps=("open-keys", "sign-root", "write-media"),
        )
        yield ev.StepStarted("open-keys", "Open the current root keys")
        yield ev.StepFinished("open-keys")
        yield ev.StepStarted("sign-root", "Sign the new root")
        (folder / "out.abandoned-20261130T090000Z.jsonl").write_text("{}\n")
        raise RuntimeError("SecretInTranscript")

    return source


async def crash(app, pilot, folder, pattern):
    app.start_ceremony(
        crashing_rotation(folder), heading="Rotation", verify=False, attempts=(folder, pattern)
    )
    await wait_for(pilot, lambda: isinstance(app.screen, ErrorModal), "the error")


def test_a_fault_in_the_tool_names_the_kept_transcript_and_marks_the_step(still_app, tmp_path):
    async def scenario():
        app = still_app()
        async with app.run_test(size=(80, 24)) as pilot:
            await crash(app, pilot, tmp_path, "out.abandoned-*.jsonl")
            modal = app.screen
            assert "internal error: RuntimeError" in modal.what
            kept = tmp_path / "out.abandoned-20261130T090000Z.jsonl"
            assert f"The transcript of the attempt is at {kept}." in modal.notes
            steps = app.run_screen.query_one("#steps").steps
            assert [state for _, _, state in steps] == [DONE, FAILED, WAITING]
            assert CURRENT not in [state for _, _, state in steps]

    asyncio.run(scenario())


def test_a_failure_with_nothing_kept_says_so(still_app, tmp_path):
    async def scenario():
        app = still_app()
        async with app.run_test(size=(80, 24)) as pilot:
            await crash(app, pilot, tmp_path, "elsewhere.abandoned-*.jsonl")
            assert any("No transcript of the attempt was kept" in n for n in app.screen.notes)

    asyncio.run(scenario())
