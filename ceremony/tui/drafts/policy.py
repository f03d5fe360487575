"""The ``policy:`` block of a draft: when the root must be renewed, how often keys change.

Every kind takes ``policy:`` (ceremony/script/policy.py): the renewal and
critical margins ``ceremony status`` warns from, and by role how often
``ceremony next`` replaces the keys (``rotation``). A bundle keeps its
script, so the policy a bootstrap writes is the one status and next read
later. Written only when something is typed; the loader judges it (a length
that is no length, a critical margin longer than the renewal margin).
Imports no UI toolkit.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ceremony.tui.drafts.text import Put, scalar

MARGINS = (("renewal-margin", "policy-renewal-margin"),
           ("critical-margin", "policy-critical-margin"))


@dataclass
class Policy:
    """A policy as the form holds it (text as typed; empty: not written)."""

    renewal_margin: str = ""
    critical_margin: str = ""
    rotation: dict[str, str] = field(default_factory=dict)  # role -> length, as typed

    def render(self, put: Put, fields: dict[str, str]) -> None:
        fields["policy"] = "policy-renewal-margin"
        margins = {"renewal-margin": self.renewal_margin, "critical-margin": self.critical_margin}
        for name, field_id in MARGINS:
            fields[f"policy.{name}"] = field_id
        rotation = {role: length for role, length in self.rotation.items() if length.strip()}
        for role in self.rotation:
            fields[f"policy.rotation.{role}"] = f"policy-rotation-{role}"
        first = next(iter(rotation or self.rotation), "")
        fields["policy.rotation"] = f"policy-rotation-{first}" if first else "policy-renewal-margin"
        if not rotation and not any(v.strip() for v in margins.values()):
            return
        put("policy", "policy-renewal-margin", "policy:")
        for name, field_id in MARGINS:
            if margins[name].strip():
                put(f"policy.{name}", field_id, f"  {name}: {scalar(margins[name])}")
        if rotation:
            every = ", ".join(f"{role}: {scalar(length)}" for role, length in rotation.items())
            put("policy.rotation", fields["policy.rotation"], f"  rotation: {{{every}}}")
