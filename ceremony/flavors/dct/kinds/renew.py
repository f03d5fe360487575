"""renew, flavor dct: each GUN's root again, with a new expiry and the next version.

Root version N+1 of every GUN in scope keeps every key, certificate and
threshold of version N and changes only its expiry (``root-expires``); a
threshold of version N's root keys (``sign-with``) signs it, which is also
its own threshold, so notary-server takes it as the rotation it checks
(exactly version + 1, both thresholds met). With ``targets-expires`` the
server's current targets.json (``published:``) is signed again, version + 1,
by the GUN's targets key from the notary key file the bundle keeps for CI:
a notary client will not even publish over an expired targets.json.
Without it targets.json is left to CI (an expired one is left out of the
bundle, with a warning). Roots that have already expired are renewed only
when the script says ``current-root-expired: renew`` (preflight.py); the
warning is said again here, so it stands in the transcript beside the
signatures. A notary client holding an expired root still follows: it
checks version N+1 against N's keys and only the newest root's expiry.
"""

from __future__ import annotations

from collections.abc import Iterator

from ceremony.engine.context import Context
from ceremony.engine.step import Step
from ceremony.events import Event
from ceremony.events import Warning as WarningEvent
from ceremony.flavors.dct.keys import notary_signer
from ceremony.flavors.dct.kinds import common
from ceremony.flavors.dct.kinds.delegate import open_targets_keys_step, targets_records
from ceremony.flavors.dct.kinds.rotate_root import (
    check_targets_against,
    gun_root_steps,
    old_root_keys,
    signing_records,
)
from ceremony.flavors.dct.notary.errors import DctError
from ceremony.flavors.dct.notary.keyids import certificate_of
from ceremony.flavors.dct.notary.repository import GunUpdate
from ceremony.flavors.dct.notary.root import next_root, root_warnings, sign_root
from ceremony.flavors.dct.notary.signature_checks import check_new_root
from ceremony.flavors.dct.notary.targets import next_targets, sign_targets
from ceremony.flavors.dct.notary.validate import check_root_certificate
from ceremony.flavors.dct.plan import dct_spec
from ceremony.script.plan import Plan


def build(ctx: Context) -> Iterator[Event]:
    for warning in common.current(ctx).expired:
        yield WarningEvent(
            f"RENEWING AN EXPIRED ROOT: {warning}; the script says current-root-expired: renew"
        )
    yield from common.build_guns(ctx, renew_gun)


def renew_gun(ctx: Context, gun: str) -> GunUpdate:
    state = common.current(ctx).guns[gun]
    current = state.root.signed
    now = ctx.started.replace(microsecond=0)
    expires = dct_spec(ctx.plan).root_expires
    if expires is None:  # the script's rules require root-expires
        raise DctError("the script gives no root-expires", todo="this is a fault in the tool")
    signers = old_root_keys(current, [record for record in signing_records(ctx) if record.signer])
    root = next_root(current, gun=gun, expires=expires, now=now)
    metadata = sign_root(root, signers)
    check_new_root(current, metadata, gun)
    update = GunUpdate(gun, warnings=root_warnings(root, gun, now))
    update.files["root"] = metadata.to_bytes()
    targets = state.targets
    if ctx.plan.targets_expires is not None and targets is not None:
        renewed = next_targets(targets.signed, expires=ctx.plan.targets_expires, now=now)
        signed = sign_targets(renewed, [notary_signer(record)
                                        for record in targets_records(ctx, gun) if record.signer])
        check_targets_against(gun, metadata, signed)
        update.files["targets"] = signed.to_bytes()
    elif targets is not None and now >= targets.signed.expires_at:
        state.targets_bytes = None  # not carried: the bundle holds nothing expired
        state.__dict__.pop("targets", None)
        update.warnings.append(
            f"{gun}: targets.json version {targets.signed.version} expired "
            f"{targets.signed.expires}; the bundle leaves it out. CI's next publish signs a "
            "new one with the repository key"
        )
    for keyid in root.roles["root"].keyids:
        certificate = certificate_of(root.keys[keyid])
        update.warnings += check_root_certificate(certificate, gun, now, new=False)
        if certificate.not_valid_after_utc < expires:
            update.warnings.append(
                f"{gun}: root key {keyid[:8]}'s certificate expires "
                f"{certificate.not_valid_after_utc:%Y-%m-%d}, before the renewed root "
                f"({expires:%Y-%m-%d}); notary refuses the root from then: rotate that key "
                "before its certificate expires"
            )
    return update


def steps(plan: Plan) -> list[Step]:
    return gun_root_steps(
        "Sign each GUN's renewed root: same keys, new expiry", build,
        "The root threshold shows as met for every GUN; the new expiry is the one reviewed.",
        before=[open_targets_keys_step("open-targets-keys")] if plan.targets_expires else [],
    )
