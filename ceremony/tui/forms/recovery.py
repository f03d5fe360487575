"""The recovery actions part of the recover form: what the recovery does
besides replacing lost online keys (the roles table above it).

Two switches, each showing its fields when on: rotate the root keys away
from the custodians (``replace: root:``, keys made in the keys table, a new
custody bundle below) and re-home recovered root keys onto PKCS#11 tokens
(``rehome:``, one row per key and token; Ctrl+N adds a row, Ctrl+O removes
the one with the cursor). The part judges nothing: the loader does.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Checkbox, Input, Static

from ceremony.tui.drafts.recovery import Recovery, RehomeRow
from ceremony.tui.forms.field import switch
from ceremony.tui.forms.rows import focused_row, remove_row
from ceremony.tui.forms.tags import next_tag
from ceremony.tui.widgets import Entry, Note

INTRO = (
    "Besides replacing the lost keys above, a recovery may rotate the root keys away from "
    "custodians no longer trusted, and may move recovered root keys onto tokens."
)
ROTATE = "Rotate the root away from the custodians (replace)"
ROTATE_HINT = (
    "The new root keys are made here (keys table above), and a new custody bundle (below) "
    "gets new shares; every current root key leaves the root."
)
REHOME = "Move recovered root keys onto tokens (rehome)"


class RehomeRowForm(Vertical):
    """One recovered root key and the PKCS#11 token it is imported into."""

    def __init__(self, row: RehomeRow) -> None:
        self.tag = row.tag or next_tag()
        super().__init__(classes="table-row rehome-row")
        self.row = row

    def compose(self) -> ComposeResult:
        t, row = self.tag, self.row
        with Horizontal(classes="field"):
            yield Entry(row.key, placeholder="root key", id=f"rehome-{t}-key", classes="w12",
                        compact=True)
            yield Entry(row.token, placeholder="token label", id=f"rehome-{t}-token",
                        classes="w12", compact=True)
            yield Entry(row.object_label, placeholder="key label", id=f"rehome-{t}-object",
                        classes="w12", compact=True)
            yield Entry(row.module, placeholder="PKCS#11 module (full path)",
                        id=f"rehome-{t}-module", classes="wide", compact=True)
        yield Note(id=f"rehome-{t}-error", classes="field-error row-error")

    def read(self) -> RehomeRow:
        t = self.tag
        if not self.query(f"#rehome-{t}-key"):  # just added, its fields not yet drawn
            return self.row

        def text(name: str) -> str:
            return self.query_one(f"#rehome-{t}-{name}", Input).value

        return RehomeRow(key=text("key"), module=text("module"), token=text("token"),
                         object_label=text("object"), tag=t)


class RecoveryForm(Vertical):
    DEFAULT_CSS = "RecoveryForm Vertical { height: auto; }"

    BINDINGS = [
        Binding("ctrl+n", "add_rehome", "Add token row", id="recovery-add",
                tooltip="Add a key to re-home onto a token"),
        Binding("ctrl+o", "remove_rehome", "Remove row", id="recovery-remove",
                tooltip="Remove the re-home row with the cursor"),
    ]

    def __init__(self, recovery: Recovery) -> None:
        super().__init__(id="recovery-form", classes="form-part")
        self.recovery = recovery

    def compose(self) -> ComposeResult:
        r = self.recovery
        yield Static("What the recovery does", classes="section")
        yield Static(INTRO, classes="field-hint")
        yield from switch(ROTATE, r.rotate_root, "rotate-root-away")
        with Vertical(id="root-away"):
            yield Static(ROTATE_HINT, classes="field-hint")
            yield Static("role       n    expires      new root keys", classes="columns")
            with Horizontal(classes="field"):
                yield Static("root", classes="role-name")
                yield Entry(r.root_threshold, placeholder="n", id="role-root-threshold",
                            classes="w4", compact=True)
                yield Entry(r.root_expires, placeholder="e.g. 1y", id="role-root-expires",
                            classes="w12", compact=True)
                yield Entry(r.root_keys, placeholder="keys (names, made above)",
                            id="role-root-keys", classes="wide", compact=True)
            yield Note(id="role-root-error", classes="field-error row-error")
        yield from switch(REHOME, r.rehome_on, "rehome-on")
        with Vertical(id="rehome-part"):
            yield Static("root key     token label  key label    module", classes="columns")
            with Vertical(id="rehome-rows"):
                for row in r.rehome or [RehomeRow()]:
                    yield RehomeRowForm(row)

    def on_mount(self) -> None:
        self._show()

    @on(Checkbox.Changed, "#rotate-root-away, #rehome-on")
    def _show(self) -> None:
        self.query_one("#root-away").display = self.query_one("#rotate-root-away", Checkbox).value
        self.query_one("#rehome-part").display = self.query_one("#rehome-on", Checkbox).value

    def _focused_row(self) -> RehomeRowForm | None:
        return focused_row(self.screen.focused, (RehomeRowForm,), self)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("add_rehome", "remove_rehome"):  # in its table; else the screen's
            return True if self._focused_row() is not None else None
        return True

    def action_add_rehome(self) -> None:
        row = RehomeRowForm(RehomeRow())
        self.query_one("#rehome-rows").mount(row)
        self.call_after_refresh(lambda: self.query_one(f"#rehome-{row.tag}-key").focus())

    def action_remove_rehome(self) -> None:
        row = self._focused_row()
        if row is not None:
            remove_row(row, self._judge)

    def _judge(self) -> None:
        judge = getattr(self.screen, "validate", None)  # the build screen's loader verdict
        if judge is not None:
            judge()

    def read(self) -> Recovery:
        def text(field_id: str) -> str:
            return self.query_one(f"#{field_id}", Input).value

        return Recovery(
            rotate_root=self.query_one("#rotate-root-away", Checkbox).value,
            root_keys=text("role-root-keys"),
            root_threshold=text("role-root-threshold"),
            root_expires=text("role-root-expires"),
            rehome_on=self.query_one("#rehome-on", Checkbox).value,
            rehome=[row.read() for row in self.query(RehomeRowForm)],
        )
