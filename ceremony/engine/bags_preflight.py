"""Preflight of the bags a ceremony opens: each was sealed by the last one.

Every bag the script opens (``bags.open``) must be on the record of the
current bundle's ceremony: its transcript's ``bag-sealed`` line gives the
serial the bag had when it was sealed. Preflight only finds that line (no
serial is shown: the person in the room reads the bag, the tool compares);
the preflight step then asks for each serial (steps/bags.py).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from ceremony.engine.current import CurrentState
from ceremony.engine.preflight_result import PreflightResult
from ceremony.script.plan import Plan
from ceremony.verify.contents import BundleContents
from ceremony.verify.limits import TRANSCRIPT


@dataclass(frozen=True)
class SealedBag:
    """A bag as the ceremony that sealed it recorded it."""

    name: str
    holds: str
    serial: str
    ceremony_id: str


def sealed_bags(contents: BundleContents | None) -> dict[str, SealedBag]:
    """The bags a bundle's ceremony sealed, by name (none if it cannot be read)."""
    data = contents.content(TRANSCRIPT) if contents is not None else None
    bags: dict[str, SealedBag] = {}
    ceremony_id = ""
    for raw in (data or b"").splitlines():
        try:
            line = json.loads(raw)
        except (UnicodeDecodeError, json.JSONDecodeError):
            return {}
        if not isinstance(line, dict):
            continue
        if line.get("event") == "ceremony-started":
            ceremony_id = str(line.get("ceremony_id", ""))
        elif line.get("event") == "bag-sealed":
            name = str(line.get("bag", ""))
            bags[name] = SealedBag(name, str(line.get("holds", "")),
                                   str(line.get("serial", "")), ceremony_id)
    return bags


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
