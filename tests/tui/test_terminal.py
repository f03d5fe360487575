"""The real thing: `ceremony` in a real terminal (tmux), driven by keys.

tmux runs the installed command in a 100x30 window; the operator's keys are
sent to it (r for rehearse, Enter to accept the folder offered), the screen
is read with capture-pane until the summary is there, Ctrl+Q quits, and the
bundles on disk are checked with verify_bundle.

A rehearsal takes most of a minute, so conftest.py starts this one as soon
as the tests are collected, and it runs beside the other tests; this test
then watches it to the end. Run alone, it does the same. Under xdist only one
worker starts it (every worker collects this test, one runs it) and the worker
given this test watches that one.
"""

from __future__ import annotations

import time

import pytest

from ceremony.flavors.tuf.rehearsal_scripts import SCRIPTS
from ceremony.verify import verify_bundle

pytestmark = [pytest.mark.slow]


def test_rehearsal_in_a_real_terminal(terminal_rehearsal):
    terminal, folder_parent, started = terminal_rehearsal
    started.join(timeout=60)
    assert not started.problems, started.problems
    screen = terminal.wait_for("Rehearsal complete", timeout=300)
    assert f"{len(SCRIPTS)} bundle(s) written and verified" in screen
    assert "Transcript head" in screen
    terminal.keys("C-q")
    deadline = time.monotonic() + 15
    while not terminal.exited() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert terminal.exited(), terminal.screen()
    (folder,) = folder_parent.glob("rehearsal-*")
    for script, _ in SCRIPTS:
        report = verify_bundle(folder / script.removesuffix(".yaml"))
        assert report.ok, report.problems
