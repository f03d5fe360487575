"""What can be known about a YubiKey before a ceremony, without its PIN.

Through yubikit, everything preflight needs costs nothing: the YubiKey is
plugged in (by serial), its firmware can make each algorithm the script
asks for, the PIN is not blocked and how many tries are left, whether the
PIN, PUK and management key are still the factory ones (refused in a
production ceremony unless the script prepares the YubiKey), and whether
the slots to fill are free and the slots of current keys hold a key. The
answer is a list of hsm.pkcs11 ``Problem`` (``blocking`` ones stop the
ceremony), like the PKCS#11 preflight's. Nothing is written and no try is
spent.
"""

from __future__ import annotations

from collections.abc import Iterable

from hsm.errors import KeyBackendError
from hsm.pkcs11.preflight import Problem
from hsm.yubikey.applet import PivApplet
from hsm.yubikey.device import YubiKeyInfo, open_yubikey
from hsm.yubikey.key_types import require_firmware
from hsm.yubikey.slots import piv_slot


def check_yubikey(
    serial: str,
    *,
    algorithms: Iterable[str] = (),
    slots_to_fill: Iterable[str] = (),
    slots_in_use: Iterable[tuple[str, str]] = (),
    production: bool = True,
    prepare: bool = False,
) -> tuple[YubiKeyInfo, list[Problem]]:
    """(the YubiKey's facts, the problems found); raises KeyBackendError when
    the YubiKey cannot be reached at all (not plugged in, no pcscd)."""
    device = open_yubikey(serial)
    try:
        applet = PivApplet(device, production=production, prepare=prepare)
        info, problems = device.info, []
        for algorithm in sorted(set(algorithms)):
            try:
                require_firmware(algorithm, info.firmware, where=info.name)
            except KeyBackendError as error:
                problems.append(Problem(error.what, error.todo))
        tries = applet.tries_left()
        if tries.pin == 0:
            problems.append(Problem(f"the PIN of {info.name} is blocked",
                                    "unblock it with the PUK on a prepared machine"))
        elif tries.pin is not None and tries.pin < 3:
            problems.append(Problem(f"{info.name} has {tries.pin} PIN tries left",
                                    "an earlier PIN was wrong; check the PIN record",
                                    blocking=False))
        factory = applet.credentials().refusals()
        if factory and production and not prepare:
            problems.append(Problem(
                f"{info.name} still has its factory {' and '.join(factory)}",
                "prepare it before the ceremony (docs/reference/hardware.md), or mark the key "
                "`prepare: true` to replace them in this ceremony"))
        elif factory:
            problems.append(Problem(
                f"{info.name} still has its factory {' and '.join(factory)}",
                "they are replaced in this ceremony" if prepare else
                "allowed in a rehearsal only", blocking=False))
        for name in slots_to_fill:
            if applet.slot_metadata(piv_slot(name)) is not None:
                problems.append(Problem(
                    f"slot {name} of {info.name} already holds a key",
                    "the tool never overwrites a slot: clear it first, or choose another"))
        for key, name in slots_in_use:
            if applet.slot_metadata(piv_slot(name)) is None:
                problems.append(Problem(f"slot {name} of {info.name} holds no key, and key "
                                        f"{key} is recorded there",
                                        "check that the right YubiKey is inserted"))
        return info, problems
    finally:
        device.close()
