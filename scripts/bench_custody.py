#!/usr/bin/env python3
"""Benchmark of the custody hand-out path against SLIP-39 splitting alone.

The hand-out path is what a ceremony does after its keys exist: make a fresh
age identity and split it 3-of-5 (SLIP-39), seal the keys to it, write two
copies to media (here: temporary directories) with read-back, draw five PDF
share sheets (and their text twins), and run the trial restore (three shares
other than the first, recover, open both copies, match every fingerprint).
The baseline is shamir-mnemonic's split of a 32-byte secret alone, measured
in the same run. Times are process CPU time (time.process_time), the median
of several rounds after a first cold round, which is reported on its own.

Run: .venv/bin/python scripts/bench_custody.py [--rounds N]
It reports; it asserts nothing. The budget is 2 s of CPU for the whole path.
"""

from __future__ import annotations

import argparse
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

BUDGET_SECONDS = 2.0


def cpu(action) -> tuple[float, object]:
    start = time.process_time()
    result = action()
    return time.process_time() - start, result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="warm rounds (default 5)")
    rounds = parser.parse_args().rounds

    import_time, modules = cpu(_import)
    shamir_mnemonic, custody, sheets, algorithm = modules
    keys = [
        custody.CustodyKey("root-1", ("root",), algorithm("ecdsa-p256").generate()),
        custody.CustodyKey("root-2", ("root",), algorithm("ecdsa-p256").generate()),
        custody.CustodyKey("root-3", ("root",), algorithm("ed25519").generate()),
        custody.CustodyKey("targets", ("targets",), algorithm("ed25519").generate()),
    ]

    def split_alone():
        return shamir_mnemonic.generate_mnemonics(
            1, [(3, 5)], secrets.token_bytes(32), b"", extendable=False, iteration_exponent=1
        )

    def hand_out(round_number: int) -> None:
        with tempfile.TemporaryDirectory(prefix="bench-custody-") as tmp:
            made = custody.make_custody(
                keys,
                ceremony_id=f"20261126T173000Z-bench-{round_number:04d}",
                root_version=1,
                plan=custody.SharePlan.of(3, 5),
            )
            media = [Path(tmp, "a"), Path(tmp, "b")]
            for medium in media:
                medium.mkdir()
            copies = custody.write_copies(made.sealed, media)
            for share in made.shares.shares:
                sheets.share_sheet_pdf(share, made.record)
                sheets.share_sheet_text(share, made.record)
            custody.trial_restore(made.record, copies, made.shares.trial_subset())

    cold_split, _ = cpu(split_alone)
    cold_hand_out, _ = cpu(lambda: hand_out(0))
    split_times = [cpu(split_alone)[0] for _ in range(rounds)]
    hand_out_times = [cpu(lambda n=n: hand_out(n))[0] for n in range(1, rounds + 1)]
    split = statistics.median(split_times)
    whole = statistics.median(hand_out_times)

    print("custody hand-out benchmark (process CPU time)")
    print(f"  imports (custody, fpdf2, qrcode, shamir-mnemonic): {import_time:.3f} s")
    print(f"  SLIP-39 split 3-of-5 alone: {split * 1000:.1f} ms "
          f"(median of {rounds}; cold {cold_split * 1000:.1f} ms)")
    print(f"  hand-out path:              {whole * 1000:.1f} ms "
          f"(median of {rounds}; cold {cold_hand_out * 1000:.1f} ms)")
    print("    = identity + split 3-of-5 + seal 4 keys + 2 copies written and read back")
    print("      + 5 PDF and text sheets + trial restore from shares 3, 4, 5")
    print(f"  ratio hand-out / split alone: {whole / split:.1f}x")
    worst = max(cold_hand_out, *hand_out_times)
    verdict = "within" if worst < BUDGET_SECONDS else "OVER"
    print(f"  budget: worst round {worst:.3f} s, {verdict} the {BUDGET_SECONDS:.0f} s budget")
    return 0


def _import():
    import shamir_mnemonic

    import ceremony.custody as custody
    import ceremony.custody.sheets as sheets
    from hsm.algorithms import algorithm

    return shamir_mnemonic, custody, sheets, algorithm


if __name__ == "__main__":
    sys.exit(main())
