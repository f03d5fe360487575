"""The YubiKeys part of ``ceremony tokens``: what yubikit sees over pcscd.

For every YubiKey plugged in: serial, firmware, form factor, FIPS series,
PIN and PUK tries left, factory credentials still set, and every PIV slot
in use with its algorithm, origin, PIN and touch policies and whether its
key is attested (and under which Yubico hierarchy), from
hsm.yubikey.listing. Flagged: a factory credential, a key that is imported
or not attested, and (given bundles) a key no bundle recorded or a recorded
key the YubiKey no longer holds. Reads only; no PIN is asked.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING, TypedDict

from hsm.errors import KeyBackendError

if TYPE_CHECKING:  # hsm.yubikey.listing loads yubikit: only when a command lists
    from ceremony.cli.token_listing import Listing, RecordedKey
    from hsm.yubikey.listing import YubiKeyReport


class YubiKeysJson(TypedDict):
    """The YubiKeys part of ``ceremony tokens --json``."""

    error: str | None  # why no YubiKey could be listed, or None
    devices: list[dict[str, object]]  # each: its facts, tries, factory credentials, slots


def _reports() -> tuple[list[YubiKeyReport], str | None]:
    from hsm.yubikey.listing import describe_all

    try:
        return describe_all(), None
    except KeyBackendError as error:
        return [], str(error)


def _wanted(report: YubiKeyReport, token_label: str | None) -> bool:
    return token_label is None or token_label in (report.info.label, report.info.serial)


def list_yubikeys(out: Listing, recorded: list[RecordedKey], *, token_label: str | None = None,
                  compare: bool = False) -> None:
    """Add the YubiKeys section to ``out``."""
    reports, error = _reports()
    out.say("YubiKeys (yubikit over pcscd)")
    if error is not None:
        out.say(f"  {error}")
        return
    reports = [r for r in reports if _wanted(r, token_label)]
    if not reports:
        out.say("  no YubiKey" + (f" named {token_label!r}" if token_label else ""))
    for report in reports:
        _one(out, report, recorded, compare)


def _one(out: Listing, report: YubiKeyReport, recorded: list[RecordedKey], compare: bool) -> None:
    info = report.info
    fips = ", FIPS series" if info.fips else ""
    out.say(f"  YubiKey {info.serial}  firmware {info.firmware}, {info.form_factor}{fips}; "
            f"PIN {_tries(report.pin_tries)}, PUK {_tries(report.puk_tries)}")
    if report.error:
        out.flag(f"    {report.error}")
        return
    if report.factory:
        out.flag(f"    FACTORY {', '.join(report.factory).upper()} still set: prepare it "
                 "before a production ceremony (or prepare: true in the script)")
    mine = [key for key in recorded if key.on(info)]
    if not report.slots:
        out.say("    no keys in its PIV slots")
    for slot in report.slots:
        origin = "generated" if slot.generated else "imported"
        out.say(f"    slot {slot.slot}  {slot.algorithm}  {origin}  PIN {slot.pin_policy}, "
                f"touch {slot.touch_policy}")
        if slot.attested:
            out.say(f"      {slot.attestation}")
        else:
            said = slot.attestation if slot.generated else slot.attestation.upper()
            out.flag(f"      {said}")
        if compare:
            from hsm.yubikey import piv_slot

            names = [k for k in mine if k.cka_id == piv_slot(slot.slot).id_bytes]
            if names:
                out.say("      recorded: " + ", ".join(f"{k.name} in {k.bundle}" for k in names))
            else:
                out.flag("      NOT RECORDED by any bundle given: no ceremony made it there")
    _missing(out, report, mine)


def _missing(out: Listing, report: YubiKeyReport, mine: list[RecordedKey]) -> None:
    from hsm.yubikey import piv_slot

    held = {piv_slot(slot.slot).id_bytes for slot in report.slots}
    for key in mine:
        if key.cka_id not in held:
            out.flag(f"    MISSING: key {key.name} of {key.bundle} (CKA_ID "
                     f"{key.cka_id.hex() if key.cka_id else '?'}) is not on this YubiKey")


def _tries(value: int | None) -> str:
    return "tries unknown (firmware before 5.3)" if value is None else f"{value} tries left"


def yubikeys_json() -> YubiKeysJson:
    """``{"error", "devices": [...]}`` for ``ceremony tokens --json``."""
    reports, error = _reports()
    devices: list[dict[str, object]] = []
    for report in reports:
        devices.append({
            **asdict(report.info),
            "label": report.info.label,
            "pin_tries": report.pin_tries,
            "puk_tries": report.puk_tries,
            "factory": list(report.factory),
            "slots": [asdict(slot) for slot in report.slots],
            "error": report.error,
        })
    return {"error": error, "devices": devices}
