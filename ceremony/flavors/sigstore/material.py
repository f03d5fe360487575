"""The instance's trust material, read from media and checked: public material only.

Each service of ``trust:`` brings a file: a PEM certificate chain (Fulcio,
a timestamp authority) or a PEM public key (Rekor, a CT log). Each is read
through the one reader of files on media (bounded, no links, plain files),
refused if it holds a private key, and checked before any key of the
ceremony is touched: chains in order and signed link by link up to a
self-signed root, CA flags where clients need them, certificates in date,
key types the Sigstore clients accept, validity windows in order, and at
least one Fulcio CA, Rekor log and CT log in use today.

Preflight reads it to check it, and the ceremony's first step reads it
again to use it (as imported keys are): inside a ceremony's run the same
bytes are judged once (:func:`read_service`), outside it every time.
Nothing here writes.
"""

from __future__ import annotations

import base64
import functools
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from ceremony.bundle.reading import read_plain_file
from ceremony.checked import read_once
from ceremony.errors import PreflightError, UnsafeFileError
from ceremony.flavors.sigstore.plan import ServiceSpec, SigstoreDetails
from ceremony.verify.times import day_text, zulu_text

MAX_MATERIAL_FILE = 256 * 1024
SERVICE_WORDS = {
    "fulcio": "Fulcio CA",
    "rekor": "Rekor log",
    "ctlog": "CT log",
    "tsa": "timestamp authority",
    "oidc": "OIDC issuer",
}


@dataclass(frozen=True)
class ServiceMaterial:
    """One service with what its file held, checked."""

    spec: ServiceSpec
    start: datetime  # its validity window, as trusted_root.json and the signing config say
    end: datetime | None
    chain: tuple[x509.Certificate, ...] = ()  # fulcio, tsa: leaf first, root last
    key: PublicKeyTypes | None = None  # rekor, ctlog

    @property
    def key_details(self) -> str:
        """The key's name in Sigstore's algorithm registry (PublicKeyDetails)."""
        assert self.key is not None  # a log's
        return key_details(self.key)

    @functools.cached_property
    def key_der(self) -> bytes:
        """The log key's DER SubjectPublicKeyInfo (made once: the documents and the
        words both use it)."""
        assert self.key is not None  # a log's
        return self.key.public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )

    @functools.cached_property
    def log_id(self) -> str:
        """``logId.keyId``: base64 of the sha256 of the log key's DER SubjectPublicKeyInfo."""
        return base64.b64encode(hashlib.sha256(self.key_der).digest()).decode()

    @functools.cached_property
    def valid_for(self) -> tuple[tuple[str, str], ...]:
        """The window's members as trusted_root.json and the signing config write them
        (``validFor``: the start, and the end when there is one), made once: both
        documents write most services' windows."""
        start = ("start", zulu_text(self.start))
        if self.end is None:
            return (start,)
        return start, ("end", zulu_text(self.end))

    def in_use(self, at: datetime) -> bool:
        return self.start <= at and (self.end is None or at <= self.end)


@dataclass(frozen=True)
class TrustMaterial:
    """Every service of the instance, checked, in script order."""

    mirror_url: str
    services: tuple[ServiceMaterial, ...]
    # each service's entries, in script order, sorted out once: the checks and both
    # documents ask for them
    _by_service: dict[str, tuple[ServiceMaterial, ...]] = field(
        init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        found: dict[str, list[ServiceMaterial]] = {}
        for material in self.services:
            found.setdefault(material.spec.service, []).append(material)
        by_service = {service: tuple(entries) for service, entries in found.items()}
        object.__setattr__(self, "_by_service", by_service)

    def of(self, service: str) -> tuple[ServiceMaterial, ...]:
        return self._by_service.get(service, ())


def read_material(details: SigstoreDetails, at: datetime) -> TrustMaterial:
    """Every service's file read and checked as of ``at``; a PreflightError names the first
    problem (preflight asks :func:`read_service` one by one to name them all)."""
    services = tuple(read_service(spec, at) for spec in details.services)
    material = TrustMaterial(details.mirror_url, services)
    problem = missing_services(material, at)
    if problem:
        raise PreflightError(problem, where="trust", todo=IN_USE_TODO)
    gaps = window_gaps(material)
    if gaps:
        raise PreflightError(gaps, where="trust", todo=GAP_TODO)
    return material


IN_USE_TODO = "add one, or correct its valid-from and valid-until"


def missing_services(material: TrustMaterial, at: datetime) -> str:
    """What the signing config would lack today (sigstore-python needs a CA and a log)."""
    missing = [
        SERVICE_WORDS[service]
        for service in ("fulcio", "rekor", "ctlog")
        if not any(m.in_use(at) for m in material.of(service))
    ]
    if not missing:
        return ""
    return (
        f"no {' and no '.join(missing)} is in use on {at:%Y-%m-%d}: clients need at least one "
        "of each to sign and verify"
    )


GAP_TODO = (
    "during a rotation the new one must be in use before the old one's window closes: "
    "start its valid-from earlier, or end the old one's valid-until later"
)


def window_gaps(material: TrustMaterial) -> str:
    """Where one kind of service leaves a stretch of time with none valid (a rotation
    whose windows do not overlap): signatures made then could not be verified."""
    gaps = []
    for service in ("fulcio", "rekor", "ctlog", "tsa"):
        entries = sorted(material.of(service), key=lambda m: m.start)
        covered = entries[0].end if entries else None
        for entry in entries[1:]:
            if covered is not None and entry.start > covered:
                gaps.append(
                    f"the {SERVICE_WORDS[service]} windows leave a gap from "
                    f"{covered:%Y-%m-%d %H:%M} to {entry.start:%Y-%m-%d %H:%M} UTC, when "
                    "none is valid"
                )
            if covered is not None:
                covered = None if entry.end is None else max(covered, entry.end)
    return "; ".join(gaps)


def describe(material: ServiceMaterial) -> str:
    """One service in words, as preflight and the transcript say it."""
    spec = material.spec
    window = f"from {day_text(material.start)}"
    if material.end is not None:
        window += f" until {day_text(material.end)}"
    if material.chain:
        what = (
            f"chain of {len(material.chain)} up to {certificate_name(material.chain[-1])}, "
            f"expires {day_text(min(c.not_valid_after_utc for c in material.chain))}"
        )
    elif material.key is not None:
        what = f"{material.key_details}, log id {material.log_id}"
    else:
        what = "issuer"
    return f"{SERVICE_WORDS[spec.service]} {spec.url}: {what}; in use {window}"


def read_service(spec: ServiceSpec, at: datetime) -> ServiceMaterial:
    """One service's material, checked as of ``at`` (an OIDC issuer has no file).

    The file is read every time; what its bytes hold is judged once per run
    (:func:`ceremony.checked.read_once`, keyed by the entry, ``at`` and the bytes):
    a ceremony's preflight step checks it, and the trust step that follows uses
    that reading of the same bytes. A refusal is not remembered."""
    if spec.file is None:
        return _judged(spec, at, b"")
    data = _read_file(spec)
    return read_once(("sigstore trust material", spec, at, data),
                     functools.partial(_judged, spec, at, data))


def _judged(spec: ServiceSpec, at: datetime, data: bytes) -> ServiceMaterial:
    start = spec.valid_from
    if spec.file is None:
        material = ServiceMaterial(spec, start or at, spec.valid_until)
    elif spec.service in ("fulcio", "tsa"):
        chain = _read_chain(spec, data, at)
        material = ServiceMaterial(
            spec, start or chain[0].not_valid_before_utc, spec.valid_until, chain=chain
        )
    else:
        key = _read_key(spec, data)
        material = ServiceMaterial(spec, start or at, spec.valid_until, key=key)
    if material.end is not None and material.end <= material.start:
        raise _refused(
            spec,
            f"its valid-until ({material.end:%Y-%m-%d %H:%M}) is not after its start "
            f"({material.start:%Y-%m-%d %H:%M})",
            "correct valid-from or valid-until",
        )
    return material


def _refused(spec: ServiceSpec, what: str, todo: str) -> PreflightError:
    place = f"{spec.where} ({spec.file})" if spec.file else spec.where
    return PreflightError(
        f"{SERVICE_WORDS[spec.service]} {spec.url}: {what}", where=place, todo=todo
    )


def _read_file(spec: ServiceSpec) -> bytes:
    assert spec.file is not None  # a service with material
    try:
        data = read_plain_file(spec.file, MAX_MATERIAL_FILE)
    except UnsafeFileError as error:
        raise _refused(
            spec, f"the file {error.what}", "bring the file on the media named in the script"
        ) from None
    if b"PRIVATE KEY" in data:
        raise _refused(
            spec,
            "the file holds a private key; trust material is public only",
            "bring only the certificate chain or public key, and treat that private key as exposed",
        )
    return data


def _read_key(spec: ServiceSpec, data: bytes) -> PublicKeyTypes:
    try:
        key = serialization.load_pem_public_key(data)
    except (ValueError, TypeError):
        raise _refused(
            spec,
            "the file holds no PEM public key",
            "export the log's public key as PEM (-----BEGIN PUBLIC KEY-----)",
        ) from None
    _check_key_type(spec, key, "its public key")
    return key


def key_details(key: PublicKeyTypes) -> str:
    """Sigstore's name for a key type (PublicKeyDetails); "" when clients take none."""
    if isinstance(key, ec.EllipticCurvePublicKey):
        return {
            "secp256r1": "PKIX_ECDSA_P256_SHA_256",
            "secp384r1": "PKIX_ECDSA_P384_SHA_384",
            "secp521r1": "PKIX_ECDSA_P521_SHA_512",
        }.get(key.curve.name, "")
    if isinstance(key, ed25519.Ed25519PublicKey):
        return "PKIX_ED25519"
    if isinstance(key, rsa.RSAPublicKey) and key.key_size in (2048, 3072, 4096):
        return f"PKIX_RSA_PKCS1V15_{key.key_size}_SHA256"
    return ""


def _check_key_type(spec: ServiceSpec, key: PublicKeyTypes, whose: str) -> None:
    if key_details(key):
        return
    kind = type(key).__name__.removeprefix("_").replace("PublicKey", "")
    if isinstance(key, ec.EllipticCurvePublicKey):
        kind = f"ECDSA {key.curve.name}"
    elif isinstance(key, rsa.RSAPublicKey):
        kind = f"RSA {key.key_size}"
    raise _refused(
        spec,
        f"{whose} is {kind}, a key type Sigstore clients do not accept",
        "use ECDSA P-256, P-384 or P-521, Ed25519, or RSA 2048, 3072 or 4096",
    )


def _read_chain(spec: ServiceSpec, data: bytes, at: datetime) -> tuple[x509.Certificate, ...]:
    try:
        chain = tuple(x509.load_pem_x509_certificates(data))
    except ValueError:
        chain = ()
    if not chain:
        raise _refused(
            spec,
            "the file holds no PEM certificate",
            "bring the chain as PEM certificates, leaf first, root last",
        )
    for index in range(len(chain)):
        _check_certificate(spec, chain, index, at)
    return chain


def certificate_name(cert: x509.Certificate) -> str:
    names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(names[0].value) if names else cert.subject.rfc4514_string() or "(no subject)"


def _which(chain: tuple[x509.Certificate, ...], index: int) -> str:
    """A certificate of a chain as a refusal names it (made only to refuse)."""
    return f"certificate {index + 1} of {len(chain)} ({certificate_name(chain[index])})"


def _check_certificate(
    spec: ServiceSpec, chain: tuple[x509.Certificate, ...], index: int, at: datetime
) -> None:
    cert = chain[index]
    which = functools.partial(_which, chain, index)
    try:
        key = cert.public_key()
    except ValueError:
        raise _refused(
            spec,
            f"{which()} has a public key that cannot be read",
            "bring the chain the service really uses",
        ) from None
    if not key_details(key):
        _check_key_type(spec, key, f"the key of {which()}")
    if at < cert.not_valid_before_utc:
        raise _refused(
            spec,
            f"{which()} is not valid before {cert.not_valid_before_utc:%Y-%m-%d %H:%M} UTC",
            "check the chain and this machine's clock",
        )
    if at > cert.not_valid_after_utc:
        raise _refused(
            spec,
            f"{which()} expired on {cert.not_valid_after_utc:%Y-%m-%d}",
            "bring the service's current chain",
        )
    leaf_of_tsa = spec.service == "tsa" and index == 0
    if leaf_of_tsa:
        _check_timestamping(spec, cert, which)
    else:
        _check_ca(spec, cert, which)
    issuer = chain[index + 1] if index + 1 < len(chain) else cert
    try:
        cert.verify_directly_issued_by(issuer)
    except (ValueError, TypeError, InvalidSignature):
        if issuer is cert:
            what = f"{which()} is the last of the chain but not a self-signed root"
        else:
            what = f"{which()} is not signed by the certificate after it"
        raise _refused(
            spec,
            what,
            "put the chain in order, leaf first, root last, with every certificate up to the root",
        ) from None


def _check_ca(spec: ServiceSpec, cert: x509.Certificate, which: Callable[[], str]) -> None:
    try:
        constraints = cert.extensions.get_extension_for_class(x509.BasicConstraints).value
    except x509.ExtensionNotFound:
        constraints = None
    if constraints is None or not constraints.ca:
        raise _refused(
            spec,
            f"{which()} is not a CA certificate (no basicConstraints CA:TRUE)",
            "bring the CA chain that issues the certificates, not a leaf",
        )
    try:
        usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return
    if not usage.key_cert_sign:
        raise _refused(
            spec,
            f"{which()} may not sign certificates (keyUsage lacks keyCertSign)",
            "bring the CA chain that issues the certificates",
        )


def _check_timestamping(
    spec: ServiceSpec, cert: x509.Certificate, which: Callable[[], str]
) -> None:
    try:
        usage = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except x509.ExtensionNotFound:
        usage = None
    if usage is None or ExtendedKeyUsageOID.TIME_STAMPING not in usage:
        raise _refused(
            spec,
            f"{which()} is not a timestamping certificate (extendedKeyUsage lacks timeStamping)",
            "bring the TSA's chain with its signing certificate first",
        )
