"""What is on each YubiKey plugged in, for ``ceremony tokens``.

For every YubiKey: serial, firmware, form factor, FIPS series, PIN and PUK
tries left, which of PIN, PUK and management key are still the factory
ones, and each PIV slot in use with its algorithm, PIN and touch policy and
whether its key is attested: the slot's attestation is read and verified
against the pinned Yubico roots, and the hierarchy that proved it, or the
reason it did not, is given. Reads only: nothing is written, no PIN asked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from hsm.algorithms import algorithm_of_public_key
from hsm.errors import KeyBackendError
from hsm.yubikey.applet import PivApplet
from hsm.yubikey.device import YubiKeyInfo, list_yubikeys, open_yubikey
from hsm.yubikey.signer import PIN_POLICY_NAMES, TOUCH_POLICY_NAMES
from hsm.yubikey.slots import SLOTS

if TYPE_CHECKING:
    from yubikit.piv import SlotMetadata


@dataclass(frozen=True)
class SlotReport:
    slot: str
    algorithm: str
    generated: bool
    pin_policy: str
    touch_policy: str
    attested: bool
    attestation: str  # the hierarchy that proved the key, or why not


@dataclass
class YubiKeyReport:
    info: YubiKeyInfo
    pin_tries: int | None = None
    puk_tries: int | None = None
    factory: list[str] = field(default_factory=list)
    slots: list[SlotReport] = field(default_factory=list)
    error: str | None = None


def _slot_report(applet: PivApplet, name: str, metadata: SlotMetadata) -> SlotReport:
    try:
        algorithm = algorithm_of_public_key(metadata.public_key).name
    except KeyBackendError:
        algorithm = f"{metadata.key_type.name} (not a ceremony algorithm)"
    attested, said = False, "imported: an imported key cannot be attested"
    if metadata.generated:
        try:
            attestation = applet.attest(name, metadata.public_key)
            attested, said = True, f"attested under {attestation.hierarchy}"
        except KeyBackendError as error:
            said = f"NOT ATTESTED: {error.what}"
    return SlotReport(name, algorithm, bool(metadata.generated),
                      PIN_POLICY_NAMES.get(int(metadata.pin_policy), "default"),
                      TOUCH_POLICY_NAMES.get(int(metadata.touch_policy), "default"),
                      attested, said)


def describe(info: YubiKeyInfo) -> YubiKeyReport:
    """The report for one YubiKey (its ``error`` says what could not be read)."""
    report = YubiKeyReport(info)
    try:
        device = open_yubikey(info.serial)
    except KeyBackendError as error:
        report.error = str(error)
        return report
    try:
        applet = PivApplet(device, production=False)
        tries = applet.tries_left()
        report.pin_tries, report.puk_tries = tries.pin, tries.puk
        report.factory = applet.credentials().refusals()
        for name, slot in SLOTS.items():
            metadata = applet.slot_metadata(slot)
            if metadata is not None:
                report.slots.append(_slot_report(applet, name, metadata))
    except KeyBackendError as error:
        report.error = str(error)
    finally:
        device.close()
    return report


def describe_all() -> list[YubiKeyReport]:
    """A report for every YubiKey plugged in."""
    return [describe(info) for info in list_yubikeys()]
