"""Build a ceremony from forms: the script a headless run would take.

The operator fills in keyholders, keys, roles (or delegations), thresholds,
expiries and the output. After every change the form is written out as YAML
(draft.py) and loaded with the script loader itself (build_judge.py); its
message is shown next to the field it names and at the foot of the screen.
So the form says exactly what ``ceremony validate`` would. Ctrl+R shows the
script for review. The form's fields are laid out in build_form.py; this
screen holds its state, reacts to changes and runs its bindings.

This screen builds no domain objects: it holds text, and the loader judges.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Checkbox, Footer, Input, Select

from ceremony.tui.draft import DelegationRow, Draft, Rendered, new_draft
from ceremony.tui.drafts.keys import IMPORT, KeyRow
from ceremony.tui.forms.flavor import FlavorChoice
from ceremony.tui.forms.key_row import KeyRowForm
from ceremony.tui.forms.rows import Rows, RowsChanged, focused_row, remove_row
from ceremony.tui.screens.build_form import NEXT_KIND, form, read_form
from ceremony.tui.screens.build_judge import bundle_keys_hint, judge
from ceremony.tui.screens.build_rows import DelegationRowForm
from ceremony.tui.widgets import Note

if TYPE_CHECKING:
    from ceremony.errors import ScriptError
    from ceremony.script.kind_fields import ScriptRules
    from ceremony.tui.shell import CeremonyShell


class BuildScreen(Screen[None]):
    app: CeremonyShell  # shown only by the ceremony app: its type, for the checker

    BINDINGS = [
        Binding(
            "ctrl+r", "review", "Review", id="build-review",
            tooltip="Show the script, then save and run it",
        ),
        Binding(
            "ctrl+l", "from_last", "From last bundle", id="build-from-last",
            tooltip="Fill the form from the script `ceremony next` writes from the current bundle",
        ),
        # the same in a table's row, out of the footer (so Remove row fits at 80 columns)
        Binding("ctrl+l", "from_last_in_row", show=False),
        Binding(
            "ctrl+n", "add_row", "Add row", id="build-add", tooltip="Add a key (or a delegation)"
        ),
        Binding(
            "ctrl+o", "remove_row", "Remove row", id="build-remove",
            tooltip="Remove the row with the cursor",
        ),
        Binding(
            "escape", "back", "Back", id="build-back", tooltip="Leave the form (nothing is saved)"
        ),
    ]

    valid = reactive(False)

    def __init__(self, kind: str, draft: Draft | None = None, flavor: str = "tuf") -> None:
        self.flavor = draft.flavor if draft is not None else flavor
        super().__init__(classes=f"flavor-{self.flavor}")
        self.kind = kind
        self.first_focus = "#title"
        self.judging = False  # a judgement is queued (after the changes before it)
        self.script = ""  # where the script is saved; empty: named after today and the kind
        self.draft = draft
        self.rendered: Rendered | None = None  # the form as YAML, when last judged
        self.problem: ScriptError | None = None  # the loader's verdict on it

    def compose(self) -> ComposeResult:
        clock = self.app.clock()
        draft = self.draft or new_draft(
            self.kind, stamp=clock.strftime("%Y-%m-%d"), flavor=self.flavor)
        media = self.app.look_around().media
        if self.draft is None and media:  # write to the media in the drive
            draft.output = f"{media[0]}/{Path(draft.output).name}"
        script = self.script or str(
            self.app.workdir / f"{clock.strftime('%Y-%m-%d')}-{self.name_part}.yaml")
        takes = self.rules().fields
        yield from form(self.kind, self.flavor, draft, script, takes, self.app.tokens())
        yield Note(id="form-problem")
        yield Footer()

    @property
    def name_part(self) -> str:
        return self.kind if self.flavor == "tuf" else f"{self.flavor}-{self.kind}"

    def on_mount(self) -> None:
        self.query_one(self.first_focus).focus()
        self.validate()
        if self.query("#current"):
            self.read_current_keys(self.query_one("#current", Input).value)

    # Reading the form --------------------------------------------------------------

    def read_draft(self) -> Draft:
        carried = self.draft.carried if self.draft is not None else ""
        return read_form(self, self.kind, self.flavor, carried)

    def rules(self) -> ScriptRules:
        """The fields this kind of script takes, as its flavor says."""
        from ceremony.flavor import flavor_named

        return flavor_named(self.flavor).script_rules(self.kind)

    def script_path(self) -> Path:
        path = Path(self.query_one("#script", Input).value.strip() or "ceremony.yaml").expanduser()
        return path if path.is_absolute() else self.app.workdir / path

    # Judging it -------------------------------------------------------------------------

    @on(Input.Changed)
    @on(Select.Changed)
    @on(Checkbox.Changed)
    @on(RowsChanged)
    def _changed(
        self, event: Input.Changed | Select.Changed | Checkbox.Changed | RowsChanged
    ) -> None:
        if not self.is_mounted:
            return
        if isinstance(event, Input.Changed) and event.input.id == "current":
            self.read_current_keys(event.value)
        if not self.judging:  # the changes queued meanwhile are judged at once
            self.judging = True
            self.call_later(self._judge)

    def _judge(self) -> None:
        self.judging = False
        self.validate()

    def validate(self) -> None:
        """Write the form as YAML and let the script loader judge it."""
        self.rendered = rendered = self.read_draft().render()
        self.problem = judge(self, rendered, self.script_path(), self.app.clock())
        script = self.script_path()
        if script.exists():
            self.query_one("#script-error", Note).say(
                f"{script} exists already: choose a new name."
            )
        self.valid = self.problem is None and not script.exists()

    def watch_valid(self) -> None:
        self.refresh_bindings()

    @work(thread=True, exclusive=True, exit_on_error=False, group="current-keys")
    def read_current_keys(self, text: str) -> None:
        """Name the keys in the current bundle, as a hint for Sign with."""
        hint = bundle_keys_hint(text, self.script_path().parent) if text.strip() else ""
        self.app.call_from_thread(self._show_current_keys, hint)

    def _show_current_keys(self, hint: str) -> None:
        self.query_one("#current-hint", Note).say(hint)

    # Bindings -----------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "review":
            return True if self.valid else None
        if action == "remove_row":
            return self._focused_row() is not None
        if action == "add_row":
            return bool({"roles", "replace", "delegations"} & set(self.rules().fields))
        if action in ("from_last", "from_last_in_row"):
            in_row = focused_row(self.focused, (KeyRowForm, DelegationRowForm, Rows), self)
            return self.kind in NEXT_KIND and (in_row is not None) == (action != "from_last")
        return True

    def on_descendant_focus(self) -> None:
        self.refresh_bindings()

    def _focused_row(self) -> KeyRowForm | DelegationRowForm | None:
        row = focused_row(self.focused, (KeyRowForm, DelegationRowForm), self)
        return row if isinstance(row, (KeyRowForm, DelegationRowForm)) else None

    def action_add_row(self) -> None:
        row = self._focused_row()
        focused = self.focused
        if isinstance(row, DelegationRowForm) or (
            row is None and focused is not None and focused.id
            and focused.id.startswith("delegation")
        ):
            delegation = DelegationRowForm(DelegationRow())
            self.query_one("#delegation-rows").mount(delegation)
            first = f"#delegation-{delegation.tag}-name"
        else:
            key = KeyRowForm(KeyRow(algorithm=IMPORT if self.read_draft().sittings else "ed25519"),
                             self.app.tokens())
            self.query_one("#key-rows").mount(key)
            first = f"#key-{key.tag}-name"

        def focus_first() -> None:
            self.query_one(first).focus()
            self.validate()

        self.call_after_refresh(focus_first)

    def action_remove_row(self) -> None:
        row = self._focused_row()
        if row is not None:
            remove_row(row, self.validate)

    def action_review(self) -> None:
        self.validate()
        if not self.valid or self.rendered is None:
            self.notify("Fix the problem shown first.", severity="warning")
            return
        from ceremony.tui.screens.review import ReviewScreen

        self.app.push_screen(ReviewScreen(self.rendered.text, self.script_path()))

    def action_from_last_in_row(self) -> None:
        self.action_from_last()

    def action_from_last(self) -> None:
        current = self.query_one("#current", Input).value.strip()
        if not current:
            self.query_one("#current-error", Note).say(
                "✗ Name the current bundle first: the last bundle's folder.")
            return
        folder = Path(current).expanduser()
        bundle = folder if folder.is_absolute() else self.script_path().parent / folder
        self._write_next(bundle, self.read_draft())

    @work(thread=True, exclusive=True, exit_on_error=False, group="from-last")
    def _write_next(self, bundle: Path, typed: Draft) -> None:
        """Ask the bundle's flavor for the next script, and fill the form with it
        (signed in sittings or not, as ``typed`` says)."""
        from ceremony.errors import CeremonyError
        from ceremony.lifecycle.next import next_script_text
        from ceremony.tui.drafts.from_next import draft_from_next

        try:
            text = next_script_text(bundle, NEXT_KIND[self.kind], self.script_path(),
                                    at=self.app.clock())
            draft = draft_from_next(text, kind=self.kind)
            draft.sittings, draft.request_expires = typed.sittings, typed.request_expires
        except (CeremonyError, ValueError) as error:
            self.app.call_from_thread(
                self.query_one("#current-error", Note).say, f"✗ {error}")
            return
        self.app.call_from_thread(self._start_from, draft)

    def _start_from(self, draft: Draft) -> None:
        screen = BuildScreen(self.kind, draft)
        screen.script = str(self.script_path())
        self.app.switch_screen(screen)
        screen.notify("Filled in from the last bundle: review every field.")

    @on(FlavorChoice.Chosen)
    def _flavor_chosen(self, event: FlavorChoice.Chosen) -> None:
        """Another flavor or kind: its form, afresh, with the cursor on the list just used."""
        screen = BuildScreen(event.kind, flavor=event.flavor)
        screen.first_focus = f"#{event.changed}"
        self.app.switch_screen(screen)

    def action_back(self) -> None:
        self.app.pop_screen()
