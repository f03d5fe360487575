"""Stand-in trust material for a rehearsal: a throwaway instance's public files.

A Fulcio CA chain (root and intermediate), a Rekor and a CT log key and a
timestamp authority's chain (root and signing certificate), made with fresh
keys whose private halves are dropped at once: the files are public
material only, as a real instance's would be, and can never sign anything.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from ceremony.bundle.files import write_new


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "rehearsal.invalid"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def certificate(
    common_name: str,
    key: ec.EllipticCurvePrivateKey,
    issuer: tuple[x509.Name, ec.EllipticCurvePrivateKey] | None,
    now: datetime,
    *,
    ca: bool = True,
    days: int = 3650,
) -> x509.Certificate:
    """A certificate for ``key``, CA or a timestamping leaf, self-signed without ``issuer``."""
    issuer_name, issuer_key = issuer or (_name(common_name), key)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name))
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if ca:
        builder = builder.add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False),
            critical=True,
        )
    else:
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True
        )
    return builder.sign(issuer_key, hashes.SHA256())


def _pem(*certs: x509.Certificate) -> bytes:
    return b"".join(cert.public_bytes(serialization.Encoding.PEM) for cert in certs)


def _public_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def write_log_key(path: Path) -> None:
    """A stand-in log's public key (ECDSA P-256), its private half dropped."""
    write_new(path, _public_pem(ec.generate_private_key(ec.SECP256R1())))


def write_standins(folder: Path, now: datetime) -> None:
    """fulcio-chain.pem, rekor.pub, ctfe.pub and tsa-chain.pem into ``folder`` (new)."""
    folder.mkdir()
    root_key, intermediate_key = (
        ec.generate_private_key(ec.SECP384R1()),
        ec.generate_private_key(ec.SECP384R1()),
    )
    root = certificate("rehearsal fulcio root", root_key, None, now)
    intermediate = certificate(
        "rehearsal fulcio intermediate", intermediate_key, (root.subject, root_key), now
    )
    write_new(folder / "fulcio-chain.pem", _pem(intermediate, root))
    for name in ("rekor.pub", "ctfe.pub"):
        write_log_key(folder / name)
    tsa_root_key, tsa_key = (
        ec.generate_private_key(ec.SECP384R1()),
        ec.generate_private_key(ec.SECP256R1()),
    )
    tsa_root = certificate("rehearsal tsa root", tsa_root_key, None, now)
    tsa = certificate("rehearsal tsa", tsa_key, (tsa_root.subject, tsa_root_key), now, ca=False)
    write_new(folder / "tsa-chain.pem", _pem(tsa, tsa_root))
