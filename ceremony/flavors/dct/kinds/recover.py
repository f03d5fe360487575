"""recover, flavor dct: custodians bring back the root keys; the targets key is replaced.

Disaster recovery of Docker Content Trust repositories whose root keys were
sealed into a custody bundle (a dct bootstrap or rotate-root with
``custody:``) and whose keyholders (or their passphrases) are gone, or whose
targets key CI lost. The steps are the tuf recover's (kinds/recover.py):
preflight (engine/dct_recover_preflight.py checks the custody record against
every GUN's current root, from public facts, before any share is asked for),
"collect-shares" and the opening of the custody bundle (collect_shares.py,
shared with the tuf recover). Every recovered key is then checked against
the current dct bundle (``current:``): a key the bundle names differently
stops the recovery, and the recovered root keys must meet each GUN's root
threshold.

Then it acts as a dct rotate-root (dct_rotate.py) signed by the recovered
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

from typing import Iterator

from ceremony.custody import KeyMismatchError
from ceremony.engine.step import Step
from ceremony.events import Event, KeyRecovered
from ceremony.flavors.dct.notary.keyids import canonical_keyid
from ceremony.steps import collect_shares
from ceremony.threshold import threshold_result
from ceremony.flavors.dct.kinds import rotate_root as dct_rotate
from ceremony.flavors.dct.kinds import common
from ceremony.script.plan import Plan


def open_custody(ctx) -> Iterator[Event]:
    restored = yield from collect_shares.restore(ctx)
    yield from check_and_attach(ctx, restored)


def check_and_attach(ctx, restored) -> Iterator[Event]:
    """Every recovered key against the current dct bundle and every GUN's root;
    the root keys become the signers of today's roots."""
    state = ctx.dct.state
    where = f"custody bundle {restored.record.ceremony_id}"
    canonical = {}
    for key in restored.keys:
        keyid = canonical_keyid(key.private_key.public_key())
        canonical[key.name] = keyid
        named = ctx.keys.get(key.name)
        if named is not None and named.keyid != keyid:
            raise KeyMismatchError(
                f"key {key.name} in the custody bundle has id {keyid[:8]}, but the current "
                f"bundle's {key.name} is {named.keyid[:8]}",
                where=where,
                todo="this custody bundle is not of this repository's ceremonies: use no key "
                "from it; bring the right copies",
            )
    recovered_ids = set(canonical.values())
    for gun in state.scope:
        current = state.guns[gun]
        role = current.root.signed.roles["root"]
        recovered = threshold_result(current.canonical_ids("root"), role.threshold, recovered_ids)
        if not recovered.met:
            raise KeyMismatchError(
                f"the recovered root keys give the root of {gun} (version "
                f"{current.root_version}) {recovered.words()}",
                where=where,
                todo="bring the custody bundle of a ceremony that made this root's keys; "
                "nothing was signed",
            )
    root_ids = set()
    for gun in state.scope:
        root_ids |= set(state.guns[gun].canonical_ids("root"))
    by_id = {record.keyid: record for record in ctx.keys.values()}
    for key in restored.keys:
        keyid = canonical[key.name]
        record = by_id.get(keyid)
        guns = tuple(
            gun for gun in state.scope if keyid in state.guns[gun].canonical_ids("root")
        )
        if record is not None and guns and keyid in root_ids:
            record.signer = key.software_key(record.location)
            ctx.dct.recovered.append(record.name)
        yield KeyRecovered(
            key=key.name, keyid=keyid, current_roles=("root",) if guns else ()
        )


def _new_keys(ctx) -> Iterator[Event]:
    yield from common.make_repository_keys(ctx)


def steps(plan: Plan) -> list[Step]:
    return [
        common.preflight_step(),
        Step(
            "collect-shares",
            "Collect the custodians' shares",
            collect_shares.collect,
            say_aloud="Each custodian, in turn, opens their sealed sheet and reads or scans it; "
            "say the bag number aloud first.",
            check_by_eye="Each bag is intact and its number is the one on the custody record.",
        ),
        Step(
            "open-custody",
            "Open the custody bundle and check every key",
            open_custody,
            check_by_eye="Every recovered key matches a root key of every GUN's current root.",
        ),
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
        common.seal_step(),
        common.summary_step(),
    ]
