"""Preflight of a TUF ceremony: the current bundle, and whether today's keys can sign.

engine/preflight.py asks the flavor (``TufFlavor.preflight``) after the
checks every flavor shares. A rotation, delegation or recovery reads the
current bundle (verified, current.py); every key name the script uses that
it does not define must be a key of that bundle, sign-with must name keys
that can sign here and reach the thresholds the ceremony needs, and the new
targets.json may not outlive the root, nor (a delegation) exceed what verify
accepts or list the script's roles in another order (new_targets_check.py). What
the script checks hold a script's own roles to, preflight holds the roles the new
root keeps to: a changed role may not outlive a root it keeps, nor take a key of a
role kept; and a request signed in sittings may not outlive the current bundle every
sitting verifies. No side effects.
"""

from __future__ import annotations

from datetime import datetime

from ceremony.engine import utc_now
from ceremony.engine.new_root_check import check_new_root
from ceremony.engine.preflight_result import PreflightResult
from ceremony.engine.sign_with_check import cannot_sign_here
from ceremony.errors import CeremonyError
from ceremony.flavors.tuf.current import CurrentBundle, read_current
from ceremony.flavors.tuf.new_targets_check import check_new_targets
from ceremony.script.expiry import format_expiry
from ceremony.script.plan import Plan
from ceremony.threshold import threshold_result


def check_tuf(plan: Plan, result: PreflightResult, now: datetime | None) -> CurrentBundle | None:
    """Add the TUF checks to ``result``; the current bundle (None: a bootstrap,
    or a bundle that cannot be read)."""
    if plan.current is None:
        return None
    try:
        renewing = plan.kind == "renew" and plan.details.renew_expired
        # a Sigstore mirror's server: this script's, or the one that served the bundle
        online = plan.details.current_online_signer(now or utc_now())
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
    if plan.request_expires is not None:
        _request_within_current(plan, plan.request_expires, current, result)
    if plan.role("root") is None:  # with roles.root: the script checks' root_outlives_roles
        _roles_within_kept_root(plan, current, result)
    if plan.kind in ("rotate-root", "recover"):
        _one_role_per_key(plan, current, result)
    if plan.kind == "delegate":  # its size and its order, before any key is made
        check_new_targets(plan, current, result)
    if plan.targets_expires is not None and plan.targets_expires > root_expires:
        result.add(
            "targets-expires",
            f"targets would expire after the root (root expires "
            f"{root_expires:%Y-%m-%d}); rotate or renew the root first or choose an "
            "earlier expiry",
        )
    if plan.targets_expires is None and plan.details.root_expires is not None:
        _root_outlives_kept_targets(plan, plan.details.root_expires, current, result)
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
        said = (f"the current root keys that sign today give root version "
                f"{current.root_version}: {today.words()}")
        if not today.met:
            result.add("sign-with", f"{said}; add keyholders of the current root to sign-with")
        else:  # what the witness checks before the keys are opened (quarterly-rotation.md)
            result.add("sign-with", None, said)
    if plan.kind == "delegate" or (plan.kind == "renew" and plan.targets_expires):
        role = current.root_signed.roles["targets"]
        today = threshold_result(role.keyids, role.threshold, signing)
        if not today.met:
            result.add(
                "sign-with",
                f"the targets keys that sign today give {today.words()}; name the targets key "
                "in sign-with",
            )


def _roles_within_kept_root(plan: Plan, current: CurrentBundle, result: PreflightResult) -> None:
    """A role the ceremony changes may not outlive the root it keeps, as a script's
    own roles.root may not be outlived (script/rules.py: root_outlives_roles):
    else the next rotation, which lists every role, is refused."""
    field = "replace" if plan.kind == "recover" else "roles"
    kept = current.root_signed.expires
    for role in plan.roles:
        if role.expires > kept:
            result.add(
                f"{field}.{role.name}.expires",
                f"the {role.name} role would expire at {format_expiry(role.expires)}, after "
                f"the root, which keeps root version {current.root_version}'s expiry "
                f"({format_expiry(kept)}), and the root must outlive every role it signs; "
                f"give {role.name} an earlier expiry, or the root a later one under "
                f"{field}.root",
            )


def _root_outlives_kept_targets(
    plan: Plan, root_expires: datetime, current: CurrentBundle, result: PreflightResult
) -> None:
    """A new root expiry (renew, decommission) may not come before the expiry of the
    targets.json the ceremony carries as it is: the root must outlive every role it
    signs, else the next rotation, which lists every role, is refused."""
    if current.targets is None:
        return
    kept = current.targets.signed
    if root_expires < kept.expires:
        result.add(
            "root-expires",
            f"the root would expire at {format_expiry(root_expires)}, before targets.json "
            f"version {kept.version}, which is carried as it is ({format_expiry(kept.expires)}), "
            "and the root must outlive every role it signs; give root-expires a later expiry"
            + (", or targets-expires one no later than the root's to sign targets.json again"
               if plan.kind == "renew" else ""),
        )


def _request_within_current(
    plan: Plan, request_expires: datetime, current: CurrentBundle, result: PreflightResult
) -> None:
    """A request signed in sittings is signable and sealable only while the current
    bundle (which every sitting verifies) is unexpired: a request outliving it is
    refused, before any sitting. Without roles.root the new root keeps the current
    root's expiry, so this also keeps the request within the new root's (with
    roles.root, the script checks do: script/checks.py)."""
    kept = current.root_signed.expires  # the new root's too, without roles.root
    expiries = [(f"root version {current.root_version}", kept)]
    if current.targets is not None:
        expiries.append((f"targets.json version {current.targets.signed.version}",
                         current.targets.signed.expires))
    what, first = min(expiries, key=lambda expiry: expiry[1])
    if request_expires > first:
        result.add(
            "request-expires",
            f"the request could be signed and sealed until {format_expiry(request_expires)}, "
            f"after the current bundle's {what} expires ({format_expiry(first)}): every "
            "sitting verifies the current bundle, and from then on refuses it; give "
            "request-expires a time no later than that, or renew the current bundle first",
        )


def _one_role_per_key(plan: Plan, current: CurrentBundle, result: PreflightResult) -> None:
    """A key a role of the script names may not be a key of a role the new root keeps
    as it is (between the script's own roles: the script checks' one_role_per_key)."""
    field = "replace" if plan.kind == "recover" else "roles"
    names = {record.keyid: name for name, record in current.keys.items()}
    changed = {role.name for role in plan.roles}
    owners: dict[str | None, str] = {}  # key name -> the first kept role that has it
    for name, kept_role in current.root_signed.roles.items():
        if name not in changed:
            for keyid in kept_role.keyids:
                owners.setdefault(names.get(keyid), name)
    for role in plan.roles:
        for index, key in enumerate(role.keys):
            owner = owners.get(key)
            if owner is not None:
                result.add(
                    f"{field}.{role.name}.keys[{index}]",
                    f"{key} is already a key of the {owner} role, which root version "
                    f"{current.root_version + 1} keeps; use a separate key for each role: "
                    f"make or import a new key for {role.name}",
                )
