"""Which fields each kind of TUF script takes (:data:`RULES`), apart from reading them.

script.py reads a TUF script's own fields; ``ceremony next`` writes the next
script by these lists, without the readers or the Plan's classes.
"""

from __future__ import annotations

from ceremony.script.kind_fields import ScriptRules

HINTS = {
    "delegations": "Add delegations: the delegated roles to make",
    "root-expires": "Add root-expires: when the renewed root expires, e.g. 1y",
    "paths": 'Add paths: the target paths delegated, e.g. ["alpine/*"]',
}
RULES = {
    "bootstrap": ScriptRules(("roles", "spare-keys", "custody"), ("roles",), HINTS),
    "rotate-root": ScriptRules(
        ("current", "sign-with", "roles", "spare-keys", "custody"),
        ("current", "sign-with", "roles"),
        HINTS,
    ),
    "delegate": ScriptRules(
        ("current", "sign-with", "delegations", "targets-expires"),
        ("current", "sign-with", "delegations", "targets-expires"),
        HINTS,
    ),
    # the same keys and thresholds, new expiries, the next version
    "renew": ScriptRules(
        ("current", "sign-with", "root-expires", "targets-expires", "current-root-expired"),
        ("current", "sign-with", "root-expires"),
        HINTS,
    ),
    # keys of the current root removed from it and destroyed (a rotation without them)
    "decommission": ScriptRules(
        ("current", "sign-with", "destroy", "wipe", "root-expires"),
        ("current", "sign-with", "destroy"),
        {**HINTS, "destroy": "Add destroy: the current keys to remove and destroy, e.g. "
         "[root-carol]"},
    ),
    # replace and/or rehome: recover_checks.py says so when neither is there
    "recover": ScriptRules(
        ("current", "recover-from", "replace", "rehome", "spare-keys", "custody"),
        ("current", "recover-from"),
        HINTS,
    ),
}
