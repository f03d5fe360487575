"""Cold start of `ceremony --help` against `python -c pass`, in the same run.

Target: at most 3x. Each command runs alternately many times; the medians
are compared, so machine load affects both sides alike.
"""

import statistics
import subprocess
import sys
import time

ROUNDS = 25


def timed(argv: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    baseline_cmd = [sys.executable, "-c", "pass"]
    help_cmd = [sys.executable, "-m", "ceremony", "--help"]
    for argv in (baseline_cmd, help_cmd):
        timed(argv)  # warm the file cache
    baseline, helped = [], []
    for _ in range(ROUNDS):
        baseline.append(timed(baseline_cmd))
        helped.append(timed(help_cmd))
    base, cold = statistics.median(baseline), statistics.median(helped)
    ratio = cold / base
    print(f"python -c pass       median {base * 1000:7.1f} ms")
    print(f"ceremony --help      median {cold * 1000:7.1f} ms")
    print(f"ratio {ratio:.2f}x (target <= 3x): {'ok' if ratio <= 3 else 'OVER TARGET'}")


if __name__ == "__main__":
    main()
