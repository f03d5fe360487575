"""Notary's private-key files: what ``notary`` and ``docker trust`` read as they are.

A key file is a PEM ``ENCRYPTED PRIVATE KEY`` block with sorted headers
(``gun:`` for repository keys, ``path:`` in export bundles, ``role:``), a
blank line, then base64 of a PKCS#8 EncryptedPrivateKeyInfo: PBES2 with
PBKDF2-HMAC-SHA1 (no PRF field: notary ignores it and always uses SHA-1),
2048 iterations, an 8-byte salt, AES-256-CBC. ``cryptography``'s own
encrypted PKCS#8 uses HMAC-SHA256, which notary then fails to open
("password invalid"), so the structure is built here with :mod:`der`.

Inside, the key is laid out as notary lays it out: for ECDSA a version-1
PKCS#8 with the curve and no public-key field, around the SEC1 key; for RSA
version 0 around the PKCS#1 key; for Ed25519 notary's own OID around
public||seed||public. Reading accepts those (``cryptography`` refuses the
EC one as it is) and standard PKCS#8, encrypted or not.

In a trust dir a key lives at ``private/<canonical id>.key``, mode 0600 in a
0700 folder. Files are created exclusively and fsynced; nothing is ever
overwritten. Errors never include a passphrase or key bytes.
"""

from __future__ import annotations

import base64
import hashlib
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import padding, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from ceremony.bundle.files import write_new
from ceremony.flavors.dct.notary import der
from ceremony.flavors.dct.notary.errors import DerError, KeyFileError, KeyFilePassphraseError
from ceremony.flavors.dct.notary.keyids import canonical_keyid

ITERATIONS = 2048
SALT_BYTES = 8

OID_PBES2 = "1.2.840.113549.1.5.13"
OID_PBKDF2 = "1.2.840.113549.1.5.12"
OID_AES256_CBC = "2.16.840.1.101.3.4.1.42"
OID_HMAC_SHA1 = "1.2.840.113549.2.7"
OID_HMAC_SHA256 = "1.2.840.113549.2.9"
OID_EC = "1.2.840.10045.2.1"
OID_RSA = "1.2.840.113549.1.1.1"
OID_ED25519_NOTARY = "1.3.6.1.4.1.11591.15.1"
_CURVES = {"secp256r1": "1.2.840.10045.3.1.7", "secp384r1": "1.3.132.0.34"}
_PRF_HASHES = {OID_HMAC_SHA1: "sha1", OID_HMAC_SHA256: "sha256"}

ENCRYPTED = "ENCRYPTED PRIVATE KEY"


@dataclass(frozen=True)
class KeyFile:
    """A private key read from a notary key file, with the file's headers."""

    private_key: PrivateKeyTypes
    headers: dict[str, str]

    @property
    def role(self) -> str:
        return self.headers.get("role", "")

    @property
    def gun(self) -> str:
        return self.headers.get("gun", "")

    @property
    def canonical_keyid(self) -> str:
        return canonical_keyid(self.private_key.public_key())


# -- PEM with headers ----------------------------------------------------------


def pem_encode(kind: str, body: bytes, headers: dict[str, str]) -> bytes:
    """PEM as Go's ``pem.Encode`` writes it: sorted headers, blank line, 64-column base64."""
    lines = [f"-----BEGIN {kind}-----"]
    for name in sorted(headers):
        value = headers[name]
        if "\n" in value or "\r" in value or ":" in name:
            raise KeyFileError(f"the key-file header {name!r} cannot hold that value")
        lines.append(f"{name}: {value}")
    if headers:
        lines.append("")
    encoded = base64.b64encode(body).decode("ascii")
    lines.extend(encoded[i : i + 64] for i in range(0, len(encoded), 64))
    lines.append(f"-----END {kind}-----")
    return ("\n".join(lines) + "\n").encode("ascii")


def pem_decode(data: bytes, where: str) -> tuple[str, dict[str, str], bytes]:
    """The first PEM block of ``data``: (type, headers, body)."""
    try:
        text = data.decode("ascii")
    except UnicodeDecodeError:
        raise KeyFileError("the key file is not PEM text", where=where) from None
    lines = [line.rstrip("\r") for line in text.split("\n")]
    start = next((i for i, line in enumerate(lines) if line.startswith("-----BEGIN ")), None)
    if start is None or not lines[start].endswith("-----"):
        raise KeyFileError("the key file holds no PEM block", where=where)
    kind = lines[start][len("-----BEGIN ") : -len("-----")]
    end_line = f"-----END {kind}-----"
    try:
        end = lines.index(end_line, start + 1)
    except ValueError:
        raise KeyFileError(f"the PEM block has no {end_line} line", where=where) from None
    inner = lines[start + 1 : end]
    headers: dict[str, str] = {}
    if any(":" in line for line in inner):
        while inner and inner[0] != "":
            name, colon, value = inner.pop(0).partition(":")
            if not colon:
                raise KeyFileError("a PEM header line has no ':'", where=where)
            headers[name.strip()] = value.strip()
        if inner:
            inner.pop(0)
    try:
        body = base64.b64decode("".join(inner), validate=True)
    except ValueError:
        raise KeyFileError("the PEM body is not base64", where=where) from None
    return kind, headers, body


# -- PKCS#8 as notary lays it out ---------------------------------------------


def _inner_pkcs8(private_key: PrivateKeyTypes) -> bytes:
    if isinstance(private_key, ec.EllipticCurvePrivateKey):
        curve = _CURVES.get(private_key.curve.name)
        if curve is None:
            raise KeyFileError(f"notary cannot store an ECDSA {private_key.curve.name} key")
        sec1 = private_key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
        algorithm = der.sequence(der.oid(OID_EC), der.oid(curve))
        return der.sequence(der.integer(1), algorithm, der.octet_string(sec1))
    if isinstance(private_key, rsa.RSAPrivateKey):
        pkcs1 = private_key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
        return der.sequence(der.integer(0), der.sequence(der.oid(OID_RSA)), der.octet_string(pkcs1))
    if isinstance(private_key, ed25519.Ed25519PrivateKey):
        raw = serialization.Encoding.Raw
        seed = private_key.private_bytes(
            raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
        )
        public = private_key.public_key().public_bytes(raw, serialization.PublicFormat.Raw)
        return der.sequence(
            der.integer(0),
            der.sequence(der.oid(OID_ED25519_NOTARY)),
            der.octet_string(public + seed + public),
        )
    raise KeyFileError(f"notary cannot store a {type(private_key).__name__}")


def _key_from_inner(pkcs8: bytes) -> PrivateKeyTypes:
    """A private key from PKCS#8 as notary or anyone else wrote it; ValueError if not."""
    items = der.read_prefix(pkcs8).expect(der.SEQUENCE).children()
    if len(items) < 3:
        raise ValueError("short PrivateKeyInfo")
    items[0].as_int()
    algorithm = items[1].expect(der.SEQUENCE).children()
    oid = algorithm[0].as_oid()
    private = items[2].as_octets()
    if oid == OID_ED25519_NOTARY:
        if len(private) != 96 or private[:32] != private[64:]:
            raise ValueError("malformed notary ed25519 key")
        key = ed25519.Ed25519PrivateKey.from_private_bytes(private[32:64])
        public = key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        if public != private[:32]:
            raise ValueError("notary ed25519 key halves do not match")
        return key
    parameters = [a.encoded for a in algorithm[1:]]
    if oid == OID_RSA and not parameters:
        parameters = [der.null()]
    standard = der.sequence(
        der.integer(0), der.sequence(algorithm[0].encoded, *parameters), der.octet_string(private)
    )
    return serialization.load_der_private_key(standard, password=None)


def _pbkdf2(passphrase: str, salt: bytes, iterations: int, hash_name: str = "sha1") -> bytes:
    return hashlib.pbkdf2_hmac(hash_name, passphrase.encode("utf-8"), salt, iterations, 32)


def encrypt_pkcs8(private_key: PrivateKeyTypes, passphrase: str) -> bytes:
    """EncryptedPrivateKeyInfo (DER) exactly as notary writes it."""
    if not passphrase:
        raise KeyFileError(
            "an empty passphrase would leave the key unencrypted",
            todo="Give the key file a passphrase",
        )
    salt = secrets.token_bytes(SALT_BYTES)
    iv = secrets.token_bytes(16)
    padder = padding.PKCS7(128).padder()
    plain = padder.update(_inner_pkcs8(private_key)) + padder.finalize()
    aes_key = _pbkdf2(passphrase, salt, ITERATIONS)
    encryptor = Cipher(algorithms.AES(aes_key), modes.CBC(iv)).encryptor()
    encrypted = encryptor.update(plain) + encryptor.finalize()
    scheme = der.sequence(
        der.oid(OID_PBES2),
        der.sequence(
            der.sequence(
                der.oid(OID_PBKDF2),
                der.sequence(der.octet_string(salt), der.integer(ITERATIONS)),
            ),
            der.sequence(der.oid(OID_AES256_CBC), der.octet_string(iv)),
        ),
    )
    return der.sequence(scheme, der.octet_string(encrypted))


def decrypt_pkcs8(encrypted: bytes, passphrase: str, where: str) -> PrivateKeyTypes:
    """The private key inside an EncryptedPrivateKeyInfo (PBES2/PBKDF2/AES-256-CBC)."""
    try:
        outer = der.read_prefix(encrypted).expect(der.SEQUENCE).children()
        scheme = outer[0].children()
        if scheme[0].as_oid() != OID_PBES2:
            raise KeyFileError("the key file is not PBES2-encrypted", where=where)
        kdf, cipher = scheme[1].children()[:2]
        kdf_parts = kdf.children()
        if kdf_parts[0].as_oid() != OID_PBKDF2:
            raise KeyFileError("the key file does not use PBKDF2", where=where)
        params = kdf_parts[1].children()
        salt, iterations = params[0].as_octets(), params[1].as_int()
        prf = next((p for p in params[2:] if p.tag == der.SEQUENCE), None)
        hash_name = "sha1" if prf is None else _PRF_HASHES.get(prf.children()[0].as_oid(), "")
        cipher_parts = cipher.children()
        if cipher_parts[0].as_oid() != OID_AES256_CBC or not hash_name:
            raise KeyFileError("the key file uses a cipher or PRF other than notary's", where=where)
        iv = cipher_parts[1].as_octets()
        data = outer[1].as_octets()
    except (DerError, IndexError, ValueError) as error:
        if isinstance(error, KeyFileError):
            raise
        raise KeyFileError("the key file is not a PKCS#8 encrypted key", where=where) from None
    if not 1 <= iterations <= 10_000_000 or len(iv) != 16 or len(data) % 16:
        raise KeyFileError("the key file's encryption parameters are malformed", where=where)
    aes_key = _pbkdf2(passphrase, salt, iterations, hash_name)
    decryptor = Cipher(algorithms.AES(aes_key), modes.CBC(iv)).decryptor()
    plain = decryptor.update(data) + decryptor.finalize()
    try:
        unpadder = padding.PKCS7(128).unpadder()
        plain = unpadder.update(plain) + unpadder.finalize()
        return _key_from_inner(plain)
    except (ValueError, DerError, IndexError, TypeError):
        raise KeyFilePassphraseError(
            "the passphrase does not open the key file", where=where,
            todo="Check the passphrase for this key and type it again; nothing was changed",
        ) from None


# -- files ---------------------------------------------------------------------


def key_file_bytes(
    private_key: PrivateKeyTypes,
    passphrase: str,
    *,
    role: str,
    gun: str | None = None,
    export_path: bool = False,
) -> bytes:
    """A notary key file for ``private_key``; ``export_path`` adds ``path: <id>``
    as in ``notary key export`` bundles (needed by ``notary key import``)."""
    headers = {"role": role}
    if gun:
        headers["gun"] = gun
    if export_path:
        headers["path"] = canonical_keyid(private_key.public_key())
    return pem_encode(ENCRYPTED, encrypt_pkcs8(private_key, passphrase), headers)


def read_key_file(data: bytes, passphrase: str, where: str = "key file") -> KeyFile:
    """Open a notary (or Docker trust) key file with ``passphrase``."""
    kind, headers, body = pem_decode(data, where)
    if kind == ENCRYPTED:
        return KeyFile(decrypt_pkcs8(body, passphrase, where), headers)
    if kind == "PRIVATE KEY":
        try:
            return KeyFile(_key_from_inner(body), headers)
        except (ValueError, DerError, IndexError, TypeError):
            raise KeyFileError("the key file holds no readable private key", where=where) from None
    if kind in ("EC PRIVATE KEY", "RSA PRIVATE KEY"):
        legacy = {k: v for k, v in headers.items() if k not in ("gun", "role", "path")}
        pem = pem_encode(kind, body, legacy)
        try:
            key = serialization.load_pem_private_key(pem, (passphrase or "").encode() or None)
        except (ValueError, TypeError):
            raise KeyFilePassphraseError(
                "the passphrase does not open the (legacy) key file", where=where,
                todo="Check the passphrase for this key and type it again; nothing was changed",
            ) from None
        return KeyFile(key, headers)
    raise KeyFileError(f"a {kind!r} PEM block is not a notary private key", where=where)


def write_trust_dir_key(
    trust_dir: Path,
    private_key: PrivateKeyTypes,
    passphrase: str,
    *,
    role: str,
    gun: str | None = None,
) -> Path:
    """Write ``private/<canonical id>.key`` under ``trust_dir`` (0600 in 0700), never
    overwriting."""
    private_dir = Path(trust_dir) / "private"
    private_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(private_dir, 0o700)
    path = private_dir / f"{canonical_keyid(private_key.public_key())}.key"
    content = key_file_bytes(private_key, passphrase, role=role, gun=gun)
    try:
        write_new(path, content, 0o600)
    except FileExistsError:
        raise KeyFileError(
            "a key file with this id already exists", where=str(path),
            todo="It is the same key: remove the old file first if you mean to replace it",
        ) from None
    return path
