"""The policy part of the build form (drafts/policy.py): when to act next.

The renewal and critical margins ``ceremony status`` warns from, and for each
online role how often ``ceremony next`` replaces its keys. Shown for every
kind, unless the policy is carried as written from the last bundle (Ctrl+L).
It judges nothing: the loader does.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Static

from ceremony.tui.drafts.policy import Policy
from ceremony.tui.forms.field import field
from ceremony.tui.widgets import Entry

TITLE = "When to act next (optional: kept in the bundle for status and next)"


class PolicyForm(Vertical):
    """``policy:``: two margins, and a key-replacement period for each of ``roles``."""

    def __init__(self, policy: Policy, roles: tuple[str, ...]) -> None:
        super().__init__(id="policy-form", classes="form-part")
        self.policy = policy
        self.roles = roles

    def compose(self) -> ComposeResult:
        p = self.policy
        yield Static(TITLE, classes="section")
        yield from field(
            "Renewal margin",
            Entry(p.renewal_margin, placeholder="(30d)", id="policy-renewal-margin",
                  compact=True),
            hint="ceremony status warns from each expiry minus this.",
        )
        yield from field(
            "Critical margin",
            Entry(p.critical_margin, placeholder="(7d)", id="policy-critical-margin",
                  compact=True),
            hint="And turns critical from each expiry minus this (shorter).",
        )
        yield Static("Replace these roles' keys every (empty: not on a schedule)",
                     classes="field-hint")
        for role in self.roles:
            yield from field(
                role.capitalize(),
                Entry(p.rotation.get(role, ""), placeholder="e.g. 90d",
                      id=f"policy-rotation-{role}", compact=True),
            )

    def read(self) -> Policy:
        def text(field_id: str) -> str:
            return self.query_one(f"#{field_id}", Input).value

        return Policy(
            renewal_margin=text("policy-renewal-margin"),
            critical_margin=text("policy-critical-margin"),
            rotation={role: text(f"policy-rotation-{role}") for role in self.roles},
        )
