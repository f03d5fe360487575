"""migrate-dct's view of the DCT bundle: its GUNs, and the image globs that stand for them.

The GUNs and their roots come from the DCT flavor, asked through the Flavor
interface (``signed_repositories``: the bundle verified as ``ceremony
verify`` would); preflight checks that every GUN a group names is one of
them, and names those left on DCT. A GUN becomes an image glob per admission
controller, each in the form that controller matches images in: Kyverno
reads Docker Hub images as ``docker.io/...`` and policy-controller as
``index.docker.io/...`` (an official image under ``library/`` in both), a
GUN with no registry host (``team/app``) among them, as Docker reads it.
Each glob covers the GUN's tags (``GUN:*``) and digests (``GUN@*``), not
other repositories whose names start the same way.
"""

from __future__ import annotations

from datetime import datetime

from ceremony.engine.preflight_result import PreflightResult
from ceremony.errors import CeremonyError, PreflightError
from ceremony.flavor import flavor_named
from ceremony.flavors.sigstore.plan import SigstoreDetails
from ceremony.flavors.sigstore.policies import as_kyverno_sees, as_policy_controller_sees
from ceremony.script.plan import Plan
from ceremony.signed_repository import SignedRepository


def dct_repositories(details: SigstoreDetails, at: datetime) -> dict[str, SignedRepository]:
    """The DCT bundle's GUNs by name, verified; every GUN a group names must be one."""
    assert details.dct_bundle is not None  # a migrate-dct script names it
    found = flavor_named("dct").signed_repositories(details.dct_bundle, at=at)
    return {repository.name: repository for repository in found}


def unknown_guns(details: SigstoreDetails, known: dict[str, SignedRepository]) -> list[str]:
    return [gun for group in details.groups for gun in group.guns if gun not in known]


def check_migration(plan: Plan, result: PreflightResult, at: datetime) -> None:
    details: SigstoreDetails = plan.details
    try:
        known = dct_repositories(details, at)
    except CeremonyError as error:
        result.add("dct-bundle", error.message())
        return
    rehearsed = any(repository.rehearsal for repository in known.values())
    result.add(
        "dct-bundle",
        f"{details.dct_bundle} was made by a rehearsal: its GUNs and roots are not "
        "production's; name the bundle of the real DCT ceremony"
        if rehearsed and not plan.rehearsal
        else None,
        f"{details.dct_bundle}: verified, {len(known)} GUN(s)",
    )
    for gun in unknown_guns(details, known):
        result.add(
            f"GUN {gun}",
            f"is not a GUN of {details.dct_bundle} (it has {', '.join(known) or 'none'})",
        )
    moving = {gun for group in details.groups for gun in group.guns}
    for group in details.groups:
        result.add(f"group {group.key}", None, f"cosign key for {', '.join(group.guns)}")
    staying = sorted(set(known) - moving)
    if staying:
        result.add(
            "GUNs left on DCT",
            None,
            f"{', '.join(staying)}: no group names them; they keep only their DCT signatures",
        )


def check_guns(details: SigstoreDetails, known: dict[str, SignedRepository]) -> None:
    """Refuse (the step's check) GUNs the bundle does not have: it changed since preflight."""
    missing = unknown_guns(details, known)
    if missing:
        raise PreflightError(
            f"{', '.join(missing)} is no longer a GUN of the bundle",
            where=str(details.dct_bundle),
            todo="check the media; nothing was made",
        )


def kyverno_globs(gun: str) -> tuple[str, ...]:
    image = as_kyverno_sees(gun)
    return (f"{image}:*", f"{image}@*")


def policy_controller_globs(gun: str) -> tuple[str, ...]:
    image = as_policy_controller_sees(gun)
    return (f"{image}:*", f"{image}@*")


def replaced_root(repository: SignedRepository) -> str:
    """The DCT root a new key replaces, in words (the transcript and MIGRATION.md)."""
    named = repository.root_keys or tuple(keyid[:8] for keyid in repository.root_keyids)
    keys = ", ".join(named)
    return (
        f"DCT root version {repository.root_version} of {repository.name} "
        f"({repository.threshold} of {len(repository.root_keyids)} root keys: {keys})"
    )
