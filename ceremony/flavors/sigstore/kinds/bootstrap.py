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
from datetime import datetime

from ceremony.engine.context import Context
from ceremony.engine.step import Step
from ceremony.events import Event
from ceremony.flavors.sigstore.kinds.cosign import COSIGN_STEP
from ceremony.flavors.sigstore.kinds.mirror import (
    around_tuf_steps,
    sign_snapshot_and_timestamp,
    sign_targets,
)
from ceremony.flavors.sigstore.plan import SigstoreDetails
from ceremony.script.plan import Plan


def _expires(ctx: Context, role: str) -> datetime:
    spec = ctx.plan.role(role)
    assert spec is not None  # a bootstrap script names all four roles
    return spec.expires


def build_targets(ctx: Context) -> Iterator[Event]:
    yield from sign_targets(ctx, 1, _expires(ctx, "targets"))


def build_snapshot_and_timestamp(ctx: Context) -> Iterator[Event]:
    expires = (_expires(ctx, "snapshot"), _expires(ctx, "timestamp"))
    yield from sign_snapshot_and_timestamp(ctx, (1, 1), expires)


def steps(plan: Plan) -> list[Step]:
    """The TUF bootstrap's steps, with the trust material read first and the Sigstore
    targets, snapshot and timestamp in place of an empty targets.json."""
    sigstore = [
        Step(
            "targets-metadata",
            "Sign targets version 1: trusted_root.json and the signing config",
            build_targets,
        ),
        Step(
            "mirror-metadata",
            "Sign snapshot and timestamp version 1",
            build_snapshot_and_timestamp,
        ),
    ]
    details: SigstoreDetails = plan.details
    return around_tuf_steps(plan, sigstore, (COSIGN_STEP,) if details.cosign_keys else ())
