"""recover: custodians bring back the root keys; lost repository keys are replaced.

Disaster recovery from a custody bundle. A quorum of custodians give their
shares one at a time (collect_shares.py); the bundle is opened from any good
copy and every key checked against its record and the current root. Then
the recovered root keys sign root version N+1 of the current bundle, in
which each role under ``replace:`` (targets, snapshot, timestamp) has the
new keys made or imported today; when a new targets key is made here it
re-signs targets.json. With a ``custody:`` section the recovered root keys
(and a new targets key) go into a new custody bundle with new shares, and
the old shares are declared retired in the transcript.

``replace: root:`` rotates the root keys away from a custodian quorum that
is no longer trusted: the new root keys are made here, the recovered ones
sign as the current root, and the new custody bundle (required) retires the
old shares. ``rehome:`` imports recovered root keys into tokens
(recover_actions.py); with nothing to replace, the root stays as it is.
"""

from __future__ import annotations

from collections.abc import Iterator

from ceremony.engine.context import Context
from ceremony.engine.step import Step
from ceremony.events import Event
from ceremony.flavors.tuf.current import current_bundle
from ceremony.flavors.tuf.kinds.rotate_root import build_root, carry_targets
from ceremony.script.plan import Plan
from ceremony.steps import collect_shares, common
from ceremony.steps import custody as custody_steps
from ceremony.steps import rehome as recover_actions
from ceremony.tufmeta.summary import summarize
from ceremony.tufmeta.work import work


def rehome_steps(plan: Plan) -> list[Step]:
    """Steps that move recovered root keys onto tokens (``rehome:``), if any.

    After "open-custody" the recovered keys are open SoftwareKey signers on
    the Context's key records; each is imported into its token(s), and its
    record's location, backend and origin say where it lives from now on."""
    if not plan.rehome:
        return []
    return [Step(
        "rehome-keys",
        "Import the recovered root keys into their tokens",
        recover_actions.rehome,
        say_aloud="Each token's keyholder types its PIN; read aloud each token's serial.",
        check_by_eye="The serial on screen is the one engraved on the token in hand.",
    )]


def root_step(plan: Plan) -> list[Step]:
    """Sign root version N+1 when a role changes; otherwise keep the root."""
    if not plan.roles:
        return [Step("root-metadata", "Keep the current root and targets",
                     keep_root)]
    return [
        Step(
            "root-metadata",
            "Build and sign the next root version with the recovered keys",
            build_root,
            check_by_eye="Both thresholds, current root and new root, show as met.",
        ),
        Step("targets-metadata", "Carry or re-sign targets", carry_targets),
    ]


def steps(plan: Plan) -> list[Step]:
    return [
        common.preflight_step(),
        *collect_shares.recovery_steps("a key of the current root"),
        *rehome_steps(plan),
        Step(
            "new-keys",
            "Make or import the replacement keys",
            common.make_keys,
            say_aloud="Read aloud the short id of every new key.",
        ),
        *root_step(plan),
        *custody_steps.steps(plan),
        common.write_media_step(),
        Step("summary", "Summary", summarize),
    ]


def keep_root(ctx: Context) -> Iterator[Event]:
    """No role changes: the bundle carries the current root and targets."""
    bundle = current_bundle(ctx)
    work(ctx).root = bundle.root
    work(ctx).targets = bundle.targets
    return iter(())
