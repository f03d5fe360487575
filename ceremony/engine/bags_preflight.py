"""Preflight of the bags a ceremony opens: each was sealed by the last one.

Every bag the script opens (``bags.open``) must be on the record of the
current bundle's ceremony: its transcript's ``bag-sealed`` line gives the
serial the bag had when it was sealed. Preflight only finds that line (no
serial is shown: the person in the room reads the bag, the tool compares);
the preflight step then asks for each serial (steps/bags.py).
"""

from __future__ import annotations

from ceremony.engine.current import CurrentState
from ceremony.engine.preflight_result import PreflightResult
from ceremony.script.plan import Plan
from ceremony.verify.bags import sealed_bags


def check_bags(plan: Plan, result: PreflightResult) -> None:
    """Each bag opened today is on the current bundle's record."""
    if not plan.bags.open:
        return
    current: CurrentState | None = result.current
    if current is None:
        return  # the flavor's preflight said why there is no current bundle
    known = sealed_bags(current.contents)
    for name in plan.bags.open:
        if name in known:
            result.add(f"bag {name}", None, f"sealed by ceremony {known[name].ceremony_id} "
                       f"({known[name].holds}); its serial is asked for next")
        else:
            result.add(
                f"bag {name}",
                f"the record of {plan.current} seals no bag named {name!r}"
                + (f" (it seals: {', '.join(sorted(known))})" if known else ""),
                reason="bag-unknown",
            )
