"""Preflight: everything checked before anything irreversible happens.

The same checks run at the start of every ceremony and in ``ceremony
validate``, with no side effects: nothing is created, no key is generated or
opened. Every check reports; all failures are gathered into one error so an
operator sees everything to fix at once.
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from typing import NamedTuple

from cryptography.exceptions import UnsupportedAlgorithm

from ceremony import airgap
from ceremony.bundle.leftovers import leftover_kind
from ceremony.bundle.writer import output_problem
from ceremony.check_groups import grouped
from ceremony.engine.bags_preflight import check_bags
from ceremony.engine.custody_preflight import check_custody
from ceremony.engine.media_preflight import check_media
from ceremony.engine.preflight_result import PreflightResult
from ceremony.engine.public_keys import read_public_key
from ceremony.engine.recoverability_check import check_recoverability
from ceremony.engine.size_preflight import check_root_size
from ceremony.engine.token_preflight import check_tokens
from ceremony.errors import CeremonyError, PreflightError
from ceremony.flavor import flavor_named
from ceremony.script.plan import Plan
from ceremony.verify.spki import load_pem_public_key, spki_der


def preflight(
    plan: Plan, *, now: datetime | None = None, sysfs: Path | None = None
) -> PreflightResult:
    result = PreflightResult()
    result.add("script", None, f"sha256 {plan.script_sha256}")
    _check_air_gap(plan, result, sysfs)
    result.add("output", _output_problem(plan.output), f"{plan.output} is free")
    imported = check_imports(plan, result)
    check_root_size(plan, result)  # before any passphrase: a root verify would refuse
    _check_passphrase_sources(plan, result)
    # the current bundle, what else the flavor reads, and today's signers
    result.current = flavor_named(plan.flavor).preflight(plan, result, now)
    check_imports_new(imported, result)
    check_bags(plan, result)  # the bags opened today, on the current bundle's record
    if plan.custody is not None or plan.recover_from is not None:
        check_custody(plan, result, now)
    check_recoverability(plan, result)  # the planned root after one loss
    check_tokens(plan, result)  # tokens of the script's keys and of sign-with keys
    check_media(plan, result)  # the devices written to, names, room, leftovers
    return result


def raise_on_failure(result: PreflightResult) -> None:
    failures = result.failures
    if failures:
        lines = "; ".join(f"{c.check}: {c.detail}" for c in grouped(failures))
        raise PreflightError(
            f"preflight found {len(failures):,} problem(s): {lines}",
            todo="fix these and run again; nothing was done",
        )


def _output_problem(output: Path) -> str | None:
    what = leftover_kind(output)
    if what is not None and not output.is_symlink():
        return (
            f"{output} is {what}: remove it with `ceremony clean {output}` (its key files "
            "are overwritten first) and run again"
        )
    return output_problem(output)


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


class ImportedKey(NamedTuple):
    """A public key the script imports, as preflight read it."""

    name: str
    path: Path
    spki: bytes  # its DER SubjectPublicKeyInfo: equal for equal keys


def check_imports(plan: Plan, result: PreflightResult) -> dict[str, ImportedKey]:
    """Read each imported public key; refuse one imported under two names (the
    ceremony would refuse it only once keys are open). Returns the keys read, for
    :func:`check_imports_new`."""
    imported: dict[str, ImportedKey] = {}
    by_spki: dict[bytes, ImportedKey] = {}  # the first name each public key was read under
    for spec in plan.keys:
        if spec.source != "import":
            continue
        assert spec.public_key_file is not None  # the loader reads one for every import
        try:
            public_key = read_public_key(spec.public_key_file, spec.name)
        except CeremonyError as error:  # the check's name says which key
            result.add(f"key {spec.name}", error.message().removeprefix(f"key {spec.name}: "))
            continue
        key = ImportedKey(spec.name, spec.public_key_file, spki_der(public_key))
        twin = by_spki.setdefault(key.spki, key)
        imported[spec.name] = key
        if twin is not key:
            result.add(
                f"key {spec.name}",
                f"{spec.public_key_file} holds the same public key as {twin.name} "
                f"({twin.path}), and one key must not be named twice: import it once, as "
                f"{twin.name}, and name {twin.name} wherever {spec.name} is used",
            )
        else:
            result.add(f"key {spec.name}", None, f"public key read from {spec.public_key_file}")
    return imported


def check_imports_new(imported: dict[str, ImportedKey], result: PreflightResult) -> None:
    """Refuse an imported public key that is already a key of the current state
    under another name (the ceremony would refuse it only once keys are open)."""
    if result.current is None:
        return
    current: dict[bytes, str] = {}
    for name, record in result.current.keys.items():
        try:
            current[spki_der(load_pem_public_key(record.public_pem.encode()))] = name
        except (ValueError, UnsupportedAlgorithm):  # not a plain public key (a certificate)
            continue
    for key in imported.values():
        known = current.get(key.spki)
        if known is not None and known != key.name:  # the same name: the flavor says so
            result.add(
                f"key {key.name}",
                f"{key.path} holds the public key of {known}, a key of the current bundle, "
                f"and one key must not be named twice: remove {key.name} from keys and name "
                f"{known} wherever {key.name} is used",
            )


def _check_passphrase_sources(plan: Plan, result: PreflightResult) -> None:
    for name, source in plan.passphrases:
        if source.kind == "env" and not os.environ.get(source.name):
            result.add(
                f"passphrase for {name}",
                f"the environment variable {source.name} is not set; set it before the "
                "ceremony, or change the script to `prompt`",
            )
