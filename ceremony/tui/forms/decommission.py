"""The key destruction part of the decommission form (drafts/decommission.py).

The current keys to remove from the root and destroy, and the files that
held them to wipe off the media: copies of their encrypted key files, and
the custody copies that held them. The next root's expiry is the renewal
part's, below it. It judges nothing: the loader and preflight do.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Static

from ceremony.tui.drafts.decommission import Decommission
from ceremony.tui.forms.field import field
from ceremony.tui.widgets import Entry

INTRO = (
    "Signs the next root without these keys, and writes, verifies and seals the new bundle "
    "(their key files left out, the custody shares that held them retired); only then "
    "destroys each on its token (and reads the token back) and wipes the files named below. "
    "Preflight refuses a key the root still needs for a threshold."
)


class DecommissionForm(Vertical):
    def __init__(self, decommission: Decommission, takes: tuple[str, ...]) -> None:
        super().__init__(id="decommission-form", classes="form-part")
        self.decommission = decommission
        self.takes = takes

    def compose(self) -> ComposeResult:
        d = self.decommission
        yield Static("The keys to destroy", classes="section")
        yield Static(INTRO, classes="field-hint")
        yield from field(
            "Destroy", Entry(d.destroy, placeholder="e.g. root-carol", id="destroy",
                             compact=True),
            hint="Current keys, by name (the current bundle's keys are named above).",
        )
        if "wipe" not in self.takes:
            return
        yield Static("Files to wipe (optional)", classes="section")
        yield from field(
            "Key files", Entry(d.key_files, placeholder="e.g. ../media/v3/keys/offline/"
                               "root-carol.age", id="wipe-key-files", compact=True),
            hint="Copies of a destroyed key's encrypted file, in this bundle and older ones.",
        )
        yield from field(
            "Custody copies", Entry(d.custody_copies, placeholder="e.g. /media/custody-a/"
                                    "custody-<id>", id="wipe-custody-copies", compact=True),
            hint="custody-<id> folders whose bundle held a destroyed key.",
        )

    def read(self) -> Decommission:
        def text(field_id: str) -> str:
            found = self.query(f"#{field_id}")
            return found.first(Input).value if found else ""

        return Decommission(destroy=text("destroy"), key_files=text("wipe-key-files"),
                            custody_copies=text("wipe-custody-copies"))
