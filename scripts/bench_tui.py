#!/usr/bin/env python3
"""Benchmark the terminal UI: time to first screen, and memory in a rehearsal.

Time to first screen is measured two ways, each against ``python -c "import
textual"`` timed in the same run (the floor any Textual app pays), and given
as a ratio:

- terminal: ``python -m ceremony`` in a tmux window, from launch until the
  home screen's text is on the screen (capture-pane polled every 10 ms);
- headless: from launch until the home screen is mounted under
  ``App.run_test`` (no terminal involved).

Peak memory: a whole rehearsal driven through the UI (headless, in a child
process), its ``ru_maxrss``, next to the headless ``ceremony rehearse`` in a
child of its own. Most of either is scrypt (age passphrase encryption), so the
ratio says what the UI itself costs.

Usage: .venv/bin/python scripts/bench_tui.py [--runs N] [--no-rehearsal] [--json]
(``scripts/bench tui`` runs it with the other benchmarks.)
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PYTHON = sys.executable
HOME_TEXT = "What do you want to do?"

HEADLESS_FIRST_SCREEN = """
import asyncio, sys
from ceremony.tui.app import make_app
from ceremony.tui.screens.home import HomeScreen
async def main():
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        while not (isinstance(app.screen, HomeScreen) and app.screen.is_mounted):
            await pilot.pause(0.001)
        print("home", flush=True)
asyncio.run(main())
"""

UI_REHEARSAL = """
import asyncio, resource, sys
from pathlib import Path
from ceremony.tui.app import make_app
from ceremony.tui.screens.summary import SummaryScreen
async def main(folder):
    app = make_app(workdir=folder.parent)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("r")
        await pilot.pause()
        app.screen.query_one("#folder").value = str(folder)
        await pilot.press("enter")
        await pilot.pause()
        await app.workers.wait_for_complete()
        while not isinstance(app.screen, SummaryScreen):
            await pilot.pause(0.05)
        assert all(r.verified for r in app.screen.records), "a bundle does not verify"
asyncio.run(main(Path(sys.argv[1])))
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""

CLI_REHEARSAL = """
import resource, sys
from ceremony.cli import main
import contextlib, io
with contextlib.redirect_stdout(io.StringIO()):
    code = main(["rehearse", "--out", sys.argv[1]])
assert code == 0, "the headless rehearsal failed"
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def timed(command: list[str], *, until: str | None = None) -> float:
    """Seconds from launch until ``until`` is printed (or the command ends)."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    if until is None:
        process.communicate()
    else:
        for line in process.stdout:
            if until in line:
                break
        elapsed = time.perf_counter() - start
        process.kill()
        process.wait()
        return elapsed
    return time.perf_counter() - start


def in_tmux(socket: str) -> float:
    """Seconds from launch until the home screen is on a real terminal
    (each launch gets a tmux server of its own, ``socket``)."""
    env = {**os.environ, "TERM": "xterm-256color"}
    start = time.perf_counter()
    subprocess.run(
        ["tmux", "-L", socket, "-f", "/dev/null", "new-session", "-d", "-s", "bench",
         "-x", "80", "-y", "24", f"{PYTHON} -m ceremony"],
        check=True, env=env,
    )
    try:
        while True:
            screen = subprocess.run(
                ["tmux", "-L", socket, "capture-pane", "-p", "-t", "bench"],
                capture_output=True, text=True,
            ).stdout
            if HOME_TEXT in screen:
                return time.perf_counter() - start
            if time.perf_counter() - start > 30:
                raise RuntimeError("the home screen never appeared:\n" + screen)
            time.sleep(0.01)
    finally:
        subprocess.run(["tmux", "-L", socket, "kill-server"], capture_output=True)


def first_screen(runs: int) -> dict:
    """Medians over ``runs`` rounds; each round runs every command once, in
    turn, so machine load falls on all of them alike."""
    measures = {
        "import_textual_s": lambda n: timed([PYTHON, "-c", "import textual"]),
        "import_textual_app_s": lambda n: timed([PYTHON, "-c", "import textual.app"]),
        "headless_home_s": lambda n: timed([PYTHON, "-c", HEADLESS_FIRST_SCREEN], until="home"),
    }
    if shutil.which("tmux"):
        measures["terminal_home_s"] = lambda n: in_tmux(f"ceremony-bench-{os.getpid()}-{n}")
    for measure in measures.values():  # warm the file cache
        measure(-1)
    times: dict[str, list[float]] = {name: [] for name in measures}
    for n in range(runs):
        for name, measure in measures.items():
            times[name].append(measure(n))
    result = {name: statistics.median(values) for name, values in times.items()}
    result["headless_ratio"] = result["headless_home_s"] / result["import_textual_s"]
    if "terminal_home_s" in result:
        result["terminal_ratio"] = result["terminal_home_s"] / result["import_textual_s"]
    return result


def rehearsal_memory() -> dict:
    with tempfile.TemporaryDirectory(prefix="ceremony-bench-") as tmp:
        start = time.perf_counter()
        out = subprocess.run(
            [PYTHON, "-c", UI_REHEARSAL, str(Path(tmp) / "ui")],
            capture_output=True, text=True, check=True,
        )
        ui_seconds = time.perf_counter() - start
        ui_kib = int(out.stdout.split()[-1])
        start = time.perf_counter()
        out = subprocess.run(
            [PYTHON, "-c", CLI_REHEARSAL, str(Path(tmp) / "cli")],
            capture_output=True, text=True, check=True,
        )
        cli_seconds = time.perf_counter() - start
        cli_kib = int(out.stdout.split()[-1])
    return {
        "ui_rehearsal_peak_mib": ui_kib / 1024,
        "ui_rehearsal_s": ui_seconds,
        "cli_rehearsal_peak_mib": cli_kib / 1024,
        "cli_rehearsal_s": cli_seconds,
        "ui_over_cli_memory_ratio": ui_kib / cli_kib,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="launches per measure (median)")
    parser.add_argument("--no-rehearsal", action="store_true", help="skip the memory run")
    parser.add_argument("--json", action="store_true", help="print JSON")
    args = parser.parse_args()
    results = first_screen(args.runs)
    if not args.no_rehearsal:
        results |= rehearsal_memory()
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    print(f"python -c 'import textual'       {results['import_textual_s'] * 1000:7.0f} ms"
          "   (baseline)")
    print(f"python -c 'import textual.app'   {results['import_textual_app_s'] * 1000:7.0f} ms")
    print(f"home screen mounted (headless)   {results['headless_home_s'] * 1000:7.0f} ms"
          f"   ratio {results['headless_ratio']:.2f}")
    if "terminal_home_s" in results:
        print(f"home screen on a terminal (tmux) {results['terminal_home_s'] * 1000:7.0f} ms"
              f"   ratio {results['terminal_ratio']:.2f}")
    if "ui_rehearsal_peak_mib" in results:
        print(f"rehearsal in the UI: peak RSS    {results['ui_rehearsal_peak_mib']:7.1f} MiB"
              f"   ({results['ui_rehearsal_s']:.0f} s)")
        print(f"rehearsal headless:  peak RSS    {results['cli_rehearsal_peak_mib']:7.1f} MiB"
              f"   ({results['cli_rehearsal_s']:.0f} s)"
              f"   UI/headless {results['ui_over_cli_memory_ratio']:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
