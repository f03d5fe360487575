"""recover, flavor dct: custodians bring back the root keys; the targets key is replaced.

Disaster recovery of Docker Content Trust repositories whose root keys were
sealed into a custody bundle (a dct bootstrap or rotate-root with
``custody:``) and whose keyholders (or their passphrases) are gone, or whose
targets key CI lost. The steps are every flavor's (steps/collect_shares.py):
preflight checks the custody record against every GUN's current root, from
public facts, before any share is asked for; then the shares are collected,
the custody bundle opened, and every recovered key checked against the
current dct bundle (``current:``): a key the bundle names differently stops
the recovery, and the recovered root keys must meet each GUN's root
threshold.

Then it acts as a dct rotate-root (rotate_root.py) signed by the recovered
root keys instead of sign-with: ``replace: {targets: ...}`` makes a new
targets key (per GUN or shared, exported for CI in notary's key format),
each GUN gets root version N+1 naming it, signed by the old and new root
thresholds (the root keys stay, so the recovered keys meet both), and its
targets.json (the server's, from ``published:``) is re-signed by the new key.
The recovered root keys are written back as they were (their age files are
carried from the current bundle), and the custody record is carried forward:
the custody bundle still holds this root's keys.
"""

from __future__ import annotations

from collections.abc import Iterator

from ceremony.engine.context import Context
from ceremony.engine.step import Step
from ceremony.events import Event
from ceremony.flavors.dct.kinds import common
from ceremony.flavors.dct.kinds import rotate_root as dct_rotate
from ceremony.script.plan import Plan
from ceremony.steps import collect_shares
from ceremony.steps import common as shared


def _new_keys(ctx: Context) -> Iterator[Event]:
    yield from common.make_repository_keys(ctx)


def steps(plan: Plan) -> list[Step]:
    return [
        shared.preflight_step(),
        *collect_shares.recovery_steps("a root key of every GUN's current root"),
        Step(
            "new-keys",
            "Make the replacement repository keys",
            _new_keys,
            check_by_eye="Each new keyholder writes down the short key id shown for their key.",
        ),
        Step(
            "gun-metadata",
            "Build and sign each GUN's next root version with the recovered keys",
            dct_rotate.build,
            check_by_eye="Both thresholds, current root and new root, show as met for every GUN.",
        ),
        shared.write_media_step(),
        common.summary_step(),
    ]
