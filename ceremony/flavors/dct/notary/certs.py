"""Self-signed X.509 root certificates, one per GUN, signed through any key backend.

Notary wraps every root key in a self-signed certificate whose CN is the GUN,
made from a fixed template: version 3, a random 128-bit serial, valid from
now for 10 years, KeyUsage digitalSignature + keyEncipherment (critical),
ExtKeyUsage codeSigning, BasicConstraints CA:FALSE (critical), no other
extension.

How it is signed (the choice, and why): ``cryptography``'s
``CertificateBuilder.sign`` wants a private key object. Wrapping a token key
in a fake ``EllipticCurvePrivateKey`` works today only because cryptography
happens to call the wrapper's Python ``sign``; that is undocumented and the
wrapper must fake methods it cannot honour (``private_numbers``...). Instead
this module encodes the to-be-signed certificate itself (a few dozen lines
of DER, see :mod:`der`), laid out as Go's ``x509.CreateCertificate`` lays out
notary's template, and has the key sign those bytes through ``sign_raw`` like
any other payload: a software key, a PKCS#11 token or a YubiKey alike. The
result is parsed back with ``cryptography``, and checked: its public key is
the signer's, its self-signature verifies, and :func:`validate.check_root_certificate`
passes. ECDSA keys sign with SHA-256 (SHA-384 on P-384, as Go chooses); RSA
keys sign RSASSA-PSS with SHA-256 and a 32-byte salt, which is how the key
backends sign with RSA and which Go's x509 verifies.
"""

from __future__ import annotations

import functools
import secrets
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes

from ceremony.flavors.dct.notary import der
from ceremony.flavors.dct.notary.errors import DctError
from ceremony.flavors.dct.notary.keyids import spki_der
from ceremony.flavors.dct.notary.signing import NotarySigner, RawSigner
from ceremony.flavors.dct.notary.validate import (
    check_gun,
    check_root_certificate,
    check_root_key_type,
)

ROOT_CERT_VALIDITY = timedelta(days=3650)  # notary: 10 * 365 days

_OID_CN = "2.5.4.3"
_OID_KEY_USAGE = "2.5.29.15"
_OID_EXT_KEY_USAGE = "2.5.29.37"
_OID_BASIC_CONSTRAINTS = "2.5.29.19"
_OID_CODE_SIGNING = "1.3.6.1.5.5.7.3.3"
_OID_SHA256 = "2.16.840.1.101.3.4.2.1"


_SHA256_ALGORITHM = der.sequence(der.oid(_OID_SHA256), der.null())
_ECDSA_SHA256 = der.sequence(der.oid("1.2.840.10045.4.3.2"))
_ECDSA_SHA384 = der.sequence(der.oid("1.2.840.10045.4.3.3"))
_RSASSA_PSS_SHA256 = der.sequence(
    der.oid("1.2.840.113549.1.1.10"),
    der.sequence(
        der.explicit(0, _SHA256_ALGORITHM),
        der.explicit(1, der.sequence(der.oid("1.2.840.113549.1.1.8"), _SHA256_ALGORITHM)),  # MGF1
        der.explicit(2, der.integer(32)),  # salt length
    ),
)


def _signature_algorithm(public_key: PublicKeyTypes) -> bytes:
    """The AlgorithmIdentifier for how ``public_key``'s backend signs."""
    if isinstance(public_key, ec.EllipticCurvePublicKey):
        return _ECDSA_SHA384 if isinstance(public_key.curve, ec.SECP384R1) else _ECDSA_SHA256
    if isinstance(public_key, rsa.RSAPublicKey):
        return _RSASSA_PSS_SHA256
    raise DctError(f"a {type(public_key).__name__} cannot sign a root certificate")


def _name(common_name: str) -> bytes:
    return der.sequence(
        der.set_of(der.sequence(der.oid(_OID_CN), der.directory_string(common_name)))
    )


def _extension(oid: str, value: bytes, critical: bool) -> bytes:
    flag = der.boolean(True) if critical else b""
    return der.sequence(der.oid(oid), flag, der.octet_string(value))


def _template_extensions() -> bytes:
    key_usage = der.bit_string(b"\xa0", unused_bits=5)  # digitalSignature, keyEncipherment
    ext_key_usage = der.sequence(der.oid(_OID_CODE_SIGNING))
    basic_constraints = der.sequence()  # CA:FALSE, the DER default, is left out
    return der.explicit(
        3,
        der.sequence(
            _extension(_OID_KEY_USAGE, key_usage, critical=True),
            _extension(_OID_EXT_KEY_USAGE, ext_key_usage, critical=False),
            _extension(_OID_BASIC_CONSTRAINTS, basic_constraints, critical=True),
        ),
    )


_EXTENSIONS = _template_extensions()


def tbs_certificate(
    public_key: PublicKeyTypes,
    gun: str,
    not_before: datetime,
    not_after: datetime,
    serial: int,
    spki: bytes | None = None,
    algorithm: bytes | None = None,
) -> bytes:
    """The DER to-be-signed certificate of notary's template for ``gun``."""
    name = _name(gun)
    spki = spki or spki_der(public_key)
    return der.sequence(
        der.explicit(0, der.integer(2)),
        der.integer(_checked_serial(serial)),
        algorithm or _signature_algorithm(public_key),
        name,
        der.sequence(der.time_value(not_before), der.time_value(not_after)),
        name,
        spki,
        _EXTENSIONS,
    )


_VERSION_3 = der.explicit(0, der.integer(2))
_CN_PREFIX = der.oid(_OID_CN)


def _fast_name(common_name: str) -> bytes:
    """:func:`_name`, laid out with fewer calls (one CN, one RDN: nothing to sort);
    a short PrintableString name (most GUNs) in one step, every length short."""
    size = len(common_name)
    if size <= _SHORT_NAME and common_name.isascii() and _PRINTABLE_NAME.fullmatch(common_name):
        return _SHORT_NAME_LAYOUT % (size + 11, size + 9, size + 7, size, common_name.encode())
    attribute = der.tlv(der.SEQUENCE, _CN_PREFIX + der.directory_string(common_name))
    return der.tlv(der.SEQUENCE, der.tlv(der.SET, attribute))


# SEQUENCE { SET { SEQUENCE { OID 2.5.4.3, PrintableString } } }, each length one byte
_SHORT_NAME_LAYOUT = b"\x30%c\x31%c\x30%c" + _CN_PREFIX + b"\x13%c%s"
_SHORT_NAME = 0x7F - 11  # the outer SEQUENCE's length still below 0x80
_PRINTABLE_NAME = der.PRINTABLE


def _template_tbs(
    algorithm: bytes, suffix: bytes, gun: str, validity: bytes, serial: int
) -> bytes:
    """:func:`tbs_certificate` from a per-key template: ``suffix`` (the key's SPKI
    and the template's extensions) is encoded once per key, and only the serial,
    the name and the validity are encoded per GUN. Same bytes (a test holds them
    to it)."""
    name = _fast_name(gun)
    return der.tlv(
        der.SEQUENCE,
        b"".join((_VERSION_3, der.integer(serial), algorithm, name, validity, name, suffix)),
    )


def make_root_certificate(
    signer: RawSigner,
    gun: str,
    *,
    now: datetime | None = None,
    validity: timedelta = ROOT_CERT_VALIDITY,
    serial: int | None = None,
    check: bool = True,
) -> x509.Certificate:
    """A self-signed root certificate for ``gun``, signed by ``signer``'s key.

    ``signer`` is shaped like :class:`hsm.signer.KeySigner` (``crypto_public_key``,
    ``sign_raw``). With ``check`` the result is verified before it is returned.
    """
    return issue_root_certificate(
        signer, gun, now=now, validity=validity, serial=serial, check=check
    )[0]


def issue_root_certificate(
    signer: RawSigner,
    gun: str,
    *,
    now: datetime | None = None,
    validity: timedelta = ROOT_CERT_VALIDITY,
    serial: int | None = None,
    check: bool = True,
) -> tuple[x509.Certificate, bytes]:
    """:func:`make_root_certificate`, returning the DER bytes too."""
    now = (now or datetime.now(UTC)).replace(microsecond=0)
    request = CertificateRequest.of(signer, gun, now, validity, serial)
    return request.finish(signer.sign_raw(request.tbs), check=check)


class CertificateRequest(NamedTuple):
    """A root certificate for one GUN, to be signed: its DER to-be-signed part.
    Many GUNs' requests may be signed as one batch (``sign_raw_many``), then
    each finished with its signature. A named tuple: immutable, and made in a
    third of a frozen dataclass's time (one per GUN and root key)."""

    public_key: PublicKeyTypes
    gun: str
    now: datetime
    algorithm: bytes
    tbs: bytes

    @classmethod
    def of(
        cls,
        signer: RawSigner,
        gun: str,
        now: datetime,
        validity: timedelta = ROOT_CERT_VALIDITY,
        serial: int | None = None,
    ) -> CertificateRequest:
        """The request for ``gun``'s certificate of ``signer``'s key, valid
        from ``now`` (whole seconds) for ``validity``; checks the GUN and key."""
        check_gun(gun)
        public_key = signer.crypto_public_key
        spki = signer.spki if isinstance(signer, NotarySigner) else spki_der(public_key)
        algorithm, suffix = _checked_root_key(public_key, spki, gun)
        serial = _checked_serial(serial if serial is not None else random_serials(1)[0] or 1)
        tbs = _template_tbs(algorithm, suffix, gun, _validity(now, validity), serial)
        return cls(public_key, gun, now, algorithm, tbs)

    @classmethod
    def many(
        cls,
        signer: RawSigner,
        guns: list[str],
        now: datetime,
        validity: timedelta = ROOT_CERT_VALIDITY,
    ) -> list[CertificateRequest]:
        """:meth:`of` for each of ``guns`` (random serials, in order): the same
        requests, what every GUN shares (the key's template, the validity)
        worked out once."""
        public_key, algorithm, parts = tbs_many(signer, guns, now, validity)
        return [
            cls(public_key, gun, now, algorithm, tbs) for gun, tbs in zip(guns, parts, strict=True)
        ]

    def signed_der(self, signature: bytes) -> bytes:
        """The certificate's DER with ``signature``, unchecked (:meth:`finish` checks it)."""
        return signed_der(self.tbs, self.algorithm, signature)

    def finish(self, signature: bytes, *, check: bool = True) -> tuple[x509.Certificate, bytes]:
        """The certificate with ``signature`` (the key's over ``tbs``), and its
        DER; with ``check``, verified as :func:`make_root_certificate` does."""
        made = self.signed_der(signature)
        return loaded_certificate(made, self.public_key, self.gun, self.now, check), made


def loaded_certificate(
    certificate_der: bytes, public_key: PublicKeyTypes, gun: str, now: datetime, check: bool
) -> x509.Certificate:
    """A certificate just made for ``gun`` with ``public_key``, parsed; with
    ``check``, its self-signature verified and notary's rules checked."""
    certificate = x509.load_der_x509_certificate(certificate_der)
    if check:
        check_certificate_signature(certificate, public_key, gun)
        check_root_certificate(certificate, gun, now, new=True)
    return certificate


def tbs_many(
    signer: RawSigner,
    guns: list[str],
    now: datetime,
    validity: timedelta = ROOT_CERT_VALIDITY,
    *,
    guns_checked: bool = False,
) -> tuple[PublicKeyTypes, bytes, list[bytes]]:
    """The key, its certificates' signature algorithm, and the to-be-signed
    certificate of each of ``guns`` (each GUN checked in turn, unless the
    caller has just checked every one: ``guns_checked``; random serials in
    order): :meth:`CertificateRequest.many` without a record for each.
    The key's template and the validity are laid out once with slots for the
    serial and the name (a test holds the bytes to :func:`tbs_certificate`)."""
    public_key = signer.crypto_public_key
    spki = signer.spki if isinstance(signer, NotarySigner) else spki_der(public_key)
    validity_der = _validity(now, validity)
    algorithm, layout, fixed = b"", b"", 0
    made = []
    for gun, serial in zip(guns, random_serials(len(guns)), strict=True):
        if not guns_checked:
            check_gun(gun)
        if not layout:  # checks the key, as of() does after the GUN
            algorithm, suffix = _checked_root_key(public_key, spki, gun)
            layout, fixed = _tbs_layout(algorithm, validity_der, suffix)
        serial = serial or 1
        if serial.__class__ is not int or not 0 < serial < _SERIAL_LIMIT:
            _checked_serial(serial)  # refuses it (or lets an odd int through), as of() does
        body = serial.to_bytes(serial.bit_length() // 8 + 1, "big")
        length = len(gun)
        # a valid GUN is ASCII, and its one character PrintableString lacks is "_"
        if length <= _SHORT_NAME and "_" not in gun:
            name = _SHORT_NAME_LAYOUT % (length + 11, length + 9, length + 7, length, gun.encode())
        else:
            name = _fast_name(gun)
        size = fixed + len(body) + 2 * len(name)  # the TBS SEQUENCE's content
        if 0xFF < size <= 0xFFFF:  # its length in two bytes: the usual
            made.append(layout % (size >> 8, size & 0xFF, len(body), body, name, name))
        else:
            made.append(der.tlv(der.SEQUENCE, layout[6:] % (len(body), body, name, name)))
    return public_key, algorithm, made


def random_serials(count: int) -> list[int]:
    """``count`` random 128-bit serials, in one draw from the system's CSPRNG
    (the caller takes 1 for a 0, which RFC 5280 does not allow)."""
    data = secrets.token_bytes(16 * count)
    return [int.from_bytes(data[start : start + 16], "big") for start in range(0, len(data), 16)]


_SERIAL_LIMIT = 1 << 159  # _checked_serial lets through 0 < serial < this


@functools.lru_cache(maxsize=16)
def _tbs_layout(algorithm: bytes, validity: bytes, suffix: bytes) -> tuple[bytes, int]:
    """:func:`_template_tbs`' bytes with slots for ``%``: the SEQUENCE's length
    in two bytes, the serial INTEGER's length and bytes, the name twice (issuer,
    subject); and the size of the content's fixed part. The layout's first six
    bytes are the SEQUENCE's header (``layout[6:]`` is the content's layout)."""
    parts = (_VERSION_3, algorithm, validity, suffix)
    version, algorithm, validity, suffix = (part.replace(b"%", b"%%") for part in parts)
    layout = b"\x30\x82%c%c" + version + b"\x02%c%s" + algorithm + b"%s" + validity + b"%s"
    return layout + suffix, sum(len(part) for part in parts) + 2  # + the INTEGER's tag, length


def signed_der(tbs: bytes, algorithm: bytes, signature: bytes) -> bytes:
    """A certificate's DER: ``tbs``, ``algorithm`` and ``signature`` (a BIT
    STRING) in their SEQUENCE, laid out in one step when the lengths are the
    usual (a test holds it to the generic encoder)."""
    size = len(tbs) + len(algorithm) + len(signature) + 3
    if 0xFF < size <= 0xFFFF and len(signature) < 0x7F:
        return b"\x30\x82%c%c%s%s\x03%c\x00%s" % (
            size >> 8, size & 0xFF, tbs, algorithm, len(signature) + 1, signature
        )
    return der.sequence(tbs, algorithm, der.bit_string(signature))


def _checked_serial(serial: int) -> int:
    """A serial RFC 5280 allows: positive, and at most 20 bytes as a DER INTEGER."""
    if isinstance(serial, bool) or not isinstance(serial, int) or serial < 1:
        raise DctError(f"a certificate serial must be a positive whole number, not {serial!r}")
    if serial.bit_length() > 159:  # 160 bits would need a 21st byte for the sign
        raise DctError(
            f"a certificate serial of {serial.bit_length()} bits is over the 20 bytes "
            "RFC 5280 allows"
        )
    return serial


_CHECKED_ROOT_KEYS: dict[bytes, tuple[bytes, bytes]] = {}  # spki -> (algorithm, TBS suffix)


def _checked_root_key(public_key: PublicKeyTypes, spki: bytes, gun: str) -> tuple[bytes, bytes]:
    """The signature algorithm of a root key notary accepts, and the end of its
    certificates' TBS (SPKI and extensions). Worked out once per key: one root
    key signs a certificate for each of many GUNs."""
    template = _CHECKED_ROOT_KEYS.get(spki)
    if template is None:
        check_root_key_type(public_key, f"root certificate for {gun}")
        template = (_signature_algorithm(public_key), spki + _EXTENSIONS)
        if len(_CHECKED_ROOT_KEYS) < 256:
            _CHECKED_ROOT_KEYS[spki] = template
    return template


@functools.lru_cache(maxsize=16)
def _validity(not_before: datetime, validity: timedelta) -> bytes:
    """The DER Validity (every GUN of one run shares it, to the second)."""
    return der.sequence(der.time_value(not_before), der.time_value(not_before + validity))


def check_certificate_signature(
    certificate: x509.Certificate, public_key: PublicKeyTypes, gun: str
) -> None:
    """The certificate holds ``public_key`` and its self-signature verifies."""
    where = f"root certificate for {gun}"
    if spki_der(certificate.public_key()) != spki_der(public_key):
        raise DctError("it does not hold the root key that was to sign it", where=where)
    try:
        certificate.verify_directly_issued_by(certificate)
    except (InvalidSignature, ValueError, TypeError):
        raise DctError(
            "its signature does not verify: the key or its token returned a bad signature",
            where=where,
            todo="Stop the ceremony and check the key backend; nothing was written",
        ) from None
