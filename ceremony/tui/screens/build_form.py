"""The build form: the fields a kind of script takes, drawn from a draft and read back.

``form`` lays out, in order, the fields the flavor's script rules say a kind
takes (the ceremony, the bundle it starts from, the flavor's part, keys and
roles or delegations, custody, secrets read from the environment, bags,
policy), each with its words and its error line;
``read_form`` reads every field back into a Draft (draft.py) as typed. It
judges nothing (build_judge.py) and owns no state: the build screen holds it.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widget import Widget
from textual.widgets import Checkbox, Input, Static

from ceremony.tui.draft import ROLE_NAMES, DelegationRow, Draft, RoleRow
from ceremony.tui.drafts.custody import Custody
from ceremony.tui.drafts.dct import DCT_RECOVER_ROLES, DCT_ROLES
from ceremony.tui.drafts.decommission import Decommission
from ceremony.tui.drafts.keys import KeyRow
from ceremony.tui.drafts.policy import Policy
from ceremony.tui.drafts.recovery import Recovery
from ceremony.tui.drafts.renewal import Renewal
from ceremony.tui.forms.bags import BagsForm
from ceremony.tui.forms.custody import CustodyForm
from ceremony.tui.forms.decommission import DecommissionForm
from ceremony.tui.forms.field import field, switch
from ceremony.tui.forms.flavor import FlavorChoice, flavor_form, read_part
from ceremony.tui.forms.key_row import KeyRowForm
from ceremony.tui.forms.policy import PolicyForm
from ceremony.tui.forms.recovery import RecoveryForm
from ceremony.tui.forms.renewal import TITLE as RENEWAL
from ceremony.tui.forms.renewal import RenewalForm
from ceremony.tui.forms.secrets import SecretsForm
from ceremony.tui.forms.sittings import SittingsForm
from ceremony.tui.room import TokensSeen
from ceremony.tui.screens.build_rows import DelegationRowForm, RoleRowForm
from ceremony.tui.widgets import Entry, Note, OnOff

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



def form(
    kind: str,
    flavor: str,
    draft: Draft,
    script: str,
    takes: tuple[str, ...],
    tokens: TokensSeen | None,
) -> ComposeResult:
    """The form for a ``kind`` of ``flavor`` script, filled in from ``draft``;
    ``script`` is where it is to be saved, ``takes`` the fields its rules take."""
    tables = {"roles", "replace", "delegations"} & set(takes)
    yield Static(f"{TITLES[kind]}: fill in, review, save, run", classes="banner")
    with VerticalScroll(id="form"):
        if kind == "recover":
            lost, example = RECOVER_FLAVORS[flavor]
            yield Static(RECOVER_INTRO.format(lost=lost, example=example),
                         id="recover-intro", classes="intro")
        yield Static("The ceremony", classes="section")
        yield FlavorChoice(flavor, kind)
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
        if kind in NEXT_KIND:
            yield Static(FROM_LAST, id="from-last", classes="field-hint")
        if kind == "rotate-root":  # the one kind signed in several sittings
            yield SittingsForm(draft.sittings, draft.request_expires, flavor)
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
            yield from switch("The shares were split with a SLIP-39 passphrase",
                              draft.slip39_passphrase, "slip39")
        if (part := flavor_form(draft, takes)) is not None:
            yield part
        if tables:
            yield from keys_table(draft, tokens)
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
            }.get(kind, "Roles that change (leave keys empty to keep one)")
            yield Static(title, classes="section")
            yield Static("role       n    expires      keys", classes="columns")
            roles = {row.name: row for row in draft.roles}
            names: tuple[str, ...] = DCT_ROLES if flavor == "dct" else ROLE_NAMES
            if kind == "recover":  # the root keys come back from custody
                names = DCT_RECOVER_ROLES if flavor == "dct" else names[1:]
            for name in names:
                yield RoleRowForm(roles.get(name, RoleRow(name)))
        if "rehome" in takes:
            yield RecoveryForm(draft.recovery)
        if "spare-keys" in takes:
            yield from switch(
                "spare-keys: none (every root key must sign)", draft.spare_keys_none, "spare-keys"
            )
        if {"roles", "replace"} & set(takes):
            yield from field(
                "Accepted risk",
                Entry(draft.accept_risk, placeholder="(only if preflight asks: say why, in words)",
                      id="accept-risk", compact=True),
                hint="accept-risk: why a root that one lost token or keyholder can lock is "
                "accepted; the review's preflight shows the table of losses.",
            )
        if "custody" in takes:
            yield CustodyForm(draft.custody, title=CUSTODY_TITLES.get(kind, CUSTODY))
        yield SecretsForm(draft.secrets)
        yield BagsForm(draft.bags, opens="current" in takes)
        if not carries_policy(draft.carried):
            online = DCT_ROLES[1:] if flavor == "dct" else ROLE_NAMES[1:]
            yield PolicyForm(draft.policy, online)
        if draft.carried.strip():
            yield Static("Carried from the last bundle as written", classes="section")
            yield Static(draft.carried.rstrip(), id="carried", classes="carried")


def keys_table(draft: Draft, tokens: TokensSeen | None) -> ComposeResult:
    """The keyholders and the key rows (``tokens``: those seen, for the rows' lists)."""
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
            yield KeyRowForm(key, tokens)


def read_form(screen: Widget, kind: str, flavor: str, carried: str) -> Draft:
    """The draft the form on ``screen`` holds, as typed; ``carried`` is the
    text carried from the last bundle as written."""
    entries = {node.id: node.value for node in screen.walk_children(Input)}  # one walk

    def text(field_id: str) -> str:
        return entries.get(field_id, "")

    parts = screen.query(SittingsForm)
    sittings, request_expires = parts.first().read() if parts else (False, "14d")
    return Draft(
        kind=kind,
        flavor=flavor,
        title=text("title"),
        output=text("output"),
        rehearsal=screen.query_one("#rehearsal", Checkbox).value,
        network_allowed=screen.query_one("#network", Checkbox).value,
        any_device=screen.query_one("#output-media", Checkbox).value,
        keyholders=text("keyholders"),
        keys=[row.read() for row in screen.query(KeyRowForm)],
        roles=[row.read() for row in screen.query(RoleRowForm)],
        spare_keys_none=bool(
            screen.query("#spare-keys") and screen.query_one("#spare-keys", Checkbox).value
        ),
        accept_risk=text("accept-risk"),
        current=text("current"),
        sign_with=text("sign-with"),
        sittings=sittings,
        request_expires=request_expires,
        delegations=[row.read() for row in screen.query(DelegationRowForm)],
        targets_expires=text("targets-expires"),
        copies=text("copies"),
        slip39_passphrase=bool(
            screen.query("#slip39") and screen.query_one("#slip39", Checkbox).value
        ),
        recovery=(
            screen.query_one(RecoveryForm).read() if screen.query(RecoveryForm) else Recovery()
        ),
        custody=found.read() if (found := _custody_form(screen)) else Custody(),
        renewal=(
            screen.query_one(RenewalForm).read() if screen.query(RenewalForm) else Renewal()
        ),
        decommission=(
            screen.query_one(DecommissionForm).read() if screen.query(DecommissionForm)
            else Decommission()
        ),
        secrets=screen.query_one(SecretsForm).read(),
        bags=screen.query_one(BagsForm).read(),
        policy=shown.read() if (shown := _policy_form(screen)) else Policy(),
        carried=carried,
        part=read_part(screen),
    )


def carries_policy(carried: str) -> bool:
    """Whether the text carried from the last bundle holds its ``policy:``."""
    return any(line.startswith("policy:") for line in carried.splitlines())


def _policy_form(screen: Widget) -> PolicyForm | None:
    forms = screen.query(PolicyForm)
    return forms.first() if forms else None


def _custody_form(screen: Widget) -> CustodyForm | None:
    forms = screen.query(CustodyForm)
    return forms.first() if forms else None

