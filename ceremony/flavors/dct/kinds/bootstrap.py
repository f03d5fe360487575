"""bootstrap, flavor dct: offline roots for a list of GUNs, ready to publish.

Root keys are made here and kept offline (age files for their keyholders);
one root key serves every GUN through a certificate of its own per GUN. The
targets key (one per GUN, or one shared) is made here, signs targets.json
version 1, and is exported in notary's key format for CI. The root names the
Notary server's timestamp key, and its snapshot key unless the script keeps
snapshots offline, as read from media. Each GUN's first publish (root.json,
targets.json, and snapshot.json when the snapshot key is offline) goes into
the publish set; nothing here talks to the server. GUNs are signed in
batches, so a root key on a token is reached once per batch, not per GUN.
"""

from __future__ import annotations

from collections.abc import Iterator

from ceremony.engine.context import Context
from ceremony.engine.step import Step
from ceremony.events import Event, Progress
from ceremony.flavors.dct.keys import notary_signer
from ceremony.flavors.dct.kinds import common
from ceremony.flavors.dct.notary.keyids import canonical_keyid
from ceremony.flavors.dct.notary.repository import NewGun, bootstrap_guns
from ceremony.flavors.dct.plan import dct_spec
from ceremony.flavors.dct.state import GunState
from ceremony.script.plan import Plan
from ceremony.steps import common as shared
from ceremony.steps import custody as custody_steps

#: GUNs signed as one batch: each root key signs their certificates in one
#: request, then their root.json files in another (one hop to a token's thread)
BATCH = 64


def build(ctx: Context) -> Iterator[Event]:
    plan, run, state = ctx.plan, common.work(ctx), common.current(ctx)
    root_role = common.required_role(plan, "root")
    targets_role = common.required_role(plan, "targets")
    snapshot_role = plan.role("snapshot")
    root_records = [ctx.keys[name] for name in root_role.keys]
    root_signers = [notary_signer(record) for record in root_records]
    by_canonical = {record.keyid: record for record in root_records}
    scope = list(state.scope)
    for start in range(0, len(scope), BATCH):
        batch = [new_gun(ctx, gun) for gun in scope[start : start + BATCH]]
        updates = bootstrap_guns(
            batch,
            root_signers=root_signers,
            root_threshold=root_role.threshold,
            root_expires=root_role.expires,
            targets_expires=targets_role.expires,
            snapshot_expires=snapshot_role.expires if snapshot_role else None,
            now=ctx.started,
        )
        for done, update in enumerate(updates, start=start + 1):
            gun = update.gun
            run.updates[gun] = update
            state.guns[gun] = GunState(
                gun=gun, history=[], snapshot=dct_spec(plan).snapshot, source="bootstrap"
            )
            for root_key in update.root_keys:
                by_canonical[canonical_keyid(root_key.certificate)].repositories[gun] = (
                    root_key.keyid
                )
            yield from common.update_events(ctx, gun, update)
            yield Progress(step="gun-metadata", done=done, total=len(scope), what=gun)


def new_gun(ctx: Context, gun: str) -> NewGun:
    """``gun`` and the keys of its own that sign its first publish."""
    plan, state = ctx.plan, common.current(ctx)
    targets_key = common.key_for(ctx, common.required_role(plan, "targets").keys[0], gun)
    snapshot_role = plan.role("snapshot")
    snapshot_key = common.key_for(ctx, snapshot_role.keys[0], gun) if snapshot_role else None
    return NewGun(
        gun,
        targets_signers=[notary_signer(targets_key)],
        server_keys=state.server_keys[gun],
        snapshot_signer=notary_signer(snapshot_key) if snapshot_key else None,
    )


def steps(plan: Plan) -> list[Step]:
    return [
        shared.preflight_step(),
        Step(
            "root-keys",
            "Make the root keys",
            common.make_root_keys,
            say_aloud="Each keyholder, when called, types a new passphrase twice.",
            check_by_eye="Each keyholder writes down the short key id shown for their key.",
        ),
        Step(
            "repository-keys",
            "Make the repository keys for CI",
            common.make_repository_keys,
            say_aloud="The CI owner types the passphrase CI will use for its key files.",
        ),
        Step(
            "gun-metadata",
            "Build and sign each GUN's root and targets version 1",
            build,
            check_by_eye="The number of GUNs and the root threshold on screen are the script's.",
        ),
        *custody_steps.steps(plan),  # only when the script has custody:
        shared.write_media_step(),
        common.summary_step(),
    ]
