"""A ceremony script in plain words: what `validate` and the UI's review show.

Given a checked Plan, say what the ceremony will do, one line each: kind,
output, keyholders, the keys made or imported, each role's keys, threshold
and expiry, what it builds on, and what the plan's flavor adds
(``Flavor.plan_lines``: a TUF delegation's paths, a DCT ceremony's GUNs).
Never prints and never touches disk.
"""

from __future__ import annotations

from datetime import datetime

from ceremony.flavor import flavor_named
from ceremony.script.plan import Plan

KIND_WORDS = {
    "bootstrap": "a new root, version 1",
    "rotate-root": "the next root version, signed by the current root and the new",
    "delegate": "a new targets.json delegating to repository keys",
    "decommission": "the next root version without some keys, destroyed once its bundle is sealed",
}


def when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def plan_lines(plan: Plan) -> list[str]:
    lines = [
        f"{plan.title}",
        f"Kind      {plan.kind} ({plan.flavor}): {KIND_WORDS.get(plan.kind, plan.kind)}",
    ]
    if plan.rehearsal:
        lines.append("          REHEARSAL: every output is marked as practice")
    lines.append(f"Output    {plan.output}")
    network = "allowed (the script says so)" if plan.allow_network else "forbidden (air gap)"
    lines.append(f"Network   {network}")
    if plan.current is not None:
        lines.append(f"Builds on {plan.current}")
    if plan.sign_with:
        lines.append(f"Signing   {', '.join(plan.sign_with)}")
    if plan.destroy:
        lines.append(f"Destroys  {', '.join(plan.destroy)} (removed from the root; destroyed "
                     "once the new bundle is sealed)")
    for path in (*plan.wipe.key_files, *plan.wipe.custody_copies):
        lines.append(f"Wipes     {path}")
    if plan.keyholders:
        lines.append(f"Holders   {', '.join(h.name for h in plan.keyholders)}")
    for spec in plan.keys:
        if spec.source == "import":
            lines.append(f"Key       {spec.name}: imported from {spec.public_key_file}")
        else:
            holder = f", held by {spec.holder}" if spec.holder else ""
            lines.append(
                f"Key       {spec.name}: made here, {spec.algorithm} ({spec.backend}){holder}"
            )
    for role in plan.roles:
        lines.append(
            f"Role      {role.name}: {role.threshold} of {', '.join(role.keys)}; "
            f"expires {when(role.expires)}"
        )
    if plan.spare_keys == "none":
        lines.append("          spare-keys: none (every root key is needed to sign)")
    lines += flavor_named(plan.flavor).plan_lines(plan)
    if plan.targets_expires is not None:
        lines.append(f"Targets   expires {when(plan.targets_expires)}")
    return lines
