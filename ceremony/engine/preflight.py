"""Preflight: everything checked before anything irreversible happens.

The same checks run at the start of every ceremony and in ``ceremony
validate``, with no side effects: nothing is created, no key is generated or
opened. Every check reports; all failures are gathered into one error so an
operator sees everything to fix at once.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from ceremony import airgap
from ceremony.flavors.tuf.current import CurrentBundle, read_current
from ceremony.bundle.writer import output_problem
from ceremony.errors import CeremonyError, PreflightError
from ceremony.events import PreflightChecked
from ceremony.script.plan import Plan
from ceremony.threshold import threshold_result


@dataclass
class PreflightResult:
    checks: list[PreflightChecked] = field(default_factory=list)
    current: CurrentBundle | None = None
    network_up: list[str] = field(default_factory=list)
    dct: object | None = None  # a dct plan's DctState (engine/dct_state.py)

    @property
    def failures(self) -> list[PreflightChecked]:
        return [c for c in self.checks if not c.ok]

    def add(self, check: str, problem: str | None, detail: str = "", reason: str = "") -> None:
        self.checks.append(PreflightChecked(check, problem is None, problem or detail, reason))


def preflight(
    plan: Plan, *, now: datetime | None = None, sysfs: Path | None = None
) -> PreflightResult:
    result = PreflightResult()
    result.add("script", None, f"sha256 {plan.script_sha256}")
    _check_air_gap(plan, result, sysfs)
    result.add("output", output_problem(plan.output), f"{plan.output} is free")
    _check_imports(plan, result)
    _check_passphrase_sources(plan, result)
    if plan.flavor == "dct":  # server keys, current state, published state: dct_preflight.py
        from ceremony.flavors.dct.preflight import check_dct

        result.dct = check_dct(plan, result, now)
    elif plan.current is not None:
        _check_current(plan, result, now)
    if plan.custody is not None or plan.recover_from is not None:
        from ceremony.engine.custody_preflight import check_custody

        check_custody(plan, result)
    from ceremony.engine.token_preflight import check_tokens

    check_tokens(plan, result)  # tokens of the script's keys and of sign-with keys
    return result


def raise_on_failure(result: PreflightResult) -> None:
    failures = result.failures
    if failures:
        lines = "; ".join(f"{c.check}: {c.detail}" for c in failures)
        raise PreflightError(
            f"preflight found {len(failures)} problem(s): {lines}",
            todo="fix these and run again; nothing was done",
        )


def _check_air_gap(plan: Plan, result: PreflightResult, sysfs: Path | None) -> None:
    up = airgap.interfaces_up(sysfs) if sysfs else airgap.interfaces_up()
    result.network_up = up
    if not up:
        result.add("air gap", None, "no network interface is up but loopback")
    elif plan.rehearsal or plan.allow_network:
        why = "a rehearsal" if plan.rehearsal else "the script says network: allowed"
        result.add("air gap", None, f"network interfaces up: {', '.join(up)} ({why})")
    else:
        result.add(
            "air gap",
            f"network interfaces are up: {', '.join(up)}; unplug the cable and turn off "
            "wireless (or, knowingly, write `network: allowed` in the script)",
        )


def _check_imports(plan: Plan, result: PreflightResult) -> None:
    from ceremony.engine.keys import read_public_key

    for spec in plan.keys:
        if spec.source != "import":
            continue
        try:
            read_public_key(spec.public_key_file, spec.name)
        except CeremonyError as error:
            result.add(f"key {spec.name}", error.message())
        else:
            result.add(f"key {spec.name}", None, f"public key read from {spec.public_key_file}")


def _check_passphrase_sources(plan: Plan, result: PreflightResult) -> None:
    for name, source in plan.passphrases:
        if source.kind == "env" and not os.environ.get(source.name):
            result.add(
                f"passphrase for {name}",
                f"the environment variable {source.name} is not set; set it before the "
                "ceremony, or change the script to `prompt`",
            )


def _check_current(plan: Plan, result: PreflightResult, now: datetime | None) -> None:
    try:
        current = read_current(plan.current, at=now)
    except CeremonyError as error:
        result.add("current bundle", error.message())
        return
    result.current = current
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
    known = set(current.index) | script_names
    for name in sorted(script_names & set(current.index)):
        result.add(
            f"key {name}",
            f"the name {name} is already used by a key in the current bundle; "
            "give the new key another name",
        )
    for name in plan.sign_with:
        if name not in known:
            result.add(
                f"sign-with {name}",
                f"no key {name} in the current bundle; it has: {', '.join(sorted(current.index))}",
            )
        elif name in current.index:
            location = current.index[name].get("location", "")
            if not location.startswith(("age-file:", "pkcs11:")):
                result.add(
                    f"sign-with {name}",
                    f"key {name} lives at {location}; only keys stored in the bundle or on "
                    "a token can sign here",
                )
    _check_signers(plan, current, result)
    if plan.targets_expires is not None and plan.targets_expires > current.root.signed.expires:
        result.add(
            "targets-expires",
            f"targets would expire after the current root (root expires "
            f"{current.root.signed.expires:%Y-%m-%d}); rotate the root first or choose an "
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


def _check_signers(plan: Plan, current: CurrentBundle, result: PreflightResult) -> None:
    """Enough of today's signers to meet the thresholds the ceremony needs."""
    ids = {name: entry.get("keyid") for name, entry in current.index.items()}
    signing = {ids[name] for name in plan.sign_with if name in ids}
    if plan.kind == "rotate-root":
        role = current.root.signed.roles["root"]
        today = threshold_result(role.keyids, role.threshold, signing)
        if not today.met:
            result.add(
                "sign-with",
                f"the current root keys that sign today give root version "
                f"{current.root_version} {today.words()}; add keyholders of the current root "
                "to sign-with",
            )
    if plan.kind == "delegate":
        role = current.root.signed.roles["targets"]
        today = threshold_result(role.keyids, role.threshold, signing)
        if not today.met:
            result.add(
                "sign-with",
                f"the targets keys that sign today give {today.words()}; name the targets key "
                "in sign-with",
            )
