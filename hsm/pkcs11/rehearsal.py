"""Throwaway SoftHSM2 tokens for rehearsals and tests, never for production.

:func:`write_softhsm_config` makes a private directory (mode 0700) with its
own ``softhsm2.conf``; :func:`init_token` initialises a free SoftHSM slot with
a label, an SO PIN and a user PIN. python-pkcs11 0.10 has no ``C_InitToken``,
and ``softhsm2-util`` only takes PINs on its command line (where every user
of the machine can read them), so the few calls needed are made here through
``ctypes``. The PINs arrive as arguments (``scripts/softhsm-token`` passes
them through the environment of this one process, never a command line) and
are never printed.

Run as ``python -m hsm.pkcs11.rehearsal MODULE LABEL`` with SOFTHSM2_CONF,
SOFTHSM_SO_PIN and SOFTHSM_USER_PIN set; prints the new token's serial.
"""

from __future__ import annotations

import ctypes
import os
import sys
from pathlib import Path

from hsm.errors import KeyBackendError

SOFTHSM_MODULE = "/usr/lib/softhsm/libsofthsm2.so"

_ULONG = ctypes.c_ulong
_CKR_OK = 0
_CKR_ALREADY_INITIALIZED = 0x191
_CKF_TOKEN_INITIALIZED = 0x400
_CKF_SERIAL_RW = 0x4 | 0x2
_CKU_SO = 0
_REASONS = {
    0xA0: "the SO PIN is wrong",
    0xA2: "a PIN is too short or too long (SoftHSM wants 4 to 255 characters)",
    0xA1: "a PIN has characters the token does not accept",
    0xE0: "the token is not present",
    0x3: "the slot does not exist",
}


class _Version(ctypes.Structure):
    _fields_ = [("major", ctypes.c_ubyte), ("minor", ctypes.c_ubyte)]


class _TokenInfo(ctypes.Structure):
    _fields_ = [
        ("label", ctypes.c_char * 32),
        ("manufacturerID", ctypes.c_char * 32),
        ("model", ctypes.c_char * 16),
        ("serialNumber", ctypes.c_char * 16),
        ("flags", _ULONG),
        ("ulMaxSessionCount", _ULONG),
        ("ulSessionCount", _ULONG),
        ("ulMaxRwSessionCount", _ULONG),
        ("ulRwSessionCount", _ULONG),
        ("ulMaxPinLen", _ULONG),
        ("ulMinPinLen", _ULONG),
        ("ulTotalPublicMemory", _ULONG),
        ("ulFreePublicMemory", _ULONG),
        ("ulTotalPrivateMemory", _ULONG),
        ("ulFreePrivateMemory", _ULONG),
        ("hardwareVersion", _Version),
        ("firmwareVersion", _Version),
        ("utcTime", ctypes.c_char * 16),
    ]


def write_softhsm_config(directory: str | Path) -> Path:
    """A private SoftHSM directory with its own config; returns the config
    path to export as SOFTHSM2_CONF. An existing config is kept."""
    directory = Path(directory).absolute()
    tokens = directory / "tokens"
    tokens.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(directory, 0o700)
    config = directory / "softhsm2.conf"
    if not config.exists():
        config.write_text(
            "# SoftHSM2 for a ceremony rehearsal: keys are files here, never production.\n"
            f"directories.tokendir = {tokens}\n"
            "objectstore.backend = file\n"
            "log.level = ERROR\n"
            "slots.removable = false\n"
        )
    return config


def _check(rv: int, doing: str) -> None:
    if rv != _CKR_OK:
        reason = _REASONS.get(rv, f"SoftHSM answered 0x{rv:X}")
        raise KeyBackendError(
            f"SoftHSM could not {doing}: {reason}",
            "check the PINs and the SOFTHSM2_CONF directory, then run the script again",
        )


def _slots(lib: ctypes.CDLL) -> list[tuple[int, _TokenInfo]]:
    count = _ULONG(0)
    _check(lib.C_GetSlotList(ctypes.c_ubyte(1), None, ctypes.byref(count)), "list slots")
    ids = (_ULONG * max(count.value, 1))()
    _check(lib.C_GetSlotList(ctypes.c_ubyte(1), ids, ctypes.byref(count)), "list slots")
    found = []
    for slot in ids[: count.value]:
        info = _TokenInfo()
        _check(lib.C_GetTokenInfo(_ULONG(slot), ctypes.byref(info)), "read a token")
        found.append((slot, info))
    return found


def init_token(module: str, label: str, so_pin: str, user_pin: str) -> str:
    """Initialise a free slot as token ``label`` with both PINs; its serial."""
    padded = label.encode("utf-8")
    if not padded or len(padded) > 32:
        raise KeyBackendError(
            f"the token label {label!r} must be 1 to 32 bytes", "choose a shorter label"
        )
    lib = ctypes.CDLL(module)
    rv = lib.C_Initialize(None)
    owned = rv == _CKR_OK
    if rv not in (_CKR_OK, _CKR_ALREADY_INITIALIZED):
        _check(rv, "start")
    try:
        slots = _slots(lib)
        if any(info.label.decode().rstrip() == label for _, info in slots
               if info.flags & _CKF_TOKEN_INITIALIZED):
            raise KeyBackendError(
                f"a SoftHSM token labelled {label!r} already exists here",
                "choose another label or another directory",
            )
        free = [slot for slot, info in slots if not info.flags & _CKF_TOKEN_INITIALIZED]
        if not free:
            raise KeyBackendError("SoftHSM has no free slot", "use another directory")
        so = so_pin.encode("utf-8")
        user = user_pin.encode("utf-8")
        name = padded.ljust(32, b" ")
        _check(lib.C_InitToken(_ULONG(free[0]), so, _ULONG(len(so)), name), "initialise the token")
        # SoftHSM moves an initialised token to a new slot: find it by label.
        slot, info = next(
            (s, i) for s, i in _slots(lib)
            if i.flags & _CKF_TOKEN_INITIALIZED and i.label.decode().rstrip() == label
        )
        session = _ULONG(0)
        _check(
            lib.C_OpenSession(_ULONG(slot), _ULONG(_CKF_SERIAL_RW), None, None,
                              ctypes.byref(session)),
            "open a session",
        )
        try:
            _check(lib.C_Login(session, _ULONG(_CKU_SO), so, _ULONG(len(so))), "log in as SO")
            _check(lib.C_InitPIN(session, user, _ULONG(len(user))), "set the user PIN")
            lib.C_Logout(session)
        finally:
            lib.C_CloseSession(session)
        return bytes(info.serialNumber).decode().strip()
    finally:
        if owned:
            lib.C_Finalize(None)


# The command line of this module prints its answer (the new token's serial)
# and its errors: that is its whole job, hence the print calls below.
def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(  # noqa: T201
            "usage: python -m hsm.pkcs11.rehearsal MODULE LABEL "
            "(PINs in SOFTHSM_SO_PIN and SOFTHSM_USER_PIN)",
            file=sys.stderr,
        )
        return 2
    module, label = argv
    so_pin = os.environ.pop("SOFTHSM_SO_PIN", "")
    user_pin = os.environ.pop("SOFTHSM_USER_PIN", "")
    if not so_pin or not user_pin:
        print(  # noqa: T201
            "softhsm-token: both an SO PIN and a user PIN are needed", file=sys.stderr
        )
        return 2
    try:
        print(init_token(module, label, so_pin, user_pin))  # noqa: T201
    except KeyBackendError as error:
        print(f"softhsm-token: {error}", file=sys.stderr)  # noqa: T201
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
