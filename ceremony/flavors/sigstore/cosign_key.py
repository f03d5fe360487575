"""cosign's own encrypted key file (``cosign.key``), written and read.

The file is PEM ``ENCRYPTED SIGSTORE PRIVATE KEY`` (older cosign wrote
``ENCRYPTED COSIGN PRIVATE KEY``) whose body is JSON: the key derived by
scrypt (N = 2^15, r = 8, p = 1, a 32-byte salt) seals the PKCS#8 DER of the
private key in a nacl secretbox (a 24-byte nonce); bytes are standard
base64, as Go writes them. cosign accepts N of 2^15, 2^16 or 2^17 with r = 8
and p = 1 only; anything else is refused here too. ``cosign.pub`` is the
PEM SubjectPublicKeyInfo. The passphrase is never kept.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from dataclasses import dataclass

import nacl.exceptions
import nacl.secret
from cryptography.hazmat.primitives import serialization

from ceremony.errors import CeremonyError
from hsm.errors import WrongPassphraseError
from hsm.software import SoftwareKey

PEM_TYPE = "ENCRYPTED SIGSTORE PRIVATE KEY"
OLD_PEM_TYPE = "ENCRYPTED COSIGN PRIVATE KEY"
SCRYPT_N = 2**15
ACCEPTED_N = (2**15, 2**16, 2**17)
_MAXMEM = 256 * 1024 * 1024  # 128 * r * N for N = 2^17, with room


def _scrypt(passphrase: bytes, salt: bytes, n: int) -> bytes:
    return hashlib.scrypt(passphrase, salt=salt, n=n, r=8, p=1, maxmem=_MAXMEM, dklen=32)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def encrypt_pkcs8(pkcs8_der: bytes, passphrase: str, *, n: int = SCRYPT_N) -> bytes:
    """The PEM file cosign reads, for a PKCS#8 DER private key."""
    salt, nonce = os.urandom(32), os.urandom(nacl.secret.SecretBox.NONCE_SIZE)
    box = nacl.secret.SecretBox(_scrypt(passphrase.encode(), salt, n))
    sealed = box.encrypt(pkcs8_der, nonce).ciphertext
    document = {
        "kdf": {"name": "scrypt", "params": {"N": n, "r": 8, "p": 1}, "salt": _b64(salt)},
        "cipher": {"name": "nacl/secretbox", "nonce": _b64(nonce)},
        "ciphertext": _b64(sealed),
    }
    body = _b64(json.dumps(document, separators=(",", ":")).encode())
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    return "\n".join(
        [f"-----BEGIN {PEM_TYPE}-----", *lines, f"-----END {PEM_TYPE}-----", ""]
    ).encode()


def _refused(what: str, where: str) -> CeremonyError:
    return CeremonyError(
        what, where=where, todo="use a cosign.key written by cosign or by this tool"
    )


@dataclass(frozen=True)
class Envelope:
    """What a cosign.key says without its passphrase: scrypt's salt and N, the nonce,
    the sealed key."""

    n: int
    salt: bytes
    nonce: bytes
    sealed: bytes


def read_envelope(data: bytes, where: str) -> Envelope:
    """The envelope of a cosign.key, checked as cosign checks it; CeremonyError if not."""
    text = data.decode("ascii", errors="replace").strip()
    for pem_type in (PEM_TYPE, OLD_PEM_TYPE):
        begin, end = f"-----BEGIN {pem_type}-----", f"-----END {pem_type}-----"
        if text.startswith(begin) and text.endswith(end):
            body = text[len(begin) : -len(end)]
            break
    else:
        raise _refused(f"is not a cosign key file (no {PEM_TYPE} block)", where)
    try:
        document = json.loads(base64.b64decode("".join(body.split()), validate=True))
        kdf, cipher = document["kdf"], document["cipher"]
        params = kdf["params"]
        n, r, p = params["N"], params["r"], params["p"]
        envelope = Envelope(
            n=n,
            salt=base64.b64decode(kdf["salt"], validate=True),
            nonce=base64.b64decode(cipher["nonce"], validate=True),
            sealed=base64.b64decode(document["ciphertext"], validate=True),
        )
    except (ValueError, KeyError, TypeError):
        raise _refused("is not a cosign key file (its JSON cannot be read)", where) from None
    if kdf.get("name") != "scrypt" or cipher.get("name") != "nacl/secretbox":
        raise _refused("uses a key derivation or cipher cosign does not write", where)
    if n not in ACCEPTED_N or r != 8 or p != 1:
        raise _refused(
            f"has scrypt parameters N={n}, r={r}, p={p}; cosign accepts only N of 2^15, 2^16 "
            "or 2^17 with r=8 and p=1",
            where,
        )
    if len(envelope.nonce) != nacl.secret.SecretBox.NONCE_SIZE:
        raise _refused("has a nonce of the wrong size", where)
    return envelope


def decrypt_pkcs8(data: bytes, passphrase: str, where: str) -> bytes:
    """The PKCS#8 DER inside a cosign.key; WrongPassphraseError for a wrong passphrase."""
    envelope = read_envelope(data, where)
    box = nacl.secret.SecretBox(_scrypt(passphrase.encode(), envelope.salt, envelope.n))
    try:
        return box.decrypt(envelope.sealed, envelope.nonce)
    except nacl.exceptions.CryptoError:
        raise WrongPassphraseError(
            f"{where}: the passphrase does not open this cosign key",
            "type the passphrase again",
        ) from None


@dataclass(frozen=True)
class CosignKeyFile:
    """The key-file format (engine/key_files.py's KeyFileFormat) of a key kept as cosign.key."""

    scheme: str = "cosign-file"
    encryption: str = "cosign-scrypt-secretbox"

    def encrypt(self, key: SoftwareKey, passphrase: str) -> bytes:
        private_key = key.private_key_for_custody()  # encrypted at once, for CI
        der = private_key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        try:
            return encrypt_pkcs8(der, passphrase)
        finally:
            del der, private_key

    def open(self, data: bytes, passphrase: str, where: str) -> SoftwareKey:
        der = decrypt_pkcs8(data, passphrase, where)
        private_key = serialization.load_der_private_key(der, password=None)
        return SoftwareKey(private_key, where)


COSIGN_KEY_FILE = CosignKeyFile()
