"""scripts/bench: every figure of the performance table, in one run, on a regular install.

It makes a regular (non-editable) install of the working tree in a
temporary folder (bench_install.py), then runs each benchmark with that
install's interpreter and collects its figures: each a ratio against what
the work cannot avoid, measured side by side in the same run, with its
target. With --check every benchmark runs --repeat times (3 unless told);
the table gives each figure's median and spread (lowest to highest), and
the exit status is 1 when a figure misses its target by more than the
run's own noise (its lowest value is above the target). The benchmarks
outside the table (custody, tui, kit) run when named.

    ./scripts/bench [NAME ...] [--check] [--repeat N] [--keep DIR]
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

from bench_figures import Figure, parse  # noqa: E402
from bench_install import regular_install  # noqa: E402

#: the table's benchmarks, in the issue's order: name -> script
TABLE = {
    "startup": "bench_startup.py",  # --help, and verify of a small bundle
    "chain": "bench_verify.py",
    "dct": "bench_dct.py",
    "pkcs11": "bench_pkcs11.py",
    "software-keys": "bench_software_keys.py",
    "sittings": "bench_sittings.py",
    "sigstore": "bench_sigstore.py",
    "lifecycle": "bench_lifecycle.py",  # status and next, against verify of the same bundle
}
#: run only when named: they report in words, outside the table
OTHERS = {
    "custody": "bench_custody.py",
    "tui": "bench_tui.py",
    "kit": "bench_kit.py",
}
#: the benchmarks that time commands on a rehearsal's bundle, made once per bench run
ON_REHEARSAL = ("bench_startup.py", "bench_lifecycle.py")


def run_one(python: Path, script: str, scratch: Path) -> tuple[list[Figure], float]:
    """One run of a benchmark: its words echoed, its figures, its wall time."""
    argv = [str(python), str(HERE / script)]
    if script in ON_REHEARSAL:
        argv += ["--scratch", str(scratch)]
    started = time.perf_counter()
    run = subprocess.run(argv, cwd=scratch, capture_output=True, text=True)
    for line in run.stdout.splitlines():
        if not line.startswith("BENCH-FIGURES"):
            print("   " + line)
    if run.returncode != 0:
        print(run.stderr[-3000:], file=sys.stderr)
        raise SystemExit(f"bench: {script} failed (exit {run.returncode})")
    return parse(run.stdout), time.perf_counter() - started


def verdict(values: list[float], target: float, checked: bool) -> str:
    middle = statistics.median(values)
    if middle <= target:
        return "met"
    if not checked:
        return "NOT met"
    return "within noise" if min(values) <= target else "MISSED"


def table(collected: dict[str, list[Figure]], checked: bool) -> bool:
    """Print the table; False when a checked figure missed beyond its noise."""
    print("\n| figure | value | spread | target | verdict |\n|---|---|---|---|---|")
    missed = False
    for name, runs in collected.items():
        values = [figure.value for figure in runs]
        first = runs[0]
        word = verdict(values, first.target, checked)
        missed |= word == "MISSED"
        spread = f"{min(values):.2f}-{max(values):.2f}" if len(values) > 1 else "-"
        print(f"| {name} | {statistics.median(values):.2f}{first.unit} | {spread} "
              f"| <= {first.target:g}{first.unit} | {word} |")
    return not missed


def main() -> int:
    parser = argparse.ArgumentParser(prog="scripts/bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", metavar="NAME",
                        help=f"benchmarks to run (default: the table's: {', '.join(TABLE)}; "
                             f"also {', '.join(OTHERS)})")
    parser.add_argument("--check", action="store_true",
                        help="repeat each benchmark and exit 1 if a figure misses its target "
                             "by more than the run's spread")
    parser.add_argument("--repeat", type=int, help="runs of each benchmark (default 1, 3 with "
                                                   "--check)")
    parser.add_argument("--keep", type=Path, metavar="DIR",
                        help="make the regular install in DIR and keep it (when DIR has one, "
                             "only the tool's own wheel is installed again)")
    options = parser.parse_args()
    unknown = [name for name in options.names if name not in TABLE | OTHERS]
    if unknown:
        parser.error(f"no benchmark called {', '.join(unknown)}")
    names = options.names or list(TABLE)
    repeat = options.repeat or (3 if options.check else 1)
    with tempfile.TemporaryDirectory(prefix="ceremony-bench-") as temporary:
        scratch = Path(temporary)
        install = options.keep or scratch / "install"
        print(f"== a regular install of the working tree in {install}", flush=True)
        python = regular_install(install)
        collected: dict[str, list[Figure]] = {}
        for name in names:
            script = (TABLE | OTHERS)[name]
            for number in range(1, repeat + 1):
                print(f"== {name}" + (f" (run {number} of {repeat})" if repeat > 1 else ""),
                      flush=True)
                figures, seconds = run_one(python, script, scratch)
                print(f"   ({seconds:.0f} s)", flush=True)
                for figure in figures:
                    collected.setdefault(figure.figure, []).append(figure)
    if not collected:
        return 0
    ok = table(collected, options.check)
    return 1 if options.check and not ok else 0


if __name__ == "__main__":
    sys.exit(main())
