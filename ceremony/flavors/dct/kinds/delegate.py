"""delegate, flavor dct: each GUN's targets key delegates, offline, to CI's signers.

For every GUN, the server's current targets.json (from media, checked
against the root) becomes version + 1 with the script's delegations: signers
added the way ``docker trust signer add NAME`` adds them (the keys on
``targets/NAME`` and ``targets/releases``, every path) and custom delegated
roles with their own paths and threshold. It is signed by the GUN's targets
key, opened from the notary key file the bundle keeps for CI. Delegation
keys are made here (exported for CI, ``role: <signer>``) or imported as
public keys CI made (``docker trust key generate``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime

from ceremony.engine.context import Context
from ceremony.engine.keyring import KeyRecord
from ceremony.engine.keys import import_key
from ceremony.engine.step import Step
from ceremony.events import Event, Progress
from ceremony.flavors.dct.keys import generate_exported_keys, notary_key, notary_signer
from ceremony.flavors.dct.kinds import common
from ceremony.flavors.dct.notary.errors import DctError
from ceremony.flavors.dct.notary.model import PublicKey, Targets
from ceremony.flavors.dct.notary.repository import GunUpdate
from ceremony.flavors.dct.notary.targets import (
    add_delegation,
    add_signer,
    next_targets,
    sign_targets,
)
from ceremony.flavors.dct.plan import dct_spec
from ceremony.script.plan import Plan
from ceremony.steps import common as shared


def targets_records(ctx: Context, gun: str) -> list[KeyRecord]:
    """The records of ``gun``'s current targets key(s) that are in the current state."""
    ids = common.current(ctx).guns[gun].canonical_ids("targets")
    return [
        record
        for record in ctx.keys.values()
        if record.keyid in ids and record.location.startswith(("notary-file:", "docker-trust:"))
    ]


def open_targets_keys(ctx: Context) -> Iterator[Event]:
    for gun in common.current(ctx).scope:
        yield from shared.open_keys(ctx, targets_records(ctx, gun))


def open_targets_keys_step(name: str) -> Step:
    return Step(
        name,
        "Open each GUN's targets key",
        open_targets_keys,
        say_aloud="The owner of the repository keys types their passphrase.",
    )


def make_delegation_keys(ctx: Context) -> Iterator[Event]:
    plan = ctx.plan
    header: dict[str, str] = {}
    for signer in dct_spec(plan).signers:
        for name in signer.keys:
            header.setdefault(name, signer.name)
    for delegation in dct_spec(plan).delegations:
        for name in delegation.keys:
            header.setdefault(name, delegation.role.rsplit("/", 1)[-1])
    for spec in plan.keys:
        if spec.source == "import":
            yield from import_key(ctx, spec, set())
        else:
            yield from generate_exported_keys(
                ctx,
                spec,
                role="delegation",
                guns=None,
                header_role=header.get(spec.name, spec.name),
            )


def delegated_targets(
    plan: Plan, current: Targets, key_of: Callable[[str], PublicKey], now: datetime
) -> Targets:
    """A GUN's new targets.json, unsigned: ``current`` one version on, with the script's
    signers and delegations added; ``key_of`` gives the key a script name stands for.
    Preflight measures it with stand-ins for the keys not yet made (targets_size.py)."""
    targets = next_targets(current, expires=plan.targets_expires, now=now)
    for signer in dct_spec(plan).signers:
        add_signer(targets, signer.name, [key_of(name) for name in signer.keys])
    for delegation in dct_spec(plan).delegations:
        add_delegation(
            targets,
            delegation.role,
            [key_of(name) for name in delegation.keys],
            threshold=delegation.threshold,
            paths=list(delegation.paths),
        )
    return targets


def build(ctx: Context) -> Iterator[Event]:
    plan, run, state = ctx.plan, common.work(ctx), common.current(ctx)
    total = len(state.scope)
    for done, gun in enumerate(state.scope, start=1):
        current = state.guns[gun]
        if current.targets is None:  # preflight and the script's checks ask for it
            raise DctError(
                "there is no current targets.json to add the delegations to",
                where=gun,
                todo="fetch the server's state with `scripts/dct-fetch-keys --state` and name "
                "it in published:",
            )
        targets = delegated_targets(plan, current.targets.signed,
                                    lambda name: notary_key(ctx.keys[name]), ctx.started)
        signers = [notary_signer(record) for record in targets_records(ctx, gun) if record.signer]
        metadata = sign_targets(targets, signers)
        common.check_targets_signed(current, metadata)
        data = metadata.to_bytes()
        run.updates[gun] = GunUpdate(gun, files={"targets": data})
        names = common.names_by_keyid(ctx, gun, current.root.signed)
        yield from common.built_events(gun, "targets", data, metadata, names)
        rule = current.root.signed.roles["targets"]
        yield common.threshold_event(
            gun, "targets", metadata, "targets", rule.keyids, rule.threshold
        )
        yield Progress(step="gun-metadata", done=done, total=total, what=gun)


def steps(plan: Plan) -> list[Step]:
    return [
        shared.preflight_step(),
        open_targets_keys_step("open-keys"),
        Step(
            "delegation-keys",
            "Make or import the delegation keys",
            make_delegation_keys,
            say_aloud="Read aloud the short id of every imported key; its owner confirms it.",
        ),
        Step(
            "gun-metadata",
            "Build and sign each GUN's targets with the delegations",
            build,
            check_by_eye="Each signer's name and each delegation's paths, in the plan's Signer "
            "and Delegate lines shown before the ceremony began, are the reviewed script's.",
        ),
        shared.write_media_step(),
        common.summary_step(),
    ]
