"""rotate-root, recover, renew, decommission: the next root, the mirror signed under it.

The TUF flavor's rotation, asked through the Flavor interface, opens the
current root keys, makes the new keys and signs root version N+1 by both
roots' thresholds. In place of carrying targets.json, this kind signs the
mirror again under the new root, as update-trust does: targets (current
version + 1) carrying the trust documents read from ``trust:``, then
snapshot and timestamp, each by its role's keys in the new root (made here,
or current keys named in sign-with). Clients that trusted version N follow
``N+1.root.json`` on their next refresh.

A renew is the TUF flavor's too (the same keys, root version N+1 with a
new expiry; an expired root only when the script says
``current-root-expired: renew``), with the same mirror steps, so that a
client holding the expired root follows to the renewed one.

A decommission is the TUF flavor's too (root N+1 without the keys in
``destroy:``), with the same mirror steps; the keys are destroyed and the
files that held them wiped once the bundle is sealed (steps/destroy.py).

A recovery is the TUF flavor's (custodians' shares open the custody bundle;
its root keys sign the root naming the replacement keys, or the root stays)
with the same mirror steps: the recovered targets key signs targets, and
new or sign-with snapshot and timestamp keys sign the rest.
"""

from __future__ import annotations

from ceremony.engine.step import Step
from ceremony.flavors.sigstore.kinds.cosign import REISSUE_STEP
from ceremony.flavors.sigstore.kinds.mirror import around_tuf_steps
from ceremony.flavors.sigstore.kinds.update_trust import (
    build_snapshot_and_timestamp,
    build_targets,
)
from ceremony.flavors.sigstore.plan import SigstoreDetails
from ceremony.script.plan import Plan


def steps(plan: Plan) -> list[Step]:
    mirror = [
        Step(
            "targets-metadata",
            "Sign targets under the new root: the trust documents",
            build_targets,
        ),
        Step("mirror-metadata", "Sign snapshot and timestamp", build_snapshot_and_timestamp),
    ]
    steps = around_tuf_steps(plan, mirror)
    details: SigstoreDetails = plan.details
    if details.reissue_cosign:  # recover: once the custody bundle is open
        at = next(i for i, step in enumerate(steps) if step.id == "open-custody")
        steps.insert(at + 1, REISSUE_STEP)
    return steps
