"""Yubico's PIV attestation authorities: the shipped certificates and their pins.

Two hierarchies prove that a PIV key was made inside a genuine YubiKey:
"Yubico PIV Root CA Serial 263751" (firmware before 5.7.4, the device
certificate signed by the root itself) and "Yubico Attestation Root 1"
(firmware 5.7.4 and later, through a "Yubico PIV Attestation A 1 / B 1"
and a "Yubico Attestation Intermediate A 1 / B 1" that are not on the
device). Their certificates ship in ``certificates/`` (see the README
there for where each came from); their SHA-256 fingerprints are pinned
here, in code, and a shipped file that does not match its pin is refused.
Pure data and loading: no device, no network, never a certificate taken
from the machine's own trust store.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from collections.abc import Container
from dataclasses import dataclass
from importlib import resources

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import NameOID

from hsm.yubikey.errors import AttestationError

CERTIFICATES = "certificates"
ROOT_FILES = ("yubico-piv-root-ca-263751.pem", "yubico-attestation-root-1.pem")
INTERMEDIATE_FILE = "yubico-piv-attestation-intermediates.pem"
PUBLISHED_AT = "https://developers.yubico.com/PKI/"
INTERMEDIATES_URL = "https://developers.yubico.com/PKI/yubico-intermediate.pem"


@dataclass(frozen=True)
class Hierarchy:
    """One of Yubico's attestation hierarchies, named by its root."""

    root: str
    firmware: str  # which YubiKeys attest under it, in the operator's words
    source: str  # where Yubico publishes the root

    @property
    def name(self) -> str:
        return f"{self.root} ({self.firmware})"


PIV_ROOT_CA = Hierarchy(
    "Yubico PIV Root CA Serial 263751",
    "firmware before 5.7.4",
    "https://developers.yubico.com/PIV/Introduction/piv-attestation-ca.pem",
)
ATTESTATION_ROOT_1 = Hierarchy(
    "Yubico Attestation Root 1",
    "firmware 5.7.4 and later",
    "https://developers.yubico.com/PKI/yubico-ca-1.pem",
)

# SHA-256 of each root's DER certificate, as Yubico publishes them.
PINNED_ROOTS: dict[str, Hierarchy] = {
    "63ece914e54dd87915f34033c85af4c0696ba1512f8add66ced738331207b546": PIV_ROOT_CA,
    "62760c6a6ef91679f454c8902b80fd009825b3f25da90f1fbace2ec6586cd5a8": ATTESTATION_ROOT_1,
}
# The PIV branch of "Yubico Attestation Root 1" (yubico-intermediate.pem).
PINNED_INTERMEDIATES: dict[str, str] = {
    "4698a1d3389c3ec60016c216250f1d0439922832d65142327436376dc2942b55":
        "Yubico Attestation Intermediate A 1",
    "6de693f05376f5d8ca29069261e1c8626c75d503bd2edbfd75354cad1f722870":
        "Yubico PIV Attestation A 1",
    "d4cc3f456fdaf4e7812a21aab1dfe9d8e27d24e2fd2d6f21c9940109f0daa754":
        "Yubico Attestation Intermediate B 1",
    "2d55b7998f4e42569d6d8fa382b6dc77d1dacf07358b19701163892922b17052":
        "Yubico PIV Attestation B 1",
}


def sha256(cert: x509.Certificate) -> str:
    """The lowercase hex SHA-256 of a certificate's DER encoding."""
    return hashlib.sha256(cert.public_bytes(serialization.Encoding.DER)).hexdigest()


def common_name(name: x509.Name) -> str:
    names = name.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(names[0].value) if names else name.rfc4514_string()


def hierarchy_of(root: x509.Certificate) -> Hierarchy | None:
    """The pinned hierarchy ``root`` is the root of, or None (a test root)."""
    return PINNED_ROOTS.get(sha256(root))


def _shipped(filename: str, pins: Container[str], what: str) -> list[x509.Certificate]:
    data = resources.files("hsm.yubikey").joinpath(CERTIFICATES, filename).read_bytes()
    certs = x509.load_pem_x509_certificates(data)
    for cert in certs:
        if sha256(cert) not in pins:
            raise AttestationError(
                f"the shipped file {CERTIFICATES}/{filename} holds a certificate "
                f"({common_name(cert.subject)}) that is not a pinned Yubico {what}",
                "restore the file from the release; trust no attestation until then",
            )
    return certs


def shipped_roots() -> list[x509.Certificate]:
    """Both Yubico PIV attestation roots, each checked against its pin."""
    return [cert for name in ROOT_FILES for cert in _shipped(name, PINNED_ROOTS, "root")]


def shipped_intermediates() -> list[x509.Certificate]:
    """Yubico's PIV attestation intermediates, each checked against its pin."""
    return _shipped(INTERMEDIATE_FILE, PINNED_INTERMEDIATES, "PIV intermediate")


# A certificate as callers hold it: parsed, or PEM or DER (bytes or text).
CertificateInput = x509.Certificate | str | bytes


def load_certificate(data: CertificateInput, what: str = "certificate") -> x509.Certificate:
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


def load_certificates(path: str, what: str) -> list[x509.Certificate]:
    """Certificates from a PEM file (one or more), e.g. intermediates an
    operator brought: they are candidates for a chain, never trust anchors."""
    try:
        # a plain file only: never through a link, never blocking on a pipe
        descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
        with os.fdopen(descriptor, "rb") as handle:
            if not stat.S_ISREG(os.fstat(descriptor).st_mode):
                raise ValueError("not a plain file")
            data = handle.read(1_000_001)
        if len(data) > 1_000_000:
            raise ValueError("too large")
        return x509.load_pem_x509_certificates(data)
    except (OSError, ValueError) as error:
        why = (
            "a symbolic link" if isinstance(error, OSError) and error.errno == errno.ELOOP
            else error.strerror if isinstance(error, OSError) else str(error)
        )
        raise AttestationError(
            f"the {what} file {path} cannot be read as PEM certificates ({why})",
            f"check the path; Yubico publishes its intermediates at {INTERMEDIATES_URL}",
        ) from None


def load_roots(path: str) -> list[x509.Certificate]:
    """Root certificates from a PEM file, for ``roots=`` (tests and rehearsals)."""
    return load_certificates(path, "attestation root")
