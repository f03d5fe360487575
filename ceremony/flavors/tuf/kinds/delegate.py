"""delegate: the targets key signs targets.json delegating to repository keys.

Each delegation names its keys, threshold, path patterns and whether it is
terminating. Delegations named in the script replace same-named ones;
others are kept. The new targets.json is the current version + 1 (or 1).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator

# python-tuf documents these as tuf.api.metadata's API but lists no __all__:
# mypy's strict re-export rule cannot see them as exported
from tuf.api.metadata import (
    DelegatedRole,
    Delegations,
    Key,
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
    current = bundle.targets.signed if bundle.targets is not None else None
    targets = delegated_targets(ctx.plan, current, lambda name: tuf_key(ctx.keys[name]))
    yield from sign_targets(ctx, targets)


def delegated_targets(plan: Plan, current: Targets | None, key_of: Callable[[str], Key]) -> Targets:
    """The new targets.json's signed part: ``current`` (None: none yet) one version on,
    with the script's delegations in place of same-named ones (in their places; new
    ones after them all) and only the keys its roles name; ``key_of`` gives the key a
    script name stands for. Preflight checks its size, with stand-ins for the keys not
    yet made, and its order (new_targets_check.py)."""
    if current is not None:
        targets = Targets.from_dict(copy.deepcopy(current.to_dict()))
        targets.version += 1
    else:
        targets = Targets(version=1)
    assert plan.targets_expires is not None  # a delegate script names it
    targets.expires = plan.targets_expires
    delegations = targets.delegations or Delegations(keys={}, roles={})
    roles = dict(delegations.roles or {})
    details: TufDetails = plan.details
    for spec in details.delegations:
        keys = [key_of(name) for name in spec.keys]
        roles[spec.name] = DelegatedRole(
            name=spec.name,
            keyids=[key.keyid for key in keys],
            threshold=spec.threshold,
            terminating=spec.terminating,
            paths=list(spec.paths),
        )
        for key in keys:
            delegations.keys[key.keyid] = key
    used = {keyid for role in roles.values() for keyid in role.keyids}
    kept = {keyid: key for keyid, key in delegations.keys.items() if keyid in used}
    targets.delegations = Delegations(keys=kept, roles=roles)
    return targets


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
