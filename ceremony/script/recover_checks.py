"""Whether a recovery's actions make sense: ``replace: root:`` and ``rehome:``.

A recovery does something with the keys it brings back: it replaces lost
repository keys (custody_checks.py), rotates the root keys away from a
custodian quorum that is no longer trusted (``replace: root:``), or re-homes
recovered root keys onto tokens (``rehome:``). Rotating away needs a new
custody bundle with new shares (the old quorum could otherwise still open
keys that count), new root keys made here with a holder, at least one of
them in software so the custody bundle has a root key to hold, a threshold
that a lost key cannot lock, and a root that outlives what it signs.
Re-homing names current keys (a key listed twice goes into two tokens: the
first is its home, the next a backup copy) and cannot be combined with
retiring those very keys. Like checks.py this reads only the Plan; whether a
re-homed key is a recovered root key is preflight's (it needs the bundles).
"""

from __future__ import annotations

from collections.abc import Iterator

from ceremony.script.expiry import format_expiry
from ceremony.script.plan import Plan
from ceremony.script.rules import Problem


def recover_action_problems(plan: Plan) -> Iterator[Problem]:
    if not plan.roles and not plan.rehome and "replace" not in plan.lines:
        yield Problem(
            "replace",
            "a recovery must do something with the keys it brings back, and this script has "
            "neither replace: nor rehome:",
            "Add replace: (new keys for lost roles, or root: to rotate away from the "
            "custodians) or rehome: (recovered root keys onto tokens)",
        )
    yield from _rotate_away(plan)
    yield from _rehome(plan)


def _rotate_away(plan: Plan) -> Iterator[Problem]:
    root = plan.role("root")
    if root is None:
        if plan.spare_keys is not None:
            yield Problem(
                "spare-keys",
                "this is about new root keys, and this recovery does not replace them",
                "Remove spare-keys",
            )
        return
    if plan.custody is None:
        yield Problem(
            "replace.root",
            "rotating the root keys away from the custodians needs a new custody bundle and "
            "new shares, and this script has no custody: section",
            "Add custody: with new media, sheets and shares for the new custodians; the old "
            "shares are declared retired when the new ones are tested",
        )
    specs = {key.name: key for key in plan.keys}
    made = [specs[name] for name in root.keys if name in specs]
    for index, name in enumerate(root.keys):
        spec = specs.get(name)
        if spec is None:
            continue  # custody_checks.py: not defined in this script
        if spec.source != "generate":
            yield Problem(
                f"replace.root.keys[{index}]",
                f"{name!r} is imported, and new root keys are made during the ceremony",
                "Give the key an algorithm and a holder instead of import:",
            )
        elif spec.holder is None:
            yield Problem(
                f"replace.root.keys[{index}]",
                f"the new root key {name!r} has no holder",
                "Add holder: the keyholder who keeps it",
            )
    if made and all(spec.hardware is not None for spec in made):
        yield Problem(
            "replace.root.keys",
            "every new root key is made on a token, so the new custody bundle would hold no "
            "root key",
            "Make at least one new root key in software (it may also go into backup-tokens)",
        )
    count = len(set(root.keys))
    if root.threshold == count and plan.spare_keys != "none":
        yield Problem(
            "replace.root.threshold",
            f"the root threshold is {count} of {count} new keys, so losing any one would lock "
            "the root for good",
            "Add a spare root key or lower the threshold; if you mean it, add spare-keys: none "
            "and say why in accept-risk:",
        )
    elif 1 <= root.threshold < count and plan.spare_keys == "none":
        yield Problem(
            "spare-keys",
            f"this says the root has no spare key, but its threshold is {root.threshold} of "
            f"{count} keys",
            "Remove spare-keys",
        )
    for role in plan.roles:
        if role.expires > root.expires:
            yield Problem(
                "replace.root.expires",
                f"the root expires at {format_expiry(root.expires)}, before the {role.name} "
                f"role ({format_expiry(role.expires)}), and it must outlive every role it signs",
                f"Give the root a later expiry, or {role.name} an earlier one",
            )
    if plan.rehome:
        yield Problem(
            "rehome",
            "replace: root: retires every recovered root key, so none is left to re-home",
            "Remove rehome:, or remove replace.root and keep the recovered keys on tokens",
        )


def _rehome(plan: Plan) -> Iterator[Problem]:
    defined = {key.name for key in plan.keys}
    for index, entry in enumerate(plan.rehome):
        path = f"rehome[{index}].key"
        if entry.key in defined:
            yield Problem(
                path,
                f"{entry.key!r} is a key this script makes; rehome: moves root keys recovered "
                "from the custody bundle",
                "Name a root key of the current bundle, or put a new key on a token with "
                "backend: pkcs11 under keys",
            )
