"""The first row of the build form: which flavor, and which kind of ceremony.

A flavor is the kind of repository the root is for: ``tuf`` (a TUF
repository), ``dct`` (Docker Content Trust on a Notary server) or
``sigstore`` (a private Sigstore instance's trust root). Each offers the
kinds its forms build. Choosing another says so with :class:`FlavorChoice.Chosen`;
the build screen then starts that form afresh.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Select, Static

from ceremony.tui.drafts.dct import DCT_KINDS, DctPart
from ceremony.tui.drafts.model import Draft, FlavorPart
from ceremony.tui.drafts.sigstore import SIGSTORE_KINDS, SigstorePart
from ceremony.tui.forms.dct import DctForm
from ceremony.tui.forms.sigstore import SigstoreForm

#: the kinds the forms build, by flavor, in the order they are offered
FORM_KINDS = {
    "tuf": ("bootstrap", "rotate-root", "renew", "delegate", "recover", "decommission"),
    "dct": DCT_KINDS,
    "sigstore": SIGSTORE_KINDS,
}
FLAVORS = (("TUF", "tuf"), ("Docker (DCT)", "dct"), ("Sigstore", "sigstore"))


class FlavorChoice(Horizontal):
    """Two lists: the flavor and the kind."""

    class Chosen(Message):
        def __init__(self, flavor: str, kind: str, changed: str) -> None:
            super().__init__()
            self.flavor, self.kind, self.changed = flavor, kind, changed

    def __init__(self, flavor: str, kind: str) -> None:
        super().__init__(classes="field", id="flavor-choice")
        self.flavor, self.kind = flavor, kind

    def compose(self) -> ComposeResult:
        yield Static("Flavor, kind", classes="field-label")
        yield Select(FLAVORS, value=self.flavor, allow_blank=False, id="flavor", compact=True)
        kinds = FORM_KINDS[self.flavor]
        kinds = kinds if self.kind in kinds else (*kinds, self.kind)  # a kind of its own form
        yield Select([(kind, kind) for kind in kinds], value=self.kind, allow_blank=False,
                     id="kind", compact=True)

    @on(Select.Changed, "#flavor, #kind")
    def _chosen(self, event: Select.Changed) -> None:
        event.stop()
        flavor = str(self.query_one("#flavor", Select).value)
        kind = str(self.query_one("#kind", Select).value)
        if (flavor, kind) == (self.flavor, self.kind):
            return
        if kind not in FORM_KINDS[flavor]:
            kind = FORM_KINDS[flavor][0]
        self.post_message(self.Chosen(flavor, kind, str(event.select.id)))


def flavor_form(draft: Draft, takes: tuple[str, ...]) -> DctForm | SigstoreForm | None:
    """The part of the form for the fields of ``draft``'s flavor (none for tuf).

    Fields a draft carries as written (from ``ceremony next``) are left to it."""
    carried = draft.carried_fields()
    takes = tuple(name for name in takes if name not in carried)
    if draft.flavor == "dct":
        return DctForm(draft.part if isinstance(draft.part, DctPart) else DctPart(), takes)
    if draft.flavor == "sigstore":
        part = draft.part if isinstance(draft.part, SigstorePart) else SigstorePart()
        return SigstoreForm(part, takes, draft.keyholders)
    return None


def read_part(screen: Widget) -> FlavorPart | None:
    """What the flavor's part of the form on ``screen`` holds (None: no such part)."""
    for form in screen.query(".flavor-part"):
        if isinstance(form, (DctForm, SigstoreForm)):
            return form.read()
    return None
