"""The renewal part of the build form: the new root expiry, an optional new
targets expiry, and the switch that renews a root which has already expired.

A decommission shows the part too, with the fields its kind takes (the
root's expiry; a Sigstore one the targets' as well) under its own title."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Checkbox, Input, Static

from ceremony.tui.drafts.renewal import Renewal
from ceremony.tui.forms.field import field, switch
from ceremony.tui.widgets import Entry

TITLE = "The renewal: same keys, new expiries, the next root version"


class RenewalForm(Vertical):
    def __init__(self, renewal: Renewal, takes: tuple[str, ...], *, title: str = TITLE) -> None:
        super().__init__(id="renewal-form", classes="form-part")
        self.renewal = renewal
        self.takes = takes
        self.title = title

    def compose(self) -> ComposeResult:
        r = self.renewal
        yield Static(self.title, classes="section")
        optional = "current-root-expired" not in self.takes  # a decommission's
        yield from field(
            "Root expires",
            Entry(r.root_expires, placeholder="(empty: as the current root)" if optional
                  else "e.g. 1y", id="root-expires", compact=True),
        )
        if "targets-expires" in self.takes:
            yield from field(
                "Targets expire",
                Entry(r.targets_expires, placeholder="(empty: unchanged)",
                      id="renew-targets-expires", compact=True),
            )
        if not optional:
            yield from switch("The current root has EXPIRED: renew it anyway", r.expired,
                              "current-root-expired")

    def read(self) -> Renewal:
        targets = self.query("#renew-targets-expires")
        expired = self.query("#current-root-expired")
        return Renewal(
            root_expires=self.query_one("#root-expires", Input).value,
            targets_expires=targets.first(Input).value if targets else "",
            expired=expired.first(Checkbox).value if expired else False,
        )
