"""age's scrypt recipient: a file key sealed to a passphrase.

The stanza is ``-> scrypt SALT LOG2N`` with the file key sealed by
ChaCha20-Poly1305 under scrypt(passphrase, "age-encryption.org/v1/scrypt" ||
SALT, N = 2^LOG2N, r = 8, p = 1). The work factor is ours to fix: this tool
writes 18 (age's own default: 256 MiB and about a second per try) and opens
at most 20 (1 GiB), whatever the machine. A file asking for more was not
written by this tool or by age's defaults, and costs gigabytes and minutes
per try (2^23 is 8 GiB): it is refused before scrypt runs, as suspicious,
never reported as a wrong passphrase. ``cryptography``'s scrypt releases
the GIL, so a screen keeps drawing while it runs.

The passphrase is used here and forgotten; no message carries it.
"""

from __future__ import annotations

import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from hsm.age.header import FILE_KEY_BYTES, Stanza, b64decode, b64encode
from hsm.errors import AgeFormatError, AgeMemoryError, AgeWorkFactorError, AgeWrongSecretError

LABEL = b"age-encryption.org/v1/scrypt"
WRITE_WORK_FACTOR = 18
READ_WORK_FACTOR_LIMIT = 20
SALT_BYTES = 16
_ZERO_NONCE = bytes(12)


def memory_for(work_factor: int) -> str:
    """What scrypt at ``work_factor`` (r = 8) needs: 128 * r * 2^N bytes."""
    size = 1024 * 2**work_factor
    for unit in ("bytes", "KiB", "MiB", "GiB", "TiB"):
        if size < 1024 or unit == "TiB":
            return f"{size} {unit}"
        size //= 1024
    raise AssertionError("unreachable")


def _wrap_key(passphrase: bytes, salt: bytes, work_factor: int) -> bytes:
    try:
        return Scrypt(salt=LABEL + salt, length=32, n=2**work_factor, r=8, p=1).derive(passphrase)
    except MemoryError:
        raise AgeMemoryError(
            f"not enough free memory for scrypt at work factor {work_factor} "
            f"({memory_for(work_factor)})"
        ) from None


def wrap(file_key: bytes, passphrase: bytes, work_factor: int | None = None) -> Stanza:
    """The scrypt stanza sealing ``file_key`` to ``passphrase``, at ``work_factor``
    or, unsaid, this module's ``WRITE_WORK_FACTOR`` as it stands when called."""
    if work_factor is None:
        work_factor = WRITE_WORK_FACTOR
    if not passphrase:
        raise ValueError("an age file is never encrypted to an empty passphrase")
    if not 1 <= work_factor <= READ_WORK_FACTOR_LIMIT:
        raise ValueError(f"scrypt work factor {work_factor} is outside 1..{READ_WORK_FACTOR_LIMIT}")
    salt = os.urandom(SALT_BYTES)
    body = ChaCha20Poly1305(_wrap_key(passphrase, salt, work_factor)).encrypt(
        _ZERO_NONCE, file_key, None
    )
    return Stanza((b"scrypt", b64encode(salt), str(work_factor).encode()), body)


def work_factor_of(stanzas: tuple[Stanza, ...], limit: int = READ_WORK_FACTOR_LIMIT) -> int:
    """The work factor of a passphrase file's one scrypt stanza, checked
    against ``limit`` without running scrypt. Raises AgeFormatError when
    the header is not a passphrase header, AgeWorkFactorError when it asks
    for more than ``limit``."""
    kinds = [stanza.kind for stanza in stanzas]
    if b"scrypt" not in kinds:
        raise AgeFormatError("it is encrypted to an age key, not to a passphrase")
    if len(stanzas) != 1:
        raise AgeFormatError("a passphrase stanza must be the only stanza of an age header")
    args = stanzas[0].args
    if len(args) != 3:
        raise AgeFormatError("the passphrase stanza has the wrong number of arguments")
    text = args[2]
    if not text.isdigit() or text.startswith(b"0") or len(text) > 3:
        raise AgeFormatError("the passphrase stanza's work factor is not a plain number")
    work_factor = int(text)
    if work_factor > limit:
        raise AgeWorkFactorError(
            f"it asks for scrypt work factor {work_factor} ({memory_for(work_factor)} of "
            f"memory per try); files written here use {WRITE_WORK_FACTOR} and at most "
            f"{limit} is opened, so it was not made by this tool or by age's defaults",
            work_factor=work_factor,
            limit=limit,
        )
    return work_factor


def unwrap(
    stanzas: tuple[Stanza, ...], passphrase: bytes, limit: int = READ_WORK_FACTOR_LIMIT
) -> bytes:
    """The file key a passphrase header seals; the work factor is checked first."""
    work_factor = work_factor_of(stanzas, limit)
    stanza = stanzas[0]
    salt = b64decode(stanza.args[1], "the passphrase stanza's salt")
    if len(salt) != SALT_BYTES:
        raise AgeFormatError("the passphrase stanza's salt is not 16 bytes")
    if len(stanza.body) != FILE_KEY_BYTES + 16:
        raise AgeFormatError("the passphrase stanza's body has the wrong length")
    try:
        return ChaCha20Poly1305(_wrap_key(passphrase, salt, work_factor)).decrypt(
            _ZERO_NONCE, stanza.body, None
        )
    except InvalidTag:
        raise AgeWrongSecretError("the passphrase does not open this file") from None
