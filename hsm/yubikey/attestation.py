"""YubiKey PIV attestation, verified by pure code (no device, no network).

A YubiKey proves that a key was generated inside it with a chain of
certificates: the slot's attestation certificate ("YubiKey PIV Attestation
9c"), signed by the device's attestation key in slot f9, whose certificate
chains to one of Yubico's two pinned roots (hsm.yubikey.pki): directly to
"Yubico PIV Root CA Serial 263751" (firmware before 5.7.4), or through a
PIV intermediate and an attestation intermediate to "Yubico Attestation
Root 1" (firmware 5.7.4 and later). :func:`verify_attestation` checks each
signature up to a pinned root, that every certificate is valid now and is
a CA where it signs, that the attested public key is the key the ceremony
uses, that the firmware the attestation states can make that key, and
reads Yubico's facts (hsm.yubikey.extensions). The result names the
hierarchy that proved the key. When the chain cannot be completed it says
which certificate is missing and where Yubico publishes it.

Only keys generated on the device can be attested; an imported key has no
attestation. Intermediates an operator brings are candidates only: the
anchors are always the pinned roots (``roots=`` replaces them, for tests
and rehearsals, and the result then says the root is not Yubico's).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes

from hsm.algorithms import algorithm_of_public_key
from hsm.errors import UnsupportedAlgorithmError
from hsm.yubikey.errors import AttestationError
from hsm.yubikey.extensions import device_is_fips, read_extensions
from hsm.yubikey.key_types import require_firmware
from hsm.yubikey.pki import (
    INTERMEDIATES_URL,
    PUBLISHED_AT,
    CertificateInput,
    common_name,
    hierarchy_of,
    load_certificate,
    sha256,
    shipped_intermediates,
    shipped_roots,
)

MAX_INTERMEDIATES = 4
# The key an attestation must be for: a ``cryptography`` public key, or its PEM.
AttestedKey = PublicKeyTypes | str | bytes

UNPINNED = "a root given by the caller, not a pinned Yubico root (tests and rehearsals only)"


@dataclass(frozen=True)
class Attestation:
    """What a verified attestation says about a key and its YubiKey."""

    slot: str | None
    serial: int | None
    firmware: str | None
    pin_policy: str | None
    touch_policy: str | None
    form_factor: str | None
    fips_series: bool | None
    device_subject: str
    root_subject: str
    root_sha256: str
    hierarchy: str  # the pinned hierarchy that proved the key, or UNPINNED
    chain: tuple[str, ...]  # subjects from the slot certificate up to the root
    slot_certificate_pem: str
    device_certificate_pem: str
    intermediate_pems: tuple[str, ...] = ()

    @property
    def pinned(self) -> bool:
        return self.hierarchy != UNPINNED

    def facts(self) -> dict[str, object]:
        """For the transcript: the facts, and every certificate to re-check them."""
        return {
            "attested_slot": self.slot,
            "attested_serial": self.serial,
            "attested_firmware": self.firmware,
            "pin_policy": self.pin_policy,
            "touch_policy": self.touch_policy,
            "form_factor": self.form_factor,
            "fips_series": self.fips_series,
            "attestation_hierarchy": self.hierarchy,
            "attestation_chain": list(self.chain),
            "attestation_root": self.root_subject,
            "attestation_root_sha256": self.root_sha256,
            "attestation_certificate": self.slot_certificate_pem,
            "device_certificate": self.device_certificate_pem,
            "attestation_intermediates": list(self.intermediate_pems),
        }


def _pem(cert: x509.Certificate) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def _spki(key: PublicKeyTypes) -> bytes:
    return key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def _issued_by(child: x509.Certificate, parent: x509.Certificate) -> bool:
    try:
        child.verify_directly_issued_by(parent)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def _is_ca(cert: x509.Certificate) -> bool:
    try:
        return bool(cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca)
    except x509.ExtensionNotFound:
        return False


def _unique(certs: Iterable[x509.Certificate]) -> list[x509.Certificate]:
    seen: dict[str, x509.Certificate] = {}
    for cert in certs:
        seen.setdefault(sha256(cert), cert)
    return list(seen.values())


# the chain ----------------------------------------------------------------------
def _chain_to_root(
    device: x509.Certificate, trusted: list[x509.Certificate], candidates: list[x509.Certificate]
) -> tuple[list[x509.Certificate], x509.Certificate]:
    """(device and intermediates, root): the path from ``device`` to a trusted root."""
    path, current = [device], device
    for _ in range(MAX_INTERMEDIATES + 1):
        root = next((r for r in trusted if _issued_by(current, r)), None)
        if root is not None:
            return path, root
        issuer = common_name(current.issuer)
        named = [c for c in candidates if c.subject == current.issuer and c not in path]
        signer = next((c for c in named if _issued_by(current, c)), None)
        if signer is None:
            raise _missing_link(current, issuer, named, trusted, is_device=current is device)
        if not _is_ca(signer):
            raise AttestationError(
                f"the certificate {issuer!r} in the attestation chain is not a "
                "certificate authority",
                "this attestation proves nothing; do not use the key for a root key",
            )
        path.append(signer)
        current = signer
    raise AttestationError(
        f"the attestation chain is longer than {MAX_INTERMEDIATES} intermediates",
        "this is not a Yubico attestation; do not use the key for a root key",
    )


def _missing_link(current: x509.Certificate, issuer: str, named: list[x509.Certificate],
                  trusted: list[x509.Certificate], *, is_device: bool) -> AttestationError:
    what = ("the YubiKey's device certificate (slot f9)" if is_device else
            f"the certificate {common_name(current.subject)!r}")
    if named or any(r.subject == current.issuer for r in trusted):
        return AttestationError(
            f"{what} names {issuer!r} as its issuer, but that certificate's key did not "
            "sign it",
            "this is not a genuine Yubico attestation (a swapped or forged certificate); "
            "do not use the key for a root key",
        )
    if current.issuer == current.subject:
        return AttestationError(
            f"the attestation chain ends at {issuer!r} (SHA-256 {sha256(current)}), "
            "which is not one of the pinned Yubico roots",
            "this attestation proves nothing: the device may not be a genuine YubiKey; "
            "do not use the key for a root key",
        )
    return AttestationError(
        f"{what} was issued by {issuer!r}, which is not among the Yubico attestation "
        "certificates this tool ships, so the chain to a pinned Yubico root cannot be "
        "completed",
        f"Yubico publishes its intermediates at {INTERMEDIATES_URL} (and its roots at "
        f"{PUBLISHED_AT}): fetch that file on a connected machine, compare its "
        "fingerprints with Yubico's page from a second device, and give it to the "
        "ceremony as attestation intermediates; it is accepted only if it chains to a "
        "pinned Yubico root. Until then, do not use the key for a root key",
    )


def _check_dates(certs: list[tuple[x509.Certificate, str]], now: datetime) -> None:
    for cert, what in certs:
        if not cert.not_valid_before_utc <= now <= cert.not_valid_after_utc:
            raise AttestationError(
                f"the {what} certificate ({common_name(cert.subject)}) is not valid on "
                f"{now:%Y-%m-%d} (valid {cert.not_valid_before_utc:%Y-%m-%d} to "
                f"{cert.not_valid_after_utc:%Y-%m-%d})",
                "check the computer's clock; if it is right, do not trust this attestation",
            )


def _check_key(attested: x509.Certificate, public_key: AttestedKey | None) -> None:
    if public_key is None:
        return
    if isinstance(public_key, (str, bytes)):
        data = public_key.encode() if isinstance(public_key, str) else public_key
        public_key = serialization.load_pem_public_key(data)
    if _spki(public_key) != _spki(attested.public_key()):
        raise AttestationError(
            "the attested public key is not the key the ceremony uses",
            "the slot holds another key than the one attested: generate the key "
            "again on the YubiKey and attest it at once",
        )


def _check_firmware(attested: x509.Certificate, firmware: str | None,
                    algorithm: str | None) -> str:
    try:
        made = algorithm_of_public_key(attested.public_key()).name
    except UnsupportedAlgorithmError as error:
        raise AttestationError(f"the attested key is not usable: {error.what}",
                               error.todo) from None
    if algorithm is not None and algorithm != made:
        raise AttestationError(
            f"the attested key is a {made} key, not the {algorithm} key asked for",
            "generate the key again with the algorithm the script names",
        )
    try:
        require_firmware(made, firmware, where="the attested YubiKey")
    except UnsupportedAlgorithmError as error:
        raise AttestationError(
            f"the attestation is inconsistent: {error.what}",
            "do not trust this attestation or the key",
        ) from None
    return made


# verifying ---------------------------------------------------------------------
def verify_attestation(
    slot_certificate: CertificateInput,
    device_certificate: CertificateInput,
    public_key: AttestedKey | None = None,
    *,
    roots: Iterable[CertificateInput] | None = None,
    intermediates: Iterable[CertificateInput] = (),
    slot: str | None = None,
    serial: int | None = None,
    algorithm: str | None = None,
    now: datetime | None = None,
) -> Attestation:
    """Verify a slot attestation and return what it says, or raise
    :class:`AttestationError` saying what does not hold.

    ``public_key`` (a ``cryptography`` key or PEM) must be the attested key;
    ``roots`` defaults to the two pinned Yubico roots; ``intermediates`` are
    added to the shipped ones as candidates; ``slot``, ``serial`` and
    ``algorithm``, when given, must match what the attestation says.
    """
    attested = load_certificate(slot_certificate, "slot attestation certificate")
    device = load_certificate(device_certificate, "device (f9) certificate")
    trusted = [load_certificate(r, "root certificate") for r in
               (shipped_roots() if roots is None else roots)]
    candidates = _unique([*shipped_intermediates(),
                          *(load_certificate(c, "intermediate certificate")
                            for c in intermediates)])
    now = now or datetime.now(UTC)

    if not _issued_by(attested, device) or not _is_ca(device):
        raise AttestationError(
            "the slot attestation certificate was not signed by this YubiKey's "
            "device certificate (slot f9)",
            "read both certificates from the same YubiKey again; if it persists, do "
            "not trust the key",
        )
    path, root = _chain_to_root(device, trusted, candidates)
    _check_dates([(attested, "slot attestation"), (device, "device (f9)"),
                  *((c, "intermediate") for c in path[1:]), (root, "root")], now)
    _check_key(attested, public_key)

    facts = read_extensions(attested)
    _check_firmware(attested, facts["firmware"], algorithm)
    subject = common_name(attested.subject)
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
    hierarchy = hierarchy_of(root)
    fips = facts["fips_series"] or device_is_fips(device)
    return Attestation(
        slot=attested_slot,
        serial=facts["serial"],
        firmware=facts["firmware"],
        pin_policy=facts["pin_policy"],
        touch_policy=facts["touch_policy"],
        form_factor=facts["form_factor"],
        fips_series=True if fips else facts["fips_series"],
        device_subject=common_name(device.subject),
        root_subject=common_name(root.subject),
        root_sha256=sha256(root),
        hierarchy=hierarchy.name if hierarchy is not None else UNPINNED,
        chain=tuple(common_name(c.subject) for c in [attested, *path, root]),
        slot_certificate_pem=_pem(attested),
        device_certificate_pem=_pem(device),
        intermediate_pems=tuple(_pem(c) for c in path[1:]),
    )
