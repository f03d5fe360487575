"""Preflight of a TUF ceremony: the current bundle, and whether today's keys can sign.

engine/preflight.py asks the flavor (``TufFlavor.preflight``) after the
checks every flavor shares. A rotation, delegation or recovery reads the
current bundle (verified, current.py); every key name the script uses that
it does not define must be a key of that bundle, sign-with must name keys
that can sign here and reach the thresholds the ceremony needs, and the new
targets.json may not outlive the root. No side effects.
"""

from __future__ import annotations

from datetime import datetime

from ceremony.engine import utc_now
from ceremony.engine.new_root_check import check_new_root
from ceremony.engine.preflight_result import PreflightResult
from ceremony.engine.sign_with_check import cannot_sign_here
from ceremony.errors import CeremonyError
from ceremony.flavors.tuf.current import CurrentBundle, read_current
from ceremony.script.plan import Plan
from ceremony.threshold import threshold_result


def check_tuf(plan: Plan, result: PreflightResult, now: datetime | None) -> CurrentBundle | None:
    """Add the TUF checks to ``result``; the current bundle (None: a bootstrap,
    or a bundle that cannot be read)."""
    if plan.current is None:
        return None
    try:
        renewing = plan.kind == "renew" and plan.details.renew_expired
        online = plan.details.online_signer(now or utc_now())  # a Sigstore mirror's server
        current = read_current(plan.current, at=now, renew_expired=renewing,
                               online_signer=online)
    except CeremonyError as error:
        result.add("current bundle", error.message())
        return None
    if current.expired:
        result.add(
            "current bundle",
            None,
            f"WARNING: root version {current.root_version} at {plan.current} HAS EXPIRED "
            f"({'; '.join(current.expired)}); everything else verifies. The script says "
            "current-root-expired: renew: clients that hold it can update to the renewed root",
        )
    else:
        result.add(
            "current bundle",
            None,
            f"root version {current.root_version} at {plan.current} verifies",
        )
    if current.rehearsal and not plan.rehearsal:
        result.add(
            "current bundle",
            f"{plan.current} is a rehearsal bundle; a production ceremony never builds on "
            "rehearsal keys",
        )
    script_names = {spec.name for spec in plan.keys}
    known = set(current.keys) | script_names
    for name in sorted(script_names & set(current.keys)):
        result.add(
            f"key {name}",
            f"the name {name} is already used by a key in the current bundle; "
            "give the new key another name",
        )
    for name in plan.sign_with:
        if name not in known:
            result.add(
                f"sign-with {name}",
                f"no key {name} in the current bundle; it has: {', '.join(sorted(current.keys))}",
            )
        elif name in current.keys:
            problem = cannot_sign_here(plan, current.keys[name], ("age-file:", "pkcs11:"),
                                       "the bundle or on a token")
            if problem:
                result.add(f"sign-with {name}", problem)
    _check_signers(plan, current, result)
    if plan.kind == "decommission":
        from ceremony.engine.destroy_preflight import check_destroy

        check_destroy(plan, current, result)
    root_expires = plan.details.root_expires or current.root_signed.expires
    if plan.targets_expires is not None and plan.targets_expires > root_expires:
        result.add(
            "targets-expires",
            f"targets would expire after the root (root expires "
            f"{root_expires:%Y-%m-%d}); rotate or renew the root first or choose an "
            "earlier expiry",
        )
    for role in plan.roles:
        for name in role.keys:
            if name not in known:
                result.add(
                    f"roles.{role.name}",
                    f"no key {name} in the script or the current bundle",
                )
    for delegation in plan.details.delegations:
        for name in delegation.keys:
            if name not in known:
                result.add(
                    f"delegations.{delegation.name}",
                    f"no key {name} in the script or the current bundle",
                )
    return current


def _check_signers(plan: Plan, current: CurrentBundle, result: PreflightResult) -> None:
    """Enough of today's signers to meet the thresholds the ceremony needs."""
    signing = {current.keys[name].keyid for name in plan.sign_with if name in current.keys}
    if plan.kind == "rotate-root":
        check_new_root(plan, plan.sign_with, result)
    if plan.kind in ("rotate-root", "renew"):
        role = current.root_signed.roles["root"]
        today = threshold_result(role.keyids, role.threshold, signing)
        if not today.met:
            result.add(
                "sign-with",
                f"the current root keys that sign today give root version "
                f"{current.root_version} {today.words()}; add keyholders of the current root "
                "to sign-with",
            )
    if plan.kind == "delegate" or (plan.kind == "renew" and plan.targets_expires):
        role = current.root_signed.roles["targets"]
        today = threshold_result(role.keyids, role.threshold, signing)
        if not today.met:
            result.add(
                "sign-with",
                f"the targets keys that sign today give {today.words()}; name the targets key "
                "in sign-with",
            )
