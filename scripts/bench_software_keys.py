"""Software-key bootstrap against its scrypt floor: time and peak memory.

The bootstrap is the rehearsal's first script without its custody section
(six software keys, each sealed in an age file under its passphrase and read
back: two scrypt runs at work factor 18 per key), run headless by
`ceremony run` in a child process. The floor is a child doing those twelve
scrypt runs alone with `cryptography`, nothing else. Both are timed by the
CPU their process used, alternately, best of --rounds; peak memory is each
process's maximum resident set. Targets: at most 1.1x the floor's time, at
most 32 MiB above the floor's peak.

    python scripts/bench_software_keys.py [--rounds N]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_figures import Figure, child_peak_mib, emit  # noqa: E402

TIME_TARGET = 1.1
MEMORY_TARGET_MIB = 32.0
FLOOR = """
import os
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
for _ in range({runs}):
    Scrypt(salt=os.urandom(16), length=32, n=2**18, r=8, p=1).derive(b"a passphrase")
"""


def bootstrap_script(folder: Path) -> tuple[Path, Path, int]:
    """The script, its secrets file (mode 600) and how many keys it makes."""
    from ceremony.flavors.tuf.rehearsal_scripts import BOOTSTRAP

    script = folder / "bootstrap.yaml"
    script.write_text(BOOTSTRAP.split("\ncustody:")[0] + "\n", encoding="utf-8")
    keys = [line.split("name: ")[1].split(",")[0]
            for line in BOOTSTRAP.splitlines() if line.startswith("  - {name: ")]
    secrets = folder / "secrets.yaml"
    secrets.touch(mode=0o600)
    secrets.write_text("".join(f"{key}: bench passphrase for {key}\n" for key in keys),
                       encoding="utf-8")
    return script, secrets, len(keys)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2)
    rounds = parser.parse_args().rounds
    ceremony = str(Path(sys.executable).parent / "ceremony")
    best = {"floor": (float("inf"), 0.0), "bootstrap": (float("inf"), 0.0)}
    with tempfile.TemporaryDirectory(prefix="bench-software-keys-") as scratch:
        script, secrets, keys = bootstrap_script(Path(scratch))
        floor = [sys.executable, "-c", FLOOR.format(runs=2 * keys)]
        for round_number in range(rounds):
            output = Path(scratch, f"run-{round_number}")
            output.mkdir()
            (output / script.name).write_bytes(script.read_bytes())
            runs = {
                "floor": floor,
                "bootstrap": [ceremony, "run", str(output / script.name),
                              "--secrets", str(secrets), "--yes"],
            }
            for name, argv in runs.items():
                cpu, peak = child_peak_mib(argv, env=dict(os.environ))
                best[name] = (min(best[name][0], cpu), max(best[name][1], peak))
    (floor_cpu, floor_peak), (boot_cpu, boot_peak) = best["floor"], best["bootstrap"]
    for words, cpu, peak in ((f"{2 * keys} scrypt runs alone", floor_cpu, floor_peak),
                             (f"bootstrap, {keys} software keys", boot_cpu, boot_peak)):
        print(f"  {words:28} {cpu:6.2f} s CPU, peak {peak:6.1f} MiB")
    emit(
        Figure("software-key bootstrap / its scrypt floor", boot_cpu / floor_cpu, TIME_TARGET),
        Figure("software-key bootstrap peak above a bare scrypt", boot_peak - floor_peak,
               MEMORY_TARGET_MIB, unit="MiB"),
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
