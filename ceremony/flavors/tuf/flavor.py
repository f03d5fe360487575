"""The TUF flavor's answers to the Flavor interface (ceremony/flavor.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from ceremony.engine.step import Step
from ceremony.flavors.tuf import checks, script
from ceremony.flavors.tuf.plan import TufDetails
from ceremony.script.flavor_fields import FlavorScript, ScriptReading, ScriptRules
from ceremony.script.plan import Plan
from ceremony.script.rules import Problem


class TufFlavor:
    name = "tuf"
    title = "TUF"
    kinds = ("bootstrap", "rotate-root", "delegate", "recover")
    kind_prefix = ""

    # -- scripts -----------------------------------------------------------------

    def script_rules(self, kind: str) -> ScriptRules:
        return script.RULES[kind]

    def read_script(self, reading: ScriptReading) -> FlavorScript:
        return script.read_script(reading)

    def script_checks(self, kind: str) -> tuple[Callable[[Plan], Iterable[Problem]], ...]:
        return checks.CHECKS[kind]

    def plan_lines(self, plan: Plan) -> list[str]:
        """A TUF plan's delegations in words (describe_plan.py)."""
        details: TufDetails = plan.details
        lines = []
        for delegation in details.delegations:
            mark = ", terminating" if delegation.terminating else ""
            lines.append(
                f"Delegate  {delegation.name}: {delegation.threshold} of "
                f"{', '.join(delegation.keys)} for {', '.join(delegation.paths)}{mark}"
            )
        return lines

    # -- running -----------------------------------------------------------------

    def key_roles(self, plan: Plan, name: str) -> set[str]:
        """The roles key ``name`` of ``plan`` will have: top-level and delegated."""
        roles = {role.name for role in plan.roles if name in role.keys}
        details: TufDetails = plan.details
        roles |= {f"targets/{d.name}" for d in details.delegations if name in d.keys}
        return roles

    def steps(self, plan: Plan) -> list[Step]:
        from ceremony.flavors.tuf.kinds import bootstrap, delegate, recover, rotate_root

        kinds = {
            "bootstrap": bootstrap.steps,
            "rotate-root": rotate_root.steps,
            "delegate": delegate.steps,
            "recover": recover.steps,
        }
        return kinds[plan.kind](plan)
