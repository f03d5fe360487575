"""Which ceremony algorithms a YubiKey's PIV applet can make, from which firmware.

P-256 and P-384 keys are made by every YubiKey 4 and 5 (P-384 from 4.0);
Ed25519, RSA 3072 and RSA 4096 only by firmware 5.7 and later. Each entry
also gives the PIV algorithm byte (as yubikit's KEY_TYPE numbers it).
:func:`require_firmware` refuses, with the reason, an algorithm the
firmware cannot make: used before generating, and when an attestation
names a firmware too old for the key it attests. Pure data.
"""

from __future__ import annotations

from dataclasses import dataclass

from hsm.yubikey.errors import FirmwareTooOldError


@dataclass(frozen=True)
class PivKeyType:
    """One algorithm as the PIV applet knows it."""

    algorithm: str  # the ceremony's name, e.g. "ed25519"
    piv_byte: int  # yubikit KEY_TYPE value
    minimum_firmware: tuple[int, int, int]


PIV_KEY_TYPES: dict[str, PivKeyType] = {
    t.algorithm: t
    for t in (
        PivKeyType("ecdsa-p256", 0x11, (4, 0, 0)),
        PivKeyType("ecdsa-p384", 0x14, (4, 0, 0)),
        PivKeyType("ed25519", 0xE0, (5, 7, 0)),
        PivKeyType("rsa-3072", 0x05, (5, 7, 0)),
        PivKeyType("rsa-4096", 0x16, (5, 7, 0)),
    )
}


def parse_firmware(text: str | None) -> tuple[int, ...] | None:
    """"5.7.4" as (5, 7, 4); None when unknown or unreadable."""
    if not text:
        return None
    try:
        return tuple(int(part) for part in str(text).split("."))
    except ValueError:
        return None


def piv_key_type(algorithm: str) -> PivKeyType:
    """The PIV key type for ``algorithm``, or a clear refusal."""
    try:
        return PIV_KEY_TYPES[algorithm]
    except KeyError:
        raise FirmwareTooOldError(
            f"a YubiKey cannot make {algorithm!r} keys",
            f"use one of: {', '.join(PIV_KEY_TYPES)}",
        ) from None


def require_firmware(algorithm: str, firmware: str | None, *, where: str = "this YubiKey") -> None:
    """Refuse ``algorithm`` when ``firmware`` is too old to make it."""
    wanted = piv_key_type(algorithm).minimum_firmware
    have = parse_firmware(firmware)
    if have is None or have >= wanted:
        return
    need = ".".join(map(str, wanted[:2]))
    raise FirmwareTooOldError(
        f"{where} has firmware {firmware}, and {algorithm} keys need firmware {need} "
        "or later",
        f"use a YubiKey with firmware {need} or later (every YubiKey 5 sold since 2024), "
        "or choose ecdsa-p256 for this key; firmware cannot be upgraded",
    )
