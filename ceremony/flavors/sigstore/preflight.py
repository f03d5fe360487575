"""Preflight of a Sigstore ceremony: the trust material, and keys that can sign the mirror.

After the TUF flavor's checks (asked through the Flavor interface), each
service's file is read and checked (material.py) and named on its own line,
so one run lists every problem; then the signing config must have a Fulcio
CA, a Rekor log and a CT log in use today. The targets, snapshot and
timestamp keys must be made here: the ceremony signs version 1 of each for
the mirror. ``mirror-signer:`` (or, unsaid, how long snapshot and timestamp
last) says whether an online signer refreshes them (mirror_signer.py), and
preflight says what that implies; with one, a current bundle whose snapshot
or timestamp has expired is taken (the ceremony signs both again), and a
passing line says so. No side effects.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from ceremony.custody.record import KeyRecord as CustodyKey
from ceremony.engine import utc_now
from ceremony.engine.current import CurrentState
from ceremony.engine.preflight_result import PreflightResult
from ceremony.errors import CeremonyError
from ceremony.flavor import flavor_named
from ceremony.flavors.sigstore.current import CurrentMirror, current_mirror
from ceremony.flavors.sigstore.documents import TRUSTED_ROOT
from ceremony.flavors.sigstore.material import (
    GAP_TODO,
    IN_USE_TODO,
    ServiceMaterial,
    TrustMaterial,
    describe,
    missing_services,
    read_service,
    window_gaps,
)
from ceremony.flavors.sigstore.mirror_signer import (
    check_exportable,
    check_mirror_signer,
    next_version,
)
from ceremony.flavors.sigstore.plan import SigstoreDetails
from ceremony.flavors.sigstore.withdrawn import left_out
from ceremony.script.plan import Plan
from ceremony.threshold import threshold_result


def mirror_expiries(plan: Plan) -> dict[str, datetime]:
    """When the snapshot and timestamp the ceremony signs expire (a bootstrap's roles;
    the other kinds' snapshot-expires and timestamp-expires)."""
    details: SigstoreDetails = plan.details
    if plan.kind == "bootstrap":
        return {r.name: r.expires for r in plan.roles if r.name in ("snapshot", "timestamp")}
    found = {"snapshot": details.snapshot_expires, "timestamp": details.timestamp_expires}
    return {role: expires for role, expires in found.items() if expires is not None}


def check_sigstore(
    plan: Plan, result: PreflightResult, now: datetime | None
) -> CurrentState | None:
    if plan.kind == "migrate-dct":  # no trust root: the DCT bundle's GUNs
        from ceremony.flavors.sigstore.migration import check_migration

        check_migration(plan, result, now or utc_now())
        return None
    current = flavor_named("tuf").preflight(plan, result, now)
    at = now or utc_now()
    details: SigstoreDetails = plan.details
    read: list[ServiceMaterial] = []
    for spec in details.services:
        check = f"trust {spec.service}"
        try:
            material = read_service(spec, at)
        except CeremonyError as error:
            result.add(check, error.message())
        else:
            read.append(material)
            result.add(check, None, describe(material))
    if len(read) == len(details.services):
        trust = TrustMaterial(details.mirror_url, tuple(read))
        gaps = window_gaps(trust)
        result.add(
            "trust windows",
            f"{gaps}; {GAP_TODO}" if gaps else None,
            "each kind of service has a valid one from its first start on",
        )
        problem = missing_services(trust, at)
        result.add(
            "trust",
            f"{problem}; {IN_USE_TODO}" if problem else None,
            f"mirror at {details.mirror_url}",
        )
        if current is not None:
            check_left_out(current, trust, details, result)
    check_mirror_signer(details.mirror_signer, mirror_expiries(plan), result, at)
    if details.mirror_signer == "online":
        check_exportable(_mirror_keys_on_tokens(plan, current), result)
    if plan.kind == "bootstrap":
        _check_mirror_keys(plan, result, at)
    elif current is not None and plan.kind != "recover":  # recover: once custody is read
        check_mirror_signers(plan, current, result, at=at)
    return current


KEEP_TODO = (
    "list it again in trust: with a valid-until (what it did before then still verifies); "
    "or, if its key is compromised, name its URL in trust: withdraw:"
)


def check_left_out(
    current: CurrentState, trust: TrustMaterial, details: SigstoreDetails, result: PreflightResult
) -> None:
    """The current trusted root's services are all in trust:, or withdrawn on purpose;
    withdraw: names only services left out."""
    contents = current.contents
    gone = left_out(contents.content(TRUSTED_ROOT) if contents else None, trust)
    for item in gone:
        withdrawn = item.url in details.withdraw
        result.add(
            f"trust {item.service} left out",
            None if withdrawn else f"{item.words()}; {KEEP_TODO}",
            f"{item.words()}: withdrawn, as trust: withdraw: says",
        )
    for url in sorted(set(details.withdraw) - {item.url for item in gone}):
        result.add(
            "trust withdraw",
            f"{url} names no service of the current trusted_root.json that trust: leaves "
            "out; remove it from withdraw:, or correct the URL",
        )
    if not gone and not details.withdraw:
        result.add("trust kept", None, "every service of the current trusted_root.json is listed")


def _mirror_keys_on_tokens(
    plan: Plan, current: CurrentState | None
) -> list[tuple[str, str, bool]]:
    """(role, key, made here) for each snapshot or timestamp key of the root the ceremony
    ends with that is on a token: made here on one, or the current bundle's kept on one
    (a role the script does not give new keys keeps the current root's)."""
    specs = {spec.name: spec for spec in plan.keys}
    found = []
    for role_name in ("snapshot", "timestamp"):
        role = plan.role(role_name)
        if role is not None:
            names = list(role.keys)
        elif current is not None:
            names = [record.name for record in current.keys.values()
                     if role_name in current.roles_of(record.keyid)]
        else:
            continue
        for name in names:
            spec = specs.get(name)
            if spec is not None and spec.source == "generate":
                on_token = spec.backend != "software"
            else:
                record = current.keys.get(name) if current is not None else None
                on_token = record is not None and record.location.startswith("pkcs11:")
            if on_token:
                found.append((role_name, name, spec is not None and spec.source == "generate"))
    return found


def check_mirror_signers(
    plan: Plan,
    current: CurrentState,
    result: PreflightResult,
    recovered: Iterable[CustodyKey] = (),
    at: datetime | None = None,
) -> None:
    """The current bundle has a mirror, and the keys here today reach every threshold of
    the mirror's metadata under the root the ceremony ends with (a rotation's new roles
    by key name, the others as the current root has them). With an online signer, a
    passing line for each of its snapshot and timestamp that has expired at ``at``."""
    try:
        mirror = current_mirror(current)
    except CeremonyError as error:
        result.add("current bundle", error.message())
        return
    at = at or utc_now()
    details: SigstoreDetails = plan.details
    online = details.online_signer(at)
    for role_name, expires in mirror.expires.items():
        # the TUF checks let it through (Problem.online, details.current_online_signer)
        if (online or mirror.served_online) and expires <= at:
            signer = "online signer" if online else "online signer that served the bundle"
            result.add(
                f"current {role_name}",
                None,
                f"the bundle's {role_name} expired at {expires:%Y-%m-%d %H:%M} UTC; the "
                f"{signer} re-signs it, and this ceremony signs it again",
            )
    root = mirror.root.signed
    from_custody = list(recovered)
    made_here = {spec.name for spec in plan.keys if spec.source == "generate"}
    here = made_here | set(plan.sign_with) | {key.name for key in from_custody}
    signing = {current.keys[name].keyid for name in plan.sign_with if name in current.keys}
    signing |= {key.keyid for key in from_custody}
    for role_name in ("targets", "snapshot", "timestamp"):
        new_role = plan.role(role_name)
        if new_role is not None:
            today = threshold_result(new_role.keys, new_role.threshold, here)
        else:
            role = root.roles[role_name]
            today = threshold_result(role.keyids, role.threshold, signing)
        result.add(
            f"sign-with {role_name}",
            None
            if today.met
            else f"the {role_name} keys that sign today give {today.words()} for root version "
            f"{root.version + bool(plan.roles)}; add the {role_name} key to sign-with",
            f"{role_name} version {_next(mirror, role_name, online, at)}: {today.words()}",
        )


def _next(mirror: CurrentMirror, role_name: str, online: bool, at: datetime) -> int:
    if role_name == "targets":
        return mirror.targets.signed.version + 1
    version = mirror.snapshot_version if role_name == "snapshot" else mirror.timestamp_version
    return next_version(version, online, at, served_online=mirror.served_online)


def _check_mirror_keys(plan: Plan, result: PreflightResult, at: datetime) -> None:
    keys = {spec.name: spec for spec in plan.keys}
    for role_name in ("targets", "snapshot", "timestamp"):
        role = plan.role(role_name)
        if role is None:
            continue
        imported = [name for name in role.keys if name in keys and keys[name].source == "import"]
        if imported:
            result.add(
                f"roles.{role_name}",
                f"{', '.join(imported)} is imported, but a Sigstore bootstrap signs {role_name} "
                "version 1 of the mirror here; make the key in this ceremony (it is stored "
                "encrypted for the online system when that signer needs it)",
            )
