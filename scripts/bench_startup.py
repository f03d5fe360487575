"""Start-up: `ceremony --help`, and `ceremony verify` of a small bundle, against `python -c pass`.

Run with the interpreter of a regular install (scripts/bench makes one in a
temporary folder): the console script `ceremony` next to it is what an
operator runs. The small bundle is a rehearsal's rotate-root (made once by
`ceremony rehearse` in --scratch, or in a temporary folder). For scale, it
also times a bare interpreter importing cryptography's signature checks,
which any verifier built on cryptography pays before it checks anything. Each command
runs alternately with `python -c pass` many times; each is timed by the CPU
its process used (user + system), and the medians are compared, so machine
load moves both sides alike. Targets: --help at most 2x, verify at most 4x.

    python scripts/bench_startup.py [--rounds N] [--scratch DIR]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_figures import Figure, child_cpu, emit  # noqa: E402

BIN = Path(sys.executable).parent
#: a command line, or what makes a new one for each run
Command = list[str] | Callable[[], list[str]]
HELP_TARGET = 2.0
VERIFY_TARGET = 4.0
#: what verify cannot do without: cryptography's ECDSA and Ed25519 public keys (verify
#: makes keys from their raw bytes, so loads no serialization package, see verify/spki.py)
CRYPTO = ("import cryptography.hazmat.primitives.asymmetric.ec, "
          "cryptography.hazmat.primitives.asymmetric.ed25519")


def small_bundle(scratch: Path) -> Path:
    """A rehearsal's rotate-root bundle, made in ``scratch`` the first time."""
    rehearsal = scratch / "rehearsal"
    if not (rehearsal / "3-rotate-root").is_dir():
        subprocess.run([str(BIN / "ceremony"), "rehearse", "--out", str(rehearsal)],
                       check=True, stdout=subprocess.DEVNULL)
    return rehearsal / "3-rotate-root"


def medians(commands: dict[str, Command], rounds: int) -> dict[str, float]:
    """Each command's median CPU over ``rounds`` interleaved runs (a callable gives a
    new command line for each run)."""
    for argv in commands.values():
        child_cpu(argv() if callable(argv) else argv)  # warm the file cache
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(rounds):
        for name, argv in commands.items():
            times[name].append(child_cpu(argv() if callable(argv) else argv))
    return {name: statistics.median(values) for name, values in times.items()}


def rehearsal_options(doc: str, rounds: int) -> argparse.Namespace:
    """The command line of a benchmark timing commands on the rehearsal's bundle."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=rounds)
    parser.add_argument("--scratch", type=Path, help="a folder to keep the rehearsal in")
    return parser.parse_args()


def main() -> int:
    options = rehearsal_options(__doc__, 40)
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as temporary:
        bundle = small_bundle(options.scratch or Path(temporary))
        cmd = str(BIN / "ceremony")
        found = medians({
            "pass": [sys.executable, "-c", "pass"],
            "help": [cmd, "--help"],
            "version": [cmd, "version"],
            "verify": [cmd, "verify", str(bundle)],
            "crypto": [sys.executable, "-c", CRYPTO],
        }, options.rounds)
    base = found["pass"]
    for name, words in (("pass", "python -c pass"), ("help", "ceremony --help"),
                        ("version", "ceremony version"), ("verify", "ceremony verify (small)"),
                        ("crypto", "import cryptography's checks")):
        print(f"  {words:29} median {found[name] * 1000:7.1f} ms CPU   "
              f"{found[name] / base:5.2f}x")
    emit(
        Figure("ceremony --help / python -c pass", found["help"] / base, HELP_TARGET),
        Figure("ceremony verify small bundle / python -c pass", found["verify"] / base,
               VERIFY_TARGET),
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
