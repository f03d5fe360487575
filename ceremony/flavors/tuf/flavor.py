"""The TUF flavor's answers to the Flavor interface (ceremony/flavor.py)."""

from __future__ import annotations

from ceremony.engine.step import Step
from ceremony.script.plan import Plan


class TufFlavor:
    name = "tuf"
    title = "TUF"

    def steps(self, plan: Plan) -> list[Step]:
        from ceremony.flavors.tuf.kinds import bootstrap, delegate, recover, rotate_root

        kinds = {
            "bootstrap": bootstrap.steps,
            "rotate-root": rotate_root.steps,
            "delegate": delegate.steps,
            "recover": recover.steps,
        }
        return kinds[plan.kind](plan)
