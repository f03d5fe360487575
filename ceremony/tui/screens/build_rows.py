"""The table rows of the build form: one role, one delegation (keys: forms/key_row.py).

Each row draws the fields of one draft row (draft.py) and reads them back
as typed. A row judges nothing: the build screen writes the whole form as
YAML and lets the script loader say what is wrong, next to the field.
Field ids name the row (``key-<tag>-name``) so a loader message finds it.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Checkbox, Input, Static

from ceremony.tui.draft import DelegationRow, RoleRow
from ceremony.tui.forms.tags import next_tag
from ceremony.tui.widgets import Entry, Note, OnOff


class RoleRowForm(Vertical):
    def __init__(self, row: RoleRow) -> None:
        super().__init__(classes="role-row")
        self.row = row

    def compose(self) -> ComposeResult:
        r = self.row
        with Horizontal(classes="field"):
            yield Static(r.name, classes="role-name")
            yield Entry(
                r.threshold, placeholder="n", id=f"role-{r.name}-threshold", classes="w4",
                compact=True,
            )
            yield Entry(
                r.expires, placeholder="e.g. 1y", id=f"role-{r.name}-expires", classes="w12",
                compact=True,
            )
            yield Entry(
                r.keys, placeholder="keys (names)", id=f"role-{r.name}-keys", classes="wide",
                compact=True,
            )
        yield Note(id=f"role-{r.name}-error", classes="field-error row-error")

    def read(self) -> RoleRow:
        n = self.row.name
        return RoleRow(
            name=n,
            keys=self.query_one(f"#role-{n}-keys", Input).value,
            threshold=self.query_one(f"#role-{n}-threshold", Input).value,
            expires=self.query_one(f"#role-{n}-expires", Input).value,
        )


class DelegationRowForm(Vertical):
    def __init__(self, row: DelegationRow) -> None:
        self.tag = row.tag or next_tag()
        super().__init__(classes="table-row delegation-row")
        self.row = row

    def compose(self) -> ComposeResult:
        t, row = self.tag, self.row
        with Horizontal(classes="field"):
            yield Entry(
                row.name, placeholder="role name", id=f"delegation-{t}-name", classes="w12",
                compact=True,
            )
            yield Entry(
                row.threshold, placeholder="n", id=f"delegation-{t}-threshold", classes="w4",
                compact=True,
            )
            yield Entry(
                row.paths, placeholder="paths, e.g. alpine/*", id=f"delegation-{t}-paths",
                classes="w20", compact=True,
            )
            yield Entry(
                row.keys, placeholder="keys", id=f"delegation-{t}-keys", classes="wide",
                compact=True,
            )
            yield OnOff(
                "term.", row.terminating, id=f"delegation-{t}-terminating", compact=True
            )
        yield Note(id=f"delegation-{t}-error", classes="field-error row-error")

    def read(self) -> DelegationRow:
        t = self.tag
        return DelegationRow(
            name=self.query_one(f"#delegation-{t}-name", Input).value,
            keys=self.query_one(f"#delegation-{t}-keys", Input).value,
            threshold=self.query_one(f"#delegation-{t}-threshold", Input).value,
            paths=self.query_one(f"#delegation-{t}-paths", Input).value,
            terminating=self.query_one(f"#delegation-{t}-terminating", Checkbox).value,
            tag=t,
        )
