"""Test helper: the command lines of this process and its children, sampled.

A secret passed on a command line is visible to every user of the machine
(``ps``, /proc/PID/cmdline) for as long as the process runs. While a
``with ArgvWatch():`` block runs, a thread reads /proc/PID/cmdline of this
process and of every process descended from it, every few milliseconds,
and keeps each distinct command line it saw, for a test to scan.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path


def _parents() -> dict[int, int]:
    """Every process's parent, from /proc/PID/stat."""
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:  # it ended meanwhile
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    return parents


def family(root: int) -> set[int]:
    """``root`` and every process descended from it."""
    parents = _parents()
    found = {root}
    grew = True
    while grew:
        grew = False
        for pid, parent in parents.items():
            if parent in found and pid not in found:
                found.add(pid)
                grew = True
    return found


class ArgvWatch:
    """Collects the command lines seen in this process's family while active."""

    def __init__(self, every: float = 0.02) -> None:
        self.every = every
        self.seen: set[bytes] = set()
        self.samples = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def _watch(self) -> None:
        while not self._stop.is_set():
            for pid in family(os.getpid()):
                try:
                    self.seen.add(Path(f"/proc/{pid}/cmdline").read_bytes())
                except OSError:
                    continue
            self.samples += 1
            self._stop.wait(self.every)

    def __enter__(self) -> ArgvWatch:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join()
