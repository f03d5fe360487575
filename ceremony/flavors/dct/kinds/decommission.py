"""decommission, flavor dct: each GUN's next root without some root keys, then destroy them.

Root version N+1 of every GUN in scope is version N without the keys in
``destroy:`` (every other key keeps its certificate, the threshold stays;
engine/destroy_preflight.py refused a GUN that would fall short of it),
with the expiry ``root-expires:`` gives (else N's). A threshold of N's root
keys (``sign-with``) signs it, which also meets its own threshold, so
notary-server takes it as the rotation it checks (exactly version + 1, both
thresholds met). targets.json stays as the server has it: its key did not
change. Then the bundle is written, and only once it is sealed is each key
destroyed and the files that held it wiped (steps/destroy.py and
steps/destruction.py, shared with every flavor).
"""

from __future__ import annotations

from collections.abc import Iterator

from ceremony.engine.context import Context
from ceremony.engine.step import Step
from ceremony.events import Event
from ceremony.flavors.dct.kinds import common
from ceremony.flavors.dct.kinds.rotate_root import (
    gun_root_steps,
    old_root_keys,
    signing_records,
)
from ceremony.flavors.dct.notary.keyids import canonical_keyid, certificate_of
from ceremony.flavors.dct.notary.repository import GunUpdate
from ceremony.flavors.dct.notary.root import RootKey, next_root, root_warnings, sign_root
from ceremony.flavors.dct.notary.signature_checks import check_new_root
from ceremony.flavors.dct.plan import dct_spec
from ceremony.script.plan import Plan
from ceremony.steps.destroy import DESTROY_STEP


def build(ctx: Context) -> Iterator[Event]:
    return common.build_guns(ctx, decommission_gun)


def decommission_gun(ctx: Context, gun: str) -> GunUpdate:
    current = common.current(ctx).guns[gun].root.signed
    now = ctx.started.replace(microsecond=0)
    destroyed = {ctx.keys[name].keyid for name in ctx.plan.destroy}
    opened = [record for record in signing_records(ctx) if record.signer]
    signers = old_root_keys(current, opened)
    kept = [  # each under its certificate, as N has it; the ones opened today sign
        RootKey(certificate_of(key), None, key.public)
        for key in (current.keys[keyid] for keyid in current.roles["root"].keyids)
        if canonical_keyid(key) not in destroyed
    ]
    root = next_root(current, gun=gun, root_keys=kept, now=now, check_certificates=False,
                     expires=dct_spec(ctx.plan).root_expires or current.expires_at)
    metadata = sign_root(root, signers)
    check_new_root(current, metadata, gun)
    update = GunUpdate(gun, warnings=root_warnings(root, gun, now))
    update.files["root"] = metadata.to_bytes()
    return update


def steps(plan: Plan) -> list[Step]:
    return gun_root_steps(
        "Sign each GUN's next root version, without the keys to destroy", build,
        "Both thresholds, current root and new root, show as met for every GUN; the keys "
        "to destroy are not in the new roots.",
        after=[DESTROY_STEP],
    )
