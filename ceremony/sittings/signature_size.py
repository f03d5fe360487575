"""Whether a sitting's signatures fit in one signature file, known before any is made.

A signature file holds one entry for each payload a key signs (a DCT
rotation's request has one payload a GUN), and the seal reads no file above
signature_file.LIMIT. Each entry's size is known from the payload's name and
the key's name, id and algorithm (a signature is at most so many bytes), so
a request whose one key already signs more than a file holds is refused
when it is made, and a sitting whose keys together would is refused before
any key is opened. The figures are upper bounds; the QR route
(qr_route.py) bounds the codes a sitting writes with them too.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from ceremony.errors import CeremonyError, PreflightError
from ceremony.sittings.adapter import Payload, RequestKey
from ceremony.sittings.signature_file import LIMIT

# the file's own fields and the sitting's transcript segment (a few lines a key)
FIXED_BYTES = 16_000
PER_KEY_BYTES = 2_000


def most_signature_bytes(key: RequestKey) -> int:
    """The longest signature ``key`` makes, in bytes (ECDSA as DER at its longest)."""
    public_key = load_pem_public_key(key.public_pem.encode())
    if isinstance(public_key, rsa.RSAPublicKey):
        return (public_key.key_size + 7) // 8
    if isinstance(public_key, ec.EllipticCurvePublicKey):
        return 2 * ((public_key.curve.key_size + 7) // 8) + 9
    return 64  # Ed25519


def entry_bytes(payload: Payload, key: RequestKey, signature_bytes: int) -> int:
    """The bytes of ``key``'s entry for ``payload`` in a signature file, at most."""
    return _entry_bytes_but_name(key, signature_bytes) + len(json.dumps(payload.name))


def _entry_bytes_but_name(key: RequestKey, signature_bytes: int) -> int:
    """The bytes of ``key``'s entry in a signature file but its payload's name (quoted as
    JSON): the same for each payload the key signs, so a fleet's thousands of entries
    are one encoding of the entry and one of each name, not one of each entry."""
    entry = {"payload": "", "payload_sha256": "0" * 64, "key": key.name,
             "keyid": key.keyid, "signature": "0" * (2 * signature_bytes)}
    return len(json.dumps(entry, sort_keys=True, separators=(",", ":"))) + 1 - len('""')


def signatures_bytes(payloads: Iterable[Payload], keys: Sequence[RequestKey]) -> int:
    """The most bytes a signature file of ``keys`` signing ``payloads`` takes."""
    total = FIXED_BYTES + PER_KEY_BYTES * len(keys)
    for key in keys:
        rest = _entry_bytes_but_name(key, most_signature_bytes(key))
        total += sum(rest + len(json.dumps(p.name)) for p in payloads if p.counts(key.keyid))
    return total


def signed_by(payloads: Iterable[Payload], keys: Sequence[RequestKey]) -> list[Payload]:
    """The payloads any of ``keys`` signs."""
    return [p for p in payloads if any(p.counts(key.keyid) for key in keys)]


def payloads_fitting(signed: Sequence[Payload], keys: Sequence[RequestKey], most: int) -> int:
    """How many payloads like ``signed`` a signature file of ``keys`` holds within
    ``most`` bytes (their entries taken at their average size)."""
    fixed = FIXED_BYTES + PER_KEY_BYTES * len(keys)
    size = signatures_bytes(signed, keys)
    return max(0, (most - fixed) * len(signed) // max(1, size - fixed))


def too_many_for_one_key(payloads: Sequence[Payload],
                         keys: Iterable[RequestKey]) -> tuple[RequestKey, int, int] | None:
    """A key whose signatures alone would not fit in one signature file: the key,
    how many payloads it signs, and how many of them would fit; None when each fits."""
    for key in keys:
        signed = signed_by(payloads, [key])
        if signatures_bytes(signed, [key]) > LIMIT:
            return key, len(signed), payloads_fitting(signed, [key], LIMIT)
    return None


def refuse_oversized(payloads: Sequence[Payload], keys: Iterable[RequestKey]) -> None:
    """Refuse a request one of whose keys signs more than a signature file holds."""
    found = too_many_for_one_key(payloads, keys)
    if found is None:
        return
    key, count, fit = found
    raise PreflightError(
        f"key {key.name} signs {count:,} payloads, and one signature file holds its "
        f"signatures of at most {fit:,} ({LIMIT:,} bytes, the most a seal reads): its "
        "keyholder's sitting could bring back no file the seal takes",
        todo=f"Split the ceremony into several of at most {fit:,} payloads each (a DCT "
        f"rotation signs one payload a GUN: list at most {fit:,} GUNs in guns: of each "
        "script); nothing was written",
    )


def refuse_keys_together(payloads: Sequence[Payload], keys: Sequence[RequestKey]) -> None:
    """Refuse, before any key is opened, keys whose signatures together would not
    fit in one signature file (each alone does: the request was refused otherwise)."""
    size = signatures_bytes(payloads, keys)
    if len(keys) > 1 and size > LIMIT:
        raise CeremonyError(
            f"the signatures of {', '.join(key.name for key in keys)} would take up to "
            f"{size:,} bytes, more than the {LIMIT:,} a signature file may have (the seal "
            "reads no larger one)",
            todo="Sign with fewer keys at this sitting, each set into its own signature "
            "file (one key alone always fits); nothing was signed",
        )
