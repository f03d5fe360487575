"""YubiKey PIV attestation, verified by pure code (no device, no network).

A YubiKey proves that a key was generated inside it with two certificates:
the slot's attestation certificate (subject "YubiKey PIV Attestation 9c"),
signed by the device's attestation key in slot f9, whose certificate is in
turn signed by Yubico's PIV root CA. :func:`verify_attestation` checks that
chain signature by signature up to a pinned root, checks every certificate
is valid now, checks that the attested public key is the key the ceremony
uses, and reads the facts Yubico puts in extensions under
1.3.6.1.4.1.41482.3: firmware (.3), serial number (.7), PIN and touch
policies (.8) and form factor (.9).

The root is the "Yubico PIV Root CA Serial 263751" shipped next to this file
(yubico-piv-ca.pem), pinned by its SHA-256 fingerprint. YubiKeys with
firmware 5.7.4 or later chain to "Yubico Attestation Root 1" through
intermediates that are not on the device: pass those (and that root) with
``roots=`` and ``intermediates=``. Only keys generated on the device can be
attested; an imported key has no attestation.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib import resources

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import NameOID

from hsm.errors import KeyBackendError

YUBICO = "1.3.6.1.4.1.41482.3"
OID_FIRMWARE = x509.ObjectIdentifier(f"{YUBICO}.3")
OID_SERIAL = x509.ObjectIdentifier(f"{YUBICO}.7")
OID_POLICY = x509.ObjectIdentifier(f"{YUBICO}.8")
OID_FORM_FACTOR = x509.ObjectIdentifier(f"{YUBICO}.9")

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

SHIPPED_ROOT_FILE = "yubico-piv-ca.pem"
# "Yubico PIV Root CA Serial 263751" as Yubico publishes it since 2018; the
# same fingerprint is listed by independent projects that pin this root.
PINNED_ROOT_SHA256 = {
    "63ece914e54dd87915f34033c85af4c0696ba1512f8add66ced738331207b546",
}


class AttestationError(KeyBackendError):
    """An attestation does not prove what it must; the key is not trusted."""


@dataclass(frozen=True)
class Attestation:
    """What a verified attestation says about a key and its YubiKey."""

    slot: str | None
    serial: int | None
    firmware: str | None
    pin_policy: str | None
    touch_policy: str | None
    form_factor: str | None
    device_subject: str
    root_subject: str
    root_sha256: str
    slot_certificate_pem: str
    device_certificate_pem: str

    def facts(self) -> dict:
        """For the transcript: the facts, and both certificates to re-check."""
        return {
            "attested_slot": self.slot,
            "attested_serial": self.serial,
            "attested_firmware": self.firmware,
            "pin_policy": self.pin_policy,
            "touch_policy": self.touch_policy,
            "form_factor": self.form_factor,
            "attestation_root": self.root_subject,
            "attestation_root_sha256": self.root_sha256,
            "attestation_certificate": self.slot_certificate_pem,
            "device_certificate": self.device_certificate_pem,
        }


# loading -----------------------------------------------------------------------
def load_certificate(data, what: str = "certificate") -> x509.Certificate:
    """A certificate from PEM or DER bytes (or text, or a Certificate)."""
    if isinstance(data, x509.Certificate):
        return data
    raw = data.encode() if isinstance(data, str) else bytes(data)
    try:
        if raw.lstrip().startswith(b"-----BEGIN"):
            return x509.load_pem_x509_certificate(raw)
        return x509.load_der_x509_certificate(raw)
    except ValueError:
        raise AttestationError(
            f"the {what} is not a readable X.509 certificate",
            "read it from the YubiKey again (ykman piv keys attest / "
            "ykman piv certificates export f9)",
        ) from None


def load_roots(path: str) -> list[x509.Certificate]:
    """Root certificates from a PEM file (one or more), for ``roots=``."""
    try:
        with open(path, "rb") as handle:
            return x509.load_pem_x509_certificates(handle.read())
    except (OSError, ValueError) as error:
        raise AttestationError(
            f"the attestation root file {path} cannot be read ({type(error).__name__})",
            "check the path, or leave it out to use the Yubico root shipped with the tool",
        ) from None


def shipped_roots() -> list[x509.Certificate]:
    """The Yubico PIV root CA shipped with the tool, checked against its pin."""
    data = resources.files("hsm.yubikey").joinpath(SHIPPED_ROOT_FILE).read_bytes()
    roots = x509.load_pem_x509_certificates(data)
    for root in roots:
        if _sha256(root) not in PINNED_ROOT_SHA256:
            raise AttestationError(
                f"the shipped Yubico root file {SHIPPED_ROOT_FILE} holds a certificate "
                "that is not the pinned Yubico PIV root",
                "restore the file from the release; do not trust attestations until then",
            )
    return roots


def _sha256(cert: x509.Certificate) -> str:
    return hashlib.sha256(cert.public_bytes(serialization.Encoding.DER)).hexdigest()


def _pem(cert: x509.Certificate) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def _subject(cert: x509.Certificate) -> str:
    names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(names[0].value) if names else cert.subject.rfc4514_string()


def _issued_by(child: x509.Certificate, parent: x509.Certificate) -> bool:
    try:
        child.verify_directly_issued_by(parent)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


# extensions --------------------------------------------------------------------
def _extension(cert: x509.Certificate, oid) -> bytes | None:
    try:
        value = cert.extensions.get_extension_for_oid(oid).value
    except x509.ExtensionNotFound:
        return None
    return getattr(value, "value", None)


def _der_integer(data: bytes) -> int:
    if len(data) < 3 or data[0] != 0x02:
        raise ValueError("not an INTEGER")
    length, offset = data[1], 2
    if length & 0x80:
        count = length & 0x7F
        length = int.from_bytes(data[2 : 2 + count], "big")
        offset = 2 + count
    body = data[offset : offset + length]
    if len(body) != length or not body:
        raise ValueError("truncated INTEGER")
    return int.from_bytes(body, "big", signed=True)


def read_extensions(cert: x509.Certificate) -> dict:
    """Yubico's facts from a slot attestation certificate (None when absent)."""
    facts = {
        "firmware": None, "serial": None, "pin_policy": None,
        "touch_policy": None, "form_factor": None,
    }
    try:
        firmware = _extension(cert, OID_FIRMWARE)
        if firmware is not None:
            if len(firmware) != 3:
                raise ValueError("firmware")
            facts["firmware"] = "%d.%d.%d" % tuple(firmware)
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
        if form is not None and len(form) == 1:
            facts["form_factor"] = FORM_FACTORS.get(form[0] & 0x0F, f"unknown ({form[0]})")
    except ValueError as error:
        raise AttestationError(
            f"the attestation certificate has a malformed Yubico {error} extension",
            "read it from the YubiKey again; if it persists, do not trust the key",
        ) from None
    return facts


# verifying ---------------------------------------------------------------------
def verify_attestation(
    slot_certificate,
    device_certificate,
    public_key=None,
    *,
    roots=None,
    intermediates=(),
    slot: str | None = None,
    serial: int | None = None,
    now: datetime | None = None,
) -> Attestation:
    """Verify a slot attestation and return what it says, or raise
    :class:`AttestationError` saying what does not hold.

    ``public_key`` (a ``cryptography`` key or PEM) must be the attested key;
    ``roots`` defaults to the shipped Yubico PIV root; ``slot`` and ``serial``,
    when given, must match what the certificate says.
    """
    attested = load_certificate(slot_certificate, "slot attestation certificate")
    device = load_certificate(device_certificate, "device (f9) certificate")
    trusted = [load_certificate(r, "root certificate") for r in (roots or shipped_roots())]
    between = [load_certificate(c, "intermediate certificate") for c in intermediates]
    now = now or datetime.now(timezone.utc)

    if not _issued_by(attested, device):
        raise AttestationError(
            "the slot attestation certificate was not signed by this YubiKey's "
            "device certificate (slot f9)",
            "read both certificates from the same YubiKey again; if it persists, do "
            "not trust the key",
        )
    path, current, root = [device], device, None
    for _ in range(len(between) + 1):
        root = next((r for r in trusted if _issued_by(current, r)), None)
        if root is not None:
            break
        current = next(
            (c for c in between if c not in path and _issued_by(current, c)), None
        )
        if current is None:
            break
        path.append(current)
    if root is None:
        raise AttestationError(
            "the YubiKey's device certificate does not chain to the Yubico PIV root CA",
            "this attestation proves nothing: the device may not be a genuine YubiKey "
            "or its attestation key was replaced; do not use it for a root key",
        )
    for cert, what in [(attested, "slot attestation"), *((c, "device or intermediate")
                       for c in path), (root, "root")]:
        if not cert.not_valid_before_utc <= now <= cert.not_valid_after_utc:
            raise AttestationError(
                f"the {what} certificate ({_subject(cert)}) is not valid on "
                f"{now:%Y-%m-%d}",
                "check the computer's clock; if it is right, do not trust this attestation",
            )

    attested_key = attested.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    if public_key is not None:
        if isinstance(public_key, (str, bytes)):
            data = public_key.encode() if isinstance(public_key, str) else public_key
            public_key = serialization.load_pem_public_key(data)
        used = public_key.public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        if used != attested_key:
            raise AttestationError(
                "the attested public key is not the key the ceremony uses",
                "the slot holds another key than the one attested: generate the key "
                "again on the YubiKey and attest it at once",
            )

    facts = read_extensions(attested)
    subject = _subject(attested)
    attested_slot = subject.rsplit(" ", 1)[-1].lower() if "Attestation" in subject else None
    if slot is not None and attested_slot != slot.lower():
        raise AttestationError(
            f"the attestation is for slot {attested_slot}, not slot {slot}",
            "read the attestation of the slot the ceremony uses",
        )
    if serial is not None and facts["serial"] != int(serial):
        raise AttestationError(
            f"the attestation names YubiKey serial {facts['serial']}, not {serial}",
            "check that the right YubiKey is inserted",
        )
    return Attestation(
        slot=attested_slot,
        serial=facts["serial"],
        firmware=facts["firmware"],
        pin_policy=facts["pin_policy"],
        touch_policy=facts["touch_policy"],
        form_factor=facts["form_factor"],
        device_subject=_subject(device),
        root_subject=_subject(root),
        root_sha256=_sha256(root),
        slot_certificate_pem=_pem(attested),
        device_certificate_pem=_pem(device),
    )
