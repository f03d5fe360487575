"""The custody part of the build form: where the custody bundle goes, and how it opens.

The mode first: ``shares`` (the default) or ``passphrase-only``. Then the
media (two or more, each its own device). With shares: the sheets folder and
their paper, shares m of n, optional SLIP-39 groups (the m of n line is the
first group, each row below another; "Groups needed" of them recover), the
custodians named at hand-out, and whether a SLIP-39 passphrase is asked. With
one passphrase: the three risks it takes, each accepted by name. Only the
chosen mode's fields are shown. Leaving the media empty writes no
``custody:`` block at all. It judges nothing: the loader does.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Checkbox, Input, Select, Static

from ceremony.tui.drafts.custody import MODES, PAPERS, RISKS, Custody, ShareGroup
from ceremony.tui.forms.field import field, switch
from ceremony.tui.forms.rows import Rows
from ceremony.tui.forms.tags import next_tag
from ceremony.tui.widgets import Entry, Note

RISK_WORDS = {
    "one-person-recovers": "one person with it and a copy recovers every key",
    "forgotten-means-lost": "forgotten, the backup is lost",
    "offline-guessing": "a copied medium can be guessed at offline",
}
PASSPHRASE_ONLY = (
    "One passphrase (asked twice at the ceremony, 16 characters or more) instead of shares: "
    "no custodians, no sheets. Accept each of its risks by name (docs/reference/scripts.md)."
)


class ShareGroupRowForm(Vertical):
    """A SLIP-39 group after the first: how many of its shares are needed, of how many."""

    def __init__(self, group: ShareGroup) -> None:
        self.tag = group.tag or next_tag()
        super().__init__(classes="table-row")
        self.group = group

    def compose(self) -> ComposeResult:
        t, g = self.tag, self.group
        with Horizontal(classes="field"):
            yield Static("Another group", classes="field-label")
            yield Entry(g.threshold, placeholder="m", id=f"sharegroup-{t}-threshold",
                        classes="w4", compact=True)
            yield Static(" of ", classes="w4")
            yield Entry(g.of, placeholder="n", id=f"sharegroup-{t}-of", classes="w4",
                        compact=True)
        yield Note(id=f"sharegroup-{t}-error", classes="field-error")

    def read(self) -> ShareGroup:
        t = self.tag
        return ShareGroup(self.query_one(f"#sharegroup-{t}-threshold", Input).value,
                          self.query_one(f"#sharegroup-{t}-of", Input).value, t)


class CustodyForm(Vertical):
    """The fields of one ``custody:`` block."""

    def __init__(self, custody: Custody, *, title: str) -> None:
        super().__init__(id="custody-form", classes="form-part")
        self.custody = custody
        self.title = title

    def compose(self) -> ComposeResult:
        c = self.custody
        yield Static(self.title, classes="section")
        yield from field(
            "Mode",
            Select([(mode, mode) for mode in MODES], value=c.mode, allow_blank=False,
                   id="custody-mode", compact=True),
            hint="shares: SLIP-39 sheets for custodians; passphrase-only: small teams.",
        )
        yield from field(
            "Media",
            Entry(c.media, placeholder="e.g. /media/custody-a, /media/custody-b",
                  id="custody-media", compact=True),
            hint="One copy on each medium, each its own device. Empty: no custody bundle.",
        )
        with Vertical(id="custody-shares", classes="form-part"):
            yield from field(
                "Sheets folder",
                Entry(c.sheets, placeholder="e.g. /media/sheets", id="custody-sheets",
                      compact=True),
                hint="The share sheets to print; never on a medium holding a copy.",
            )
            yield from field(
                "Paper",
                Select([(paper, paper) for paper in PAPERS], value=c.paper, allow_blank=False,
                       id="custody-paper", compact=True),
            )
            with Horizontal(classes="field"):
                yield Static("Shares needed", classes="field-label")
                yield Entry(c.threshold, id="custody-threshold", classes="w4", compact=True)
                yield Static(" of ", classes="w4")
                yield Entry(c.of, id="custody-of", classes="w4", compact=True)
            yield Note(id="custody-threshold-error", classes="field-error")
            yield Note(id="custody-of-error", classes="field-error")
            yield from field(
                "Groups needed",
                Entry(c.groups_needed, placeholder="(no groups)", id="custody-groups-needed",
                      compact=True),
                hint="SLIP-39 groups: the line above is the first group, each line below "
                "another (Ctrl+N adds one); this many groups must reach their m.",
            )
            yield Rows([ShareGroupRowForm(g) for g in c.groups or [ShareGroup()]],
                       lambda: ShareGroupRowForm(ShareGroup()), table_id="sharegroup-rows")
            yield from field(
                "Custodians",
                Entry(c.custodians, placeholder="e.g. erin, frank, grace (in share order)",
                      id="custody-custodians", compact=True),
            )
            yield from switch("SLIP-39 passphrase (asked; every recovery needs it)",
                              c.slip39_passphrase, "custody-slip39")
        with Vertical(id="custody-passphrase", classes="form-part"):
            yield Static(PASSPHRASE_ONLY, classes="field-hint")
            for risk in RISKS:
                yield from switch(f"{risk}: {RISK_WORDS[risk]}", risk in c.risks,
                                  f"custody-risk-{risk}")

    def on_mount(self) -> None:
        self.show_mode(self.custody.mode)

    def show_mode(self, mode: str) -> None:
        """Show the fields of ``mode`` only."""
        self.query_one("#custody-shares").display = mode == "shares"
        self.query_one("#custody-passphrase").display = mode == "passphrase-only"

    @on(Select.Changed, "#custody-mode")
    def _mode_chosen(self, event: Select.Changed) -> None:
        self.show_mode(str(event.value))

    def read(self) -> Custody:
        def text(field_id: str) -> str:
            return self.query_one(f"#{field_id}", Input).value

        def switched(field_id: str) -> bool:
            return self.query_one(f"#{field_id}", Checkbox).value

        return Custody(
            media=text("custody-media"),
            sheets=text("custody-sheets"),
            threshold=text("custody-threshold"),
            of=text("custody-of"),
            custodians=text("custody-custodians"),
            slip39_passphrase=switched("custody-slip39"),
            mode=str(self.query_one("#custody-mode", Select).value),
            paper=str(self.query_one("#custody-paper", Select).value),
            groups_needed=text("custody-groups-needed"),
            groups=[row.read() for row in self.query(ShareGroupRowForm)],
            risks=tuple(risk for risk in RISKS if switched(f"custody-risk-{risk}")),
        )
