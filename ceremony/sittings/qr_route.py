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
from ceremony.sittings.signature_file import LIMIT

PREFIX = "ceremony-signature:1"
PART_BYTES = 1200  # a QR code at level M holds it as base64 text, scannable from paper
MOST_PARTS = -(-LIMIT // PART_BYTES)  # the codes of the largest signature file


def is_image(path: Path) -> bool:
    return path.suffix.lower() in IMAGE_SUFFIXES


def qr_pngs(data: bytes) -> list[bytes]:
    """``data`` (a signature file) as PNG images of QR codes, one per part."""
    import qrcode
    from qrcode.constants import ERROR_CORRECT_M

    ident = hashlib.sha256(data).hexdigest()[:16]
    parts = [data[i:i + PART_BYTES] for i in range(0, len(data), PART_BYTES)] or [b""]
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
