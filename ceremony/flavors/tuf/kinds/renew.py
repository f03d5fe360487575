"""renew: the same root again, with a new expiry and the next version.

Root version N+1 keeps every key and threshold of version N and changes
only its expiry (``root-expires``); a threshold of version N's root keys
signs it, which is also its own threshold. With ``targets-expires`` the
current targets.json is signed again by the targets key with the next
version and the new expiry; without it, targets.json is carried as it is.
A root that has already expired is renewed only when the script says
``current-root-expired: renew`` (preflight.py); the warning is said again
here, so it stands in the transcript beside the signatures. A TUF client
holding the expired root still updates to the renewed one: it checks
version N+1 against N's keys, and only the final root's expiry.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator

# python-tuf documents these as tuf.api.metadata's API but lists no __all__:
# mypy's strict re-export rule cannot see them as exported
from tuf.api.metadata import Targets

from ceremony.engine.context import Context
from ceremony.engine.step import Step
from ceremony.events import Event
from ceremony.events import Warning as WarningEvent
from ceremony.flavors.tuf.current import current_bundle
from ceremony.flavors.tuf.kinds.bootstrap import sign_targets
from ceremony.flavors.tuf.kinds.rotate_root import next_root, open_root_keys_step, sign_next_root
from ceremony.script.plan import Plan
from ceremony.steps import common
from ceremony.tufmeta.summary import summarize
from ceremony.tufmeta.work import work


def renew_root(ctx: Context) -> Iterator[Event]:
    bundle = current_bundle(ctx)
    old = bundle.root_signed
    if bundle.expired:
        yield WarningEvent(
            f"RENEWING AN EXPIRED ROOT: root version {old.version} expired "
            f"{old.expires:%Y-%m-%dT%H:%M:%SZ}; the script says current-root-expired: renew"
        )
    new = next_root(old)
    assert ctx.plan.details.root_expires is not None  # renew requires root-expires
    new.expires = ctx.plan.details.root_expires
    yield from sign_next_root(ctx, old, new)


def renew_targets(ctx: Context) -> Iterator[Event]:
    current = current_bundle(ctx).targets
    expires = ctx.plan.targets_expires
    if current is None or expires is None:
        work(ctx).targets = current
        return
    targets = Targets.from_dict(copy.deepcopy(current.signed.to_dict()))
    targets.version += 1
    targets.expires = expires
    yield from sign_targets(ctx, targets)


def steps(plan: Plan) -> list[Step]:
    return [
        common.preflight_step(),
        open_root_keys_step(),
        Step(
            "root-metadata",
            "Sign the renewed root: same keys, new expiry",
            renew_root,
            check_by_eye="The root threshold shows as met; the new expiry is the one reviewed.",
        ),
        Step("targets-metadata", "Carry or renew targets", renew_targets),
        common.write_media_step(),
        Step("summary", "Summary", summarize),
    ]
