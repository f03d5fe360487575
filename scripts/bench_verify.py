"""Benchmark: `ceremony verify` on a 1,000-version root chain against python-tuf.

Makes a bundle whose root was rotated 999 times (ed25519, threshold 2 of 3,
one root key replaced at every version) in a temporary directory, then times,
in the same run and alternating, several repetitions of:

- ceremony: ``verify_bundle(path)``, every check of ``ceremony verify``
  (the manifest's hashes, the root chain, the key index, the transcript),
  reading the files from disk;
- python-tuf: the same root-chain checks done with python-tuf's Metadata API,
  reading the same files: ``Metadata.from_bytes``, ``Root.verify_delegate``
  with the old root and with the new one at each step, the version against
  the file name, every keyid against the sha256 of its canonical key, and the
  newest root's expiry.

It also times the root-chain checks alone on bytes already in memory, both
ways. It prints both medians and the ratio (target: at most 0.35: what a
client cannot avoid is each version's threshold of signatures, old and new,
and python-tuf checks more than that).

Run it with the interpreter of a regular install (``./scripts/bench chain``
makes one), or: .venv/bin/python scripts/bench_verify.py [--versions N] [--repetitions N]
From another script: ``run(report=print) -> dict``.
"""

from __future__ import annotations

import argparse
import hashlib
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

TOP = Path(__file__).resolve().parent.parent
# the tests' bundle maker; ceremony itself comes from the interpreter's install
sys.path[:0] = [str(TOP / "scripts"), str(TOP / "tests")]

from bench_figures import Figure, emit  # noqa: E402
from bundle_factory import BundleMaker  # noqa: E402
from securesystemslib.formats import encode_canonical  # noqa: E402
from tuf.api.metadata import Metadata, Root  # noqa: E402

from ceremony.flavors.tuf.verify.root_history import check_root_history  # noqa: E402
from ceremony.verify import verify_bundle  # noqa: E402
from ceremony.verify.contents import BundleContents  # noqa: E402
from ceremony.verify.keys import KeyRing, PublicKey  # noqa: E402

TARGET = 0.35


def make_chain(dest: Path, versions: int) -> Path:
    maker = BundleMaker(algorithm="ed25519", root_keys=3, threshold=2, with_targets=False)
    for _ in range(versions - 1):
        maker.rotate(replace=1)
    return maker.write(dest)


def python_tuf_checks(root_files: list[bytes], now: datetime) -> None:
    """What a python-tuf user would write for the same root-chain checks."""
    previous = None
    for number, data in enumerate(root_files, start=1):
        metadata = Metadata[Root].from_bytes(data)
        root = metadata.signed
        if root.type != "root" or root.version != number:
            raise AssertionError(f"version {number} is wrong")
        for keyid, key in root.keys.items():
            canonical = encode_canonical(key.to_dict()).encode("utf-8")
            if hashlib.sha256(canonical).hexdigest() != keyid:
                raise AssertionError(f"keyid {keyid} is wrong")
        payload = metadata.signed_bytes
        if previous is not None:
            previous.verify_delegate(Root.type, payload, metadata.signatures)
        root.verify_delegate(Root.type, payload, metadata.signatures)
        previous = root
    if previous.is_expired(now):
        raise AssertionError("the newest root expired")


def read_roots(bundle: Path, versions: int) -> list[bytes]:
    return [(bundle / "metadata" / f"{n}.root.json").read_bytes() for n in range(1, versions + 1)]


def timed(work: Callable[[], object]) -> float:
    """CPU seconds of ``work``: other work on a shared machine barely moves it."""
    start = time.process_time()
    work()
    return time.process_time() - start


def run(
    report: Callable[[str], None] = print, *, versions: int = 1000, repetitions: int = 5
) -> dict:
    """Make the chain, time both sides, report lines, return the numbers."""
    with tempfile.TemporaryDirectory(prefix="bench-verify-") as scratch:
        started = time.perf_counter()
        bundle = make_chain(Path(scratch) / "bundle", versions)
        report(f"made a {versions}-version root chain in {time.perf_counter() - started:.1f} s")
        now = datetime.now(UTC)

        first = verify_bundle(bundle)
        if not first.ok or first.root_versions != list(range(1, versions + 1)):
            raise SystemExit("the benchmark bundle does not verify:\n" + "\n".join(first.lines()))
        python_tuf_checks(read_roots(bundle, versions), now)  # and python-tuf agrees

        roots = read_roots(bundle, versions)
        in_memory = BundleContents.from_bytes(
            {f"metadata/{n}.root.json": data for n, data in enumerate(roots, start=1)}
            | {"metadata/root.json": roots[-1]}
        )

        checked = signatures_checked(in_memory, now)

        def signatures_alone():
            for key, signature, payload in checked:
                key.verifies(signature, payload)

        def ceremony_chain_only():
            problems: list = []
            check_root_history(in_memory, KeyRing(), now, "", problems)
            assert not problems, problems

        names = ("full", "tuf_disk", "chain", "tuf_memory", "floor")
        times: dict[str, list[float]] = {name: [] for name in names}
        for _ in range(repetitions):
            times["full"].append(timed(lambda: verify_bundle(bundle)))
            times["tuf_disk"].append(
                timed(lambda: python_tuf_checks(read_roots(bundle, versions), now))
            )
            times["chain"].append(timed(ceremony_chain_only))
            times["tuf_memory"].append(timed(lambda: python_tuf_checks(roots, now)))
            times["floor"].append(timed(signatures_alone))

    medians = {name: statistics.median(values) for name, values in times.items()}
    results = {
        "versions": versions,
        "repetitions": repetitions,
        "ceremony_verify_s": medians["full"],
        "python_tuf_s": medians["tuf_disk"],
        "ratio": medians["full"] / medians["tuf_disk"],
        "chain_only_s": medians["chain"],
        "python_tuf_in_memory_s": medians["tuf_memory"],
        "chain_only_ratio": medians["chain"] / medians["tuf_memory"],
        "signatures": len(checked),
        "signatures_s": medians["floor"],
    }
    report(
        f"ceremony verify (every check, from disk): {results['ceremony_verify_s']:.3f} s median"
    )
    report(f"python-tuf root-chain checks (from disk): {results['python_tuf_s']:.3f} s median")
    report(f"ratio: {results['ratio']:.2f} (target <= {TARGET})")
    report(
        f"root chain alone, in memory: ceremony {results['chain_only_s']:.3f} s, "
        f"python-tuf {results['python_tuf_in_memory_s']:.3f} s, "
        f"ratio {results['chain_only_ratio']:.2f}"
    )
    report(
        f"the signatures a client must check ({results['signatures']}: each version's "
        f"threshold, old and new) alone: {results['signatures_s']:.3f} s; ceremony verify "
        f"is {results['ceremony_verify_s'] / results['signatures_s']:.2f}x that floor, "
        f"python-tuf {results['python_tuf_s'] / results['signatures_s']:.2f}x"
    )
    return results


def signatures_checked(contents: BundleContents, now: datetime) -> list[tuple]:
    """Each (key, signature, payload) the chain check verifies, in order: the
    floor, timed alone."""
    checked: list[tuple] = []
    original = PublicKey.verifies

    def recording(key: PublicKey, signature: bytes, payload: bytes) -> bool:
        checked.append((key, signature, payload))
        return original(key, signature, payload)

    PublicKey.verifies = recording
    try:
        check_root_history(contents, KeyRing(), now, "", [])
    finally:
        PublicKey.verifies = original
    return checked


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--versions", type=int, default=1000)
    parser.add_argument("--repetitions", type=int, default=5)
    options = parser.parse_args()
    results = run(versions=options.versions, repetitions=options.repetitions)
    emit(Figure(f"{options.versions}-version root chain: ceremony verify / python-tuf",
                results["ratio"], TARGET))
    return 0


if __name__ == "__main__":
    sys.exit(main())
