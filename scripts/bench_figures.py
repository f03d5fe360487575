"""How a benchmark of scripts/bench hands its figures to the table.

A benchmark prints what it measured in words, then one line
``BENCH-FIGURES [...]``: a JSON list of figures, each a value against a
target (a ratio against what the work cannot avoid, or MiB above it).
scripts/bench_table.py reads that line; run alone, a benchmark's words are
enough. The helpers here time a child process by the CPU it used, which
other work on a shared machine barely moves.
"""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import asdict, dataclass

MARK = "BENCH-FIGURES "


@dataclass(frozen=True)
class Figure:
    """One row of the table: ``value`` (in ``unit``) against ``target``."""

    figure: str
    value: float
    target: float
    unit: str = "x"  # "x": a ratio; "MiB": memory above the floor

    @property
    def met(self) -> bool:
        return self.value <= self.target


def emit(*figures: Figure) -> None:
    """Print the figures for the table, after the words."""
    for figure in figures:
        verdict = "met" if figure.met else "NOT met"
        print(f"  -> {figure.figure}: {figure.value:.2f}{figure.unit} "
              f"(target <= {figure.target:g}{figure.unit}): {verdict}")
    print(MARK + json.dumps([asdict(figure) for figure in figures]), flush=True)


def parse(output: str) -> list[Figure]:
    """The figures a benchmark printed (none when it printed no mark)."""
    for line in reversed(output.splitlines()):
        if line.startswith(MARK):
            return [Figure(**item) for item in json.loads(line[len(MARK):])]
    return []


def child_cpu(argv: list[str], env: dict[str, str] | None = None) -> float:
    """CPU seconds (user + system) a child process used, from start to exit."""
    process = subprocess.Popen(
        argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env
    )
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"bench: {' '.join(argv)} exited with {process.returncode}")
    return usage.ru_utime + usage.ru_stime


def child_peak_mib(argv: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """(CPU seconds, peak resident MiB) of a child process, from start to exit."""
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, env=env)
    _, status, usage = os.wait4(process.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"bench: {' '.join(argv)} failed")
    return usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024
