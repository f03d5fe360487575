"""The terminal going away, and `kill`, end the terminal UI's process, in a real terminal.

A terminal that hangs up (its window closed, its ssh link lost: tmux's server
killed here) sends SIGHUP. The app stops a running ceremony as Ctrl+Q would
(nothing sealed, its transcript kept as abandoned) and quits; putting back a
terminal that is gone used to leave the process waiting for ever on its writes,
unseen, or spinning on the dead terminal's end of file. SIGTERM quits with the
shell's code for it.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

import pytest

from .terminal import Terminal

pytestmark = pytest.mark.slow

CEREMONY = str(Path(sys.executable).parent / "ceremony")


def ended(pid: int) -> bool:
    """The process is gone, or only a zombie not yet reaped: every thread of it
    ended (a leader shows Z too while its other threads still run)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
        threads = len(os.listdir(f"/proc/{pid}/task"))
    except FileNotFoundError:
        return True
    return "\nState:\tZ" in status and threads <= 1


def wait_until_ended(pid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ended(pid):
            return True
        time.sleep(0.2)
    return False


@pytest.fixture
def terminal(tmp_path):
    terminal = Terminal(tmp_path, width=80, height=24)
    terminal.start(CEREMONY)
    terminal.wait_for("What do you want to do?", timeout=30)
    pid = int(terminal.tmux("display-message", "-p", "-t", "ceremony", "#{pane_pid}"))
    yield terminal, pid
    terminal.close()
    if not ended(pid):
        os.kill(pid, signal.SIGKILL)  # never leave one behind, whatever the test found


def test_a_terminal_hung_up_mid_ceremony_stops_it_and_the_process_ends(terminal, tmp_path):
    term, pid = terminal
    term.keys("r")
    term.wait_for("A new folder for the results", timeout=15)
    term.keys("Enter")
    term.wait_for("ceremony 1 of", timeout=30)
    term.close()  # the terminal goes away: SIGHUP
    assert wait_until_ended(pid, timeout=30), "the process outlived its terminal"
    (folder,) = tmp_path.glob("rehearsal-*")
    assert list(folder.glob("1-bootstrap.abandoned-*.jsonl")), sorted(os.listdir(folder))
    assert not list(folder.rglob("MANIFEST.json")), "nothing is sealed by a ceremony stopped"


def test_a_terminal_hung_up_at_home_ends_the_process(terminal):
    term, pid = terminal
    term.close()
    assert wait_until_ended(pid, timeout=30), "the process outlived its terminal"


def test_sigterm_quits_with_the_shells_code_for_it(tmp_path):
    term = Terminal(tmp_path, width=80, height=24)
    term.start(f"sh -c '{CEREMONY}; echo $? > code'")  # the shell says how it ended
    try:
        term.wait_for("What do you want to do?", timeout=30)
        shell = int(term.tmux("display-message", "-p", "-t", "ceremony", "#{pane_pid}"))
        (pid,) = [int(p) for p in Path(f"/proc/{shell}/task/{shell}/children").read_text().split()]
        os.kill(pid, signal.SIGTERM)
        assert wait_until_ended(pid, timeout=30), "SIGTERM did not end the process"
        deadline = time.monotonic() + 10
        while not (tmp_path / "code").exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert (tmp_path / "code").read_text().strip() == str(128 + signal.SIGTERM)
    finally:
        term.close()
