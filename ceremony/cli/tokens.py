"""``ceremony tokens``: what is on the PKCS#11 tokens within reach.

For each module (``--module``, else $CEREMONY_PKCS11_MODULE, else the usual
SoftHSM, ykcs11 and OpenSC paths that exist), every token it sees (label,
serial, model, firmware, PIN state) and every key on it (label, CKA_ID,
algorithm, protection attributes). It flags duplicate labels and CKA_IDs
and, given ``--bundle`` (repeatable), keys that no ceremony recorded and
recorded keys the token no longer holds. Private objects are visible only
after login: ``--login`` asks each token's PIN (``--secrets FILE`` with a
``pin/<label>:`` line, or at the terminal), once, and never shows it.

Without ``--module``, the YubiKeys plugged in are listed too, through
yubikit over pcscd (ceremony.cli.yubikeys): firmware, serial, form factor,
the PIV slots in use and whether each key is attested.

stdout carries the listing; the count of flags goes to stderr. Nothing here
writes to a token.

``--json`` prints the same modules and tokens as one JSON object instead
(:func:`tokens_json`), with no PIN: the home screen of the terminal UI runs
``ceremony tokens --json`` in a child process, so that no PKCS#11 module is
ever loaded into the UI process (a module is loaded once per process, and a
loaded SoftHSM does not see tokens made later).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NotRequired, TypedDict

from ceremony.cli.token_listing import Listing, RecordedKey, recorded_keys
from hsm.errors import KeyBackendError

if TYPE_CHECKING:  # hsm.pkcs11 loads python-pkcs11: only when a command lists tokens
    from ceremony.cli.yubikeys import YubiKeysJson
    from hsm.pkcs11 import KeyListing, Token, TokenInfo

#: asks a token's PIN (given its facts), or None to list only what shows without it
AskPin = Callable[["TokenInfo"], "str | None"]

KNOWN_MODULES = (
    "/usr/lib/softhsm/libsofthsm2.so",
    "/usr/lib/x86_64-linux-gnu/libykcs11.so",
    "/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so",
)


class PinJson(TypedDict):
    initialized: bool
    count_low: bool
    final_try: bool
    locked: bool
    to_be_changed: bool
    protected_path: bool


class TokenJson(TypedDict):
    label: str
    serial: str
    model: str
    manufacturer: str
    firmware: str
    initialized: bool
    software: bool
    pin: PinJson
    public_keys: int | None  # None: the token could not be opened
    error: str | None


class ModuleJson(TypedDict):
    path: str
    error: str | None  # the sentence ``ceremony tokens`` would print, or None
    tokens: list[TokenJson]


class TokensJson(TypedDict):
    """What ``ceremony tokens --json`` prints."""

    modules: list[ModuleJson]
    yubikeys: NotRequired[YubiKeysJson]  # only without --module




def modules_to_list(given: list[str]) -> list[str]:
    if given:
        return given
    chosen = os.environ.get("CEREMONY_PKCS11_MODULE")
    if chosen:
        return [chosen]
    return [path for path in KNOWN_MODULES if os.path.exists(path)]




def list_tokens(modules: list[str], *, token_label: str | None = None,
                login: AskPin | None = None, bundles: Sequence[Path] = (),
                yubikeys: bool = False) -> Listing:
    """The listing of every token of ``modules`` (or only ``token_label``),
    and with ``yubikeys`` of every YubiKey yubikit sees.

    ``login(info) -> str | None`` gives a token's PIN, or None to list only
    what is visible without it."""
    from hsm.pkcs11 import list_tokens as tokens_of
    from hsm.pkcs11 import open_token

    recorded = [key for bundle in bundles for key in recorded_keys(bundle)]
    out = Listing()
    for module in modules:
        out.say(f"module {module}")
        try:
            infos = tokens_of(module)
        except KeyBackendError as error:
            out.say(f"  {error}")
            continue
        infos = [i for i in infos if token_label is None or i.label == token_label]
        if not infos:
            out.say("  no token" + (f" labelled {token_label!r}" if token_label else ""))
        for info in infos:
            if not info.initialized:
                out.say("  an uninitialised token (a free slot): nothing on it")
                continue
            try:
                token = open_token(module, label=info.label, serial=info.serial or None)
            except KeyBackendError as error:
                out.flag(f"  {error}")
                continue
            try:
                _list_token(out, token, login, recorded, compare=bool(bundles))
            except KeyBackendError as error:
                out.flag(f"    {error}")
            finally:
                token.close()
    if yubikeys:
        from ceremony.cli.yubikeys import list_yubikeys

        list_yubikeys(out, recorded, token_label=token_label, compare=bool(bundles))
    if not bundles:
        out.say("(give --bundle BUNDLE to flag keys no ceremony recorded)")
    return out


def _list_token(out: Listing, token: Token, login: AskPin | None, recorded: list[RecordedKey],
                *, compare: bool) -> None:
    info = token.info
    state = info.pin.warning() or ("PIN set" if info.pin.initialized else "NO USER PIN")
    soft = "  [SoftHSM: rehearsals only]" if info.is_software else ""
    out.say(
        f"  token {info.label!r}  serial {info.serial}  {info.model} by {info.manufacturer}, "
        f"firmware {info.firmware}; {state}{soft}"
    )
    pin = login(info) if login is not None else None
    if pin is not None:
        token.login(pin)
        del pin
    keys: list[KeyListing] = token.list_keys()
    if not token.logged_in:
        out.say("    (public objects only: private keys show after --login)")
    mine = [key for key in recorded if key.on(info)]
    if not keys:
        out.say("    no keys")
    for key in keys:
        out.say(f"    {key.label or '(no label)'}  id {key.cka_id.hex() or '(none)'}  "
                f"{key.algorithm or 'a key type ceremony does not use'}  {_parts(key)}")
        out.say(f"      {_protection(key)}")
        if key.duplicate_label:
            out.flag("      DUPLICATE LABEL: another key on this token has this label")
        if key.duplicate_id:
            out.flag("      DUPLICATE CKA_ID: two private keys share this id")
        if compare:
            names = [k for k in mine if k.cka_id == key.cka_id]
            if names:
                out.say("      recorded: " + ", ".join(
                    f"{k.name}{' (backup copy)' if k.backup else ''} in {k.bundle}" for k in names
                ))
            else:
                out.flag("      NOT RECORDED by any bundle given: no ceremony made it there")
    ids = {key.cka_id for key in keys}
    for gone in mine:
        if gone.cka_id not in ids:
            out.flag(
                f"    MISSING: key {gone.name} of {gone.bundle} (CKA_ID "
                f"{gone.cka_id.hex() if gone.cka_id else '?'}) is not visible on this token"
            )


def tokens_json(modules: list[str]) -> TokensJson:
    """What :func:`list_tokens` shows, without login, as plain data.

    ``{"modules": [{"path", "error", "tokens": [{"label", "serial", "model",
    "manufacturer", "firmware", "initialized", "software", "pin": {...flags},
    "public_keys", "error"}]}]}``: ``error`` is None or the sentence
    ``ceremony tokens`` would print; ``public_keys`` counts the keys visible
    without a PIN (None when the token could not be opened)."""
    from hsm.pkcs11 import list_tokens as tokens_of
    from hsm.pkcs11 import open_token

    out: TokensJson = {"modules": []}
    for module in modules:
        entry: ModuleJson = {"path": module, "error": None, "tokens": []}
        out["modules"].append(entry)
        try:
            infos = tokens_of(module)
        except KeyBackendError as error:
            entry["error"] = str(error)
            continue
        for info in infos:
            token: TokenJson = {
                "label": info.label,
                "serial": info.serial,
                "model": info.model,
                "manufacturer": info.manufacturer,
                "firmware": info.firmware,
                "initialized": info.initialized,
                "software": info.is_software,
                "pin": {
                    "initialized": info.pin.initialized,
                    "count_low": info.pin.count_low,
                    "final_try": info.pin.final_try,
                    "locked": info.pin.locked,
                    "to_be_changed": info.pin.to_be_changed,
                    "protected_path": info.pin.protected_path,
                },
                "public_keys": None,
                "error": None,
            }
            entry["tokens"].append(token)
            if not info.initialized:
                token["public_keys"] = 0
                continue
            try:
                opened = open_token(module, label=info.label, serial=info.serial or None)
            except KeyBackendError as error:
                token["error"] = str(error)
                continue
            try:
                token["public_keys"] = len(opened.list_keys())
            except KeyBackendError as error:
                token["error"] = str(error)
            finally:
                opened.close()
    return out


def _parts(key: KeyListing) -> str:
    if key.has_private and key.has_public:
        return "private + public"
    return "private only" if key.has_private else "public only"


def _protection(key: KeyListing) -> str:
    protection = key.protection
    if protection is None:
        return "protection: unknown until the private key is visible"
    said = []
    for name, value in protection.as_dict().items():
        if value is None:
            continue
        word = name.replace("_", "-")
        if name in ("extractable", "always_authenticate"):
            if value:
                said.append(word.upper() if name == "extractable" else "pin-each-use")
        elif value:
            said.append(word)
        else:
            said.append(f"NOT {word}")
    return "protection: " + (", ".join(said) or "none shown")


def list_tokens_command(args: argparse.Namespace) -> int:
    """The ``ceremony tokens`` command (called by ceremony.cli.main)."""
    from ceremony.cli.exit_codes import ExitCode

    if getattr(args, "json", False):
        if args.login or args.bundle:
            print("ceremony: --json lists without a PIN and compares no bundle: "
                  "drop --login and --bundle", file=sys.stderr)
            return ExitCode.USAGE
        found = tokens_json(modules_to_list(args.module))
        if not args.module:
            from ceremony.cli.yubikeys import yubikeys_json

            found["yubikeys"] = yubikeys_json()
        if args.token is not None:
            for entry in found["modules"]:
                entry["tokens"] = [t for t in entry["tokens"] if t["label"] == args.token]
        print(json.dumps(found, indent=2, sort_keys=True))
        return ExitCode.OK

    login: AskPin | None = None
    if args.login:
        from ceremony.cli.operator import HeadlessOperator
        from ceremony.operator import SecretKind, SecretRequest

        operator = HeadlessOperator(secrets_file=args.secrets, scripted=False)

        def ask_pin(info: TokenInfo) -> str:
            secret = operator.secret(SecretRequest(
                id=f"pin/{info.label}", key=f"pin/{info.label}", prompt=f"PIN for {info.name}",
                kind=SecretKind.PIN,
            ))
            pin = secret.reveal()
            secret.forget()
            return pin

        login = ask_pin

    listing = list_tokens(
        modules_to_list(args.module), token_label=args.token, login=login, bundles=args.bundle,
        yubikeys=not args.module,
    )
    for line in listing.lines:
        print(line)
    if listing.flags:
        print(f"ceremony: {listing.flags} thing(s) flagged on the tokens", file=sys.stderr)
        return ExitCode.PROBLEMS
    return ExitCode.OK
