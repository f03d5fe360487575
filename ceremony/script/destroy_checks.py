"""``destroy:`` (decommission): the current keys to remove from the root and destroy.

Read from the plan only: each name once, and a decommission brings no keys
of its own (a key made or imported would be a rotation: rotate-root). Which
keys the current root has, and whether it can do without them, preflight
judges (engine/destroy_preflight.py).
"""

from __future__ import annotations

from collections.abc import Iterator

from ceremony.script.plan import Plan
from ceremony.script.rules import Problem


def destroy_problems(plan: Plan) -> Iterator[Problem]:
    if not plan.destroy:
        yield Problem("destroy", "no keys are listed to destroy",
                      "Name the current keys to remove from the root and destroy, e.g. "
                      "[root-carol]")
    for index, name in enumerate(plan.destroy):
        if name in plan.destroy[:index]:
            yield Problem(f"destroy[{index}]", f"{name!r} is listed twice", "List each key once")
    for index, spec in enumerate(plan.keys):
        yield Problem(f"keys[{index}]", f"a decommission brings no keys, and this script "
                      f"brings {spec.name!r}",
                      "Remove keys:; add new keys first with a rotate-root ceremony")
