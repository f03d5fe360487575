"""Preflight of a TUF decommission: refuse, before anything changes, to destroy
a key the root still needs.

Every key in ``destroy:`` must be a key of the current bundle that this tool
can destroy (on a PKCS#11 token, or stored as an encrypted key file). The
next root version is the current one without those keys: every role they
held must keep at least its threshold of keys, and today's signers must meet
the current root's threshold and the next root's. No side effects.
"""

from __future__ import annotations

from ceremony.engine.preflight_result import PreflightResult
from ceremony.flavors.tuf.current import CurrentBundle
from ceremony.script.plan import Plan
from ceremony.threshold import threshold_result


def check_destroy(plan: Plan, current: CurrentBundle, result: PreflightResult) -> None:
    destroyed: dict[str, str] = {}  # keyid -> name
    for name in plan.destroy:
        record = current.keys.get(name)
        if record is None:
            result.add(f"destroy {name}", f"no key {name} in the current bundle; it has: "
                       f"{', '.join(sorted(current.keys))}")
        elif record.backend == "yubikey":
            result.add(f"destroy {name}", f"key {name} is in a YubiKey slot: this tool does "
                       "not destroy YubiKey keys; leave it out and delete the slot's key with "
                       "ykman (docs/runbooks/key-destruction.md)")
        elif not record.location.startswith(("pkcs11:", "age-file:")):
            result.add(f"destroy {name}", f"key {name} lives at {record.location}: only a "
                       "key on a token or stored in the bundle is destroyed here")
        else:
            destroyed[record.keyid] = name
    roles = current.root_signed.roles
    for role_name, role in roles.items():
        gone = sorted(destroyed[k] for k in role.keyids if k in destroyed)
        if not gone:
            continue
        left = len(set(role.keyids) - set(destroyed))
        if left < role.threshold:
            result.add(
                f"destroy {', '.join(gone)}",
                f"the current root still needs {_them(gone)} for its {role_name} threshold: "
                f"without {_them(gone)} the {role_name} role would have {left} key(s) for a "
                f"threshold of {role.threshold}. Nothing was changed; add keys with a "
                "rotate-root ceremony first, then destroy",
                reason="still-needed",
            )
        else:
            result.add(f"destroy {', '.join(gone)}", None,
                       f"{role_name} keeps {left} key(s) for a threshold of {role.threshold}")
    signing = {current.keys[n].keyid for n in plan.sign_with if n in current.keys}
    root = roles["root"]
    today = threshold_result(root.keyids, root.threshold, signing)
    after = threshold_result(set(root.keyids) - set(destroyed), root.threshold,
                             signing - set(destroyed))
    for label, met in (("the current root", today), ("the next root (without them)", after)):
        if not met.met:
            result.add("sign-with", f"the keys that sign today give {label} {met.words()}; "
                       "add keyholders of the root to sign-with")


def _them(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names)
