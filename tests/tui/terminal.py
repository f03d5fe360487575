"""A real terminal for tests: `ceremony` in a tmux window of a fixed size.

Each Terminal runs its own tmux server (its own socket), so it never
touches anyone else's sessions, and closes only that server.
"""

from __future__ import annotations

import os
import subprocess
import time
import uuid
from pathlib import Path


class Terminal:
    def __init__(self, cwd: Path, width: int = 100, height: int = 30) -> None:
        self.socket = f"ceremony-test-{uuid.uuid4().hex}"  # never a server left by another
        self.cwd = cwd
        self.size = (width, height)

    def tmux(self, *args: str) -> str:
        result = subprocess.run(
            ["tmux", "-L", self.socket, *args], capture_output=True, text=True, timeout=30
        )
        return result.stdout

    def start(self, command: str) -> None:
        width, height = self.size
        # the pane's size, never one the test process was given (COLUMNS and LINES
        # win over the terminal's own size in Python and in Textual)
        env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
        env["TERM"] = "xterm-256color"
        subprocess.run(
            ["tmux", "-L", self.socket, "-f", "/dev/null", "new-session", "-d", "-s", "ceremony",
             "-x", str(width), "-y", str(height), "-c", str(self.cwd), command],
            check=True, env=env, timeout=30,
        )
        self.tmux("set-option", "-t", "ceremony", "remain-on-exit", "on")
        size = self.tmux("display-message", "-p", "-t", "ceremony", "#{pane_width}x#{pane_height}")
        assert size.strip() == f"{width}x{height}", f"the pane is {size.strip()}, not {self.size}"

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", "ceremony")

    def keys(self, *keys: str) -> None:
        self.tmux("send-keys", "-t", "ceremony", *keys)

    def wait_for(self, text: str, timeout: float) -> str:
        """Read the screen until ``text`` is on it."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            screen = self.screen()
            if text in screen:
                return screen
            if self.exited():
                break
            time.sleep(0.2)
        raise AssertionError(f"{text!r} never appeared; the screen shows:\n{self.screen()}")

    def exited(self) -> bool:
        return self.tmux("display-message", "-p", "-t", "ceremony", "#{pane_dead}").strip() == "1"

    def close(self) -> None:
        self.tmux("kill-server")
