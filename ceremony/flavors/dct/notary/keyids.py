"""Notary's two key ids, and the key objects they are computed over.

- The *x509 id* names a root key in root.json, in signatures and in trust
  pinning: sha256 of the canonical ``{"keytype":"ecdsa-x509","keyval":
  {"private":null,"public":base64(PEM of the certificate)}}``. One root key
  has a different x509 id for every GUN, because every GUN has its own cert.
- The *canonical id* is the same hash over the bare public key (keytype
  ``ecdsa``/``rsa``, public = base64 of the DER SubjectPublicKeyInfo). It
  names private key files (``private/<canonical id>.key``) and is what
  ``notary key list`` shows. For non-certificate keys both ids are the same.

Ed25519 keys (the server's own timestamp/snapshot keys) are ``ed25519`` with
the raw 32-byte key as ``public``.

A key object's bytes are read (its certificate, its key) once, and its canonical
id computed once: per run inside ``checked.remembering`` (a ceremony, a seal: a
1,000-GUN seal meets 4,000 keys, each in every check of its GUN and again when the
sealed bundle is verified), else in a cache of the last 4,096.
"""

from __future__ import annotations

import binascii
import functools
import hashlib
import operator
from collections.abc import Callable

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes

from ceremony.checked import read_once
from ceremony.flavors.dct.notary.errors import DctError, NotaryFormatError
from ceremony.flavors.dct.notary.model import PublicKey

X509_KEYTYPES = {"ecdsa-x509": "ecdsa", "rsa-x509": "rsa"}


def cert_pem(certificate: x509.Certificate) -> bytes:
    """The PEM text of a certificate, as Go's ``pem.EncodeToMemory`` writes it."""
    return certificate.public_bytes(serialization.Encoding.PEM)


def pem_from_der(der: bytes, kind: str = "CERTIFICATE") -> bytes:
    """PEM text for DER bytes, 64 base64 columns (what cert_pem returns, without re-encoding)."""
    # the base64 in one call, cut in lines of 64 columns in another, and the
    # lines put in the PEM's layout in a third
    text = binascii.b2a_base64(der, newline=False)
    layout, lines_of = _pem_layout(kind, len(text))
    return layout % lines_of(text)


@functools.lru_cache(maxsize=64)
def _pem_layout(kind: str, size: int) -> tuple[bytes, Callable[[bytes], tuple[bytes, ...]]]:
    """The PEM text of a base64 text of ``size`` bytes, with a ``%`` slot for each
    of its lines of 64 columns, and what cuts the text into those lines (always a
    tuple). One certificate size is met for many GUNs."""
    cuts = [slice(start, start + 64) for start in range(0, size, 64)] or [slice(0, 0)]
    label = kind.encode().replace(b"%", b"%%")
    layout = b"-----BEGIN %s-----\n%s\n-----END %s-----\n" % (
        label, b"\n".join([b"%s"] * len(cuts)), label
    )
    if len(cuts) == 1:
        return layout, lambda text: (text[cuts[0]],)
    return layout, operator.itemgetter(*cuts)


_X509_KEY_JSON = {
    keytype: b'{"keytype":"%s","keyval":{"private":null,"public":"%%s"}}' % keytype.encode()
    for keytype in ("ecdsa-x509", "rsa-x509")
}


def x509_key_of_der(der: bytes, keytype: str) -> PublicKey:
    """The ``ecdsa-x509``/``rsa-x509`` key object of a certificate's DER, its id
    and canonical bytes worked out in the same step (the PEM, its base64 and the
    SHA-256: what :attr:`PublicKey.keyid` would do on first use; a test holds them
    to it). A bootstrap makes one per GUN and root key."""
    pem = pem_from_der(der)
    canonical = _X509_KEY_JSON[keytype] % binascii.b2a_base64(pem, newline=False)
    return PublicKey.identified(keytype, pem, hashlib.sha256(canonical).hexdigest(), canonical)


def spki_der(public_key: PublicKeyTypes) -> bytes:
    """The DER SubjectPublicKeyInfo of a public key."""
    return public_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def key_for_public_key(public_key: PublicKeyTypes) -> PublicKey:
    """The notary key object (``ecdsa``, ``rsa`` or ``ed25519``) for a public key."""
    if isinstance(public_key, ed25519.Ed25519PublicKey):
        raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return PublicKey("ed25519", raw)
    der = spki_der(public_key)
    if isinstance(public_key, ec.EllipticCurvePublicKey):
        return PublicKey("ecdsa", der)
    if isinstance(public_key, rsa.RSAPublicKey):
        return PublicKey("rsa", der)
    raise DctError(
        f"a {type(public_key).__name__} cannot be a notary key",
        todo="Use an ECDSA P-256 key (or RSA >= 2048 bits, or Ed25519 outside root)",
    )


def key_for_certificate(
    certificate: x509.Certificate,
    public_key: PublicKeyTypes | None = None,
    pem: bytes | None = None,
) -> PublicKey:
    """The ``ecdsa-x509``/``rsa-x509`` key object notary puts in root.json for a cert.

    ``public_key`` and ``pem``, when the caller has them at hand, spare decoding
    the key from the cert and encoding the cert again.
    """
    public_key = public_key if public_key is not None else certificate.public_key()
    if isinstance(public_key, ec.EllipticCurvePublicKey):
        return PublicKey("ecdsa-x509", pem or cert_pem(certificate))
    if isinstance(public_key, rsa.RSAPublicKey):
        return PublicKey("rsa-x509", pem or cert_pem(certificate))
    raise DctError(
        f"a certificate for a {type(public_key).__name__} cannot be a notary root key",
        todo="Root certificates must hold an ECDSA P-256/P-384 or RSA >= 2048-bit key",
    )


def certificate_of(key: PublicKey) -> x509.Certificate:
    """The (first) certificate inside an ``*-x509`` key object."""
    if key.keytype not in X509_KEYTYPES:
        raise NotaryFormatError(f"a {key.keytype} key holds no certificate")
    certificate = _certificate(key.public)
    if certificate is None:
        raise NotaryFormatError(
            f"the {key.keytype} key {key.keyid[:12]} does not hold a PEM certificate"
        )
    return certificate


def public_key_of(key: PublicKey) -> PublicKeyTypes:
    """The ``cryptography`` public key behind any notary key object."""
    return public_key_and_spki(key)[0]


def public_key_and_spki(key: PublicKey) -> tuple[PublicKeyTypes, bytes]:
    """:func:`public_key_of` and its DER SubjectPublicKeyInfo: parsed once per
    key's bytes (one root key's certificate is met in every check of a GUN)."""
    found = _parsed(key.keytype, key.public)
    if isinstance(found, tuple):
        return found
    if found == "unknown":
        raise NotaryFormatError(f"the key type {key.keytype!r} is not one notary knows")
    raise NotaryFormatError(
        f"the {key.keytype} key {key.keyid[:12]} "
        + ("does not hold a PEM certificate" if found == "no-pem" else "is not a valid public key")
    )


def _certificate(public: bytes) -> x509.Certificate | None:
    """The first certificate of an x509 key object's bytes (None: they hold no PEM
    certificate), once per run inside ``checked.remembering``, else from the cache
    of the last 4,096."""
    return read_once(("dct certificate", public), functools.partial(_certificate_kept, public))


@functools.lru_cache(maxsize=4096)
def _certificate_kept(public: bytes) -> x509.Certificate | None:
    try:
        return x509.load_pem_x509_certificates(public)[0]
    except ValueError:
        return None


def _parsed(keytype: str, public: bytes) -> tuple[PublicKeyTypes, bytes] | str:
    """The key and its SPKI, or what is wrong with the bytes: no-pem, invalid, unknown;
    once per run inside ``checked.remembering`` (every key a seal meets, however
    many), else from the cache of the last 4,096."""
    return read_once(("dct key", keytype, public), functools.partial(_parsed_kept, keytype, public))


@functools.lru_cache(maxsize=4096)
def _parsed_kept(keytype: str, public: bytes) -> tuple[PublicKeyTypes, bytes] | str:
    public_key: PublicKeyTypes
    try:
        if keytype in X509_KEYTYPES:
            certificate = _certificate(public)  # the certificate certificate_of gives
            if certificate is None:
                return "no-pem"
            public_key = certificate.public_key()
        elif keytype == "ed25519":
            public_key = ed25519.Ed25519PublicKey.from_public_bytes(public)
        elif keytype in ("ecdsa", "rsa"):
            public_key = serialization.load_der_public_key(public)
        else:
            return "unknown"
    except ValueError:
        return "invalid"
    return public_key, spki_der(public_key)


def x509_keyid(certificate: x509.Certificate) -> str:
    """The id root.json uses for a root certificate."""
    return key_for_certificate(certificate).keyid


def canonical_keyid(key_or_public_key: PublicKey | x509.Certificate | PublicKeyTypes) -> str:
    """The id that names a key's private file: over the bare public key."""
    if isinstance(key_or_public_key, PublicKey):
        if key_or_public_key.keytype not in X509_KEYTYPES:
            return key_or_public_key.keyid
        return _canonical_id(key_or_public_key.keytype, key_or_public_key.public)
    if isinstance(key_or_public_key, x509.Certificate):
        return key_for_public_key(key_or_public_key.public_key()).keyid
    return key_for_public_key(key_or_public_key).keyid


def _canonical_id(keytype: str, public: bytes) -> str:
    """The canonical id of a certificate key, computed once per key's bytes (per
    run inside ``checked.remembering``, else from the cache of the last 4,096)."""
    return read_once(("dct canonical id", keytype, public),
                     functools.partial(_canonical_id_kept, keytype, public))


@functools.lru_cache(maxsize=4096)
def _canonical_id_kept(keytype: str, public: bytes) -> str:
    return key_for_public_key(public_key_of(PublicKey(keytype, public))).keyid
