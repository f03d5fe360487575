"""Signature files as QR codes, for sites where no USB medium may leave the room.

A signature file is cut into parts of at most PART_BYTES, each carried by one
QR code (a PNG, to print or show on screen) as the text
``ceremony-signature:1:<part>:<parts>:<id>:<base64>``, where ``<id>`` is the
first 16 hex digits of the whole file's sha256. Reading takes the codes in
any order (zbar, through custody/share_input.py's reader), puts each file
back together, and checks it against its sha256 before it is parsed: a part
missing, doubled or from another file is named, never guessed at. No file of
more parts than the largest signature file (signature_file.LIMIT) is put
together: a code claiming more is refused before any part is counted.

Writing is bounded far lower, by what people carry by hand (MOST_CODES): a
sitting asked for codes of a signature file that would need more is refused
before any key is opened, from the file's size at most
(signature_size.py), and a file that would still need more once signed is
refused before any code is written.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
from collections.abc import Iterable, Sequence
from pathlib import Path

from ceremony.bundle.reading import read_plain_file
from ceremony.custody.share_input import (
    IMAGE_SUFFIXES,
    MAX_IMAGE_BYTES,
    MAX_IMAGE_PIXELS,
    qr_codes_in,
)
from ceremony.errors import CeremonyError, UnsafeFileError
from ceremony.sittings.adapter import Payload, RequestKey
from ceremony.sittings.signature_file import LIMIT
from ceremony.sittings.signature_size import payloads_fitting, signatures_bytes, signed_by

PREFIX = "ceremony-signature:1"
PART_BYTES = 1200  # a QR code at level M holds it as base64 text, scannable from paper
MOST_PARTS = -(-LIMIT // PART_BYTES)  # the codes of the largest signature file
# The most codes a sitting writes. Each code (version 34 at most: 153 modules, some
# 6.5 cm across with its margin at 0.4 mm a module) is printed six to an A4 page and
# scanned or photographed one at a time by the witnesses, so 100 codes are 17 pages
# and some ten minutes of scanning by hand; more is a stack nobody checks. They carry
# 120,000 bytes: some 250 signatures with one ECDSA P-256 key (a DCT rotation of 250
# GUNs), some 80 with one RSA-4096 key. A larger file goes on a medium. The seal reads
# up to MOST_PARTS (a test holds MOST_PARTS >= MOST_CODES): whatever is written is read.
MOST_CODES = 100
CARRY = ('Sign without QR codes (leave out --qr; in the UI, leave "QR codes too" off) and '
         "carry the signature file on removable media")


def codes_for(size: int) -> int:
    """How many QR codes carry a signature file of ``size`` bytes (one at least)."""
    return max(1, -(-size // PART_BYTES))


def refuse_past_codes(payloads: Sequence[Payload], keys: Sequence[RequestKey],
                      where: str) -> None:
    """Refuse, before any key is opened, to write as QR codes the signature file of
    ``keys`` signing ``payloads`` (the request at ``where``) when it may need more than
    MOST_CODES: its size is taken at the most it can be."""
    size = signatures_bytes(payloads, keys)
    if codes_for(size) <= MOST_CODES:
        return
    signed = signed_by(payloads, keys)
    fit = payloads_fitting(signed, keys, MOST_CODES * PART_BYTES)
    raise CeremonyError(
        f"the signatures of {', '.join(key.name for key in keys)} for {len(signed):,} "
        f"payloads would take up to {size:,} bytes, {codes_for(size):,} QR codes, and a "
        f"sitting writes at most {MOST_CODES} (what witnesses print and scan by hand)",
        where=where,
        todo=f"{CARRY}, or have the coordinator split the fleet into requests of at most "
        f"{fit:,} payloads for these keys (a DCT rotation signs one payload a GUN); nothing "
        "was signed",
    )


def refuse_written_codes(data: bytes, output: Path) -> None:
    """Refuse, before any is written, the QR codes of a signed file past MOST_CODES
    (its estimate let it through: the estimate is wrong, and nothing is written)."""
    if codes_for(len(data)) > MOST_CODES:
        raise CeremonyError(
            f"the signature file is {len(data):,} bytes, {codes_for(len(data)):,} QR codes, "
            f"and a sitting writes at most {MOST_CODES} (what witnesses print and scan by "
            "hand)", where=str(output), todo=f"{CARRY}, signing again; nothing was written",
        )


def is_image(path: Path) -> bool:
    return path.suffix.lower() in IMAGE_SUFFIXES


def qr_pngs(data: bytes) -> list[bytes]:
    """``data`` (a signature file) as PNG images of QR codes, one per part."""
    import qrcode
    from qrcode.constants import ERROR_CORRECT_M

    ident = hashlib.sha256(data).hexdigest()[:16]
    parts = [data[n * PART_BYTES:(n + 1) * PART_BYTES] for n in range(codes_for(len(data)))]
    images = []
    for number, part in enumerate(parts, start=1):
        code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=4, box_size=4)
        code.add_data(f"{PREFIX}:{number}:{len(parts)}:{ident}:"
                      f"{base64.b64encode(part).decode()}")
        code.make(fit=True)
        buffer = io.BytesIO()
        code.make_image().save(buffer, format="PNG")
        images.append(buffer.getvalue())
    return images


def files_from_images(paths: Sequence[Path]) -> list[tuple[str, bytes]]:
    """Each signature file the QR codes in ``paths`` carry: (a name for messages, bytes)."""
    parts: dict[str, dict[int, bytes]] = {}
    counts: dict[str, int] = {}
    for path in paths:
        for text in _codes(path):
            ident, number, count, data = _part(text, path)
            if count > MOST_PARTS:
                raise CeremonyError(
                    f"{path}: its QR code says its signature file has {count:,} parts, and "
                    f"the largest signature file ({LIMIT:,} bytes) has {MOST_PARTS:,}",
                    todo="give the codes `ceremony sign --qr` wrote; nothing was sealed",
                )
            if counts.setdefault(ident, count) != count or number in parts.get(ident, {}):
                raise CeremonyError(
                    f"{path}: part {number} of signature file {ident} came twice, or the "
                    "parts disagree on their number",
                    todo="give each QR code of a signature file once",
                )
            parts.setdefault(ident, {})[number] = data
    files = []
    for ident, found in parts.items():
        missing = sorted(set(range(1, counts[ident] + 1)) - set(found))
        if missing:
            raise CeremonyError(
                f"signature file {ident} is missing QR code(s) {', '.join(map(str, missing))} "
                f"of {counts[ident]}",
                todo="scan every code the sitting printed; nothing was sealed",
            )
        data = b"".join(found[n] for n in range(1, counts[ident] + 1))
        if hashlib.sha256(data).hexdigest()[:16] != ident:
            raise CeremonyError(
                f"the QR codes of signature file {ident} do not make that file",
                todo="scan them again; nothing was sealed",
            )
        files.append((f"signature file {ident} (QR)", data))
    return files


def _codes(path: Path) -> Iterable[str]:
    try:
        raw = read_plain_file(path, MAX_IMAGE_BYTES)
    except UnsafeFileError as error:
        raise CeremonyError(str(error), todo="give the images of the QR codes") from None
    decoded = qr_codes_in(raw)
    if decoded is None:
        raise CeremonyError(f"{path} is no image that can be read (PNG, JPEG, ...)",
                            todo="give the images of the QR codes; nothing was sealed")
    (width, height), texts = decoded
    if width * height > MAX_IMAGE_PIXELS:
        raise CeremonyError(
            f"{path} is {width} x {height} pixels, far larger than a photo or scan of a QR code",
            todo="photograph or scan the code again at a usual size; nothing was sealed",
        )
    if not texts:
        raise CeremonyError(f"no QR code can be read in {path}",
                            todo="scan it again, flat and in focus; nothing was sealed")
    return [data.decode("ascii", "replace") for data in decoded[1]]


def _part(text: str, path: Path) -> tuple[str, int, int, bytes]:
    fields = text.split(":")
    try:
        if ":".join(fields[:2]) != PREFIX or len(fields) != 6:
            raise ValueError
        number, count = int(fields[2]), int(fields[3])
        if not 1 <= number <= count:
            raise ValueError
        data = base64.b64decode(fields[5], validate=True)
        if len(data) > PART_BYTES:
            raise ValueError
        return fields[4], number, count, data
    except (ValueError, binascii.Error):
        raise CeremonyError(f"{path} holds a QR code that is no part of a signature file",
                            todo="give the codes `ceremony sign --qr` wrote") from None
