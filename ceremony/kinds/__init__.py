"""Ceremony kinds: the ordered steps of bootstrap, rotate-root and delegate."""

from __future__ import annotations

from ceremony.engine.step import Step
from ceremony.script.plan import Plan


def steps_for(plan: Plan) -> list[Step]:
    from ceremony.kinds import bootstrap, delegate, rotate_root

    kinds = {
        "bootstrap": bootstrap.steps,
        "rotate-root": rotate_root.steps,
        "delegate": delegate.steps,
    }
    return kinds[plan.kind](plan)
