"""Preflight for a recovery's actions, from public facts alone.

Run by custody_preflight.py (through ``TufFlavor.check_recovery``) once the
custody bundle's copies are found and its record read, before any custodian
is asked for a share: every key under
``rehome:`` must be a root key of the current root that the custody bundle
holds (its private part comes back only from there), and ``replace: root:``
is told which recovered keys it retires. The tokens themselves are checked,
with no PIN, by token_preflight.py like every other token.
"""

from __future__ import annotations

from ceremony.custody.record import CustodyRecord
from ceremony.engine.preflight_result import PreflightResult
from ceremony.flavors.tuf.current import CurrentBundle
from ceremony.script.plan import Plan


def check_actions(
    plan: Plan, record: CustodyRecord, current: CurrentBundle, result: PreflightResult
) -> None:
    """Add the checks of ``plan``'s rehome and replace.root to ``result``."""
    root = current.root_signed
    held = {key.keyid: key.name for key in record.keys}
    for entry in plan.rehome:
        check = f"rehome {entry.key}"
        key = current.keys.get(entry.key)
        if key is None:
            result.add(check, f"no key {entry.key} in the current bundle; it has: "
                       f"{', '.join(sorted(current.keys))}")
        elif key.keyid not in root.roles["root"].keyids:
            result.add(check, f"key {entry.key} is not a root key of root version "
                       f"{root.version}; only recovered root keys are re-homed")
        elif key.keyid not in held:
            held_names = ", ".join(sorted(held.values()))
            result.add(check, f"the custody bundle of ceremony {record.ceremony_id} does not "
                       f"hold key {entry.key} (it holds {held_names}), so its private part "
                       "cannot be recovered to re-home")
        else:
            result.add(check, None, f"recovered from custody {record.ceremony_id}, then "
                       f"imported into {entry.token.name} as {entry.object_label!r}")
    if plan.role("root") is not None:
        retiring = [name for name, key in sorted(current.keys.items())
                    if key.keyid in root.roles["root"].keyids]
        result.add("replace root", None, "the new root keys replace every current root key ("
                   + ", ".join(retiring) + "); the old shares will be retired")
