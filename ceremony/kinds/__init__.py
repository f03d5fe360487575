"""Ceremony kinds: the ordered steps of bootstrap, rotate-root, delegate and recover."""

from __future__ import annotations

from ceremony.engine.step import Step
from ceremony.script.plan import Plan


def steps_for(plan: Plan) -> list[Step]:
    if plan.flavor == "dct":  # Docker Content Trust: kinds/dct_*.py
        from ceremony.kinds import dct_bootstrap, dct_delegate, dct_recover, dct_rotate

        dct_kinds = {
            "bootstrap": dct_bootstrap.steps,
            "rotate-root": dct_rotate.steps,
            "delegate": dct_delegate.steps,
            "recover": dct_recover.steps,
        }
        return dct_kinds[plan.kind](plan)
    from ceremony.kinds import bootstrap, delegate, recover, rotate_root

    kinds = {
        "bootstrap": bootstrap.steps,
        "rotate-root": rotate_root.steps,
        "delegate": delegate.steps,
        "recover": recover.steps,
    }
    return kinds[plan.kind](plan)
