#!/usr/bin/env python3
"""Benchmark: offline bootstrap of many Docker Content Trust GUNs with one root key.

For every GUN a bootstrap signs three things: the GUN's root certificate and
root.json with the one root key, and targets.json with the GUN's targets key.
The baseline is the same raw ECDSA signatures alone (``sign_raw`` over
payloads of the same sizes, same keys) in the same run; the ratio is the cost
of everything the format layer adds (certificate DER, canonical JSON, key ids,
DER-to-raw conversion). Target: at most 1.3x.

Two bootstrap runs are timed: signing only (``check=False``), which the target
is about, and the default (``check=True``), which also verifies every
certificate and signature before handing files out (an ECDSA verification
costs about twice a signature). Keys (one ECDSA P-256 root key, one targets key
per GUN, made-up Ed25519 server keys) are made before timing. The timings
are CPU seconds, best of ``--repeats`` interleaved runs. Peak memory is
reported as the process's maximum RSS and as tracemalloc's peak for a run that
keeps all GUNs' files in memory.

    .venv/bin/python scripts/bench_dct.py [--guns 1000] [--json]
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_figures import Figure, emit  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ed25519  # noqa: E402

from ceremony.flavors.dct.notary.keyids import key_for_public_key  # noqa: E402
from ceremony.flavors.dct.notary.repository import NewGun, bootstrap_guns  # noqa: E402
from ceremony.flavors.dct.notary.serverkeys import ServerKeys  # noqa: E402
from ceremony.flavors.dct.notary.signing import NotarySigner  # noqa: E402
from hsm.algorithms import ALGORITHMS  # noqa: E402
from hsm.software import SoftwareKey  # noqa: E402

CHUNK = 50
TARGET = 1.3


def make_inputs(count: int):
    p256 = ALGORITHMS["ecdsa-p256"]
    root_key = SoftwareKey.generate(p256)
    guns = [f"registry.example.com/bench/repo-{i:05d}" for i in range(count)]
    targets_keys = [SoftwareKey.generate(p256) for _ in guns]
    # as the engine would: each key prepared for notary once, then used for every GUN
    root_key, targets_keys = NotarySigner(root_key), [NotarySigner(k) for k in targets_keys]
    server_keys = [
        ServerKeys(
            timestamp=key_for_public_key(ed25519.Ed25519PrivateKey.generate().public_key()),
            snapshot=key_for_public_key(ed25519.Ed25519PrivateKey.generate().public_key()),
        )
        for _ in guns
    ]
    return root_key, guns, targets_keys, server_keys


def bootstrap_all(root_key, guns, targets_keys, server_keys, check: bool):
    """One batch, as the bootstrap kind signs its GUNs (kinds/bootstrap.py)."""
    return bootstrap_guns(
        [
            NewGun(gun, [targets_key], keys)
            for gun, targets_key, keys in zip(guns, targets_keys, server_keys, strict=True)
        ],
        root_signers=[root_key],
        check=check,
    )


def raw_signatures(root_key, targets_keys, sizes):
    """The same signatures as a bootstrap makes, with nothing around them."""
    cert_payload, root_payload, targets_payload = (b"\x01" * size for size in sizes)
    for targets_key in targets_keys:
        root_key.sign_raw(cert_payload)
        root_key.sign_raw(root_payload)
        targets_key.sign_raw(targets_payload)


def timed(function, *args):
    """CPU seconds spent in ``function``: other work on a shared machine barely moves it."""
    start = time.process_time()
    result = function(*args)
    return time.process_time() - start, result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--guns", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    root_key, guns, targets_keys, server_keys = make_inputs(args.guns)
    sample = bootstrap_all(root_key, guns[:1], targets_keys[:1], server_keys[:1], check=True)[0]
    tbs_size = len(sample.root_keys[0].certificate.tbs_certificate_bytes)
    sizes = (tbs_size, len(sample.files["root"]) - 200, len(sample.files["targets"]) - 150)

    # Interleaved in small chunks, so that other work on a shared machine slows
    # every contender alike; the whole run is repeated (fresh GUN names each
    # time, so no cache is warm) and the best total of each contender is kept.
    best = {"raw": float("inf"), "signing": float("inf"), "checked": float("inf")}
    for repeat in range(args.repeats):
        names = [f"{gun}-r{repeat}" for gun in guns]
        totals = dict.fromkeys(best, 0.0)
        for start in range(0, args.guns, CHUNK):
            part = slice(start, start + CHUNK)
            totals["raw"] += timed(raw_signatures, root_key, targets_keys[part], sizes)[0]
            totals["signing"] += timed(
                bootstrap_all, root_key, names[part], targets_keys[part], server_keys[part], False
            )[0]
            totals["checked"] += timed(
                bootstrap_all, root_key, names[part], targets_keys[part], server_keys[part], True
            )[0]
        best = {name: min(best[name], totals[name]) for name in best}
    raw, signing, checked = best["raw"], best["signing"], best["checked"]

    tracemalloc.start()
    updates = bootstrap_all(root_key, guns, targets_keys, server_keys, True)
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    file_bytes = sum(len(data) for update in updates for data in update.files.values())
    max_rss_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    result = {
        "guns": args.guns,
        "signatures": 3 * args.guns,
        "raw_ecdsa_seconds": round(raw, 3),
        "bootstrap_signing_seconds": round(signing, 3),
        "bootstrap_checked_seconds": round(checked, 3),
        "ratio_signing": round(signing / raw, 2),
        "ratio_checked": round(checked / raw, 2),
        "target_ratio": TARGET,
        "metadata_bytes_in_memory": file_bytes,
        "tracemalloc_peak_mib": round(traced_peak / 2**20, 1),
        "max_rss_mib": round(max_rss_kib / 1024, 1),
    }
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(f"{args.guns} GUNs, one root key, {3 * args.guns} ECDSA P-256 signatures")
        print(f"  raw signatures alone          {raw:8.3f} s CPU")
        print(f"  bootstrap, signing only       {signing:8.3f} s CPU   "
              f"ratio {signing / raw:.2f}x (target <= {TARGET}x)")
        print(f"  bootstrap, every sig checked  {checked:8.3f} s CPU   ratio {checked / raw:.2f}x")
        print(f"  metadata kept in memory       {file_bytes / 2**20:8.1f} MiB")
        print(f"  peak traced allocations       {traced_peak / 2**20:8.1f} MiB")
        print(f"  peak RSS of the process       {max_rss_kib / 1024:8.1f} MiB")
        emit(Figure(f"DCT bootstrap of {args.guns} GUNs / raw ECDSA signatures",
                    signing / raw, TARGET))
    return 0


if __name__ == "__main__":
    sys.exit(main())
