"""The forms' starting points: a sound ceremony of each flavor and kind to edit.

:func:`new_draft` gives the TUF ones here and asks drafts/dct.py and
drafts/sigstore.py for theirs; what a draft is and how it is written out as
a script is drafts/model.py's. The screens import the model's names from
here too (hence they are named again below). Imports no UI toolkit.
"""

from __future__ import annotations

from ceremony.tui.drafts.dct import new_dct_draft
from ceremony.tui.drafts.keys import KeyRow
from ceremony.tui.drafts.model import ROLE_NAMES as ROLE_NAMES
from ceremony.tui.drafts.model import DelegationRow as DelegationRow
from ceremony.tui.drafts.model import Draft as Draft
from ceremony.tui.drafts.model import Rendered as Rendered
from ceremony.tui.drafts.model import RoleRow as RoleRow
from ceremony.tui.drafts.model import recover_draft
from ceremony.tui.drafts.renewal import Renewal
from ceremony.tui.drafts.sigstore import new_sigstore_draft

#: the kinds signed by the current keys alone: each one's title and root expiry to start from
SAME_KEYS = {
    "renew": ("Renewal of the update repository root", "1y"),
    "decommission": ("Key destruction - keys removed from the root and destroyed", ""),
}


def new_draft(kind: str, *, stamp: str, flavor: str = "tuf") -> Draft:
    """The forms' starting point for ``kind``: a sound ceremony to edit.

    ``stamp`` (e.g. ``2026-11-30``) names the output folder."""
    if flavor == "dct":
        return new_dct_draft(kind, stamp=stamp)
    if flavor == "sigstore":
        return new_sigstore_draft(kind, stamp=stamp)
    if kind == "bootstrap":
        return Draft(
            kind=kind,
            title="Bootstrap of the update repository root",
            output=f"media/{stamp}-bootstrap",
            keyholders="alice, bob, carol",
            keys=[
                KeyRow("root-alice", "alice"),
                KeyRow("root-bob", "bob"),
                KeyRow("root-carol", "carol"),
                KeyRow("targets"),
                KeyRow("snapshot"),
                KeyRow("timestamp"),
            ],
            roles=[
                RoleRow("root", "root-alice, root-bob, root-carol", "2", "1y"),
                RoleRow("targets", "targets", "1", "180d"),
                RoleRow("snapshot", "snapshot", "1", "30d"),
                RoleRow("timestamp", "timestamp", "1", "7d"),
            ],
        )
    if kind == "rotate-root":
        return Draft(
            kind=kind,
            title="Rotation of the update repository root",
            output=f"media/{stamp}-rotate-root",
            keys=[KeyRow()],
            roles=[
                RoleRow("root", "", "2", "1y"),
                RoleRow("targets", "", "1", "180d"),
                RoleRow("snapshot", "", "1", "30d"),
                RoleRow("timestamp", "", "1", "7d"),
            ],
        )
    if kind in SAME_KEYS:  # the current keys sign the next root, with a new expiry
        title, root_expires = SAME_KEYS[kind]
        return Draft(kind=kind, title=title, output=f"media/{stamp}-{kind}",
                     renewal=Renewal(root_expires=root_expires))
    if kind == "delegate":
        return Draft(
            kind=kind,
            title="Delegation to repository keys",
            output=f"media/{stamp}-delegate",
            sign_with="targets",
            keys=[KeyRow()],
            delegations=[DelegationRow()],
            targets_expires="90d",
        )
    if kind == "recover":
        return recover_draft("tuf", stamp=stamp, lost="targets", roles=(
            RoleRow("targets", "", "1", "180d"),
            RoleRow("snapshot", "", "1", "30d"),
            RoleRow("timestamp", "", "1", "7d"),
        ))
    raise ValueError(kind)


