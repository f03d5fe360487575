"""Steps every Docker Content Trust ceremony shares: preflight, keys, sealing.

They follow the same order of things as the TUF kinds (kinds/common.py):
nothing irreversible before preflight, every private key stored and checked
before it signs, a typed confirmation before the bundle is written, every
key closed and every passphrase forgotten at the end. The engine's event
stream, transcript and Operator are the same; only what is built differs.
"""

from __future__ import annotations

from typing import Iterator

from ceremony.bundle.writer import BundleWriter
from ceremony.engine.custody_records import write_records
from ceremony.flavors.dct.keys import (
    DctKey,
    DctRun,
    generate_exported_keys,
    generate_root_key,
    open_key,
)
from ceremony.flavors.dct.output import write_dct_bundle
from ceremony.engine.preflight import preflight, raise_on_failure
from ceremony.engine.step import Step
from ceremony.engine.tokens import HARDWARE_BACKENDS, tokens_closed
from ceremony.events import Event, KeyDestroyed, SignatureAdded, ThresholdMet, Warning
from ceremony.flavors.dct.notary.model import Metadata
from ceremony.steps.common import confirm
from ceremony.operator import Confirmation
from ceremony.threshold import threshold_result
from ceremony.script.plan import KeySpec, Plan


def check_plan(ctx) -> Iterator[Event]:
    plan = ctx.plan
    result = preflight(plan, now=ctx.started)
    yield from result.checks
    raise_on_failure(result)
    if result.network_up:
        yield Warning(f"network interfaces up during the ceremony: {', '.join(result.network_up)}")
    ctx.dct = DctRun(result.dct)
    ctx.cleanups.append(ctx.dct.forget)
    for entry in ctx.dct.state.keys.values():
        ctx.keys[entry.name] = DctKey.from_entry(entry)
    yield from confirm(
        ctx,
        Confirmation(
            id="confirm/script",
            question="Does this sha256 match the reviewed copy of the script?",
            detail=plan.script_sha256,
        ),
    )
    ctx.writer = BundleWriter(plan.output)


def preflight_step() -> Step:
    return Step(
        "preflight",
        "Check the room, the plan and the media",
        check_plan,
        say_aloud="Read the script's sha256 aloud; a witness compares it with the reviewed copy.",
        check_by_eye="No network cable plugged in; wireless off; only this ceremony's media "
        "inserted.",
    )


# -- keys -----------------------------------------------------------------------


def script_keys(plan: Plan, role: str) -> list[KeySpec]:
    role_spec = plan.role(role)
    names = role_spec.keys if role_spec is not None else ()
    return [spec for spec in plan.keys if spec.name in names]


def make_root_keys(ctx) -> Iterator[Event]:
    for spec in script_keys(ctx.plan, "root"):
        if spec.hardware is not None:  # backend: pkcs11, made on its token
            from ceremony.flavors.dct.tokens import generate_root_on_token

            yield from generate_root_on_token(ctx, spec)
        else:
            yield from generate_root_key(ctx, spec)


def make_repository_keys(ctx) -> Iterator[Event]:
    """New targets keys (and offline snapshot keys): per GUN or shared, exported for CI."""
    plan = ctx.plan
    guns = list(ctx.dct.state.scope) if plan.details.repository_keys == "per-gun" else None
    for role in ("targets", "snapshot"):
        for spec in script_keys(plan, role):
            yield from generate_exported_keys(ctx, spec, role=role, guns=guns)


def key_for(ctx, spec_name: str, gun: str) -> DctKey:
    """The key made from script key ``spec_name`` for ``gun`` (per GUN or shared)."""
    name = ctx.dct.per_gun.get(spec_name, {}).get(gun, spec_name)
    return ctx.keys[name]


def open_keys(ctx, records: list[DctKey]) -> Iterator[Event]:
    for record in records:
        yield from open_key(ctx, record)


# -- events about what was signed ---------------------------------------------------


def signature_events(
    gun: str, role: str, metadata: Metadata, names: dict[str, str]
) -> Iterator[Event]:
    """One SignatureAdded per signature on ``metadata`` (keyids named by ``names``)."""
    version = metadata.signed.version
    for signature in metadata.signatures:
        key = names.get(signature.keyid, signature.keyid[:8])
        yield SignatureAdded(
            role=f"{role} of {gun}", version=version, key=key, keyid=signature.keyid
        )


def threshold_event(
    gun: str, role: str, metadata: Metadata, group: str, keyids, need: int
) -> ThresholdMet:
    """The count of signatures from ``keyids`` (already verified by the format layer)."""
    counted = threshold_result(keyids, need, {s.keyid for s in metadata.signatures})
    return ThresholdMet(
        role=f"{role} of {gun}",
        version=metadata.signed.version,
        group=group,
        have=counted.have,
        need=counted.need,
    )


def names_by_keyid(ctx, gun: str, root) -> dict[str, str]:
    """Key names by the ids a GUN's root uses (x509 ids for root keys)."""
    from ceremony.flavors.dct.notary.keyids import canonical_keyid

    by_canonical = {r.keyid: r.name for r in ctx.keys.values() if isinstance(r, DctKey)}
    return {
        keyid: by_canonical.get(canonical_keyid(key), keyid[:8]) for keyid, key in root.keys.items()
    }


# -- the end ----------------------------------------------------------------------


def seal(ctx) -> Iterator[Event]:
    yield from confirm(
        ctx,
        Confirmation(
            id="confirm/write",
            question=f"Write the bundle to {ctx.plan.output}?",
            detail="Every signature is checked. After this the keys in memory are destroyed.",
            typed_word="write",
        ),
    )
    yield from write_dct_bundle(ctx)
    yield from write_records(ctx)  # custody/: records of the custody bundles in force
    ctx.dct.forget()
    for record in ctx.close_keys():
        if record.backend in HARDWARE_BACKENDS:
            continue  # it stays on its token: TokenClosed says so
        yield KeyDestroyed(key=record.name, keyid=record.keyid)
    yield from tokens_closed(ctx)


def seal_step() -> Step:
    return Step(
        "write-media",
        "Write the bundle to media",
        seal,
        say_aloud="Read the output folder aloud before typing `write`.",
        check_by_eye="The media named on screen is the one in the drive.",
    )


def summarize(ctx) -> Iterator[Event]:
    """What was made, per GUN (counts only beyond twenty GUNs)."""
    run = ctx.dct
    guns = {}
    for gun in run.state.scope:
        update = run.updates.get(gun)
        if update is None:
            continue
        facts = {"files": sorted(update.files)}
        if "root" in update.files:
            root = Metadata.from_bytes(update.files["root"]).signed
            facts.update(
                root_version=root.version,
                root_expires=root.expires,
                root_threshold=root.roles["root"].threshold,
            )
        if "targets" in update.files:
            facts["targets_version"] = Metadata.from_bytes(update.files["targets"]).signed.version
        guns[gun] = facts
    ctx.summary = {
        "flavor": "dct",
        "guns_changed": len(guns),
        "publish_set": "publish/" if guns else None,
    }
    if len(guns) <= 20:
        ctx.summary["guns"] = guns
    if ctx.custody is not None:  # kinds/custody_steps.py
        ctx.summary["custody"] = ctx.custody.summary()
    return iter(())


def summary_step() -> Step:
    return Step(
        "summary",
        "Summary",
        summarize,
        say_aloud="Take the bundle's publish/ folder to the online side and run "
        "scripts/dct-publish.",
    )


def warnings_of(update) -> Iterator[Event]:
    for warning in update.warnings:
        yield Warning(warning)
