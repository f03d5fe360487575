"""A toy flavor made in the test suite: the proof that a flavor is an adapter.

"Toy" signs one JSON file, ``toy.json`` (a version, an expiry, the root
keys by id and a threshold), with plain software keys kept as age files. It
answers the whole Flavor interface (ceremony/flavor.py) from here: script
fields and rules, key ids (sha256 of the DER public key), preflight, the
steps of a bootstrap (the shared preflight, key and media steps, plus one
signing step of its own), its bundle, its verifier and its inspector, and a
rehearsal. Nothing in ceremony/ names it: the test registers it and runs a
bootstrap through the real loader, engine, bundle writer and verify.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization

from ceremony.custody.record import CustodyRecord
from ceremony.engine import utc_now
from ceremony.engine.context import Context
from ceremony.engine.current import CurrentState
from ceremony.engine.key_files import AGE_KEY_FILE, KeyFileFormat
from ceremony.engine.keyring import KeyRecord
from ceremony.engine.preflight_result import PreflightResult
from ceremony.engine.step import Step
from ceremony.events import Event, MetadataBuilt, SignatureAdded, ThresholdMet
from ceremony.inspect import columns, days_words, key_rows
from ceremony.lifecycle.lifetime import Lifetime
from ceremony.rehearsal.operator import RehearsalOperator
from ceremony.rehearsal.run import default_folder, new_folder, run_scripts
from ceremony.script import rules
from ceremony.script.fields import read_role
from ceremony.script.flavor_fields import FlavorScript, ScriptReading
from ceremony.script.kind_fields import ScriptRules
from ceremony.script.plan import Plan
from ceremony.script.rules import Problem
from ceremony.signed_repository import SignedRepository, names_no_repositories
from ceremony.steps.common import make_keys, preflight_step, write_media_step
from ceremony.threshold import threshold_result
from ceremony.verify.contents import BundleContents
from ceremony.verify.problem import Problem as BundleProblem
from ceremony.verify.report import VerificationReport
from ceremony.verify.times import as_utc, utc_text
from hsm.algorithms import algorithm_of_public_key

FILE = "toy.json"

SCRIPT = """\
format: 1
ceremony: bootstrap
flavor: toy
title: A toy root, two keys of three
rehearsal: true
output: toy-bundle
keyholders: [{name: ann}, {name: ben}, {name: cy}]
keys:
  - {name: root-ann, holder: ann, algorithm: ed25519}
  - {name: root-ben, holder: ben, algorithm: ecdsa-p256}
  - {name: root-cy, holder: cy, algorithm: ed25519}
roles:
  root: {keys: [root-ann, root-ben, root-cy], threshold: 2, expires: 1y}
"""


def key_id(public_key: Any) -> str:
    der = public_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return hashlib.sha256(der).hexdigest()


def canonical(value: object) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":")).encode()


@dataclass
class ToyWork:
    document: bytes = b""


def read_script(reading: ScriptReading) -> FlavorScript:
    roles = reading.fields["roles"]
    roles.mapping("Write roles as root: {keys: [...], threshold: N, expires: ...}")
    fields = roles.fields(("root",), ("root",), noun="role")
    return FlavorScript(roles=(read_role("root", fields["root"], reading.now),))


def sign_document(ctx: Context) -> Iterator[Event]:
    role = ctx.plan.role("root")
    assert role is not None
    records = [ctx.keys[name] for name in role.keys]
    signed = {
        "version": 1,
        "expires": utc_text(role.expires),
        "threshold": role.threshold,
        "keys": {record.keyid: record.public_pem for record in records},
    }
    payload = canonical(signed)
    yield MetadataBuilt(
        role="toy", version=1, expires=signed["expires"], sha256=hashlib.sha256(payload).hexdigest()
    )
    signatures = {}
    for record in records:
        assert record.signer is not None
        signatures[record.keyid] = record.signer.sign_raw(payload).hex()
        yield SignatureAdded(role="toy", version=1, key=record.name, keyid=record.keyid)
    counted = threshold_result(signed["keys"], role.threshold, signatures)
    yield ThresholdMet(role="toy", version=1, group="new", have=counted.have, need=counted.need)
    work: ToyWork = ctx.work
    work.document = canonical({"signed": signed, "signatures": signatures})


def write_bundle(ctx: Context) -> Iterator[Event]:
    work: ToyWork = ctx.work
    assert ctx.writer is not None
    yield ctx.writer.write(FILE, work.document)
    for record in ctx.keys.values():
        yield ctx.writer.write(f"keys/public/{record.name}.pem", record.public_pem.encode())


def check_bundle(contents: BundleContents, at: datetime, report: VerificationReport) -> None:
    data = contents.content(FILE)
    if data is None:
        report.problems.append(BundleProblem(FILE, "missing"))
        return
    document = json.loads(data)
    signed, signatures = document["signed"], document["signatures"]
    payload = canonical(signed)
    good = set()
    for keyid, pem in signed["keys"].items():
        public_key = serialization.load_pem_public_key(pem.encode())
        signature = signatures.get(keyid)
        algorithm = algorithm_of_public_key(public_key)
        if key_id(public_key) != keyid:
            report.problems.append(BundleProblem(FILE, f"key {keyid[:8]} is not its id"))
        elif signature and algorithm.check_signature(public_key, bytes.fromhex(signature), payload):
            good.add(keyid)
        elif signature:
            report.problems.append(BundleProblem(FILE, f"the signature by {keyid[:8]} is bad"))
    counted = threshold_result(signed["keys"], signed["threshold"], good)
    if not counted.met:
        report.problems.append(BundleProblem(FILE, counted.words("valid signature")))
    expires = datetime.strptime(signed["expires"], "%Y-%m-%dT%H:%M:%SZ").replace(
        tzinfo=UTC
    )
    if at >= expires:
        report.problems.append(BundleProblem(FILE, f"expired {signed['expires']}"))
    report.root_versions = [signed["version"]]
    report.root_expires = signed["expires"]


def inspect(path: Path, *, at: datetime | None = None) -> dict[str, Any]:
    document = json.loads((path / FILE).read_bytes())
    signed, moment = document["signed"], as_utc(at)
    expires = datetime.strptime(signed["expires"], "%Y-%m-%dT%H:%M:%SZ").replace(
        tzinfo=UTC
    )
    keys = [
        {
            "keyid": keyid,
            "short_id": keyid[:8],
            "algorithm": algorithm_of_public_key(
                serialization.load_pem_public_key(pem.encode())
            ).name,
            "name": None,
            "holder": None,
            "location": "unknown",
            "roles": ["root"],
        }
        for keyid, pem in signed["keys"].items()
    ]
    return {
        "path": str(path),
        "bundle": str(path),
        "checked_at": utc_text(moment),
        "version": signed["version"],
        "expires": signed["expires"],
        "days_left": (expires - moment).days,
        "expired": moment >= expires,
        "roles": [
            {"name": "root", "threshold": signed["threshold"], "keyids": list(signed["keys"])}
        ],
        "keys": keys,
        "signatures": list(document["signatures"]),
    }


class ToyFlavor:
    name = "toy"
    title = "a toy flavor (one JSON file)"
    kinds = ("bootstrap",)
    kind_prefix = "toy "
    key_files: dict[str, KeyFileFormat] = {"age-file": AGE_KEY_FILE}
    rehearsal_backends = ("software",)

    def script_rules(self, kind: str) -> ScriptRules:
        return ScriptRules(("roles",), ("roles",))

    def read_script(self, reading: ScriptReading) -> FlavorScript:
        return read_script(reading)

    def script_checks(self, kind: str) -> tuple[Callable[[Plan], Iterable[Problem]], ...]:
        return (
            rules.keyholders_and_keys_once,
            rules.holders_known,
            rules.algorithms_and_backends,
            rules.role_signers,
            rules.root_threshold,
            rules.root_keys_made_here,
        )

    def plan_lines(self, plan: Plan) -> list[str]:
        return [f"Signs     one file, {FILE}"]

    def key_roles(self, plan: Plan, name: str) -> set[str]:
        return {role.name for role in plan.roles if name in role.keys}

    def key_id(self, public_key: Any) -> str:
        return key_id(public_key)

    def check_public_key(self, public_key: Any, name: str) -> None:
        return None

    def key_file_path(self, name: str, roles: set[str]) -> str:
        return f"keys/{name}.age"

    def key_file_where(self, scheme: str) -> str:
        return ""

    def preflight(
        self, plan: Plan, result: PreflightResult, now: datetime | None
    ) -> CurrentState | None:
        result.add("toy", None, f"one file, {FILE}, signed by {len(plan.keys)} keys")
        return None

    def check_recovery(
        self, plan: Plan, record: CustodyRecord, current: CurrentState, result: PreflightResult,
        now: datetime | None,
    ) -> None:
        return None

    def start_work(self, ctx: Context) -> ToyWork:
        return ToyWork()

    def steps(self, plan: Plan) -> list[Step]:
        return [
            preflight_step(),
            Step("keys", "Make the keys", make_keys),
            Step("sign", f"Sign {FILE}", sign_document),
            write_media_step(),
        ]

    def write_bundle(self, ctx: Context) -> Iterator[Event]:
        return write_bundle(ctx)

    def custody_roles(self, ctx: Context) -> Callable[[KeyRecord], tuple[str, ...]]:
        return lambda record: ()

    def custody_root_version(self, ctx: Context) -> int:
        return 1

    def check_bundle(
        self, contents: BundleContents, at: datetime, report: VerificationReport
    ) -> None:
        check_bundle(contents, at, report)

    def inspects(self, path: Path) -> bool:
        return path.is_dir() and (path / FILE).is_file()

    def inspect(self, path: Path, *, at: datetime | None = None) -> dict[str, Any]:
        return inspect(path, at=at)

    def signed_repositories(
        self, bundle: Path, *, at: datetime | None = None
    ) -> tuple[SignedRepository, ...]:
        """None by name: the toy signs no repository."""
        raise names_no_repositories(self.title, bundle)

    def lifetimes(self, path: Path) -> list[Lifetime]:
        signed = json.loads((path / FILE).read_bytes())["signed"]
        expires = datetime.strptime(signed["expires"], "%Y-%m-%dT%H:%M:%SZ")
        return [Lifetime("root", signed["version"], expires.replace(tzinfo=UTC), str(path))]

    def inspect_lines(self, facts: Mapping[str, Any]) -> list[str]:
        return [
            f"{facts['path']}: toy version {facts['version']}, expires {facts['expires']}"
            f"{days_words(facts['days_left'], facts['expired'])}",
            *columns(key_rows(facts["keys"])),
        ]

    def sittings(self) -> Any:
        from ceremony.sittings.not_yet import not_in_sittings_yet

        raise not_in_sittings_yet(self.title)

    def rehearsal_scripts(self, backend: str = "software") -> tuple[tuple[str, str], ...]:
        return (("1-toy.yaml", SCRIPT),)

    def rehearsal_words(self, backend: str = "software") -> str:
        return "one toy root"

    def rehearse(
        self,
        folder: Path | None,
        *,
        backend: str = "software",
        clock: Callable[[], datetime] | None = None,
    ) -> Iterator[Event]:
        clock = clock or utc_now
        folder = new_folder(folder or default_folder(clock()), "REHEARSAL of the toy flavor\n")
        yield from run_scripts(folder, self.rehearsal_scripts(), RehearsalOperator(), clock)


TOY = ToyFlavor()
