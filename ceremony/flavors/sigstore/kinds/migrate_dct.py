"""migrate-dct: cosign keys and cluster policies for a DCT bundle's GUNs.

The way off Docker Content Trust. The DCT bundle is read and verified again
(by the DCT flavor, through the Flavor interface) and each GUN it moves is
shown with its root; then one cosign key per group is made (kinds/cosign.py),
and for each GUN of a group the transcript records which DCT root the new
key replaces (a ``key-succeeds`` event). With ``custody:``, the cosign keys
made in files are sealed into a custody bundle by the shared custody steps
(steps/custody.py), as a bootstrap's keys are; a migration has no root, so its
custody record names the highest DCT root version the keys replace. The
bundle gets the keys, the cluster policies scoped to the groups' GUNs and
MIGRATION.md (output.py).
"""

from __future__ import annotations

from collections.abc import Iterator

from ceremony.engine.context import Context
from ceremony.engine.step import Step
from ceremony.events import Event, KeySucceeds, PreflightChecked
from ceremony.flavors.sigstore.kinds.cosign import COSIGN_STEP
from ceremony.flavors.sigstore.migration import check_guns, dct_repositories, replaced_root
from ceremony.flavors.sigstore.plan import SigstoreDetails
from ceremony.flavors.sigstore.work import sigstore_work
from ceremony.script.plan import Plan
from ceremony.steps import common
from ceremony.steps import custody as custody_steps


def read_guns(ctx: Context) -> Iterator[Event]:
    details: SigstoreDetails = ctx.plan.details
    known = dct_repositories(details, ctx.started)
    check_guns(details, known)
    sigstore_work(ctx).migration = known
    for group in details.groups:
        for gun in group.guns:
            yield PreflightChecked(f"GUN {gun}", True, replaced_root(known[gun]))


def record_succession(ctx: Context) -> Iterator[Event]:
    details: SigstoreDetails = ctx.plan.details
    known = sigstore_work(ctx).migration
    assert known is not None  # read_guns ran first
    for group in details.groups:
        record = ctx.keys[group.key]
        for gun in group.guns:
            repository = known[gun]
            yield KeySucceeds(
                key=record.name,
                keyid=record.keyid,
                repository=gun,
                replaces=replaced_root(repository),
                root_version=repository.root_version,
                root_keyids=repository.root_keyids,
            )


def replaced_root_version(ctx: Context) -> int:
    """The highest DCT root version the cosign keys replace (a custody record names it)."""
    details: SigstoreDetails = ctx.plan.details
    known = sigstore_work(ctx).migration
    assert known is not None  # read_guns ran first
    return max(known[gun].root_version for group in details.groups for gun in group.guns)


def summarize(ctx: Context) -> Iterator[Event]:
    details: SigstoreDetails = ctx.plan.details
    ctx.summary = {
        "cosign_keys": {
            group.key: {"keyid": ctx.keys[group.key].keyid, "guns": list(group.guns)}
            for group in details.groups
        }
    }
    return iter(())


def steps(plan: Plan) -> list[Step]:
    return [
        common.preflight_step(),
        Step(
            "dct-guns",
            "Read the DCT bundle's GUNs and their roots",
            read_guns,
            check_by_eye="The GUNs on screen are the ones the reviewed script moves.",
        ),
        COSIGN_STEP,
        Step(
            "succession",
            "Record which DCT root each cosign key replaces",
            record_succession,
        ),
        *custody_steps.steps(plan, roots=False),  # only when the script has custody:
        common.write_media_step(),
        Step("summary", "Summary", summarize),
    ]
