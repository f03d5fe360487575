"""The rotate-root form's choice of signing in several sittings, and the request's expiry.

Switched on, the script is written with ``request-expires:`` and is signed as a
signing request (docs/reference/sittings.md): each new root key is imported,
made by its keyholder at their own sitting, so every key row turns to
``import (public key)`` and new rows start so (a DCT request takes no new
root key: its hint says so). Off, the expiry is not written
and its field takes no cursor. The loader judges the rest (a key still made
here, custody, an expiry that is no expiry), next to the field it names.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Checkbox, Input, Select, Static

from ceremony.tui.drafts.keys import IMPORT
from ceremony.tui.forms.field import field, switch
from ceremony.tui.forms.key_row import KeyRowForm
from ceremony.tui.widgets import Entry

SWITCH = "Signed in several sittings (a signing request)"
HINT = (
    "Each new root key is imported (public key file): its keyholder makes it at their "
    "own sitting. After saving, Ctrl+T writes the request."
)
#: a DCT request keeps, drops or re-thresholds root keys: a new one signs its own certificate
HINTS = {"dct": (
    "Keep, drop or re-threshold the root keys: a new root key (its certificate for each "
    "GUN is signed by that key) is refused, so add one in one sitting. After saving, "
    "Ctrl+T writes the request."
)}


class SittingsForm(Vertical):
    def __init__(self, on: bool, expires: str, flavor: str = "tuf") -> None:
        super().__init__(id="sittings-form", classes="form-part")
        self.on, self.expires, self.flavor = on, expires, flavor

    def compose(self) -> ComposeResult:
        yield Static("Where it is signed", classes="section")
        yield from switch(SWITCH, self.on, "sittings")
        yield from field(
            "Request expires",
            Entry(self.expires, placeholder="e.g. 14d or 2027-06-30", id="request-expires",
                  compact=True, disabled=not self.on),
            hint=HINTS.get(self.flavor, HINT),
        )

    @on(Checkbox.Changed, "#sittings")
    def _switched(self, event: Checkbox.Changed) -> None:
        self.query_one("#request-expires", Input).disabled = not event.value
        if event.value:  # every new key is imported: the rows say so
            for row in self.screen.query(KeyRowForm):
                row.query_one(f"#key-{row.tag}-algorithm", Select).value = IMPORT

    def read(self) -> tuple[bool, str]:
        """Whether it is signed in sittings, and the request's expiry as typed."""
        return (self.query_one("#sittings", Checkbox).value,
                self.query_one("#request-expires", Input).value)
