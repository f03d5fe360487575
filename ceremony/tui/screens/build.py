"""Build a ceremony from forms: the script a headless run would take.

The operator fills in keyholders, keys, roles (or delegations), thresholds,
expiries and the output. After every change the form is written out as YAML
(draft.py) and loaded with the script loader itself; its message is shown
next to the field it names and at the foot of the screen. So the form says
exactly what ``ceremony validate`` would. Ctrl+R shows the script for review.

This screen builds no domain objects: it holds text, and the loader judges.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Checkbox, Footer, Input, Select, Static

from ceremony.tui.draft import (
    ROLE_NAMES,
    DelegationRow,
    Draft,
    Rendered,
    RoleRow,
    new_draft,
)
from ceremony.tui.drafts.custody import Custody
from ceremony.tui.drafts.dct import DCT_RECOVER_ROLES, DCT_ROLES
from ceremony.tui.drafts.decommission import Decommission
from ceremony.tui.drafts.keys import KeyRow
from ceremony.tui.drafts.recovery import Recovery
from ceremony.tui.drafts.renewal import Renewal
from ceremony.tui.forms.bags import BagsForm
from ceremony.tui.forms.custody import CustodyForm
from ceremony.tui.forms.decommission import DecommissionForm
from ceremony.tui.forms.field import field, note_id
from ceremony.tui.forms.flavor import FlavorChoice, flavor_form, read_part
from ceremony.tui.forms.key_row import KeyRowForm
from ceremony.tui.forms.recovery import RecoveryForm
from ceremony.tui.forms.renewal import TITLE as RENEWAL
from ceremony.tui.forms.renewal import RenewalForm
from ceremony.tui.forms.rows import RowsChanged, focused_row, remove_row
from ceremony.tui.screens.build_rows import DelegationRowForm, RoleRowForm
from ceremony.tui.widgets import Entry, Note, OnOff

if TYPE_CHECKING:
    from ceremony.errors import ScriptError
    from ceremony.script.flavor_fields import ScriptRules
    from ceremony.tui.app import CeremonyApp

TITLES = {
    "bootstrap": "New root (bootstrap)",
    "rotate-root": "Rotate the root",
    "delegate": "Delegate repository keys",
    "recover": "Disaster recovery",
    "renew": "Renew the root",
    "update-trust": "New trust material",
    "migrate-dct": "Leave DCT for cosign keys",
    "decommission": "Destroy keys (decommission)",
}
#: the kinds filled in from the last bundle, and the script ``ceremony next`` writes for
#: each (lifecycle/next.py): a decommission starts from the renewal's keys and expiry
NEXT_KIND = {"renew": "renew", "rotate-root": "rotate-root", "decommission": "renew"}
FROM_LAST = (
    "Ctrl+L starts from the last bundle: the script `ceremony next` writes from the current "
    "bundle (its keys, thresholds and expiry periods), filled into this form."
)

NEXT_ROOT = "The next root version: the same keys but those destroyed"
CUSTODY = "Custody of the keys (optional: leave media empty for none)"
CUSTODY_TITLES = {
    "recover": "A new custody bundle (optional: with new media, the recovered root keys get "
    "new shares and the old shares are retired)",
}

RECOVER_INTRO = (
    "Custodians bring the root keys back from a custody bundle with their shares; the "
    "recovered root keys sign the next root version, replacing the lost {lost} keys. Bring "
    "the newest bundle, the media with the custody copies, and the custodians. A full "
    "example: {example} (a reviewed script runs from Open a ceremony script)."
)
#: by flavor, the keys a recovery replaces and where its full example is
RECOVER_FLAVORS = {
    "tuf": ("targets, snapshot or timestamp", "docs/examples/recover.yaml"),
    "dct": ("targets", "docs/reference/dct.md"),
    "sigstore": ("targets, snapshot or timestamp", "docs/reference/sigstore.md (9)"),
}


class BuildScreen(Screen[None]):
    app: CeremonyApp  # shown only by the ceremony app: its type, for the checker

    BINDINGS = [
        Binding(
            "ctrl+r", "review", "Review", id="build-review",
            tooltip="Show the script, then save and run it",
        ),
        Binding(
            "ctrl+l", "from_last", "From last bundle", id="build-from-last",
            tooltip="Fill the form from the script `ceremony next` writes from the current bundle",
        ),
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
        tables = {"roles", "replace", "delegations"} & set(takes)
        yield Static(f"{TITLES[self.kind]}: fill in, review, save, run", classes="banner")
        with VerticalScroll(id="form"):
            if self.kind == "recover":
                lost, example = RECOVER_FLAVORS[self.flavor]
                yield Static(RECOVER_INTRO.format(lost=lost, example=example),
                             id="recover-intro", classes="intro")
            yield Static("The ceremony", classes="section")
            yield FlavorChoice(self.flavor, self.kind)
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
                yield OnOff("Rehearsal", draft.rehearsal, id="rehearsal", compact=True)
                yield OnOff(
                    "Network allowed", draft.network_allowed, id="network", compact=True
                )
            with Horizontal(classes="field"):
                yield Static("", classes="field-label")
                yield OnOff(
                    "Outputs on any device (not only removable media)",
                    draft.any_device,
                    id="output-media",
                    compact=True,
                )
            yield Note(id="rehearsal-error", classes="field-error")
            yield Note(id="network-error", classes="field-error")
            yield Note(id="output-media-error", classes="field-error")
            if "current" in takes:
                yield from field(
                    "Current bundle",
                    Entry(draft.current, placeholder="../media/2026-11-bootstrap", id="current",
                          compact=True),
                )
            if "sign-with" in takes:
                yield from field(
                    "Sign with",
                    Entry(draft.sign_with, placeholder="current keys here today", id="sign-with",
                          compact=True),
                )
            if self.kind in NEXT_KIND:
                yield Static(FROM_LAST, id="from-last", classes="field-hint")
            if "destroy" in takes:
                yield DecommissionForm(draft.decommission, takes)
            if "root-expires" in takes:
                yield RenewalForm(draft.renewal, takes,
                                  title=NEXT_ROOT if "destroy" in takes else RENEWAL)
            if "recover-from" in takes:
                yield Static("The custody bundle", classes="section")
                yield from field(
                    "Custody copies",
                    Entry(draft.copies, placeholder="../media/custody-a, ../media/custody-b",
                          id="copies", compact=True),
                    hint="Media folders holding a custody-<id> copy; any good copy is used.",
                )
                with Horizontal(classes="field"):
                    yield Static("", classes="field-label")
                    yield OnOff("The shares were split with a SLIP-39 passphrase",
                                   draft.slip39_passphrase, id="slip39", compact=True)
                yield Note(id="slip39-error", classes="field-error")
            if (part := flavor_form(draft, takes)) is not None:
                yield part
            if tables:
                yield from self._keys_table(draft)
            if "delegations" in takes:
                yield Static("Delegations", classes="section")
                yield Static("role name    n    paths                keys", classes="columns")
                with Vertical(id="delegation-rows"):
                    for delegation in draft.delegations or [DelegationRow()]:
                        yield DelegationRowForm(delegation)
                yield from field(
                    "Targets expire",
                    Entry(draft.targets_expires, placeholder="90d", id="targets-expires",
                          compact=True),
                )
            elif tables:
                title = {
                    "bootstrap": "Roles",
                    "recover": "Roles whose keys are lost (leave keys empty to keep one)",
                }.get(self.kind, "Roles that change (leave keys empty to keep one)")
                yield Static(title, classes="section")
                yield Static("role       n    expires      keys", classes="columns")
                roles = {row.name: row for row in draft.roles}
                names: tuple[str, ...] = DCT_ROLES if self.flavor == "dct" else ROLE_NAMES
                if self.kind == "recover":  # the root keys come back from custody
                    names = DCT_RECOVER_ROLES if self.flavor == "dct" else names[1:]
                for name in names:
                    yield RoleRowForm(roles.get(name, RoleRow(name)))
            if "rehome" in takes:
                yield RecoveryForm(draft.recovery)
            if "spare-keys" in takes:
                with Horizontal(classes="field"):
                    yield Static("", classes="field-label")
                    yield OnOff(
                        "spare-keys: none (every root key must sign)",
                        draft.spare_keys_none,
                        id="spare-keys",
                        compact=True,
                    )
                yield Note(id="spare-keys-error", classes="field-error")
            if "custody" in takes:
                yield CustodyForm(draft.custody, title=CUSTODY_TITLES.get(self.kind, CUSTODY))
            yield BagsForm(draft.bags, opens="current" in takes)
            if draft.carried.strip():
                yield Static("Carried from the last bundle as written", classes="section")
                yield Static(draft.carried.rstrip(), id="carried", classes="carried")
        if {"roles", "replace"} & set(takes):
            yield from field(
                "Accepted risk",
                Entry(draft.accept_risk, placeholder="(only if preflight asks: say why, in words)",
                      id="accept-risk", compact=True),
                hint="accept-risk: why a root that one lost token or keyholder can lock is "
                "accepted; the review's preflight shows the table of losses.",
            )
        yield Note(id="form-problem")
        yield Footer()

    def _keys_table(self, draft: Draft) -> ComposeResult:
        yield Static("Keyholders", classes="section")
        yield from field(
            "Names",
            Entry(draft.keyholders, placeholder="alice, bob, carol", id="keyholders",
                  compact=True),
        )
        yield Static("Keys made or imported here", classes="section")
        yield Static(
            "name                 holder       algorithm        public key file (import)",
            classes="columns",
        )
        with Vertical(id="key-rows"):
            for key in draft.keys or [KeyRow()]:
                yield KeyRowForm(key, self.app.tokens())

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
        entries = {node.id: node.value for node in self.walk_children(Input)}  # one walk

        def text(field_id: str) -> str:
            return entries.get(field_id, "")

        return Draft(
            kind=self.kind,
            flavor=self.flavor,
            title=text("title"),
            output=text("output"),
            rehearsal=self.query_one("#rehearsal", Checkbox).value,
            network_allowed=self.query_one("#network", Checkbox).value,
            any_device=self.query_one("#output-media", Checkbox).value,
            keyholders=text("keyholders"),
            keys=[row.read() for row in self.query(KeyRowForm)],
            roles=[row.read() for row in self.query(RoleRowForm)],
            spare_keys_none=bool(
                self.query("#spare-keys") and self.query_one("#spare-keys", Checkbox).value
            ),
            accept_risk=text("accept-risk"),
            current=text("current"),
            sign_with=text("sign-with"),
            delegations=[row.read() for row in self.query(DelegationRowForm)],
            targets_expires=text("targets-expires"),
            copies=text("copies"),
            slip39_passphrase=bool(
                self.query("#slip39") and self.query_one("#slip39", Checkbox).value
            ),
            recovery=(
                self.query_one(RecoveryForm).read() if self.query(RecoveryForm) else Recovery()
            ),
            custody=form.read() if (form := self._custody_form()) else Custody(),
            renewal=(
                self.query_one(RenewalForm).read() if self.query(RenewalForm) else Renewal()
            ),
            decommission=(
                self.query_one(DecommissionForm).read() if self.query(DecommissionForm)
                else Decommission()
            ),
            bags=self.query_one(BagsForm).read(),
            carried=self.draft.carried if self.draft is not None else "",
            part=read_part(self),
        )

    def _custody_form(self) -> CustodyForm | None:
        found = self.query(CustodyForm)
        return found.first() if found else None

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
        from ceremony.errors import ScriptError
        from ceremony.script.load import load_script_text

        self.rendered = rendered = self.read_draft().render()
        self.problem = None
        for note in self.query(".field-error").results(Note):
            note.say("")
        for entry in self.query(".-invalid-field"):
            entry.remove_class("-invalid-field")
        try:
            load_script_text(rendered.text, path=self.script_path(), now=self.app.clock())
        except ScriptError as error:
            self.problem = error
            self._show_problem(error, rendered)
        else:
            self.query_one("#form-problem", Note).say(
                Content.assemble(
                    ("✓ The script loads. ", "$text-success bold"), "Ctrl+R to review it."
                )
            )
            self.query_one("#form-problem").add_class("-fine")
        script = self.script_path()
        if script.exists():
            self.query_one("#script-error", Note).say(
                f"{script} exists already: choose a new name."
            )
        self.valid = self.problem is None and not script.exists()

    def _show_problem(self, error: ScriptError, rendered: Rendered) -> None:
        where = error.where
        path = where.split(": ", 1)[1] if ": " in where else ""
        field_id = rendered.field_for(path) if path else None
        words = f"{error.what}. {error.todo}" if error.todo else error.what
        bar = self.query_one("#form-problem", Note)
        bar.remove_class("-fine")
        bar.say(Content.assemble(("✗ ", "$text-error bold"), str(error)))
        if field_id is None:
            return
        notes = self.query(f"#{note_id(field_id)}")
        if notes:
            notes.first(Note).say(Content.assemble(("✗ ", "bold"), words))
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

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "review":
            return True if self.valid else None
        if action == "remove_row":
            return True if self._focused_row() is not None else None
        if action == "add_row":
            return bool({"roles", "replace", "delegations"} & set(self.rules().fields))
        if action == "from_last":
            return self.kind in NEXT_KIND
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
            key = KeyRowForm(KeyRow(), self.app.tokens())
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

    def action_from_last(self) -> None:
        current = self.query_one("#current", Input).value.strip()
        if not current:
            self.query_one("#current-error", Note).say(
                "✗ Name the current bundle first: the last bundle's folder.")
            return
        folder = Path(current).expanduser()
        bundle = folder if folder.is_absolute() else self.script_path().parent / folder
        self._write_next(bundle)

    @work(thread=True, exclusive=True, exit_on_error=False, group="from-last")
    def _write_next(self, bundle: Path) -> None:
        """Ask the bundle's flavor for the next script, and fill the form with it."""
        from ceremony.errors import CeremonyError
        from ceremony.lifecycle.next import next_script_text
        from ceremony.tui.drafts.bags import Bags
        from ceremony.tui.drafts.from_next import bags_sealed, draft_from_next

        try:
            text = next_script_text(bundle, NEXT_KIND[self.kind], self.script_path(),
                                    at=self.app.clock())
            draft = draft_from_next(text, kind=self.kind)
            draft.bags = Bags(opened=bags_sealed(bundle))
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
