"""Attestation chains shaped like a YubiKey's, made with ``cryptography``.

A test root (RSA, like Yubico's) signs a device certificate (the f9
attestation key), which signs a slot attestation certificate carrying the
attested public key and Yubico's extensions (firmware, serial, policies,
form factor). With ``with_intermediate`` an intermediate whose key the test
holds sits between root and device, as for firmware 5.7.4 and later. Tests
pass the test root explicitly: no test key can make a chain to Yubico's
pinned roots (tests/data/yubikey holds real published ones for that).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

YUBICO = "1.3.6.1.4.1.41482.3"
START = datetime(2020, 1, 1, tzinfo=UTC)
END = datetime(2060, 1, 1, tzinfo=UTC)


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def certificate(subject, issuer, public_key, signing_key, *, ca, extensions=(),
                start=START, end=END):
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(_name(issuer))
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
    )
    if ca:
        builder = builder.add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
    for oid, value in extensions:
        builder = builder.add_extension(
            x509.UnrecognizedExtension(x509.ObjectIdentifier(oid), value), False
        )
    return builder.sign(signing_key, hashes.SHA256())


def yubico_extensions(firmware=(5, 4, 3), serial=12345678, pin=2, touch=2, form=3):
    serial_der = serial.to_bytes((serial.bit_length() + 8) // 8, "big")
    return [
        (f"{YUBICO}.3", bytes(firmware)),
        (f"{YUBICO}.7", bytes([0x02, len(serial_der)]) + serial_der),
        (f"{YUBICO}.8", bytes([pin, touch])),
        (f"{YUBICO}.9", bytes([form])),
    ]


@dataclass
class Chain:
    root: x509.Certificate
    root_key: object
    device: x509.Certificate
    device_key: object
    slot: x509.Certificate
    intermediates: list
    issuer_key: object = None  # the key that signed the device certificate


_RSA_ROOT_KEY = None


def root_key():
    global _RSA_ROOT_KEY
    if _RSA_ROOT_KEY is None:
        _RSA_ROOT_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return _RSA_ROOT_KEY


def make_chain(attested_public_key, *, slot="9c", extensions=None, with_intermediate=False,
               root_signing_key=None, slot_start=START, slot_end=END, device_start=START,
               device_end=END, root_name="Test PIV Root CA",
               intermediate_name="Test PIV Attestation B 1") -> Chain:
    key = root_signing_key or root_key()
    root = certificate(root_name, root_name, key.public_key(), key, ca=True)
    issuer_name, issuer_key, intermediates = root_name, key, []
    if with_intermediate:
        middle_key = ec.generate_private_key(ec.SECP384R1())
        middle = certificate(intermediate_name, issuer_name, middle_key.public_key(),
                             issuer_key, ca=True)
        intermediates.append(middle)
        issuer_name, issuer_key = intermediate_name, middle_key
    device_key = ec.generate_private_key(ec.SECP256R1())
    device = certificate("Yubico PIV Attestation", issuer_name, device_key.public_key(),
                         issuer_key, ca=True, start=device_start, end=device_end)
    slot_cert = certificate(
        f"YubiKey PIV Attestation {slot}", "Yubico PIV Attestation", attested_public_key,
        device_key, ca=False,
        extensions=yubico_extensions() if extensions is None else extensions,
        start=slot_start, end=slot_end,
    )
    return Chain(root, key, device, device_key, slot_cert, intermediates, issuer_key)


def later(days: int) -> datetime:
    return datetime.now(UTC) + timedelta(days=days)
