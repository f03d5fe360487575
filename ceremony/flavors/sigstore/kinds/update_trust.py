"""update-trust: a new trusted_root.json and signing config, signed offline.

When a Fulcio CA, a Rekor or CT log key, or a TSA is added, rotated or
retired, the script lists every service again (a retired one with its
``valid-until``). The trust material is read and checked; the targets key
of the current root signs targets (current version + 1) carrying the new
documents, and the snapshot and timestamp keys sign the mirror's snapshot
and timestamp. The root does not change.
"""

from __future__ import annotations

from collections.abc import Iterator

from ceremony.engine.context import Context
from ceremony.engine.step import Step
from ceremony.events import Event
from ceremony.flavors.sigstore.current import current_mirror
from ceremony.flavors.sigstore.kinds.mirror import (
    TRUST_STEP,
    sign_snapshot_and_timestamp,
    sign_targets,
)
from ceremony.flavors.sigstore.mirror_signer import next_version
from ceremony.flavors.sigstore.plan import SigstoreDetails
from ceremony.flavors.sigstore.work import sigstore_work
from ceremony.script.plan import Plan
from ceremony.steps import common
from ceremony.tufmeta.summary import summarize


def build_targets(ctx: Context) -> Iterator[Event]:
    """Targets, current version + 1, signed by the targets keys of the root the
    ceremony ends with (the current one, or the one rotate-root just signed)."""
    mirror = current_mirror(ctx.building_on)
    work = sigstore_work(ctx)
    if work.root is None:
        work.root = mirror.root  # update-trust: the root stays; its keys sign
    assert ctx.plan.targets_expires is not None  # an update-trust script names it
    yield from sign_targets(ctx, mirror.targets.signed.version + 1, ctx.plan.targets_expires)


def build_snapshot_and_timestamp(ctx: Context) -> Iterator[Event]:
    """Snapshot and timestamp after the current bundle's (every kind that builds on
    one): at its versions + 1, or, with an online signer, at least the ceremony's
    time in seconds (mirror_signer.next_version), above the server's."""
    mirror = current_mirror(ctx.building_on)
    details: SigstoreDetails = ctx.plan.details
    assert details.snapshot_expires is not None and details.timestamp_expires is not None
    online = details.online_signer(ctx.started)
    yield from sign_snapshot_and_timestamp(
        ctx,
        (
            next_version(mirror.snapshot_version, online, ctx.started,
                         served_online=mirror.served_online),
            next_version(mirror.timestamp_version, online, ctx.started,
                         served_online=mirror.served_online),
        ),
        (details.snapshot_expires, details.timestamp_expires),
    )


def steps(plan: Plan) -> list[Step]:
    return [
        common.preflight_step(),
        TRUST_STEP,
        Step(
            "open-keys",
            "Open the targets, snapshot and timestamp keys",
            common.open_signing_keys,
            say_aloud="Each keyholder named in sign-with types their passphrase.",
        ),
        Step(
            "targets-metadata",
            "Sign targets: the new trusted_root.json and signing config",
            build_targets,
            check_by_eye="The services on screen are the ones in the reviewed script.",
        ),
        Step("mirror-metadata", "Sign snapshot and timestamp", build_snapshot_and_timestamp),
        common.write_media_step(),
        Step("summary", "Summary", summarize),
    ]
