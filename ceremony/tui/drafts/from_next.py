"""A draft filled in from the script ``ceremony next`` writes (lifecycle/next.py).

The forms offer the last bundle as a starting point: the flavor writes the
next renew or rotate-root script (TUF, DCT or Sigstore), and its fields are
put into the form's fields as text. What the form does not show
(``policy:``, DCT's ``published:``, Sigstore's ``trust:`` and mirror expiries)
is carried as written, so ``ceremony status`` and the next ``next`` still agree on when
(a Sigstore form's Withdraw is written at the end of the carried ``trust:``).
A decommission starts from the renewal's script: the keys to sign with, the
root's expiry period and what is carried; the keys to destroy are the
operator's to name. The tamper-evident bags the last ceremony sealed are
the bags opened (``next`` writes them from its transcript, which holds their
serials). Imports no UI toolkit.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from ceremony.tui.drafts.bags import Bags
from ceremony.tui.drafts.keys import IMPORT, KeyRow
from ceremony.tui.drafts.model import Draft, RoleRow
from ceremony.tui.drafts.renewal import Renewal

#: fields the form shows; any other field is carried as written
SHOWN = {"format", "ceremony", "flavor", "title", "rehearsal", "network", "output-media",
         "output", "current", "sign-with", "root-expires", "targets-expires",
         "current-root-expired", "keyholders", "keys", "roles", "spare-keys", "accept-risk",
         "bags", "request-expires"}


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _names(value: Any) -> str:
    return ", ".join(str(item) for item in value) if isinstance(value, list) else _text(value)


def _field(item: tuple[str, Any]) -> str:
    """One carried field as YAML: a block at the top (never ``{published: x}``),
    its innermost lists and mappings in flow style."""
    name, value = item
    flow = None if isinstance(value, (dict, list)) else False
    return yaml.safe_dump({name: value}, sort_keys=False, default_flow_style=flow, width=100)


def draft_from_next(text: str, *, kind: str = "") -> Draft:
    """The form's draft for a script ``next`` wrote (``text``, a mapping), for a
    form of ``kind`` (default: the script's)."""
    data = yaml.safe_load(text)
    if not isinstance(data, dict):
        raise ValueError("the script written is not a mapping")
    keys = [  # a rotation signed in sittings imports its new keys (import: PEM)
        KeyRow(name=_text(item.get("name")), holder=_text(item.get("holder")),
               algorithm=IMPORT if "import" in item else _text(item.get("algorithm")
                                                               or "ed25519"),
               public_key_file=_text(item.get("import")))
        for item in data.get("keys") or [] if isinstance(item, dict)
    ]
    roles = [
        RoleRow(name, _names(spec.get("keys")), _text(spec.get("threshold")),
                _text(spec.get("expires")))
        for name, spec in (data.get("roles") or {}).items() if isinstance(spec, dict)
    ]
    holders = [item.get("name") for item in data.get("keyholders") or []
               if isinstance(item, dict)]
    # the form shows targets-expires in a renew only; a Sigstore rotation's is carried
    shown = SHOWN if data.get("ceremony") == "renew" else SHOWN - {"targets-expires"}
    carried = {name: value for name, value in data.items() if name not in shown}
    draft = Draft(
        kind=_text(data.get("ceremony")),
        flavor=_text(data.get("flavor") or "tuf"),
        title=_text(data.get("title")),
        output=_text(data.get("output")),
        rehearsal=data.get("rehearsal") is True,
        network_allowed=data.get("network") == "allowed",
        any_device=data.get("output-media") == "any-device",
        keyholders=_names(holders),
        keys=keys,
        roles=roles,
        spare_keys_none=data.get("spare-keys") == "none",
        accept_risk=_text(data.get("accept-risk")),
        current=_text(data.get("current")),
        sign_with=_names(data.get("sign-with")),
        renewal=Renewal(
            root_expires=_text(data.get("root-expires")),
            targets_expires=_text(data.get("targets-expires")),
            expired=data.get("current-root-expired") == "renew",
        ),
        carried="".join(map(_field, carried.items())),
        bags=Bags(opened=_names((data.get("bags") or {}).get("open"))),
        sittings="request-expires" in data,
        request_expires=_text(data.get("request-expires") or "14d"),
    )
    if kind and kind != draft.kind:  # a decommission, from the renewal's script
        draft.title = draft.title.replace("Renewal", "Key destruction", 1)
        draft.output = re.sub(f"-{draft.kind}(?=-|$)", f"-{kind}", draft.output)
        draft.kind = kind
    return draft
