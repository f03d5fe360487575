"""The TUF flavor's answers to the Flavor interface (ceremony/flavor.py).

Each answer is one line or a call into the module that does the work, so
this file reads as a map of the flavor: its scripts (script.py, checks.py),
its keys (TUF keyids, age files), preflight (preflight.py, current.py), its
kinds (kinds/), its bundle (output.py) and its verifier (verify/).

Each part is imported when it is first asked for, so a command loads only
what it uses (``ceremony verify`` loads no kind and no rehearsal).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

SEALED_ROLES = ("root", "targets")  # the offline keys; online ones are replaced instead

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator, Mapping
    from datetime import datetime
    from pathlib import Path

    from ceremony.custody.record import CustodyRecord
    from ceremony.engine.context import Context
    from ceremony.engine.current import CurrentState
    from ceremony.engine.key_files import KeyFileFormat
    from ceremony.engine.keyring import KeyRecord
    from ceremony.engine.preflight_result import PreflightResult
    from ceremony.engine.step import Step
    from ceremony.events import Event
    from ceremony.flavor import Flavor
    from ceremony.flavors.tuf.plan import TufDetails
    from ceremony.lifecycle.lifetime import Lifetime
    from ceremony.script.flavor_fields import FlavorScript, ScriptReading
    from ceremony.script.kind_fields import ScriptRules
    from ceremony.script.plan import Plan
    from ceremony.script.rules import Problem
    from ceremony.signed_repository import SignedRepository
    from ceremony.sittings.adapter import SittingsAdapter
    from ceremony.verify.contents import BundleContents
    from ceremony.verify.report import VerificationReport


class TufFlavor:
    name = "tuf"
    title = "TUF"
    kinds = ("bootstrap", "rotate-root", "delegate", "recover", "renew", "decommission")
    kind_prefix = ""

    # -- scripts -----------------------------------------------------------------

    def script_rules(self, kind: str) -> ScriptRules:
        from ceremony.flavors.tuf.script_rules import RULES

        return RULES[kind]

    def read_script(self, reading: ScriptReading) -> FlavorScript:
        from ceremony.flavors.tuf import script

        return script.read_script(reading)

    def script_checks(self, kind: str) -> tuple[Callable[[Plan], Iterable[Problem]], ...]:
        from ceremony.flavors.tuf import checks

        return checks.CHECKS[kind]

    def plan_lines(self, plan: Plan) -> list[str]:
        """A TUF plan's delegations in words (describe_plan.py)."""
        details: TufDetails = plan.details
        lines = []
        for delegation in details.delegations:
            mark = ", terminating" if delegation.terminating else ", not terminating"
            lines.append(
                f"Delegate  {delegation.name}: {delegation.threshold} of "
                f"{', '.join(delegation.keys)} for {', '.join(delegation.paths)}{mark}"
            )
        return lines

    def key_roles(self, plan: Plan, name: str) -> set[str]:
        """The roles key ``name`` of ``plan`` will have: top-level and delegated."""
        roles = {role.name for role in plan.roles if name in role.keys}
        details: TufDetails = plan.details
        roles |= {f"targets/{d.name}" for d in details.delegations if name in d.keys}
        return roles

    # -- keys --------------------------------------------------------------------

    @property
    def key_files(self) -> dict[str, KeyFileFormat]:
        """Age files: every software key of a TUF ceremony."""
        from ceremony.engine.key_files import AGE_KEY_FILE

        return {"age-file": AGE_KEY_FILE}

    def key_id(self, public_key: Any) -> str:
        """The TUF keyid: sha256 of the canonical key object."""
        from ceremony.tufmeta.work import tuf_key_id

        return tuf_key_id(public_key)

    def check_public_key(self, public_key: Any, name: str) -> None:
        """Every key the tool's backends allow is a TUF key: nothing more to refuse."""

    def key_file_path(self, name: str, roles: set[str]) -> str:
        folder = "offline" if "root" in roles else "online"
        return f"keys/{folder}/{name}.age"

    def key_file_where(self, scheme: str) -> str:
        return ""

    # -- preflight and running ---------------------------------------------------------

    def preflight(
        self, plan: Plan, result: PreflightResult, now: datetime | None
    ) -> CurrentState | None:
        from ceremony.flavors.tuf.preflight import check_tuf

        return check_tuf(plan, result, now)

    def check_recovery(
        self, plan: Plan, record: CustodyRecord, current: CurrentState, result: PreflightResult,
        now: datetime | None,
    ) -> None:
        """rehome: and replace: root:, from public facts (recover_preflight.py)."""
        from ceremony.flavors.tuf.current import CurrentBundle
        from ceremony.flavors.tuf.recover_preflight import check_actions

        assert isinstance(current, CurrentBundle)
        check_actions(plan, record, current, result)

    def start_work(self, ctx: Context) -> Any:
        from ceremony.tufmeta.work import TufWork

        return TufWork()

    def steps(self, plan: Plan) -> list[Step]:
        from ceremony.flavors.tuf.kinds import (
            bootstrap,
            decommission,
            delegate,
            recover,
            renew,
            rotate_root,
        )

        kinds = {
            "bootstrap": bootstrap.steps,
            "rotate-root": rotate_root.steps,
            "delegate": delegate.steps,
            "recover": recover.steps,
            "renew": renew.steps,
            "decommission": decommission.steps,
        }
        return kinds[plan.kind](plan)

    def write_bundle(self, ctx: Context) -> Iterator[Event]:
        from ceremony.flavors.tuf.output import write_bundle

        return write_bundle(ctx)

    def custody_roles(self, ctx: Context) -> Callable[[KeyRecord], tuple[str, ...]]:
        """Custody holds the root and targets keys of the root signed today."""
        from ceremony.tufmeta.work import work

        roles = work(ctx).root_signed.roles
        return lambda record: tuple(r for r in SEALED_ROLES if record.keyid in roles[r].keyids)

    def custody_root_version(self, ctx: Context) -> int:
        from ceremony.tufmeta.work import work

        return int(work(ctx).root_signed.version)

    # -- bundles -----------------------------------------------------------------

    def check_bundle(
        self, contents: BundleContents, at: datetime, report: VerificationReport
    ) -> None:
        """Judge what a TUF ceremony wrote into a bundle already read (verify)."""
        from ceremony.flavors.tuf.verify.bundle import check_tuf_bundle

        check_tuf_bundle(contents, at, report)

    def inspects(self, path: str | Path) -> bool:
        """Whether ``ceremony inspect`` of ``path`` is this flavor's to answer."""
        from ceremony.flavors.tuf.claims import inspects_tuf

        return inspects_tuf(path)

    def inspect(self, path: Path, *, at: datetime | None = None) -> dict[str, Any]:
        from ceremony.flavors.tuf.inspect import inspect_tuf

        return inspect_tuf(path, at=at)

    def inspect_lines(self, facts: Mapping[str, Any]) -> list[str]:
        from ceremony.flavors.tuf.inspect import tuf_lines

        return tuf_lines(facts)

    def signed_repositories(
        self, bundle: Path, *, at: datetime | None = None
    ) -> tuple[SignedRepository, ...]:
        """None by name: a TUF repository's targets are files, not repositories."""
        from ceremony.signed_repository import names_no_repositories

        raise names_no_repositories(self.title, bundle)

    def lifetimes(self, path: Path) -> list[Lifetime]:
        from ceremony.flavors.tuf.lifetimes import tuf_lifetimes

        return tuf_lifetimes(path)

    def sittings(self) -> SittingsAdapter:
        from ceremony.flavors.tuf.sittings import TufSittings

        return TufSittings()

    def next_script(
        self, bundle: str | Path, kind: str, folder: str | Path, *,
        replace: tuple[str, ...] | None, at: datetime, guns: tuple[str, ...] = (),
    ) -> str:
        from ceremony.flavors.tuf.next_script import next_script

        return next_script(bundle, kind, folder, replace=replace, at=at, guns=guns)

    # -- rehearsal ---------------------------------------------------------------

    rehearsal_backends = ("software", "softhsm", "sittings")

    def rehearsal_scripts(self, backend: str = "software") -> tuple[tuple[str, str], ...]:
        if backend == "sittings":
            from ceremony.flavors.tuf.rehearsal_sittings import BOOTSTRAP, ROTATE

            return (("1-bootstrap.yaml", BOOTSTRAP), ("2-rotate-root.yaml", ROTATE))
        if backend == "softhsm":
            from ceremony.flavors.tuf.rehearsal_softhsm import SOFTHSM_MODULE, scripts

            return scripts(SOFTHSM_MODULE)
        from ceremony.flavors.tuf.rehearsal_scripts import SCRIPTS

        return SCRIPTS

    def rehearsal_words(self, backend: str = "software") -> str:
        if backend == "sittings":
            return "a root rotation signed in three sittings"
        if backend == "softhsm":
            return "root keys on a throwaway SoftHSM token"
        return "custody and a recovery included"

    def rehearse(
        self,
        folder: Path | None,
        *,
        backend: str = "software",
        clock: Callable[[], datetime] | None = None,
    ) -> Iterator[Event]:
        from ceremony.engine import utc_now

        if backend == "sittings":
            from ceremony.flavors.tuf.rehearsal_sittings import rehearse_in_sittings

            return rehearse_in_sittings(folder, clock=clock or utc_now)
        if backend == "softhsm":
            from ceremony.flavors.tuf.rehearsal_softhsm import rehearse_on_softhsm

            return rehearse_on_softhsm(folder, clock=clock or utc_now)
        from ceremony.flavors.tuf.rehearsal import rehearse_tuf

        return rehearse_tuf(folder, clock=clock or utc_now)


FLAVOR: Flavor = TufFlavor()
