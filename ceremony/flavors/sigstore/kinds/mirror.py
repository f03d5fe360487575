"""Steps every Sigstore kind shares: read the trust material, sign the mirror's metadata.

The trust material is read again with preflight's checks (material.py)
into the trusted root, the signing config and the ClientTrustConfig; then
targets carrying the two documents, snapshot and timestamp are signed, each
by its role's threshold in the root the ceremony ends with, at the versions
and expiries the kind gives.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from tuf.api.metadata import Metadata, MetaFile, Snapshot, TargetFile, Targets, Timestamp

from ceremony.engine.context import Context
from ceremony.engine.step import Step
from ceremony.events import Event, PreflightChecked
from ceremony.flavor import flavor_named
from ceremony.flavors.sigstore import documents
from ceremony.flavors.sigstore.legacy_targets import legacy_targets
from ceremony.flavors.sigstore.material import describe, read_material
from ceremony.flavors.sigstore.plan import SigstoreDetails
from ceremony.flavors.sigstore.work import sigstore_work
from ceremony.script.plan import Plan
from ceremony.steps import common
from ceremony.tufmeta.metadata import metadata_bytes
from ceremony.tufmeta.signing import SignerGroup, build_and_sign


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
    if details.legacy_targets:
        files, work.custom = legacy_targets(material, ctx.started)
        work.documents.update(files)
    for service in material.services:
        yield PreflightChecked(f"trust {service.spec.service}", True, describe(service))


TRUST_STEP = Step(
    "trust-material",
    "Read the instance's trust material",
    read_trust,
    check_by_eye="The services and URLs on screen are the ones in the reviewed script.",
)


OPEN_ONLINE_KEYS = Step(
    "open-online-keys",
    "Open the current keys named in sign-with",
    common.open_signing_keys,
    say_aloud="Each keyholder named in sign-with types their passphrase.",
)


def around_tuf_steps(
    plan: Plan, mirror_steps: list[Step], after_keys: tuple[Step, ...] = ()
) -> list[Step]:
    """The TUF flavor's steps for ``plan``'s kind (asked through the Flavor interface),
    with the trust material read right after preflight, ``after_keys`` after the keys
    are made, and ``mirror_steps`` in place of TUF's targets step (after the root
    step, when a recovery keeps the root). A recovery also opens its sign-with keys
    once the custody bundle is open."""
    tuf_steps = flavor_named("tuf").steps(plan)
    replaces = any(step.id == "targets-metadata" for step in tuf_steps)
    result: list[Step] = []
    for step in tuf_steps:
        if step.id == "targets-metadata":
            result += mirror_steps
            continue
        result.append(step)
        if step.id == "preflight":
            result.append(TRUST_STEP)
        if step.id == "open-custody" and plan.sign_with:
            result.append(OPEN_ONLINE_KEYS)
        if step.id in ("online-keys", "new-keys"):
            result += after_keys
        if step.id == "root-metadata" and not replaces:
            result += mirror_steps
    return result


def sign_targets(ctx: Context, version: int, expires: datetime) -> Iterator[Event]:
    """Targets ``version`` carrying trusted_root.json and the signing config."""
    work = sigstore_work(ctx)
    assert work.documents is not None  # read_trust ran first
    targets = Targets(version=version, expires=expires)
    for name, data in work.documents.items():
        target = TargetFile.from_data(name, data, ["sha256"])
        if work.custom and name in work.custom:
            target.unrecognized_fields["custom"] = work.custom[name]
        targets.targets[name] = target
    md = Metadata(targets)
    signed = yield from build_and_sign(
        ctx, md, [SignerGroup("targets", work.root_signed, "targets")]
    )
    work.targets = md
    work.targets_bytes = metadata_bytes(md, signed)


def sign_snapshot_and_timestamp(
    ctx: Context, versions: tuple[int, int], expires: tuple[datetime, datetime]
) -> Iterator[Event]:
    """Snapshot naming the targets just signed, then timestamp naming that snapshot."""
    work = sigstore_work(ctx)
    assert work.targets is not None  # sign_targets ran first
    targets_version = work.targets.signed.version
    snapshot = Metadata(
        Snapshot(
            version=versions[0],
            expires=expires[0],
            meta={"targets.json": MetaFile(targets_version)},
        )
    )
    signed = yield from build_and_sign(
        ctx, snapshot, [SignerGroup("snapshot", work.root_signed, "snapshot")]
    )
    work.snapshot, work.snapshot_bytes = snapshot, metadata_bytes(snapshot, signed)
    timestamp = Metadata(
        Timestamp(
            version=versions[1],
            expires=expires[1],
            snapshot_meta=MetaFile.from_data(versions[0], work.snapshot_bytes, ["sha256"]),
        )
    )
    signed = yield from build_and_sign(
        ctx, timestamp, [SignerGroup("timestamp", work.root_signed, "timestamp")]
    )
    work.timestamp, work.timestamp_bytes = timestamp, metadata_bytes(timestamp, signed)
