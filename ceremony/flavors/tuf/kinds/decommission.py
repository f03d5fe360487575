"""decommission: remove keys from the root, then destroy them.

The next root version is the current one without the keys in ``destroy:``
(every role they held keeps its threshold: preflight refuses otherwise),
signed by a threshold of the current root's keys and of its own, with the
expiry ``root-expires:`` gives (else the current one). targets.json is
carried, or signed again when its keys changed and one is here. Then the
typed ``destroy`` is asked and the bundle written without them; only once
it is sealed is each key destroyed (steps/destroy.py, steps/destruction.py).
"""

from __future__ import annotations

from collections.abc import Iterator

from ceremony.engine.context import Context
from ceremony.engine.step import Step
from ceremony.events import Event
from ceremony.flavors.tuf.current import current_bundle
from ceremony.flavors.tuf.kinds.rotate_root import (
    carry_targets,
    next_root,
    open_root_keys_step,
    sign_next_root,
)
from ceremony.script.plan import Plan
from ceremony.steps import common
from ceremony.steps.destroy import DESTROY_STEP
from ceremony.tufmeta.summary import summarize


def build_root(ctx: Context) -> Iterator[Event]:
    old = current_bundle(ctx).root_signed
    new = next_root(old)
    for name in ctx.plan.destroy:
        keyid = ctx.keys[name].keyid
        for role_name, role in old.roles.items():
            if keyid in role.keyids:
                new.revoke_key(keyid, role_name)
    if ctx.plan.details.root_expires is not None:
        new.expires = ctx.plan.details.root_expires
    yield from sign_next_root(ctx, old, new)


def steps(plan: Plan) -> list[Step]:
    return [
        common.preflight_step(),
        open_root_keys_step(),
        Step(
            "root-metadata",
            "Build and sign the next root version, without the keys to destroy",
            build_root,
            check_by_eye="Both thresholds, current root and new root, show as met; the keys "
            "to destroy are not in the new root.",
        ),
        Step("targets-metadata", "Carry or re-sign targets", carry_targets),
        DESTROY_STEP,
        common.write_media_step(),
        Step("summary", "Summary", summarize),
    ]
