"""Build a ceremony from forms: the script a headless run would take.

The operator fills in keyholders, keys, roles (or delegations), thresholds,
expiries and the output. After every change the form is written out as YAML
(draft.py) and loaded with the script loader itself; its message is shown
next to the field it names and at the foot of the screen. So the form says
exactly what ``ceremony validate`` would. Ctrl+R shows the script for review.

This screen builds no domain objects: it holds text, and the loader judges.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Checkbox, Footer, Input, Select, Static

from ceremony.tui.draft import IMPORT, ROLE_NAMES, DelegationRow, Draft, KeyRow, RoleRow, new_draft
from ceremony.tui.widgets import Entry, Note

TITLES = {
    "bootstrap": "New root (bootstrap)",
    "rotate-root": "Rotate the root",
    "delegate": "Delegate repository keys",
    "recover": "Disaster recovery",
}

RECOVER_INTRO = (
    "Custodians bring the root keys back from a custody bundle with their shares; the "
    "recovered root keys sign the next root version, replacing the lost targets, snapshot or "
    "timestamp keys. Bring the newest bundle, the media with the custody copies, and the "
    "custodians. A full example: docs/examples/recover.yaml (a reviewed script runs from "
    "Open a ceremony script)."
)
_tags = itertools.count(1)


def algorithm_options() -> list[tuple[str, str]]:
    from hsm.algorithms import ALGORITHMS

    return [(name, name) for name in ALGORITHMS] + [("import (public key)", IMPORT)]


def note_id(field_id: str) -> str:
    """The error line a field's message goes to (one per row for tables)."""
    head, _, rest = field_id.partition("-")
    if head in ("key", "delegation", "role"):
        return f"{head}-{rest.split('-')[0]}-error"
    return f"{field_id}-error"


def field(label: str, widget, *, hint: str = "") -> list:
    """A labelled one-line field, its error line and an optional hint."""
    return [
        Horizontal(Static(label, classes="field-label"), widget, classes="field"),
        Note(hint, id=f"{widget.id}-hint", classes="field-hint"),
        Note(id=f"{widget.id}-error", classes="field-error"),
    ]


class KeyRowForm(Vertical):
    """One key made or imported here: name, holder, algorithm, public key file."""

    def __init__(self, row: KeyRow) -> None:
        self.tag = row.tag or str(next(_tags))
        super().__init__(classes="table-row key-row")
        self.row = row

    def compose(self) -> ComposeResult:
        t, row = self.tag, self.row
        with Horizontal(classes="field"):
            yield Entry(row.name, placeholder="name", id=f"key-{t}-name", classes="w20", compact=True)
            yield Entry(row.holder, placeholder="holder", id=f"key-{t}-holder", classes="w12", compact=True)
            yield Select(
                algorithm_options(),
                value=row.algorithm,
                allow_blank=False,
                id=f"key-{t}-algorithm",
                compact=True,
            )
            yield Entry(
                row.public_key_file,
                placeholder="public key file",
                id=f"key-{t}-import",
                classes="wide",
                compact=True,
                disabled=row.algorithm != IMPORT,
            )
        yield Note(id=f"key-{t}-error", classes="field-error row-error")

    def read(self) -> KeyRow:
        t = self.tag
        return KeyRow(
            name=self.query_one(f"#key-{t}-name", Input).value,
            holder=self.query_one(f"#key-{t}-holder", Input).value,
            algorithm=str(self.query_one(f"#key-{t}-algorithm", Select).value),
            public_key_file=self.query_one(f"#key-{t}-import", Input).value,
            tag=t,
        )


class RoleRowForm(Vertical):
    def __init__(self, row: RoleRow) -> None:
        super().__init__(classes="role-row")
        self.row = row

    def compose(self) -> ComposeResult:
        r = self.row
        with Horizontal(classes="field"):
            yield Static(r.name, classes="role-name")
            yield Entry(r.threshold, placeholder="n", id=f"role-{r.name}-threshold", classes="w4", compact=True)
            yield Entry(r.expires, placeholder="e.g. 1y", id=f"role-{r.name}-expires", classes="w12", compact=True)
            yield Entry(r.keys, placeholder="keys (names)", id=f"role-{r.name}-keys", classes="wide", compact=True)
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
        self.tag = row.tag or str(next(_tags))
        super().__init__(classes="table-row delegation-row")
        self.row = row

    def compose(self) -> ComposeResult:
        t, row = self.tag, self.row
        with Horizontal(classes="field"):
            yield Entry(row.name, placeholder="role name", id=f"delegation-{t}-name", classes="w12", compact=True)
            yield Entry(row.threshold, placeholder="n", id=f"delegation-{t}-threshold", classes="w4", compact=True)
            yield Entry(row.paths, placeholder="paths, e.g. alpine/*", id=f"delegation-{t}-paths", classes="w20", compact=True)
            yield Entry(row.keys, placeholder="keys", id=f"delegation-{t}-keys", classes="wide", compact=True)
            yield Checkbox("term.", row.terminating, id=f"delegation-{t}-terminating", compact=True)
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


class BuildScreen(Screen):
    BINDINGS = [
        Binding("ctrl+r", "review", "Review", id="build-review", tooltip="Show the script, then save and run it"),
        Binding("ctrl+n", "add_row", "Add row", id="build-add", tooltip="Add a key (or a delegation)"),
        Binding("ctrl+o", "remove_row", "Remove row", id="build-remove", tooltip="Remove the row with the cursor"),
        Binding("escape", "back", "Back", id="build-back", tooltip="Leave the form (nothing is saved)"),
    ]

    valid = reactive(False)

    def __init__(self, kind: str, draft: Draft | None = None) -> None:
        super().__init__()
        self.kind = kind
        self.draft = draft
        self.rendered = None
        self.problem = None

    def compose(self) -> ComposeResult:
        clock = self.app.clock()
        draft = self.draft or new_draft(self.kind, stamp=clock.strftime("%Y-%m-%d"))
        media = self.app.look_around().media
        if self.draft is None and media:  # write to the media in the drive
            draft.output = f"{media[0]}/{Path(draft.output).name}"
        script = str(self.app.workdir / f"{clock.strftime('%Y-%m-%d')}-{self.kind}.yaml")
        yield Static(f"{TITLES[self.kind]}: fill in, review, save, run", classes="banner")
        with VerticalScroll(id="form"):
            if self.kind == "recover":
                yield Static(RECOVER_INTRO, id="recover-intro", classes="intro")
            yield Static("The ceremony", classes="section")
            yield from field("Title", Entry(draft.title, id="title", compact=True))
            yield from field(
                "Script file",
                Entry(script, id="script", compact=True),
                hint="Saved here to review; never over an existing file.",
            )
            yield from field(
                "Output folder",
                Entry(draft.output, id="output", compact=True),
                hint="Relative to the script's folder; must not exist yet.",
            )
            with Horizontal(classes="field"):
                yield Static("", classes="field-label")
                yield Checkbox("Rehearsal", draft.rehearsal, id="rehearsal", compact=True)
                yield Checkbox("Network allowed", draft.network_allowed, id="network", compact=True)
            yield Note(id="rehearsal-error", classes="field-error")
            yield Note(id="network-error", classes="field-error")
            if self.kind != "bootstrap":
                yield from field(
                    "Current bundle",
                    Entry(draft.current, placeholder="../media/2026-11-bootstrap", id="current", compact=True),
                )
            if self.kind in ("rotate-root", "delegate"):
                yield from field(
                    "Sign with",
                    Entry(draft.sign_with, placeholder="current keys here today", id="sign-with", compact=True),
                )
            if self.kind == "recover":
                yield Static("The custody bundle", classes="section")
                yield from field(
                    "Custody copies",
                    Entry(draft.copies, placeholder="../media/custody-a, ../media/custody-b",
                          id="copies", compact=True),
                    hint="Media folders holding a custody-<id> copy; any good copy is used.",
                )
                with Horizontal(classes="field"):
                    yield Static("", classes="field-label")
                    yield Checkbox("The shares were split with a SLIP-39 passphrase",
                                   draft.slip39_passphrase, id="slip39", compact=True)
                yield Note(id="slip39-error", classes="field-error")
            yield Static("Keyholders", classes="section")
            yield from field(
                "Names",
                Entry(draft.keyholders, placeholder="alice, bob, carol", id="keyholders", compact=True),
            )
            yield Static("Keys made or imported here (software keys)", classes="section")
            yield Static("name                 holder       algorithm        public key file (import)", classes="columns")
            with Vertical(id="key-rows"):
                for row in draft.keys or [KeyRow()]:
                    yield KeyRowForm(row)
            if self.kind == "delegate":
                yield Static("Delegations", classes="section")
                yield Static("role name    n    paths                keys", classes="columns")
                with Vertical(id="delegation-rows"):
                    for row in draft.delegations or [DelegationRow()]:
                        yield DelegationRowForm(row)
                yield from field(
                    "Targets expire",
                    Entry(draft.targets_expires, placeholder="90d", id="targets-expires", compact=True),
                )
            else:
                title = {
                    "bootstrap": "Roles",
                    "recover": "Roles whose keys are lost (leave keys empty to keep one)",
                }.get(self.kind, "Roles that change (leave keys empty to keep one)")
                yield Static(title, classes="section")
                yield Static("role       n    expires      keys", classes="columns")
                roles = {row.name: row for row in draft.roles}
                for name in ROLE_NAMES[1:] if self.kind == "recover" else ROLE_NAMES:
                    yield RoleRowForm(roles.get(name, RoleRow(name)))
            if self.kind == "recover":
                yield Static("A new custody bundle (optional: leave media empty for none)", classes="section")
                yield from field(
                    "Media",
                    Entry(draft.custody_media, placeholder="../media/custody-c, ../media/custody-d",
                          id="custody-media", compact=True),
                    hint="With new media, the recovered root keys get new shares and the old "
                    "shares are retired.",
                )
                yield from field(
                    "Sheets folder",
                    Entry(draft.custody_sheets, placeholder="../media/sheets-2", id="custody-sheets",
                          compact=True),
                )
                with Horizontal(classes="field"):
                    yield Static("Shares needed", classes="field-label")
                    yield Entry(draft.custody_threshold, id="custody-threshold", classes="w4", compact=True)
                    yield Static(" of ", classes="w4")
                    yield Entry(draft.custody_of, id="custody-of", classes="w4", compact=True)
                yield Note(id="custody-threshold-error", classes="field-error")
                yield Note(id="custody-of-error", classes="field-error")
            elif self.kind != "delegate":
                with Horizontal(classes="field"):
                    yield Static("", classes="field-label")
                    yield Checkbox(
                        "spare-keys: none (every root key must sign)",
                        draft.spare_keys_none,
                        id="spare-keys",
                        compact=True,
                    )
                yield Note(id="spare-keys-error", classes="field-error")
        yield Note(id="form-problem")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#title", Input).focus()
        self.validate()
        if self.kind != "bootstrap":
            self.read_current_keys(self.query_one("#current", Input).value)

    # Reading the form --------------------------------------------------------------

    def read_draft(self) -> Draft:
        def text(field_id: str) -> str:
            found = self.query(f"#{field_id}")
            return found.first().value if found else ""

        return Draft(
            kind=self.kind,
            title=text("title"),
            output=text("output"),
            rehearsal=self.query_one("#rehearsal", Checkbox).value,
            network_allowed=self.query_one("#network", Checkbox).value,
            keyholders=text("keyholders"),
            keys=[row.read() for row in self.query(KeyRowForm)],
            roles=[row.read() for row in self.query(RoleRowForm)],
            spare_keys_none=bool(self.query("#spare-keys") and self.query_one("#spare-keys", Checkbox).value),
            current=text("current"),
            sign_with=text("sign-with"),
            delegations=[row.read() for row in self.query(DelegationRowForm)],
            targets_expires=text("targets-expires"),
            copies=text("copies"),
            slip39_passphrase=bool(self.query("#slip39") and self.query_one("#slip39", Checkbox).value),
            custody_media=text("custody-media"),
            custody_sheets=text("custody-sheets"),
            custody_threshold=text("custody-threshold"),
            custody_of=text("custody-of"),
        )

    def script_path(self) -> Path:
        path = Path(self.query_one("#script", Input).value.strip() or "ceremony.yaml").expanduser()
        return path if path.is_absolute() else self.app.workdir / path

    # Judging it -------------------------------------------------------------------------

    @on(Input.Changed)
    @on(Select.Changed)
    @on(Checkbox.Changed)
    def _changed(self, event) -> None:
        if not self.is_mounted:
            return
        if isinstance(event, Select.Changed):
            tag = event.select.id.split("-")[1]
            self.query_one(f"#key-{tag}-import", Input).disabled = event.value != IMPORT
        if getattr(event, "input", None) is not None and event.input.id == "current":
            self.read_current_keys(event.value)
        self.validate()

    def validate(self) -> None:
        """Write the form as YAML and let the script loader judge it."""
        from ceremony.errors import ScriptError
        from ceremony.script.load import load_script_text

        self.rendered = self.read_draft().render()
        self.problem = None
        for note in self.query(".field-error"):
            note.say("")
        for entry in self.query(".-invalid-field"):
            entry.remove_class("-invalid-field")
        try:
            load_script_text(self.rendered.text, path=self.script_path(), now=self.app.clock())
        except ScriptError as error:
            self.problem = error
            self._show_problem(error)
        else:
            self.query_one("#form-problem", Note).say(
                Content.assemble(("✓ The script loads. ", "$text-success bold"), "Ctrl+R to review it.")
            )
            self.query_one("#form-problem").add_class("-fine")
        script = self.script_path()
        if script.exists():
            self.query_one("#script-error", Note).say(f"{script} exists already: choose a new name.")
        self.valid = self.problem is None and not script.exists()

    def _show_problem(self, error) -> None:
        where = error.where
        path = where.split(": ", 1)[1] if ": " in where else ""
        field_id = self.rendered.field_for(path) if path else None
        words = f"{error.what}. {error.todo}" if error.todo else error.what
        bar = self.query_one("#form-problem", Note)
        bar.remove_class("-fine")
        bar.say(Content.assemble(("✗ ", "$text-error bold"), str(error)))
        if field_id is None:
            return
        notes = self.query(f"#{note_id(field_id)}")
        if notes:
            notes.first().say(Content.assemble(("✗ ", "bold"), words))
        widgets = self.query(f"#{field_id}")
        if widgets:
            widgets.first().add_class("-invalid-field")

    def watch_valid(self) -> None:
        self.refresh_bindings()

    @work(thread=True, exclusive=True, exit_on_error=False, group="current-keys")
    def read_current_keys(self, text: str) -> None:
        """Name the keys in the current bundle, as a hint for Sign with."""
        hint = ""
        if text.strip():
            base = self.script_path().parent
            folder = Path(text.strip()).expanduser()
            index = (folder if folder.is_absolute() else base / folder) / "keys" / "index.json"
            try:
                with index.open("rb") as handle:
                    data = json.loads(handle.read(256 * 1024))
                keys = data["keys"]
                hint = "In this bundle: " + ", ".join(
                    f"{name}" + (f" ({entry.get('holder')})" if entry.get("holder") else "")
                    for name, entry in sorted(keys.items())
                    if isinstance(entry, dict)
                )
            except (OSError, ValueError, KeyError, TypeError, AttributeError):
                hint = "No bundle index found there yet (preflight checks the bundle in full)."
        self.app.call_from_thread(self._show_current_keys, hint)

    def _show_current_keys(self, hint: str) -> None:
        self.query_one("#current-hint", Note).say(hint)

    # Bindings -----------------------------------------------------------------------------

    def check_action(self, action: str, parameters) -> bool | None:
        if action == "review":
            return True if self.valid else None
        if action == "remove_row":
            return True if self._focused_row() is not None else None
        if action == "add_row":
            return True
        return True

    def on_descendant_focus(self) -> None:
        self.refresh_bindings()

    def _focused_row(self):
        node = self.focused
        while node is not None and node is not self:
            if isinstance(node, (KeyRowForm, DelegationRowForm)):
                return node
            node = node.parent
        return None

    def action_add_row(self) -> None:
        row = self._focused_row()
        if isinstance(row, DelegationRowForm) or (
            row is None and self.focused is not None and self.focused.id and self.focused.id.startswith("delegation")
        ):
            new = DelegationRowForm(DelegationRow())
            self.query_one("#delegation-rows").mount(new)
            first = f"#delegation-{new.tag}-name"
        else:
            new = KeyRowForm(KeyRow())
            self.query_one("#key-rows").mount(new)
            first = f"#key-{new.tag}-name"
        self.call_after_refresh(lambda: (self.query_one(first).focus(), self.validate()))

    def action_remove_row(self) -> None:
        row = self._focused_row()
        if row is None:
            return
        siblings = list(row.parent.children)
        if len(siblings) == 1:
            self.notify("The last row stays: clear its fields instead.", severity="warning")
            return
        row.remove()
        self.call_after_refresh(self.validate)

    def action_review(self) -> None:
        self.validate()
        if not self.valid:
            self.notify("Fix the problem shown first.", severity="warning")
            return
        from ceremony.tui.screens.review import ReviewScreen

        self.app.push_screen(ReviewScreen(self.rendered.text, self.script_path()))

    def action_back(self) -> None:
        self.app.pop_screen()
