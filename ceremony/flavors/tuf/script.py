"""Reading a TUF script's own fields: roles, replace, delegations, targets-expires.

load.py reads the fields every flavor has and hands the rest here
(``TufFlavor.read_script``); :data:`RULES` says which fields each kind takes.
Like the rest of the loader it reads strictly, names file, line and dotted
path in every error, and never touches the filesystem.
"""

from __future__ import annotations

from datetime import datetime

from ceremony.flavors.tuf.plan import DelegationSpec, TufDetails
from ceremony.script.fields import HINTS, optional, read_roles
from ceremony.script.flavor_fields import FlavorScript, ScriptReading, ScriptRules
from ceremony.script.plan import RoleSpec
from ceremony.script.values import read_expiry, read_renew_expired, read_threshold
from ceremony.script.yamlload import Located

DELEGATION_FIELDS = ("name", "keys", "threshold", "paths", "terminating")
_HINTS = {
    "delegations": "Add delegations: the delegated roles to make",
    "root-expires": "Add root-expires: when the renewed root expires, e.g. 1y",
    "paths": 'Add paths: the target paths delegated, e.g. ["alpine/*"]',
}
RULES = {
    "bootstrap": ScriptRules(("roles", "spare-keys", "custody"), ("roles",), _HINTS),
    "rotate-root": ScriptRules(
        ("current", "sign-with", "roles", "spare-keys", "custody"),
        ("current", "sign-with", "roles"),
        _HINTS,
    ),
    "delegate": ScriptRules(
        ("current", "sign-with", "delegations", "targets-expires"),
        ("current", "sign-with", "delegations", "targets-expires"),
        _HINTS,
    ),
    # the same keys and thresholds, new expiries, the next version
    "renew": ScriptRules(
        ("current", "sign-with", "root-expires", "targets-expires", "current-root-expired"),
        ("current", "sign-with", "root-expires"),
        _HINTS,
    ),
    # keys of the current root removed from it and destroyed (a rotation without them)
    "decommission": ScriptRules(
        ("current", "sign-with", "destroy", "wipe", "root-expires"),
        ("current", "sign-with", "destroy"),
        {**_HINTS, "destroy": "Add destroy: the current keys to remove and destroy, e.g. "
         "[root-carol]"},
    ),
    # replace and/or rehome: recover_checks.py says so when neither is there
    "recover": ScriptRules(
        ("current", "recover-from", "replace", "rehome", "spare-keys", "custody"),
        ("current", "recover-from"),
        _HINTS,
    ),
}


def read_script(reading: ScriptReading) -> FlavorScript:
    fields, now = reading.fields, reading.now
    roles: tuple[RoleSpec, ...] = optional(
        fields, "roles", lambda roles: read_roles(roles, now), ()
    )
    roles = roles or optional(fields, "replace", lambda replace: read_replace(replace, now), ())
    return FlavorScript(
        roles=roles,
        targets_expires=optional(
            fields, "targets-expires", lambda expires: read_expiry(expires, now), None
        ),
        details=TufDetails(
            delegations=optional(fields, "delegations", read_delegations, ()),
            root_expires=optional(
                fields, "root-expires", lambda expires: read_expiry(expires, now), None
            ),
            renew_expired=optional(fields, "current-root-expired", read_renew_expired, False),
        ),
    )


def read_replace(located: Located, now: datetime) -> tuple[RoleSpec, ...]:
    """``replace:`` (recover): the roles whose keys are lost, each with its new keys."""
    located.mapping(
        "Write replace as role name: {keys: [NEW-KEY], threshold: N, expires: ...}, "
        "e.g. targets: {keys: [targets-2], threshold: 1, expires: 180d}"
    )
    return read_roles(located, now)


def read_delegations(located: Located) -> tuple[DelegationSpec, ...]:
    items = located.items(
        "Write the delegations as a list, one {name: ..., keys: ..., paths: ...} each"
    )
    return tuple(_read_delegation(item) for item in items)


def _read_delegation(item: Located) -> DelegationSpec:
    fields = item.fields(
        DELEGATION_FIELDS,
        ("name", "keys", "threshold", "paths"),
        todo="Write the delegation as {name: ..., keys: [...], threshold: N, paths: [...]}",
        hints={**HINTS, **_HINTS},
    )
    return DelegationSpec(
        name=fields["name"].name(),
        keys=fields["keys"].names(),
        threshold=read_threshold(fields["threshold"]),
        paths=fields["paths"].texts('Write the paths as a list of patterns, e.g. ["alpine/*"]'),
        terminating=fields["terminating"].flag() if "terminating" in fields else False,
        line=item.line,
    )
