"""delegate: the targets key signs targets.json delegating to repository keys.

Each delegation names its keys, threshold, path patterns and whether it is
terminating. Delegations named in the script replace same-named ones;
others are kept. The new targets.json is the current version + 1 (or 1).
"""

from __future__ import annotations

import copy
from collections.abc import Iterator

# python-tuf documents these as tuf.api.metadata's API but lists no __all__:
# mypy's strict re-export rule cannot see them as exported
from tuf.api.metadata import (
    DelegatedRole,
    Delegations,
    Targets,
)

from ceremony.engine.context import Context
from ceremony.engine.step import Step
from ceremony.events import Event
from ceremony.flavors.tuf.current import current_bundle
from ceremony.flavors.tuf.kinds.bootstrap import sign_targets
from ceremony.flavors.tuf.plan import TufDetails
from ceremony.script.plan import Plan
from ceremony.steps import common
from ceremony.tufmeta.summary import summarize
from ceremony.tufmeta.work import tuf_key, work


def build_targets(ctx: Context) -> Iterator[Event]:
    bundle = current_bundle(ctx)
    work(ctx).root = bundle.root
    current = bundle.targets
    if current is not None:
        targets = Targets.from_dict(copy.deepcopy(current.signed.to_dict()))
        targets.version += 1
    else:
        targets = Targets(version=1)
    assert ctx.plan.targets_expires is not None  # a delegate script names it
    targets.expires = ctx.plan.targets_expires
    delegations = targets.delegations or Delegations(keys={}, roles={})
    roles = dict(delegations.roles or {})
    details: TufDetails = ctx.plan.details
    for spec in details.delegations:
        records = [ctx.keys[name] for name in spec.keys]
        roles[spec.name] = DelegatedRole(
            name=spec.name,
            keyids=[r.keyid for r in records],
            threshold=spec.threshold,
            terminating=spec.terminating,
            paths=list(spec.paths),
        )
        for record in records:
            delegations.keys[record.keyid] = tuf_key(record)
    used = {keyid for role in roles.values() for keyid in role.keyids}
    keys = {keyid: key for keyid, key in delegations.keys.items() if keyid in used}
    targets.delegations = Delegations(keys=keys, roles=roles)
    yield from sign_targets(ctx, targets)


def steps(plan: Plan) -> list[Step]:
    return [
        common.preflight_step(),
        Step(
            "open-keys",
            "Open the targets key",
            common.open_signing_keys,
            say_aloud="The targets keyholder types their passphrase.",
        ),
        Step(
            "repository-keys",
            "Make or import the repository keys",
            common.make_keys,
            say_aloud="Read aloud the short id of every imported repository key; "
            "its owner confirms it.",
        ),
        Step(
            "targets-metadata",
            "Build and sign targets with the delegations",
            build_targets,
            check_by_eye="Each delegation's paths and whether it is terminating, in the plan's "
            "Delegate lines shown before the ceremony began, are the reviewed script's.",
        ),
        common.write_media_step(),
        Step("summary", "Summary", summarize),
    ]
