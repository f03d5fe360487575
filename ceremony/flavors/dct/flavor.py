"""The Docker Content Trust flavor's answers to the Flavor interface (ceremony/flavor.py).

Each answer is one line or a call into the module that does the work, so
this file reads as a map of the flavor: its scripts (fields.py, checks.py),
its keys (notary's canonical ids; age files for root keys, notary key files
for CI), preflight (preflight.py, current.py, trust.py), its kinds (kinds/),
its bundle (output.py) and its verifier (verify/).

Each part is imported when it is first asked for, so a command loads only
what it uses (``ceremony verify`` loads no kind and no rehearsal).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ceremony.flavors.dct import checks, fields
from ceremony.flavors.dct.plan import dct_spec

if TYPE_CHECKING:
    from ceremony.custody.record import CustodyRecord
    from ceremony.engine.context import Context
    from ceremony.engine.current import CurrentState
    from ceremony.engine.key_files import KeyFileFormat
    from ceremony.engine.keyring import KeyRecord
    from ceremony.engine.preflight_result import PreflightResult
    from ceremony.engine.step import Step
    from ceremony.events import Event
    from ceremony.flavor import Flavor
    from ceremony.lifecycle.lifetime import Lifetime
    from ceremony.script.flavor_fields import FlavorScript, ScriptReading
    from ceremony.script.kind_fields import ScriptRules
    from ceremony.script.plan import Plan
    from ceremony.script.rules import Problem
    from ceremony.signed_repository import SignedRepository
    from ceremony.sittings.adapter import SittingsAdapter
    from ceremony.verify.contents import BundleContents
    from ceremony.verify.report import VerificationReport


class DctFlavor:
    name = "dct"
    title = "Docker Content Trust"
    kinds = ("bootstrap", "rotate-root", "delegate", "recover", "renew", "decommission")
    kind_prefix = "dct "

    # -- scripts -----------------------------------------------------------------

    def script_rules(self, kind: str) -> ScriptRules:
        return fields.RULES[kind]

    def read_script(self, reading: ScriptReading) -> FlavorScript:
        return fields.read_script(reading)

    def script_checks(self, kind: str) -> tuple[Callable[[Plan], Iterable[Problem]], ...]:
        return checks.CHECKS[kind]

    def plan_lines(self, plan: Plan) -> list[str]:
        """A DCT plan's GUNs, media and delegations in words (describe_plan.py)."""
        details = dct_spec(plan)
        lines = [f"GUNs      {', '.join(details.guns) or 'every GUN of the current state'}"]
        if details.server_keys is not None:
            lines.append(f"Server    keys from {details.server_keys}")
        if details.published is not None:
            lines.append(f"Published state from {details.published}")
        if details.import_trust is not None:
            lines.append(f"Imports   the Docker trust dir {details.import_trust}")
        for signer in details.signers:
            lines.append(f"Signer    {signer.name}: {', '.join(signer.keys)} (all paths)")
        for delegation in details.delegations:
            paths = ", ".join(repr(path) for path in delegation.paths)
            lines.append(
                f"Delegate  {delegation.role}: {delegation.threshold} of "
                f"{', '.join(delegation.keys)} for {paths}"
            )
        return lines

    def key_roles(self, plan: Plan, name: str) -> set[str]:
        """The roles key ``name`` of ``plan`` will have: top-level, signers', delegated."""
        details = dct_spec(plan)
        roles = {role.name for role in plan.roles if name in role.keys}
        roles |= {signer.role for signer in details.signers if name in signer.keys}
        roles |= {d.role for d in details.delegations if name in d.keys}
        return roles

    # -- keys --------------------------------------------------------------------

    @property
    def key_files(self) -> dict[str, KeyFileFormat]:
        """Age files for root keys; notary key files for CI and a Docker trust dir."""
        from ceremony.flavors.dct.keys import KEY_FILES

        return KEY_FILES

    def key_id(self, public_key: Any) -> str:
        """Notary's canonical id (what ``notary key list`` shows)."""
        from ceremony.flavors.dct.notary.keyids import canonical_keyid

        return canonical_keyid(public_key)

    def check_public_key(self, public_key: Any, name: str) -> None:
        """Refuses a key notary cannot use (a DctError naming why)."""
        from ceremony.flavors.dct.notary.keyids import key_for_public_key

        key_for_public_key(public_key)

    def key_file_path(self, name: str, roles: set[str]) -> str:
        from ceremony.flavors.dct.layout import offline_key_path

        return offline_key_path(name)

    def key_file_where(self, scheme: str) -> str:
        return " from the Docker trust dir" if scheme == "docker-trust" else ""

    # -- preflight and running ---------------------------------------------------------

    def preflight(
        self, plan: Plan, result: PreflightResult, now: datetime | None
    ) -> CurrentState | None:
        from ceremony.flavors.dct.preflight import check_dct

        return check_dct(plan, result, now)

    def check_recovery(
        self, plan: Plan, record: CustodyRecord, current: CurrentState, result: PreflightResult,
        now: datetime | None,
    ) -> None:
        """A dct recover only replaces the targets key: nothing more to check."""

    def start_work(self, ctx: Context) -> Any:
        from ceremony.flavors.dct.keys import DctRun

        return DctRun()

    def steps(self, plan: Plan) -> list[Step]:
        """The steps of kinds/<kind>.py (each kind's module is named after it)."""
        kind = importlib.import_module(f"ceremony.flavors.dct.kinds.{plan.kind.replace('-', '_')}")
        found: list[Step] = kind.steps(plan)
        return found

    def write_bundle(self, ctx: Context) -> Iterator[Event]:
        from ceremony.flavors.dct.output import write_dct_bundle

        return write_dct_bundle(ctx)

    def custody_roles(self, ctx: Context) -> Callable[[KeyRecord], tuple[str, ...]]:
        """Custody holds the root keys of each GUN's newest root (the targets keys
        are CI's, handed out as notary key files, not sealed)."""
        from ceremony.flavors.dct.notary.keyids import canonical_keyid
        from ceremony.flavors.dct.notary.model import Root, read_metadata
        from ceremony.flavors.dct.output import final_metadata

        root_ids: set[str] = set()
        for gun, (history, _first, _targets) in final_metadata(ctx).items():
            root = read_metadata(history[-1], Root, f"{gun} root.json").signed
            root_ids |= {canonical_keyid(root.keys[k]) for k in root.roles["root"].keyids}
        return lambda record: ("root",) if record.keyid in root_ids else ()

    def custody_root_version(self, ctx: Context) -> int:
        """The newest root version among the GUNs (each GUN has its own)."""
        from ceremony.flavors.dct.output import final_metadata

        return max(first + len(history) - 1 for history, first, _ in final_metadata(ctx).values())

    # -- bundles -----------------------------------------------------------------

    def check_bundle(
        self, contents: BundleContents, at: datetime, report: VerificationReport
    ) -> None:
        """Judge what a dct ceremony wrote into a bundle already read (verify)."""
        from ceremony.flavors.dct.verify.bundle import check_dct_bundle

        check_dct_bundle(contents, at, report)

    def inspects(self, path: str | Path) -> bool:
        """Whether ``ceremony inspect`` of ``path`` is this flavor's to answer."""
        from ceremony.flavors.dct.inspect import inspects_dct

        return inspects_dct(Path(path))

    def inspect(self, path: Path, *, at: datetime | None = None) -> dict[str, Any]:
        from ceremony.flavors.dct.inspect import inspect_dct

        return inspect_dct(path, at=at)

    def inspect_lines(self, facts: Mapping[str, Any]) -> list[str]:
        from ceremony.flavors.dct.inspect import dct_lines

        return dct_lines(facts)

    def signed_repositories(
        self, bundle: Path, *, at: datetime | None = None
    ) -> tuple[SignedRepository, ...]:
        """Each GUN of the verified bundle, with its newest root's keys."""
        from ceremony.flavors.dct.repositories import dct_repositories

        return dct_repositories(bundle, at=at)

    def lifetimes(self, path: Path) -> list[Lifetime]:
        from ceremony.flavors.dct.lifetimes import dct_lifetimes

        return dct_lifetimes(path)

    def sittings(self) -> SittingsAdapter:
        from ceremony.flavors.dct.sittings import DctSittings

        return DctSittings()

    def next_script(
        self, bundle: str | Path, kind: str, folder: str | Path, *,
        replace: tuple[str, ...] | None, at: datetime, guns: tuple[str, ...] = (),
    ) -> str:
        from ceremony.flavors.dct.next_script import next_script

        return next_script(Path(bundle), kind, Path(folder), replace=replace, at=at, guns=guns)

    # -- rehearsal ---------------------------------------------------------------

    rehearsal_backends = ("software",)

    def rehearsal_scripts(self, backend: str = "software") -> tuple[tuple[str, str], ...]:
        from ceremony.flavors.dct.rehearsal import SCRIPTS

        return SCRIPTS

    def rehearsal_words(self, backend: str = "software") -> str:
        return "Docker Content Trust, two GUNs, made-up Notary server keys"

    def rehearse(
        self,
        folder: Path | None,
        *,
        backend: str = "software",
        clock: Callable[[], datetime] | None = None,
    ) -> Iterator[Event]:
        from ceremony.engine import utc_now
        from ceremony.flavors.dct.rehearsal import rehearse_dct

        return rehearse_dct(folder, clock=clock or utc_now)


FLAVOR: Flavor = DctFlavor()
