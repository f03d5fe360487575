"""The Sigstore flavor's answers to the Flavor interface (ceremony/flavor.py).

A private Sigstore instance's trust root is a TUF repository, so this
flavor is an adapter over the TUF flavor, asked through the same interface
(never imported: flavors are independent): its keys, custody and root
history are TUF's. What it adds is the instance's trust material (script.py,
material.py, preflight.py), targets carrying trusted_root.json and the
signing config, snapshot and timestamp signed for a static mirror
(kinds/), the mirror and client files in the bundle (output.py), and their
verification (verify/).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ceremony.flavor import Flavor, flavor_named
from ceremony.flavors.sigstore import script

if TYPE_CHECKING:
    from ceremony.custody.record import CustodyRecord
    from ceremony.engine.context import Context
    from ceremony.engine.current import CurrentState
    from ceremony.engine.key_files import KeyFileFormat
    from ceremony.engine.keyring import KeyRecord
    from ceremony.engine.preflight_result import PreflightResult
    from ceremony.engine.step import Step
    from ceremony.events import Event
    from ceremony.lifecycle.lifetime import Lifetime
    from ceremony.script.flavor_fields import FlavorScript, ScriptReading
    from ceremony.script.kind_fields import ScriptRules
    from ceremony.script.plan import Plan
    from ceremony.script.rules import Problem
    from ceremony.signed_repository import SignedRepository
    from ceremony.sittings.adapter import SittingsAdapter
    from ceremony.verify.contents import BundleContents
    from ceremony.verify.report import VerificationReport


def _tuf() -> Flavor:
    return flavor_named("tuf")


class SigstoreFlavor:
    name = "sigstore"
    title = "Sigstore"
    kinds = ("bootstrap", "rotate-root", "recover", "update-trust", "migrate-dct", "renew",
             "decommission")
    kind_prefix = "sigstore "

    # -- scripts -----------------------------------------------------------------

    def script_rules(self, kind: str) -> ScriptRules:
        return script.RULES[kind]

    def read_script(self, reading: ScriptReading) -> FlavorScript:
        return script.read_script(reading)

    def script_checks(self, kind: str) -> tuple[Callable[[Plan], Iterable[Problem]], ...]:
        from ceremony.flavors.sigstore.checks import checks

        return checks(kind)

    def plan_lines(self, plan: Plan) -> list[str]:
        from ceremony.flavors.sigstore.plan import SigstoreDetails

        details: SigstoreDetails = plan.details
        if plan.kind == "migrate-dct":
            lines = [f"Leaves    DCT: the GUNs of {details.dct_bundle}"]
            for group, key in zip(details.groups, details.cosign_keys, strict=True):
                holder = f" (holder {key.holder})" if key.holder else ""
                lines.append(f"Cosign    {key.name}: ECDSA P-256, cosign/{key.name}.key{holder}")
                lines.append(f"          takes over {', '.join(group.guns)}")
            return lines
        lines = [f"Mirror    {details.mirror_url}"]
        for spec in details.services:
            source = f" ({spec.file.name})" if spec.file else ""
            lines.append(f"Trust     {spec.service}: {spec.url}{source}")
        scopes = dict(details.cosign_repositories)
        for key in details.cosign_keys:
            holder = f" (holder {key.holder})" if key.holder else ""
            lines.append(f"Cosign    {key.name}: ECDSA P-256, cosign/{key.name}.key{holder}")
            if key.name in scopes:
                lines.append(f"          cluster policies for {', '.join(scopes[key.name])}")
        return lines

    def key_roles(self, plan: Plan, name: str) -> set[str]:
        return _tuf().key_roles(plan, name)

    # -- keys: TUF's -----------------------------------------------------------------

    @property
    def key_files(self) -> dict[str, KeyFileFormat]:
        """TUF's age files, and cosign.key files for CI's keys."""
        from ceremony.flavors.sigstore.cosign_key import COSIGN_KEY_FILE

        return {**_tuf().key_files, COSIGN_KEY_FILE.scheme: COSIGN_KEY_FILE}

    def key_id(self, public_key: Any) -> str:
        return _tuf().key_id(public_key)

    def check_public_key(self, public_key: Any, name: str) -> None:
        _tuf().check_public_key(public_key, name)

    def key_file_path(self, name: str, roles: set[str]) -> str:
        return _tuf().key_file_path(name, roles)

    def key_file_where(self, scheme: str) -> str:
        return _tuf().key_file_where(scheme)

    # -- preflight and running ---------------------------------------------------------

    def preflight(
        self, plan: Plan, result: PreflightResult, now: datetime | None
    ) -> CurrentState | None:
        from ceremony.flavors.sigstore.preflight import check_sigstore

        return check_sigstore(plan, result, now)

    def check_recovery(
        self, plan: Plan, record: CustodyRecord, current: CurrentState, result: PreflightResult,
        now: datetime | None,
    ) -> None:
        """TUF's checks of rehome: and replace:, then whether the recovered keys, the new
        ones and sign-with can sign the mirror's metadata, at the versions and with the
        online signer the ceremony's time ``now`` gives."""
        from ceremony.flavors.sigstore.kinds.cosign import check_reissue
        from ceremony.flavors.sigstore.preflight import check_mirror_signers

        _tuf().check_recovery(plan, record, current, result, now)
        check_mirror_signers(
            plan, current, result, recovered=[k for k in record.keys if "cosign" not in k.roles],
            at=now,
        )
        check_reissue(plan, record, result)

    def start_work(self, ctx: Context) -> Any:
        from ceremony.flavors.sigstore.work import SigstoreWork

        return SigstoreWork()

    def steps(self, plan: Plan) -> list[Step]:
        from ceremony.flavors.sigstore.kinds import (
            bootstrap,
            migrate_dct,
            rotate_root,
            update_trust,
        )

        kinds = {
            "migrate-dct": migrate_dct.steps,
            "bootstrap": bootstrap.steps,
            "rotate-root": rotate_root.steps,
            "recover": rotate_root.steps,
            "update-trust": update_trust.steps,
            "renew": rotate_root.steps,  # TUF's renew steps, and the mirror signed again
            "decommission": rotate_root.steps,  # TUF's, the mirror signed again, then destroy
        }
        return kinds[plan.kind](plan)

    def write_bundle(self, ctx: Context) -> Iterator[Event]:
        from ceremony.flavors.sigstore.output import write_bundle

        return write_bundle(ctx)

    def custody_roles(self, ctx: Context) -> Callable[[KeyRecord], tuple[str, ...]]:
        """TUF's (the root and targets keys), and the cosign keys kept in files: made
        today (cosign-keys:) or reissued from custody (reissue-cosign:)."""
        from ceremony.flavors.sigstore.kinds.cosign import cosign_custody_roles

        if ctx.plan.kind == "migrate-dct":  # no TUF root: its cosign keys only
            return cosign_custody_roles(ctx, lambda _record: ())
        return cosign_custody_roles(ctx, _tuf().custody_roles(ctx))

    def custody_root_version(self, ctx: Context) -> int:
        """TUF's; for a migrate-dct (no root of its own), the DCT root it replaces."""
        if ctx.plan.kind == "migrate-dct":
            from ceremony.flavors.sigstore.kinds.migrate_dct import replaced_root_version

            return replaced_root_version(ctx)
        return _tuf().custody_root_version(ctx)

    # -- bundles -----------------------------------------------------------------

    def check_bundle(
        self, contents: BundleContents, at: datetime, report: VerificationReport
    ) -> None:
        from ceremony.flavors.sigstore.verify.bundle import check_sigstore_bundle

        check_sigstore_bundle(contents, at, report)

    def inspects(self, path: str | Path) -> bool:
        from ceremony.flavors.sigstore.inspect import inspects_sigstore
        from ceremony.flavors.sigstore.inspect_migration import is_migration

        path = Path(path)
        return inspects_sigstore(path) or is_migration(path)

    def inspect(self, path: Path, *, at: datetime | None = None) -> dict[str, Any]:
        """A trusted_root.json decoded; for a bundle folder, its TUF root too (as the
        TUF flavor shows it) with the trusted root under ``trusted_root``."""
        from ceremony.flavors.sigstore.inspect import inspect_sigstore
        from ceremony.flavors.sigstore.inspect_migration import inspect_migration, is_migration

        if is_migration(path):  # a migrate-dct bundle: cosign keys, no trust root
            return inspect_migration(path)
        trusted_root = inspect_sigstore(path, at=at)
        if not (path.is_dir() and _tuf().inspects(path)):
            return trusted_root
        facts = _tuf().inspect(path, at=at)
        facts["trusted_root"] = trusted_root
        return facts

    def inspect_lines(self, facts: Mapping[str, Any]) -> list[str]:
        from ceremony.flavors.sigstore.inspect import sigstore_lines
        from ceremony.flavors.sigstore.inspect_migration import migration_lines

        if facts.get("kind") == "migrate-dct":
            return migration_lines(facts)
        if "trusted_root" not in facts:
            return sigstore_lines(facts)
        return [*_tuf().inspect_lines(facts), "", *sigstore_lines(facts["trusted_root"])]

    # -- after the ceremony ----------------------------------------------------

    def signed_repositories(
        self, bundle: Path, *, at: datetime | None = None
    ) -> tuple[SignedRepository, ...]:
        """None by name: cosign keys name their repositories in policies, not roots."""
        from ceremony.signed_repository import names_no_repositories

        raise names_no_repositories(self.title, bundle)

    def lifetimes(self, path: Path) -> list[Lifetime]:
        """Each role's lifetime in the bundle's mirror (the tree the clients read), a
        published mirror or a client's cache; then each service's deadline in its
        trusted root (a trusted_root.json alone too): windows.py."""
        from ceremony.flavors.sigstore.windows import sigstore_lifetimes

        return sigstore_lifetimes(path, _tuf().lifetimes)

    def sittings(self) -> SittingsAdapter:
        from ceremony.flavors.sigstore.sittings import SigstoreSittings

        return SigstoreSittings()

    def next_script(
        self, bundle: str | Path, kind: str, folder: str | Path, *,
        replace: tuple[str, ...] | None, at: datetime, guns: tuple[str, ...] = (),
    ) -> str:
        from ceremony.flavors.sigstore.next_script import next_script

        return next_script(Path(bundle), kind, Path(folder), replace=replace, at=at, guns=guns)

    # -- rehearsal ---------------------------------------------------------------

    rehearsal_backends = ("software",)

    def rehearsal_scripts(self, backend: str = "software") -> tuple[tuple[str, str], ...]:
        """The DCT rehearsal's scripts first (migrate-dct reads their bundles, in dct/),
        then its own five."""
        from ceremony.flavors.sigstore.rehearsal import SCRIPTS

        dct = flavor_named("dct").rehearsal_scripts()
        return tuple((f"dct/{name}", text) for name, text in dct) + SCRIPTS

    def rehearsal_words(self, backend: str = "software") -> str:
        return (
            "a private instance's trust root and its mirror, on stand-in trust material: "
            "bootstrap, recover, update-trust, rotate-root; and migrate-dct from the DCT "
            "rehearsal's bundles"
        )

    def rehearse(
        self,
        folder: Path | None,
        *,
        backend: str = "software",
        clock: Callable[[], datetime] | None = None,
    ) -> Iterator[Event]:
        from ceremony.engine import utc_now
        from ceremony.flavors.sigstore.rehearsal import rehearse_sigstore

        return rehearse_sigstore(folder, clock=clock or utc_now)


FLAVOR: Flavor = SigstoreFlavor()
