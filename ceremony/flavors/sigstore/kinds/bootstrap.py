"""bootstrap: a private Sigstore instance's TUF trust root, version 1, and its mirror.

The TUF flavor's bootstrap, asked through the Flavor interface, makes the
keys and signs root version 1; around it this kind reads the trust material
first (before any key is touched), and instead of an empty targets.json
signs targets version 1 carrying ``trusted_root.json`` and
``signing_config.v0.2.json``, then snapshot and timestamp version 1, so the
bundle holds the whole static mirror a client refreshes from.
"""

from __future__ import annotations

from collections.abc import Iterator

from tuf.api.metadata import (
    Metadata,
    MetaFile,
    Snapshot,
    TargetFile,
    Targets,
    Timestamp,
)

from ceremony.engine.context import Context
from ceremony.engine.step import Step
from ceremony.events import Event, PreflightChecked
from ceremony.flavor import flavor_named
from ceremony.flavors.sigstore import documents
from ceremony.flavors.sigstore.material import describe, read_material
from ceremony.flavors.sigstore.plan import SigstoreDetails
from ceremony.flavors.sigstore.work import sigstore_work
from ceremony.script.plan import Plan
from ceremony.tufmeta.metadata import built, metadata_bytes
from ceremony.tufmeta.signing import SignerGroup, sign


def read_trust(ctx: Context) -> Iterator[Event]:
    """The trust material, read and checked again (preflight read it to check it)."""
    details: SigstoreDetails = ctx.plan.details
    material = read_material(details, ctx.started)
    work = sigstore_work(ctx)
    work.material = material
    root = documents.trusted_root(material)
    config = documents.signing_config(material)
    work.documents = {
        documents.TRUSTED_ROOT: documents.document_bytes(root),
        documents.SIGNING_CONFIG: documents.document_bytes(config),
    }
    work.client_trust_config = documents.client_trust_config(root, config)
    for service in material.services:
        yield PreflightChecked(f"trust {service.spec.service}", True, describe(service))


def build_targets(ctx: Context) -> Iterator[Event]:
    work = sigstore_work(ctx)
    assert work.documents is not None  # read_trust ran first
    targets_role = ctx.plan.role("targets")
    assert targets_role is not None  # a bootstrap script names all four roles
    targets = Targets(version=1, expires=targets_role.expires)
    for name, data in work.documents.items():
        targets.targets[name] = TargetFile.from_data(name, data, ["sha256"])
    md = Metadata(targets)
    yield built(md)
    yield from sign(ctx, md, [SignerGroup("targets", work.root_signed, "targets")])
    work.targets = md
    work.targets_bytes = metadata_bytes(md)


def build_snapshot_and_timestamp(ctx: Context) -> Iterator[Event]:
    work = sigstore_work(ctx)
    assert work.targets_bytes is not None  # build_targets ran first
    snapshot_role, timestamp_role = ctx.plan.role("snapshot"), ctx.plan.role("timestamp")
    assert snapshot_role is not None and timestamp_role is not None  # all four roles
    snapshot = Metadata(
        Snapshot(version=1, expires=snapshot_role.expires, meta={"targets.json": MetaFile(1)})
    )
    yield built(snapshot)
    yield from sign(ctx, snapshot, [SignerGroup("snapshot", work.root_signed, "snapshot")])
    work.snapshot, work.snapshot_bytes = snapshot, metadata_bytes(snapshot)
    timestamp = Metadata(
        Timestamp(
            version=1,
            expires=timestamp_role.expires,
            snapshot_meta=MetaFile.from_data(1, work.snapshot_bytes, ["sha256"]),
        )
    )
    yield built(timestamp)
    yield from sign(ctx, timestamp, [SignerGroup("timestamp", work.root_signed, "timestamp")])
    work.timestamp, work.timestamp_bytes = timestamp, metadata_bytes(timestamp)


def steps(plan: Plan) -> list[Step]:
    """The TUF bootstrap's steps, with the trust material read first and the Sigstore
    targets, snapshot and timestamp in place of an empty targets.json."""
    tuf_steps = flavor_named("tuf").steps(plan)
    trust = Step(
        "trust-material",
        "Read the instance's trust material",
        read_trust,
        check_by_eye="The services and URLs on screen are the ones in the reviewed script.",
    )
    sigstore = [
        Step(
            "targets-metadata",
            "Sign targets version 1: trusted_root.json and the signing config",
            build_targets,
        ),
        Step(
            "mirror-metadata", "Sign snapshot and timestamp version 1", build_snapshot_and_timestamp
        ),
    ]
    result: list[Step] = []
    for step in tuf_steps:
        if step.id == "targets-metadata":
            result += sigstore
            continue
        result.append(step)
        if step.id == "preflight":
            result.append(trust)
    return result
