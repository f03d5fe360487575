"""Lifecycle: `ceremony status` and `ceremony next --kind renew` of a bundle, against its verify.

Run with the interpreter of a regular install (scripts/bench makes one): the
console script `ceremony` next to it is what an operator runs. The bundle is
a rehearsal's rotate-root (made once by `ceremony rehearse` in --scratch, as
bench_startup.py makes it). `ceremony next` verifies the bundle before it
writes the next script from it, so `ceremony verify` of the same bundle is what
it cannot avoid; `ceremony status` reads each role's newest file as strictly as
verify does (it leaves the signatures to verify), so verify bounds it from
above. Each command runs alternately with `ceremony verify` many times, each
timed by the CPU its process used (user + system); the medians are compared,
so machine load moves both sides alike. Each `next` writes a new script (it
never overwrites one). Targets: each at most 1.3x verify.

    python scripts/bench_lifecycle.py [--rounds N] [--scratch DIR]
"""

from __future__ import annotations

import sys
import tempfile
from itertools import count
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_figures import Figure, emit  # noqa: E402
from bench_startup import BIN, medians, rehearsal_options, small_bundle  # noqa: E402

STATUS_TARGET = 1.3
NEXT_TARGET = 1.3


def main() -> int:
    options = rehearsal_options(__doc__, 30)
    with tempfile.TemporaryDirectory(prefix="bench-lifecycle-") as temporary:
        bundle = str(small_bundle(options.scratch or Path(temporary)))
        cmd = str(BIN / "ceremony")
        scripts = (str(Path(temporary) / f"next-{n}.yaml") for n in count())
        next_argv = [cmd, "next", bundle, "--kind", "renew", "-o"]
        found = medians({
            "verify": [cmd, "verify", bundle],
            "status": [cmd, "status", bundle],
            "next": lambda: [*next_argv, next(scripts)],  # never over a script
        }, options.rounds)
    base = found["verify"]
    for name, words in (("verify", "ceremony verify (small)"), ("status", "ceremony status"),
                        ("next", "ceremony next --kind renew")):
        print(f"  {words:29} median {found[name] * 1000:7.1f} ms CPU   "
              f"{found[name] / base:5.2f}x")
    emit(
        Figure("ceremony status small bundle / ceremony verify", found["status"] / base,
               STATUS_TARGET),
        Figure("ceremony next --kind renew small bundle / ceremony verify",
               found["next"] / base, NEXT_TARGET),
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
