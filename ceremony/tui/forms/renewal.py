"""The renewal part of the build form: the new root expiry, an optional new
targets expiry, and the switch that renews a root which has already expired."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Checkbox, Input, Static

from ceremony.tui.drafts.renewal import Renewal
from ceremony.tui.forms.field import field, switch
from ceremony.tui.widgets import Entry


class RenewalForm(Vertical):
    def __init__(self, renewal: Renewal) -> None:
        super().__init__(id="renewal-form", classes="form-part")
        self.renewal = renewal

    def compose(self) -> ComposeResult:
        r = self.renewal
        yield Static("The renewal: same keys, new expiries, the next root version",
                     classes="section")
        yield from field(
            "Root expires", Entry(r.root_expires, placeholder="e.g. 1y", id="root-expires",
                                  compact=True),
        )
        yield from field(
            "Targets expire",
            Entry(r.targets_expires, placeholder="(empty: unchanged)",
                  id="renew-targets-expires", compact=True),
        )
        yield from switch("The current root has EXPIRED: renew it anyway", r.expired,
                          "current-root-expired")

    def read(self) -> Renewal:
        return Renewal(
            root_expires=self.query_one("#root-expires", Input).value,
            targets_expires=self.query_one("#renew-targets-expires", Input).value,
            expired=self.query_one("#current-root-expired", Checkbox).value,
        )
