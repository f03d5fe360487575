"""Yubico's facts in PIV attestation certificates, read the same for both hierarchies.

A slot attestation certificate carries, under 1.3.6.1.4.1.41482.3:
firmware (.3, three bytes), serial number (.7, a DER INTEGER), PIN and touch
policy (.8, two bytes) and form factor (.9, one byte: the low four bits the
form factor, 0x80 the FIPS series, 0x40 the Security Key series). A device
(f9) certificate may carry the firmware (.3) and, on FIPS YubiKeys, .10.
Both generations ("Yubico PIV Root CA Serial 263751" and "Yubico
Attestation Root 1") use these encodings; tests hold that against real
published attestations of each. Pure code: no device.
"""

from __future__ import annotations

from typing import TypedDict

from cryptography import x509

from hsm.yubikey.errors import AttestationError

YUBICO = "1.3.6.1.4.1.41482.3"
OID_FIRMWARE = x509.ObjectIdentifier(f"{YUBICO}.3")
OID_SERIAL = x509.ObjectIdentifier(f"{YUBICO}.7")
OID_POLICY = x509.ObjectIdentifier(f"{YUBICO}.8")
OID_FORM_FACTOR = x509.ObjectIdentifier(f"{YUBICO}.9")
OID_FIPS = x509.ObjectIdentifier(f"{YUBICO}.10")

PIN_POLICIES = {1: "never", 2: "once", 3: "always", 4: "match-once", 5: "match-always"}
TOUCH_POLICIES = {1: "never", 2: "always", 3: "cached"}
FORM_FACTORS = {
    0: "unspecified",
    1: "USB-A keychain",
    2: "USB-A nano",
    3: "USB-C keychain",
    4: "USB-C nano",
    5: "USB-C and Lightning keychain",
    6: "USB-A Bio keychain",
    7: "USB-C Bio keychain",
}
FIPS_SERIES = 0x80
SECURITY_KEY_SERIES = 0x40


def _extension(cert: x509.Certificate, oid: x509.ObjectIdentifier) -> bytes | None:
    try:
        value = cert.extensions.get_extension_for_oid(oid).value
    except x509.ExtensionNotFound:
        return None
    raw = getattr(value, "value", None)
    return bytes(raw) if raw is not None else None


def _der_integer(data: bytes) -> int:
    if len(data) < 3 or data[0] != 0x02:
        raise ValueError("serial")
    length, offset = data[1], 2
    if length & 0x80:
        count = length & 0x7F
        length = int.from_bytes(data[2 : 2 + count], "big")
        offset = 2 + count
    body = data[offset : offset + length]
    if len(body) != length or not body or offset + length != len(data):
        raise ValueError("serial")
    return int.from_bytes(body, "big", signed=True)


def firmware_of(cert: x509.Certificate) -> str | None:
    """The firmware version a slot or device certificate states, e.g. "5.7.4"."""
    firmware = _extension(cert, OID_FIRMWARE)
    if firmware is None:
        return None
    if len(firmware) != 3:
        raise AttestationError(
            "the attestation certificate has a malformed Yubico firmware extension",
            "read it from the YubiKey again; if it persists, do not trust the key",
        )
    return ".".join(str(part) for part in firmware)


class YubicoFacts(TypedDict):
    """What Yubico's extensions of a slot attestation certificate state."""

    firmware: str | None
    serial: int | None
    pin_policy: str | None
    touch_policy: str | None
    form_factor: str | None
    fips_series: bool | None
    security_key_series: bool | None


def read_extensions(cert: x509.Certificate) -> YubicoFacts:
    """Yubico's facts from a slot attestation certificate (None when absent)."""
    facts: YubicoFacts = {
        "firmware": firmware_of(cert), "serial": None, "pin_policy": None,
        "touch_policy": None, "form_factor": None, "fips_series": None,
        "security_key_series": None,
    }
    try:
        serial = _extension(cert, OID_SERIAL)
        if serial is not None:
            facts["serial"] = _der_integer(serial)
        policy = _extension(cert, OID_POLICY)
        if policy is not None:
            if len(policy) != 2:
                raise ValueError("policy")
            facts["pin_policy"] = PIN_POLICIES.get(policy[0], f"unknown ({policy[0]})")
            facts["touch_policy"] = TOUCH_POLICIES.get(policy[1], f"unknown ({policy[1]})")
        form = _extension(cert, OID_FORM_FACTOR)
        if form is not None:
            if len(form) != 1:
                raise ValueError("form factor")
            code = form[0]
            facts["form_factor"] = FORM_FACTORS.get(code & 0x0F, f"unknown ({code & 0x0F})")
            facts["fips_series"] = bool(code & FIPS_SERIES)
            facts["security_key_series"] = bool(code & SECURITY_KEY_SERIES)
    except ValueError as error:
        raise AttestationError(
            f"the attestation certificate has a malformed Yubico {error} extension",
            "read it from the YubiKey again; if it persists, do not trust the key",
        ) from None
    return facts


def device_is_fips(device: x509.Certificate) -> bool:
    """Whether the device (f9) certificate carries Yubico's FIPS extension (.10)."""
    return _extension(device, OID_FIPS) is not None
