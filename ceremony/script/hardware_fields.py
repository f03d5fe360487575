"""Reading the hardware parts of a script: token fields on keys, and ``pins:``.

load.py calls :func:`read_key_hardware` for every generated key and
:func:`read_pins` for the top-level ``pins:`` mapping. A ``backend: pkcs11``
key names its module and its token by ``token-label`` and/or
``token-serial`` (never a slot number); a ``backend: yubikey`` key names the
YubiKey's ``serial``, its PIV ``slot`` and policies, and its ``driver``
(``yubikit``, Yubico's library over pcscd, unless a ``module`` names the
ykcs11 PKCS#11 module), whether it is prepared in this ceremony
(``prepare``) and extra ``attestation-intermediates``; a software key may list
``backup-tokens``. Like the rest of the loader this reads strictly, names the
file, line and dotted path in every error, and touches no token: whether the
module loads and the token is present is preflight's job
(engine/token_preflight.py). No PIN is ever read here: ``pins:`` says only
where each PIN will come from.
"""

from __future__ import annotations

import os
from typing import TypedDict

from ceremony.script.plan import HardwareSpec, PassphraseSource, TokenSpec
from ceremony.script.values import read_source
from ceremony.script.yamlload import Located

BACKENDS = ("software", "pkcs11", "yubikey")
HARDWARE_BACKENDS = ("pkcs11", "yubikey")
# Yubico's PKCS#11 module as Debian installs it (hsm.yubikey.piv.YKCS11_MODULE).
YKCS11_MODULE = "/usr/lib/x86_64-linux-gnu/libykcs11.so"
# The values hsm.yubikey.piv accepts ("default": the slot's own policy).
PIN_POLICIES = ("default", "never", "once", "always")
TOUCH_POLICIES = ("default", "never", "always", "cached")
TOKEN_LABEL_BYTES = 32  # CK_TOKEN_INFO.label

PKCS11_FIELDS = ("module", "token-label", "token-serial", "object-label")
YUBIKEY_FIELDS = ("module", "serial", "slot", "pin-policy", "touch-policy", "driver",
                  "prepare", "attestation-intermediates")
YUBIKEY_DRIVERS = ("yubikit", "ykcs11")
YUBIKIT_ONLY = ("prepare", "attestation-intermediates")
SOFTWARE_FIELDS = ("backup-tokens",)
# Every hardware field a key entry may have (load.KEY_FIELDS adds them).
KEY_FIELDS = tuple(dict.fromkeys(PKCS11_FIELDS + YUBIKEY_FIELDS + SOFTWARE_FIELDS))
BACKUP_FIELDS = ("module", "token-label", "token-serial", "object-label")



class KeyHardware(TypedDict, total=False):
    """The KeySpec fields a generated key's hardware fields give (none: software)."""

    hardware: HardwareSpec
    backup_tokens: tuple[tuple[TokenSpec, str], ...]


_NO_SLOT = (
    "Name the token by token-label or token-serial: slot numbers change between "
    "boots and readers"
)
_MODULE_TODO = (
    "Add module: the full path of the token maker's PKCS#11 library, e.g. "
    "/usr/lib/x86_64-linux-gnu/pkcs11/opensc-pkcs11.so"
)
_TOKEN_TODO = (
    "Add token-label: (the label the token was initialised with) or token-serial: "
    "(in quotes), or both"
)


def refuse_slot_id(item: Located) -> None:
    """A key (or backup token) naming a PKCS#11 slot gets its own message."""
    if isinstance(item.value, dict) and "slot-id" in item.value:
        raise item.required("slot-id").error("a token is never named by its slot number", _NO_SLOT)


def read_key_hardware(
    item: Located, fields: dict[str, Located], backend: str, key_name: str
) -> KeyHardware:
    """The KeySpec fields (``hardware``, ``backup_tokens``) of the generated key
    ``item`` (its ``fields`` already read by load.py)."""
    if backend not in BACKENDS:
        return {}  # checks.py names the backends allowed
    allowed = {
        "software": SOFTWARE_FIELDS,
        "pkcs11": PKCS11_FIELDS,
        "yubikey": YUBIKEY_FIELDS,
    }[backend]
    for name in KEY_FIELDS:
        if name in fields and name not in allowed:
            raise fields[name].error(_misplaced(name, backend), _misplaced_todo(name, backend))
    if backend == "pkcs11":
        if "slot" in fields:
            raise fields["slot"].error("a PKCS#11 token is never named by a slot", _NO_SLOT)
        return {"hardware": HardwareSpec(
            token=read_token(fields, "key", item),
            object_label=object_label(fields, key_name),
        )}
    if backend == "yubikey":
        return {"hardware": _read_yubikey(item, fields)}
    if "backup-tokens" in fields:
        return {"backup_tokens": _read_backups(fields["backup-tokens"], key_name)}
    return {}


def _misplaced(name: str, backend: str) -> str:
    owners = [b for b, f in (("pkcs11", PKCS11_FIELDS), ("yubikey", YUBIKEY_FIELDS),
                             ("software", SOFTWARE_FIELDS)) if name in f]
    owner = " and ".join(f"backend: {b}" for b in owners)
    return f"{name} belongs to keys with {owner}, and this key has backend: {backend}"


def _misplaced_todo(name: str, backend: str) -> str:
    if name == "backup-tokens":
        return ("Remove it: a key generated on a token never leaves it; backup tokens are "
                "for keys generated in software")
    return f"Remove {name}:, or change the backend"


def read_token(fields: dict[str, Located], what: str, parent: Located) -> TokenSpec:
    if "module" not in fields:
        raise parent.missing("module", _MODULE_TODO)
    module = _read_module(fields["module"])
    label = _read_label(fields["token-label"]) if "token-label" in fields else None
    serial = _read_serial(fields["token-serial"]) if "token-serial" in fields else None
    if label is None and serial is None:
        raise parent.error(
            f"the {what}'s token is named neither by label nor by serial", _TOKEN_TODO
        )
    return TokenSpec(module=module, label=label, serial=serial, line=fields["module"].line)


def _read_module(located: Located) -> str:
    module = located.text("Write the full path of the PKCS#11 module (a .so file)")
    if not os.path.isabs(module) or "\0" in module:
        raise located.error(
            f"the module path {module!r} is not an absolute path",
            "Write the full path of the token maker's PKCS#11 library, starting with /",
        )
    return module


def _read_label(located: Located) -> str:
    label = located.text("Write the token's label as text")
    if len(label.encode("utf-8")) > TOKEN_LABEL_BYTES:
        raise located.error(
            f"a token label has at most {TOKEN_LABEL_BYTES} bytes, and {label[:40]!r} has more",
            "Write the label exactly as the token shows it (`ceremony tokens` lists them)",
        )
    return label


def _read_serial(located: Located) -> str:
    if isinstance(located.value, int) and not isinstance(located.value, bool):
        raise located.error(
            "a token serial is written as text, in quotes",
            f'Write token-serial: "{located.value}" (unquoted, leading zeros would be lost)',
        )
    return located.text('Write the serial in quotes, e.g. token-serial: "0123abcd"').strip()


def object_label(fields: dict[str, Located], key_name: str) -> str:
    if "object-label" not in fields:
        return key_name
    return fields["object-label"].text("Write the label the key gets on the token")


def _read_yubikey(item: Located, fields: dict[str, Located]) -> HardwareSpec:
    if "serial" not in fields:
        raise item.missing(
            "serial",
            "Add serial: the YubiKey's serial number (printed on it, and shown by "
            "`ykman list --serials`)",
        )
    located = fields["serial"]
    value = located.value
    if isinstance(value, bool) or not (
        (isinstance(value, int) and value > 0) or (isinstance(value, str) and value.isdigit())
    ):
        raise located.expected("a YubiKey serial number", "Write the serial number, e.g. 12345678")
    driver = fields["driver"].choice(YUBIKEY_DRIVERS) if "driver" in fields else (
        "ykcs11" if "module" in fields else "yubikit")
    if driver == "yubikit" and "module" in fields:
        raise fields["module"].error(
            "module belongs to driver: ykcs11, and this key uses driver: yubikit",
            "Remove module: (yubikit needs no PKCS#11 module), or write driver: ykcs11")
    for name in YUBIKIT_ONLY:
        if driver == "ykcs11" and name in fields:
            raise fields[name].error(
                f"{name} needs driver: yubikit, and this key uses driver: ykcs11",
                f"Remove {name}:, or use driver: yubikit (the default without module:)")
    module = _read_module(fields["module"]) if "module" in fields else YKCS11_MODULE
    slot = None
    if "slot" in fields:
        raw = fields["slot"].value
        slot = str(raw) if isinstance(raw, int) and not isinstance(raw, bool) else \
            fields["slot"].text("Write the PIV slot, e.g. 9c").lower().removeprefix("0x")
    intermediates = None
    if "attestation-intermediates" in fields:
        located = fields["attestation-intermediates"]
        intermediates = located.text("Write the full path of a PEM file of Yubico "
                                     "attestation intermediates")
        if not os.path.isabs(intermediates) or "\0" in intermediates:
            raise located.error(
                f"the path {intermediates!r} is not an absolute path",
                "Write the full path of the PEM file, starting with / (Yubico publishes "
                "the file at https://developers.yubico.com/PKI/yubico-intermediate.pem)")
    return HardwareSpec(
        token=TokenSpec(module=module, serial=str(value), yubikey=True, line=located.line,
                        driver=driver),
        slot=slot,
        pin_policy=_policy(fields, "pin-policy", PIN_POLICIES),
        touch_policy=_policy(fields, "touch-policy", TOUCH_POLICIES),
        prepare=fields["prepare"].flag() if "prepare" in fields else False,
        attestation_intermediates=intermediates,
    )


def _policy(fields: dict[str, Located], name: str, options: tuple[str, ...]) -> str | None:
    if name not in fields:
        return None
    return fields[name].choice(options)


def _read_backups(located: Located, key_name: str) -> tuple[tuple[TokenSpec, str], ...]:
    todo = "Write backup-tokens as a list, e.g. [{module: /usr/lib/...so, token-label: backup-a}]"
    backups = []
    for item in located.items(todo):
        refuse_slot_id(item)
        fields = item.fields(BACKUP_FIELDS, ("module",), todo=todo)
        token = read_token(fields, "backup token", item)
        backups.append((token, object_label(fields, key_name)))
    if not backups:
        raise located.error("no backup tokens are listed", "List at least one, or remove the field")
    return tuple(backups)


def read_pins(located: Located) -> tuple[tuple[str, PassphraseSource], ...]:
    """``pins:``: token label or serial -> ``prompt`` or ``{env: VAR}``."""
    located.mapping("Write pins as token label: prompt or token label: {env: VAR}")
    todo = "Write prompt, or {env: VAR} to read the PIN from an environment variable"
    pins = [(name, read_source(entry, todo)) for name, entry in located.entries()]
    return tuple(pins)
