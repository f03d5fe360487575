"""The Docker Content Trust flavor's answers to the Flavor interface (ceremony/flavor.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from ceremony.engine.step import Step
from ceremony.flavors.dct import checks, fields
from ceremony.flavors.dct.plan import DctSpec
from ceremony.script.flavor_fields import FlavorScript, ScriptReading, ScriptRules
from ceremony.script.plan import Plan
from ceremony.script.rules import Problem


class DctFlavor:
    name = "dct"
    title = "Docker Content Trust"
    kinds = ("bootstrap", "rotate-root", "delegate", "recover")
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
        details: DctSpec = plan.details
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
        details: DctSpec = plan.details
        roles = {role.name for role in plan.roles if name in role.keys}
        roles |= {signer.role for signer in details.signers if name in signer.keys}
        roles |= {d.role for d in details.delegations if name in d.keys}
        return roles

    # -- running -----------------------------------------------------------------

    def steps(self, plan: Plan) -> list[Step]:
        from ceremony.flavors.dct.kinds import bootstrap, delegate, recover, rotate_root

        kinds = {
            "bootstrap": bootstrap.steps,
            "rotate-root": rotate_root.steps,
            "delegate": delegate.steps,
            "recover": recover.steps,
        }
        return kinds[plan.kind](plan)
