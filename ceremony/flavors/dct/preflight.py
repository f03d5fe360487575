"""Preflight for Docker Content Trust ceremonies: what is on media, checked first.

engine/preflight.py calls :func:`check_dct` for a dct plan, after the checks
every flavor shares (air gap, output, imported public keys, passphrase
sources). It reads, with no side effects, what the script names: the
server's keys on media, the bundle of the last ceremony or a Docker trust
dir, and the server's current metadata; then checks that today's keys can
meet every GUN's thresholds. Each finding is one line of the preflight
report; the :class:`DctState` it returns is what the kinds build on.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

from ceremony.engine.destroy_preflight import check_destroy
from ceremony.engine.keyring import KeyRecord
from ceremony.engine.new_root_check import check_new_root
from ceremony.engine.preflight_result import PreflightResult
from ceremony.engine.public_keys import read_public_key
from ceremony.engine.sign_with_check import cannot_sign_here
from ceremony.errors import CeremonyError
from ceremony.flavors.dct.current import read_dct_bundle
from ceremony.flavors.dct.fleet_size import (
    check_fleet_size,
    fleet_of,
    note_bundle_room,
    root_keys_kept,
)
from ceremony.flavors.dct.notary.keyids import canonical_keyid
from ceremony.flavors.dct.notary.root import ROOT_EXPIRY
from ceremony.flavors.dct.notary.serverkeys import (
    load_server_keys,
    read_server_key,
    server_key_path,
)
from ceremony.flavors.dct.notary.validate import SIX_MONTHS
from ceremony.flavors.dct.plan import dct_spec
from ceremony.flavors.dct.published import read_published, reconcile
from ceremony.flavors.dct.root_certificates import imported_certificates
from ceremony.flavors.dct.state import DctState, ServerKeyChange
from ceremony.flavors.dct.targets_size import check_targets_size
from ceremony.flavors.dct.trust import read_trust_dir
from ceremony.script.plan import Plan
from ceremony.threshold import threshold_result


def check_dct(plan: Plan, result: PreflightResult, now: datetime | None) -> DctState | None:
    """Add the DCT checks to ``result``; the state found (None when it cannot be read)."""
    now = now or datetime.now(UTC)
    dct = dct_spec(plan)
    state = _read_state(plan, result, now)
    if state is None:
        return None
    if plan.kind == "bootstrap":
        result.bundle_names = list(dct.guns)  # folders of the bundle, each GUN's
        note_bundle_room(fleet_of(plan, dct.guns, 0, False, {}), len(dct.guns), result)
        _bootstrap_server_keys(plan, state, result)
    else:
        if not _scope(plan, state, result):
            return state
        result.bundle_names = list(state.guns)  # the new bundle carries every GUN
        found = [state.guns[gun] for gun in state.scope]
        check_fleet_size(plan, state.scope, max((len(g.history) for g in found), default=0),
                         any(g.snapshot == "offline" for g in found),
                         root_keys_kept(state, state.scope), result)
        if dct.published is not None:
            _published(plan, dct.published, state, result)
        if plan.kind == "delegate":  # before any key is made: verify would refuse
            check_targets_size(plan, state, now, result)
        if dct.server_keys is not None:
            _rotation_server_keys(dct.server_keys, state, result)
        _snapshot_held_by_server(plan, state, result)
    if plan.kind in ("rotate-root", "renew", "decommission"):
        _root_signers(plan, state, result)
    if plan.kind == "decommission":
        check_destroy(plan, state, result)
    if plan.kind in ("rotate-root", "recover"):  # recover: the custody check is custody_preflight's
        _role_key_names(plan, state, result)
    if plan.kind == "rotate-root" and plan.request_expires is not None:
        _new_root_certificates(plan, state, result, now)
    if plan.kind == "delegate" or (plan.kind == "renew" and plan.targets_expires is not None):
        _targets_keys_here(plan, state, result)
        _delegation_key_names(plan, state, result)
    _root_expiry(plan, result, now)
    return state


def _new_root_certificates(
    plan: Plan, state: DctState, result: PreflightResult, now: datetime
) -> None:
    """A rotation signed in sittings: each imported root key new to a GUN comes with
    its keyholder's certificate for every GUN (root_certificates.py; the request
    checks them again as it builds the roots)."""
    role = plan.role("root")
    for spec in plan.keys:
        if spec.source != "import" or spec.public_key_file is None or role is None \
                or spec.name not in role.keys:
            continue
        try:
            public_key = read_public_key(spec.public_key_file, spec.name)
        except CeremonyError:
            continue  # the shared check of imported keys says what is wrong with it
        keyid = canonical_keyid(public_key)
        if all(keyid in state.guns[gun].canonical_ids("root") for gun in state.scope):
            continue
        check = f"key {spec.name} certificates"
        try:
            found = imported_certificates(spec.public_key_file, spec.name, public_key,
                                          state.scope, now, role.expires or now + ROOT_EXPIRY)
        except CeremonyError as error:
            result.add(check, error.message().removeprefix(f"key {spec.name}: "))
        else:
            until = min(key.certificate.not_valid_after_utc for key in found.values())
            result.add(check, None, f"a certificate for each of {len(found)} GUN(s), signed "
                       f"by the key, valid until {until:%Y-%m-%d}")


def _read_state(plan: Plan, result: PreflightResult, now: datetime) -> DctState | None:
    dct = dct_spec(plan)
    if plan.kind == "bootstrap":
        return DctState(source="none", scope=list(dct.guns))
    try:
        if plan.current is not None:
            renewing = plan.kind == "renew" and dct.renew_expired
            state = read_dct_bundle(plan.current, at=now, renew_expired=renewing)
            if state.expired:
                result.add(
                    "current bundle",
                    None,
                    f"WARNING: {len(state.guns)} GUN(s) at {plan.current} HAVE EXPIRED "
                    f"({'; '.join(state.expired)}); everything else verifies. The script says "
                    "current-root-expired: renew: clients that hold them can update to the "
                    "renewed roots",
                )
            else:
                result.add(
                    "current bundle", None, f"{len(state.guns)} GUN(s) at {plan.current} verify"
                )
            if state.rehearsal and not plan.rehearsal:
                result.add(
                    "current bundle",
                    f"{plan.current} is a rehearsal bundle; a production ceremony never builds "
                    "on rehearsal keys",
                )
        elif dct.import_trust is not None:
            state = read_trust_dir(dct.import_trust, dct.guns)
            found = ", ".join(sorted(state.keys)) or "none"
            result.add(
                "docker trust",
                None,
                f"{len(state.guns)} GUN(s) cached at {dct.import_trust}; "
                f"key files found: {found}",
            )
        else:  # the script's checks ask for one of the two
            raise CeremonyError("the script names neither current: nor import-trust:")
    except CeremonyError as error:
        result.add("current bundle" if plan.current else "docker trust", error.message())
        return None
    return state


def _scope(plan: Plan, state: DctState, result: PreflightResult) -> bool:
    guns = dct_spec(plan).guns
    if not guns:
        state.scope = list(state.guns)
        return True
    state.scope = list(guns)
    unknown = [gun for gun in guns if gun not in state.guns]
    for gun in unknown:
        _for_gun(result, "GUN", gun,
            f"not in the {'current bundle' if plan.current else 'Docker trust dir'}; it has: "
            + ", ".join(sorted(state.guns)),
        )
    return not unknown


def _bootstrap_server_keys(plan: Plan, state: DctState, result: PreflightResult) -> None:
    dct = dct_spec(plan)
    snapshot = dct.snapshot == "server"
    for gun in state.scope:
        try:
            if dct.server_keys is None:  # the script's checks ask for it
                raise CeremonyError("the script names no server-keys: folder")
            state.server_keys[gun] = load_server_keys(dct.server_keys, gun, snapshot=snapshot)
        except CeremonyError as error:
            _for_gun(result, "server keys", gun, error.message())
        else:
            roles = "timestamp and snapshot" if snapshot else "timestamp"
            _for_gun(result, "server keys", gun, None, f"the server's {roles} key read from media")


def _rotation_server_keys(media: Path, state: DctState, result: PreflightResult) -> None:
    for gun in state.scope:
        change = ServerKeyChange()
        try:
            for role in ("timestamp", "snapshot"):
                path = server_key_path(media, gun, role)
                if os.path.lexists(path):  # a link or a pipe is refused by name
                    setattr(change, role, read_server_key(media, gun, role))
        except CeremonyError as error:
            _for_gun(result, "server keys", gun, error.message())
            continue
        if change.timestamp is None and change.snapshot is None:
            _for_gun(result, "server keys", gun,
                f"the Notary server's keys for {gun} are not on the media at "
                f"{media}; run scripts/dct-fetch-keys (--rotate timestamp or "
                "snapshot for a new key) for this GUN and bring the media back",
            )
            continue
        state.server_key_changes[gun] = change
        named = [role for role in ("timestamp", "snapshot") if getattr(change, role)]
        _for_gun(result, "server keys", gun, None, f"the server's {' and '.join(named)} key read")


def _published(plan: Plan, media: Path, state: DctState, result: PreflightResult) -> None:
    need_targets = (plan.kind == "delegate" or plan.role("targets") is not None
                    or (plan.kind == "renew" and plan.targets_expires is not None))
    for gun in state.scope:
        try:
            published = read_published(media, gun)
            warnings = reconcile(state.guns[gun], published, need_targets=need_targets)
        except CeremonyError as error:
            _for_gun(result, "server state", gun, error.message())
            continue
        state.warnings.extend(warnings)
        current = state.guns[gun]
        detail = f"root version {current.root_version}"
        if current.targets is not None and current.targets_from_server:
            detail += f", targets version {current.targets.signed.version}"
        _for_gun(result, "server state", gun, None, detail + " as the server serves it")
        for warning in warnings:
            _for_gun(result, "server state", gun, None, f"WARNING: {warning}")


def _snapshot_held_by_server(plan: Plan, state: DctState, result: PreflightResult) -> None:
    """A change the server must snapshot needs the server to hold the snapshot key."""
    for gun in state.scope:
        current = state.guns[gun]
        change = state.server_key_changes.get(gun)
        moving = change is not None and change.snapshot is not None
        if current.snapshot == "server" or moving:
            continue
        _for_gun(result, "snapshot", gun,
            f"the server does not hold the snapshot key of {gun} (CI or a laptop does), so it "
            "cannot sign a snapshot of this change; fetch the server's snapshot key with "
            "scripts/dct-fetch-keys into server-keys: of a rotate-root ceremony, which hands "
            "snapshots to the server",
        )


def _root_signers(plan: Plan, state: DctState, result: PreflightResult) -> None:
    """Today's root keys must meet the new root's threshold and every GUN's current one."""
    signing = _signing_entries(plan, state, result)
    if signing is None:
        return
    check_new_root(plan, [entry.name for entry in signing], result)
    for gun in state.scope:
        current = state.guns[gun]
        role = current.root.signed.roles["root"]
        today = threshold_result(
            role.keyids,
            role.threshold,
            {entry.repositories[gun] for entry in signing if gun in entry.repositories},
        )
        if not today.met:
            _for_gun(result, "sign-with", gun,
                f"the current root keys of {gun} that sign today give root version "
                f"{current.root_version} {today.words()}; bring more of its keyholders "
                "(or the trust dir's key files)",
            )


def _signing_entries(
    plan: Plan, state: DctState, result: PreflightResult
) -> list[KeyRecord] | None:
    if plan.current is None:  # import-trust: the trust dir's root keys, or those named
        names = plan.sign_with or tuple(n for n, e in state.keys.items() if "root" in e.roles)
    else:
        names = plan.sign_with
    entries = []
    for name in names:
        entry = state.keys.get(name)
        if entry is None:
            result.add(
                f"sign-with {name}",
                f"no key {name} in the current state; it has: {', '.join(sorted(state.keys))}",
            )
            return None
        if "root" not in entry.roles:
            result.add(f"sign-with {name}", f"{name} is not a root key of any GUN here")
            return None
        problem = cannot_sign_here(plan, entry, ("age-file:", "docker-trust:", "pkcs11:"),
                                   "the bundle or the trust dir, or on a PKCS#11 token,")
        if problem:
            result.add(f"sign-with {name}", problem)
            return None
        entries.append(entry)
    return entries


def _role_key_names(plan: Plan, state: DctState, result: PreflightResult) -> None:
    script = {key.name for key in plan.keys}
    for role in plan.roles:
        for name in role.keys:
            if name in script:
                continue
            entry = state.keys.get(name)
            if entry is None:
                result.add(
                    f"roles.{role.name}", f"no key {name} in the script or the current state"
                )
            elif role.name == "root" and "root" not in entry.roles:
                result.add(
                    "roles.root", f"{name} is not a root key; only root keys stay root keys"
                )
            elif role.name == "targets":
                result.add(
                    "roles.targets",
                    f"{name} is a current key; a new targets key is made in this ceremony",
                )
    for name in sorted(script & set(state.keys)):
        result.add(f"key {name}", f"the name {name} is already used by a current key; rename it")


def _targets_keys_here(plan: Plan, state: DctState, result: PreflightResult) -> None:
    for gun in state.scope:
        ids = state.guns[gun].canonical_ids("targets")
        here = [
            entry
            for entry in state.keys.values()
            if entry.keyid in ids and entry.location.startswith(("notary-file:", "docker-trust:"))
        ]
        if not here:
            _for_gun(result, "targets key", gun,
                f"the targets key of {gun} is not in the current state (CI holds it); rotate it "
                "in a rotate-root ceremony first, or add the signer from CI with `docker trust "
                "signer add`",
            )


def _delegation_key_names(plan: Plan, state: DctState, result: PreflightResult) -> None:
    script = {key.name for key in plan.keys}
    for name in sorted(script & set(state.keys)):
        result.add(f"key {name}", f"the name {name} is already used by a current key; rename it")
    dct = dct_spec(plan)
    named = [name for spec in dct.signers for name in spec.keys]
    named += [name for spec in dct.delegations for name in spec.keys]
    for name in named:
        if name not in script and name not in state.keys:
            result.add(
                f"delegation keys {name}", f"no key {name} in the script or the current bundle"
            )


def _for_gun(result: PreflightResult, check: str, gun: str, problem: str | None,
             detail: str = "") -> None:
    """One GUN's line of a check made for every GUN: ``check`` and the GUN, which
    front ends show as one line for many GUNs alike (ceremony/check_groups.py)."""
    result.add(f"{check} {gun}", problem, detail, subject=gun, subject_kind="GUN")


def _root_expiry(plan: Plan, result: PreflightResult, now: datetime) -> None:
    root = plan.role("root")
    expires = root.expires if root is not None else dct_spec(plan).root_expires
    if expires is not None and expires - now < SIX_MONTHS:
        result.add(
            "root expiry",
            None,
            f"WARNING: the new roots expire on {expires:%Y-%m-%d}, within six months: "
            "notary then tries to re-sign root on every publish and fails without the "
            "offline root key",
        )
