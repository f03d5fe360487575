#!/usr/bin/env python3
"""Benchmark: the Sigstore flavor's work around its signatures, bootstrap and update-trust.

A Sigstore bootstrap reads and checks the instance's trust material, builds
trusted_root.json and the signing config, and signs root version 1, targets
(carrying them), snapshot and timestamp; an update-trust does the same but
for the root. Each is timed here through the flavor's own steps (asked
through the Flavor interface, on a Context of the rehearsal's script with
stand-in material and open software keys, nothing written), against what it
cannot avoid, in the same run: the same signatures made raw (``sign_raw``
over payloads of the same sizes, same keys) and the trust material's
certificate checks made with ``cryptography`` alone (each certificate of the
Fulcio and TSA chains checked once against its issuer, the root against
itself: the P-384 checks cost far more than the signatures). The ratio is the
cost of everything else the flavor adds (reading the files and the other checks
of certificates and keys, the documents, the metadata's canonical and file
bytes, the one check of each signature and the threshold meters). Keys
are made and opened before timing; the age encryption of stored keys is the
engine's and is left out. The steps run inside one ``remembering`` block each
time, as a ceremony's steps run (engine/run.py): a signature is checked once.
The flavor's step list is asked for once, before timing, as the engine asks for
it once per ceremony before its first step (``flavor.steps(plan)``); every
round then runs every one of those steps' actions, whole.
CPU seconds, best of ``--repeats`` interleaved runs. Target: 1.5x for each.

Run it with the interpreter of a regular install (scripts/bench makes one):
it imports the tool as installed.

    python scripts/bench_sigstore.py [--rounds 50] [--repeats 3] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_figures import Figure, emit  # noqa: E402
from cryptography import x509  # noqa: E402

from ceremony.checked import remembering  # noqa: E402
from ceremony.engine.context import Context  # noqa: E402
from ceremony.engine.keyring import KeyRecord  # noqa: E402
from ceremony.flavor import flavor_named  # noqa: E402
from ceremony.flavors.sigstore.rehearsal import SCRIPTS  # noqa: E402
from ceremony.flavors.sigstore.standins import write_standins  # noqa: E402
from ceremony.rehearsal.operator import RehearsalOperator  # noqa: E402
from ceremony.script.load import load_script_text  # noqa: E402
from hsm.algorithms import ALGORITHMS  # noqa: E402
from hsm.signer import public_pem  # noqa: E402
from hsm.software import SoftwareKey  # noqa: E402

BOOTSTRAP_STEPS = ("trust-material", "root-metadata", "targets-metadata", "mirror-metadata")
UPDATE_STEPS = ("trust-material", "targets-metadata", "mirror-metadata")
TARGET = 1.5


def open_context(folder: Path) -> Context:
    """A Context of the rehearsal bootstrap with every key made and open (no custody)."""
    text = dict(SCRIPTS)["1-bootstrap.yaml"].split("cosign-keys:")[0]  # trust: filled in
    plan = load_script_text(text, base_dir=folder)
    ctx = Context(plan, flavor_named(plan.flavor), RehearsalOperator(), lambda: datetime.now(UTC))
    for spec in plan.keys:
        signer = SoftwareKey.generate(ALGORITHMS[spec.algorithm])
        ctx.add_key(
            KeyRecord(
                name=spec.name,
                keyid=ctx.flavor.key_id(signer.crypto_public_key),
                algorithm=spec.algorithm,
                backend="software",
                location="memory:",
                public_pem=public_pem(signer.crypto_public_key),
                roles=ctx.flavor.key_roles(plan, spec.name),
                signer=signer,
            )
        )
    return ctx


Actions = list[Callable[[Context], Iterable[object]]]


def actions(ctx: Context, ids: tuple[str, ...]) -> Actions:
    """The actions of the steps ``ids``, from the flavor's step list for the plan, asked
    for once as the engine asks for it once per ceremony (engine/run.py)."""
    steps = {step.id: step.action for step in flavor_named("sigstore").steps(ctx.plan)}
    return [steps[step_id] for step_id in ids]


def run_steps(ctx: Context, steps: tuple[str, ...] | Actions, keep_root: bool) -> None:
    """The steps (their ids, or their :func:`actions` asked for before), inside one
    ``remembering`` block as the engine runs a ceremony's steps (engine/run.py): each
    run starts with nothing remembered."""
    todo = actions(ctx, steps) if isinstance(steps, tuple) else steps
    root = ctx.work.root if keep_root else None
    ctx.work = ctx.flavor.start_work(ctx)
    ctx.work.root = root
    with remembering():
        for action in todo:
            for _event in action(ctx):
                pass


def raw_signatures(ctx: Context, sizes: list[tuple[str, int]]) -> None:
    for name, size in sizes:
        ctx.keys[name].signer.sign_raw(b"\x01" * size)


def chains(trust: Path) -> list[tuple[x509.Certificate, x509.Certificate]]:
    """Each certificate of the stand-in chains with its issuer (a root with itself)."""
    pairs = []
    for path in sorted(trust.glob("*-chain.pem")):
        chain = x509.load_pem_x509_certificates(path.read_bytes())
        pairs += [(cert, chain[i + 1] if i + 1 < len(chain) else cert)
                  for i, cert in enumerate(chain)]
    return pairs


def chain_checks(pairs: list[tuple[x509.Certificate, x509.Certificate]]) -> None:
    for cert, issuer in pairs:
        cert.verify_directly_issued_by(issuer)


def timed(function: Callable[..., object], *args: object) -> float:
    start = time.process_time()
    function(*args)
    return time.process_time() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_standins(folder / "trust", datetime.now(UTC))
        ctx = open_context(folder)
        run_steps(ctx, BOOTSTRAP_STEPS, keep_root=False)  # warm, and the sizes signed
        work = ctx.work
        sizes = {
            "root": len(work.root.signed_bytes),
            "targets": len(work.targets.signed_bytes),
            "snapshot": len(work.snapshot.signed_bytes),
            "timestamp": len(work.timestamp.signed_bytes),
        }
        # every open key of a role signs (the ceremony signs with all three root keys)
        signers = {role: ctx.plan.role(role).keys for role in sizes}
        bootstrap_raw = [(name, sizes[role]) for role in sizes for name in signers[role]]
        update_raw = [(n, s) for n, s in bootstrap_raw if not n.startswith("root-")]

        pairs = chains(folder / "trust")
        bootstrap = actions(ctx, BOOTSTRAP_STEPS)  # once, as the engine asks (not timed)
        update = actions(ctx, UPDATE_STEPS)
        names = ("raw_bootstrap", "bootstrap", "raw_update", "update", "chains")
        best = dict.fromkeys(names, float("inf"))
        for _ in range(args.repeats):
            totals = dict.fromkeys(best, 0.0)
            for _ in range(args.rounds):
                totals["chains"] += timed(chain_checks, pairs)
                totals["raw_bootstrap"] += timed(raw_signatures, ctx, bootstrap_raw)
                totals["bootstrap"] += timed(run_steps, ctx, bootstrap, False)
                totals["raw_update"] += timed(raw_signatures, ctx, update_raw)
                totals["update"] += timed(run_steps, ctx, update, True)
            best = {name: min(best[name], totals[name]) for name in best}

    bootstrap_floor = best["raw_bootstrap"] + best["chains"]
    update_floor = best["raw_update"] + best["chains"]
    result = {
        "rounds": args.rounds,
        "certificate_checks": len(pairs),
        "certificate_checks_seconds": round(best["chains"], 3),
        "bootstrap_signatures": len(bootstrap_raw),
        "update_signatures": len(update_raw),
        "raw_bootstrap_seconds": round(best["raw_bootstrap"], 3),
        "bootstrap_seconds": round(best["bootstrap"], 3),
        "ratio_bootstrap": round(best["bootstrap"] / bootstrap_floor, 2),
        "raw_update_seconds": round(best["raw_update"], 3),
        "update_seconds": round(best["update"], 3),
        "ratio_update": round(best["update"] / update_floor, 2),
    }
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(f"{args.rounds} rounds, best of {args.repeats}, CPU seconds")
        rows = [
            (f"certificate checks alone ({len(pairs)})", best["chains"], ""),
            (f"raw signatures, bootstrap ({len(bootstrap_raw)})", best["raw_bootstrap"], ""),
            ("sigstore bootstrap steps", best["bootstrap"], result["ratio_bootstrap"]),
            (f"raw signatures, update-trust ({len(update_raw)})", best["raw_update"], ""),
            ("sigstore update-trust steps", best["update"], result["ratio_update"]),
        ]
        for label, seconds, ratio in rows:
            tail = f"   ratio {ratio:.2f}x" if ratio else ""
            print(f"  {label:<36}{seconds:8.3f} s{tail}")
        print("  (each ratio against its raw signatures and the certificate checks)")
        emit(
            Figure("Sigstore bootstrap / its raw signatures and certificate checks",
                   best["bootstrap"] / bootstrap_floor, TARGET),
            Figure("Sigstore update-trust / its raw signatures and certificate checks",
                   best["update"] / update_floor, TARGET),
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
