"""The Docker Content Trust flavor's answers to the Flavor interface (ceremony/flavor.py)."""

from __future__ import annotations

from ceremony.engine.step import Step
from ceremony.script.plan import Plan


class DctFlavor:
    name = "dct"
    title = "Docker Content Trust"

    def steps(self, plan: Plan) -> list[Step]:
        from ceremony.flavors.dct.kinds import bootstrap, delegate, recover, rotate_root

        kinds = {
            "bootstrap": bootstrap.steps,
            "rotate-root": rotate_root.steps,
            "delegate": delegate.steps,
            "recover": recover.steps,
        }
        return kinds[plan.kind](plan)
