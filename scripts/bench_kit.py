#!/usr/bin/env python3
"""Benchmark of the offline kit: its size, and its build time against the tool's wheel alone.

A cold build (an empty, temporary download cache: everything fetched from
PyPI and Debian) runs once and is reported on its own, network included.
Then warm builds (downloads cached) and the baseline, building the tool's
own wheel alone from the same commit, run alternately; the medians are
compared. The kit's size is reported against the 100 MB budget, without and
with --rehearsal-tools.

Run: .venv/bin/python scripts/bench_kit.py [--rounds N]   (./scripts/bench kit)
It reports; it asserts nothing.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from offline_kit.wheels import build_own_wheel, git  # noqa: E402

BUDGET_MB = 100.0


def build(out: Path, *options: str) -> float:
    start = time.perf_counter()
    subprocess.run([str(HERE / "offline-kit"), str(out), *options],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def own_wheel(out: Path) -> float:
    start = time.perf_counter()
    build_own_wheel(HERE.parent, git(HERE.parent, "rev-parse", "HEAD"), out)
    return time.perf_counter() - start


def megabytes(folder: Path) -> float:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file()) / 1e6


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="warm rounds (default 3)")
    rounds = parser.parse_args().rounds
    with tempfile.TemporaryDirectory(prefix="bench-kit-") as scratch:
        folder = Path(scratch)
        cold = build(folder / "cold", "--cache", str(folder / "cache"))
        warm, baseline = [], []
        for round_number in range(rounds):
            warm.append(build(folder / f"warm-{round_number}", "--cache", str(folder / "cache")))
            baseline.append(own_wheel(folder / f"wheel-{round_number}"))
        build(folder / "rehearsal", "--cache", str(folder / "cache"), "--rehearsal-tools")
        kit, rehearsal = folder / "cold", folder / "rehearsal"
        size, with_tools = megabytes(kit), megabytes(rehearsal)
        print("offline kit benchmark (wall time)")
        print(f"  kit size:         {size:6.1f} MB (wheels {megabytes(kit / 'wheels'):.1f} MB, "
              f"debs {megabytes(kit / 'debs'):.1f} MB), "
              f"{'within' if size < BUDGET_MB else 'OVER'} the {BUDGET_MB:.0f} MB budget")
        print(f"  with --rehearsal-tools: {with_tools:6.1f} MB")
        print(f"  cold build (downloads included): {cold:6.1f} s")
        median_warm, median_wheel = statistics.median(warm), statistics.median(baseline)
        print(f"  warm build:       {median_warm:6.2f} s (median of {rounds})")
        print(f"  own wheel alone:  {median_wheel:6.2f} s (median of {rounds})")
        print(f"  ratio warm build / own wheel alone: {median_warm / median_wheel:.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
