"""Whether the hardware parts of a script make sense together.

hardware_fields.py reads the token fields of keys and ``pins:``; this
module checks what they mean together, from the Plan alone: SoftHSM (keys in
files on this computer) only in a rehearsal, no object label used twice on
one token, one key per YubiKey per ceremony, algorithms a YubiKey can make,
PIV slots that exist, and ``pins:`` entries that name a token of the script.
It touches no token: presence, mechanisms, free labels and the token's own
model are preflight's (engine/token_preflight.py).
"""

from __future__ import annotations

import os
from collections.abc import Iterator

from ceremony.script.plan import HardwareSpec, Plan, TokenSpec
from ceremony.script.rules import Problem

# What each route to a YubiKey can make (yubikit: Ed25519 and RSA need
# firmware 5.7, which preflight checks on the YubiKey itself).
YUBIKEY_ALGORITHMS = {
    "ykcs11": ("ecdsa-p256", "ecdsa-p384"),
    "yubikit": ("ecdsa-p256", "ecdsa-p384", "ed25519", "rsa-3072", "rsa-4096"),
}
ROOT_TOUCH_POLICY = "always"
# PIV key slots a ceremony may use (hsm.yubikey.slots.SLOTS); f9 never.
PIV_SLOTS = ("9a", "9c", "9d", "9e") + tuple(f"{n:x}" for n in range(0x82, 0x96))


def is_softhsm_module(module: str) -> bool:
    """Whether a module path names SoftHSM (its token model is checked in preflight)."""
    return "softhsm" in os.path.basename(module).lower()


def token_places(plan: Plan) -> Iterator[tuple[str, TokenSpec, str]]:
    """(dotted path, token, object label) for every token the script names."""
    for index, key in enumerate(plan.keys):
        if key.hardware is not None:
            yield f"keys[{index}]", key.hardware.token, key.hardware.object_label
        for number, (token, label) in enumerate(key.backup_tokens):
            yield f"keys[{index}].backup-tokens[{number}]", token, label
    for index, entry in enumerate(plan.rehome):  # recover: recovered keys onto tokens
        yield f"rehome[{index}]", entry.token, entry.object_label
    for key in plan.flavor_keys:  # the flavor's own (cosign keys), named by their name
        if key.hardware is not None:
            yield f"key {key.name}", key.hardware.token, key.hardware.object_label


def hardware_problems(plan: Plan) -> Iterator[Problem]:
    for path, what, todo in _problems(plan):
        yield Problem(path, what, todo)


def _problems(plan: Plan) -> Iterator[tuple[str, str, str]]:
    yield from _softhsm(plan)
    yield from _labels_once(plan)
    yield from _yubikeys(plan)
    yield from _pins(plan)


def _softhsm(plan: Plan) -> Iterator[tuple[str, str, str]]:
    if plan.rehearsal:
        return
    for path, token, _ in token_places(plan):
        if is_softhsm_module(token.module):
            yield (
                f"{path}.module",
                f"{token.module} is SoftHSM, which keeps keys in files on this computer",
                "Use the module of a hardware token in a production ceremony, or mark the "
                "script `rehearsal: true`",
            )


def _labels_once(plan: Plan) -> Iterator[tuple[str, str, str]]:
    seen: dict[tuple[str, str | None, str | None, str], str] = {}
    for path, token, label in token_places(plan):
        if token.yubikey:
            continue  # a slot, not a label (one key per YubiKey: below)
        where = (token.module, token.label, token.serial, label)
        if where in seen:
            yield (
                f"{path}.object-label",
                f"{token.name} would get two keys labelled {label!r} (see {seen[where]})",
                "Give each key its own object-label",
            )
        seen.setdefault(where, path)


def yubikey_touch_policy(hardware: HardwareSpec, roles: set[str]) -> str | None:
    """The touch policy a YubiKey key is made with: the script's, else
    "always" for a root key through yubikit (ykcs11 2.2 cannot set one)."""
    if hardware.touch_policy is not None or hardware.token.driver != "yubikit":
        return hardware.touch_policy
    return ROOT_TOUCH_POLICY if "root" in roles else None


def _yubikeys(plan: Plan) -> Iterator[tuple[str, str, str]]:
    seen: dict[str | None, str] = {}  # by serial
    for index, key in enumerate(plan.keys):
        if key.hardware is None or not key.hardware.token.yubikey:
            continue
        path = f"keys[{index}]"
        serial = key.hardware.token.serial
        driver = key.hardware.token.driver or "ykcs11"
        if serial in seen:
            yield (
                f"{path}.serial",
                f"YubiKey {serial} already holds key {seen[serial]} in this ceremony",
                "Use one YubiKey per key: making a key needs the management key and "
                "signing the PIN, and ykcs11 cannot hold both at once" if driver == "ykcs11"
                else "Use one YubiKey per key, so that a lost YubiKey loses one key only",
            )
        seen.setdefault(serial, key.name)
        allowed = YUBIKEY_ALGORITHMS[driver]
        if key.algorithm not in allowed:
            yield (
                f"{path}.algorithm",
                f"a YubiKey cannot make {key.algorithm!r} keys through {driver}",
                f"Use one of: {', '.join(allowed)}"
                + ("; or driver: yubikit, which also makes ed25519 and rsa-3072/4096 on "
                   "firmware 5.7" if driver == "ykcs11" else ""),
            )
        slot = key.hardware.slot
        if slot is not None and slot not in PIV_SLOTS:
            yield (
                f"{path}.slot",
                f"{slot!r} is not a PIV key slot a ceremony can use",
                "Use 9c (the default), 9a, 9d, 9e or a retired slot 82 to 95; f9 holds the "
                "attestation key",
            )


def _pins(plan: Plan) -> Iterator[tuple[str, str, str]]:
    if plan.current is not None:
        return  # a PIN may be for a token of the current bundle's keys: preflight
    named: set[str] = set()
    for _, token, _ in token_places(plan):
        named |= {value for value in (token.label, token.serial) if value is not None}
    for name, _source in plan.pins:
        if name not in named:
            yield (
                f"pins.{name}",
                f"no token labelled {name!r} (or with that serial) is named in this script",
                "Remove the entry, or write the token's label or serial as the keys name it: "
                + (", ".join(sorted(named)) or "(no token yet)"),
            )
