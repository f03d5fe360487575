"""Preflight for tokens: every token the ceremony will use, checked with no PIN.

For each token the script names (keys generated on it, backup tokens) and
each token holding a current key named in ``sign-with``: the module loads,
exactly one token matches its label and/or serial, it is initialised with a
PIN that is not locked, it offers the mechanisms the algorithms need, it is
not SoftHSM in a production ceremony, and the labels (or the YubiKey slots)
the ceremony will write are free. Environment variables named under
``pins:`` must be set. Nothing here logs in, writes, or spends a PIN try;
problems are gathered into the PreflightResult like every other check.
Private objects are invisible before login: a label taken by a private key
alone is found when the key is generated (the token is checked again then).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ceremony.engine.keyring import KeyRecord
from ceremony.engine.preflight_result import PreflightResult
from ceremony.engine.token_cleanup import pkcs11_removal
from ceremony.script.hardware_checks import is_softhsm_module
from ceremony.script.plan import Plan, TokenSpec
from hsm.errors import KeyBackendError
from hsm.pkcs11.errors import NoReaderError, TokenNotFoundError, TokenRemovedError
from hsm.pkcs11.uri import Pkcs11Uri

if TYPE_CHECKING:
    from hsm.pkcs11 import KeyListing


@dataclass
class TokenNeed:
    """What the ceremony will do on one token."""

    token: TokenSpec
    algorithms: set[str] = field(default_factory=set)
    generate: bool = False
    store: bool = False
    labels: list[str] = field(default_factory=list)  # object labels to write
    slots: list[str] = field(default_factory=list)  # YubiKey slots to fill
    keys: list[tuple[str, bytes | None]] = field(default_factory=list)  # current: name, CKA_ID


def token_needs(plan: Plan, current_keys: dict[str, KeyRecord]) -> list[TokenNeed]:
    """Every token the ceremony uses, with what it will do there (``current_keys``:
    the keys of the current state, by name)."""
    needs: dict[tuple[str, str | None, str | None], TokenNeed] = {}

    def need(token: TokenSpec) -> TokenNeed:
        key = (token.module, token.label, token.serial)
        return needs.setdefault(key, TokenNeed(token))

    for spec in (*plan.keys, *plan.flavor_keys):
        if spec.hardware is not None:
            entry = need(spec.hardware.token)
            entry.algorithms.add(spec.algorithm)
            entry.generate = True
            if spec.hardware.token.yubikey:
                entry.slots.append(spec.hardware.slot or "9c")
            else:
                entry.labels.append(spec.hardware.object_label)
        for token, label in spec.backup_tokens:
            entry = need(token)
            entry.algorithms.add(spec.algorithm)
            entry.store = True
            entry.labels.append(label)
    for rehome in plan.rehome:  # recover: a recovered key is imported there
        entry = need(rehome.token)
        known = current_keys.get(rehome.key)
        if known is not None:  # an unknown key: the flavor's recovery check says so
            entry.algorithms.add(known.algorithm)
        entry.store = True
        entry.labels.append(rehome.object_label)
    for name in dict.fromkeys((*plan.sign_with, *plan.destroy)):  # decommission: destroyed
        record = current_keys.get(name)
        if record is None or not record.location.startswith("pkcs11:"):
            continue
        uri = Pkcs11Uri.parse(record.location)
        yubikey = record.backend == "yubikey"
        token = TokenSpec(
            module=uri.module_path or "",
            label=uri.token,
            serial=uri.serial,
            yubikey=yubikey,
            driver=uri.vendor.get("x-piv-driver", "ykcs11") if yubikey else "",
        )
        entry = need(token)
        entry.algorithms.add(record.algorithm)
        entry.keys.append((name, uri.id))
    return _merged(list(needs.values()))


def _merged(needs: list[TokenNeed]) -> list[TokenNeed]:
    """A token the script names by label alone and a current key's URI names
    by label and serial is one token: checked once, by both."""
    kept = []
    for need in needs:
        token = need.token
        same = [
            other for other in needs
            if other is not need and token.serial is None and other.token.serial is not None
            and (other.token.module, other.token.label) == (token.module, token.label)
        ]
        if not same:
            kept.append(need)
            continue
        into = same[0]
        into.algorithms |= need.algorithms
        into.generate |= need.generate
        into.store |= need.store
        into.labels += need.labels
        into.slots += need.slots
    return kept


def check_tokens(plan: Plan, result: PreflightResult) -> None:
    current_keys = result.current.keys if result.current is not None else {}
    try:
        needs = token_needs(plan, current_keys)
    except KeyBackendError as error:  # a malformed URI in the current bundle
        result.add("tokens", f"{error.what}. {error.todo}")
        return
    for need in needs:
        _check_one(plan, need, result)
    _check_pins(plan, needs, result)


def _check_one(plan: Plan, need: TokenNeed, result: PreflightResult) -> None:
    from hsm.pkcs11 import check_token, open_token

    spec = need.token
    if spec.yubikey and spec.driver == "yubikit":
        _check_yubikit(plan, need, result)
        return
    check = spec.name
    if not plan.rehearsal and is_softhsm_module(spec.module):
        result.add(check, f"{spec.module} is SoftHSM, whose keys are files on this computer; "
                   "a production ceremony needs a hardware token")
        return
    try:
        token = open_token(spec.module, label=spec.label, serial=spec.serial)
        problems = check_token(
            token,
            algorithms=sorted(need.algorithms),
            generate=need.generate,
            store=need.store,
            production=not plan.rehearsal,
        )
        listing = token.list_keys() if not [p for p in problems if p.blocking] else []
    except KeyBackendError as error:
        absent = isinstance(error, (TokenNotFoundError, NoReaderError, TokenRemovedError))
        result.add(
            check, f"{error.what}. {error.todo}", reason="token-absent" if absent else ""
        )
        return
    blocking = [str(p) for p in problems if p.blocking]
    blocking += _taken(need, listing, token.info.name, (spec.module, token.info.label))
    if blocking:
        result.add(check, "; ".join(blocking))
        return
    info = token.info
    notes = [str(p) for p in problems if not p.blocking] + _absent(need, listing)
    detail = (
        f"present in {spec.module}: {info.model} by {info.manufacturer}, serial {info.serial}, "
        f"firmware {info.firmware}; offers {', '.join(sorted(need.algorithms))}"
    )
    if need.labels or need.slots:
        detail += "; " + ", ".join(need.labels + [f"slot {s}" for s in need.slots]) + " free"
    if notes:
        detail += "; NOTE: " + "; ".join(notes)
    result.add(check, None, detail)


def _check_yubikit(plan: Plan, need: TokenNeed, result: PreflightResult) -> None:
    """A YubiKey reached through yubikit: everything is readable without a PIN."""
    from hsm.yubikey import SLOTS
    from hsm.yubikey.preflight import check_yubikey

    spec = need.token
    prepare = any(k.hardware is not None and k.hardware.prepare and
                  k.hardware.token.serial == spec.serial for k in plan.keys)
    in_use = [(name, slot.name) for name, cka_id in need.keys
              for slot in SLOTS.values() if slot.id_bytes == cka_id]
    try:
        info, problems = check_yubikey(
            spec.serial or "", algorithms=need.algorithms, slots_to_fill=need.slots,
            slots_in_use=in_use, production=not plan.rehearsal, prepare=prepare)
    except KeyBackendError as error:
        absent = isinstance(error, TokenNotFoundError)
        result.add(spec.name, f"{error.what}. {error.todo}",
                   reason="token-absent" if absent else "")
        return
    blocking = [str(p) for p in problems if p.blocking]
    if blocking:
        result.add(spec.name, "; ".join(blocking))
        return
    notes = [str(p) for p in problems if not p.blocking]
    detail = (f"present through yubikit: {info.model}, serial {info.serial}, firmware "
              f"{info.firmware}; makes {', '.join(sorted(need.algorithms)) or 'no key today'}")
    if need.slots:
        detail += "; " + ", ".join(f"slot {s}" for s in need.slots) + " free"
    if notes:
        detail += "; NOTE: " + "; ".join(notes)
    result.add(spec.name, None, detail)


def _taken(
    need: TokenNeed, listing: Sequence[KeyListing], token_name: str, pkcs11: tuple[str, str]
) -> list[str]:
    """Labels and slots already in use; ``pkcs11``: (module, token label), to name the
    commands that remove a key a stopped attempt left."""
    ids = {key.cka_id for key in listing}
    found = [
        f"{token_name} already holds a key labelled {label!r}; choose another object-label "
        "or remove the old key" + _how_to_remove(key, pkcs11)
        for label in need.labels
        for key in listing
        if label in key.label.split(" / ")
    ]
    if need.slots:
        from hsm.yubikey import piv_slot

        found += [
            f"slot {slot} of {token_name} already holds a key; the tool never overwrites "
            f"a slot: clear it first (`ykman --device {need.token.serial} piv keys delete "
            f"{slot}`, firmware 5.7 and later; or reset the PIV applet), or choose another slot"
            for slot in need.slots
            if piv_slot(slot).id_bytes in ids
        ]
    return found


def _how_to_remove(key: KeyListing, pkcs11: tuple[str, str]) -> str:
    return (
        " (`ceremony tokens --bundle BUNDLE` flags it NOT RECORDED when no bundle uses it, "
        "e.g. one a stopped attempt left) with: " + pkcs11_removal(*pkcs11, key.cka_id)
    )


def _absent(need: TokenNeed, listing: Sequence[KeyListing]) -> list[str]:
    ids = {key.cka_id for key in listing}
    return [
        f"key {name}'s public object (CKA_ID {cka_id.hex() if cka_id else '?'}) is not "
        "visible before login; it is looked for once the PIN is typed"
        for name, cka_id in need.keys
        if cka_id not in ids
    ]


def _check_pins(plan: Plan, needs: list[TokenNeed], result: PreflightResult) -> None:
    named = {value for need in needs for value in (need.token.label, need.token.serial)}
    for name, source in plan.pins:
        check = f"PIN for {name}"
        if name not in named:
            result.add(check, f"pins: names {name!r}, but no token used today has that label "
                       "or serial; fix the name or remove the entry")
        elif source.kind == "env" and not os.environ.get(source.name):
            result.add(check, f"the environment variable {source.name} is not set; set it "
                       "before the ceremony, or change the script to `prompt`")
