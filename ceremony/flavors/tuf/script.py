"""Reading a TUF script's own fields: roles, replace, delegations, targets-expires.

load.py reads the fields every flavor has and hands the rest here
(``TufFlavor.read_script``); script_rules.py says which fields each kind takes.
Like the rest of the loader it reads strictly, names file, line and dotted
path in every error, and never touches the filesystem.
"""

from __future__ import annotations

from datetime import datetime

from ceremony.flavors.tuf.plan import DelegationSpec, TufDetails
from ceremony.flavors.tuf.script_rules import HINTS as TUF_HINTS
from ceremony.script.fields import HINTS, optional, read_roles
from ceremony.script.flavor_fields import FlavorScript, ScriptReading
from ceremony.script.plan import RoleSpec
from ceremony.script.values import read_expiry, read_renew_expired, read_threshold
from ceremony.script.yamlload import Located

DELEGATION_FIELDS = ("name", "keys", "threshold", "paths", "terminating")


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
        hints={**HINTS, **TUF_HINTS},
    )
    return DelegationSpec(
        name=fields["name"].name(),
        keys=fields["keys"].names(),
        threshold=read_threshold(fields["threshold"]),
        paths=fields["paths"].texts('Write the paths as a list of patterns, e.g. ["alpine/*"]'),
        terminating=fields["terminating"].flag() if "terminating" in fields else False,
        line=item.line,
    )
