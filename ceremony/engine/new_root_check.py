"""Preflight of the new root's threshold: can the keys here today meet it?

A rotation's new root must be signed by a threshold of its own keys as well
as the current root's. The keys that can sign it today are those the script
makes and those named in sign-with (and, for a flavor that reads a trust
dir, the root keys found there); each flavor says which it opens, and this
counts them against ``roles.root`` before any passphrase is asked. A script
signed in several sittings (``request-expires:``) counts its imported root
keys too: each keyholder signs with theirs at their own sitting.
"""

from __future__ import annotations

from collections.abc import Iterable

from ceremony.engine.preflight_result import PreflightResult
from ceremony.script.plan import Plan
from ceremony.threshold import threshold_result


def check_new_root(plan: Plan, opened: Iterable[str], result: PreflightResult) -> None:
    """Add the new root's threshold check, when the script sets the root role.
    ``opened``: the names of the current keys that sign today."""
    root = plan.role("root")
    if root is None:
        return
    sittings = plan.request_expires is not None
    here = {
        spec.name for spec in plan.keys if spec.source == "generate" or sittings
    } | set(opened)
    today = threshold_result(root.keys, root.threshold, here)
    if today.met:
        result.add("new root", None, f"the root keys here today give the new root {today.words()}")
        return
    absent = [name for name in root.keys if name not in here]
    result.add(
        "new root",
        f"the root keys here today give the new root {today.words()}; bring the keyholders "
        f"of {', '.join(absent)} and add them to sign-with, or lower roles.root.threshold",
    )
