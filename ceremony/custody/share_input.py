"""Reading a share's words from a text file or from a QR code in an image.

Text: a share typed or saved as plain words, one or many per line, with
optional word numbers ("01 academic", "1. academic") and ``#`` comments; the
plain-text share sheet is read as it is (only its words section counts).
When every word carries a number, the numbers give the order. Images: a photo
or scan holding the sheet's QR code (pyzbar with the system's zbar library).

These functions only read and parse; the collector checks the words. Errors
are ShareInputError with no share word in them; the collector words them for
the operator with the share's number.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

from ceremony.bundle.reading import read_plain_file

# re-exported: callers met the error here before it moved to errors.py
from ceremony.custody.errors import ShareInputError as ShareInputError
from ceremony.errors import UnsafeFileError
from ceremony.operator import ShareAnswer

WORDS_BEGIN = "--- share words ---"
WORDS_END = "--- end of share words ---"
MAX_FILE_BYTES = 64 * 1024
#: a 600 dpi colour scan of a whole A4 sheet, as PNG, is well under this
MAX_IMAGE_BYTES = 32 * 1024 * 1024
#: an A4 sheet scanned at 600 dpi is 35 million pixels; a larger image is not decoded
MAX_IMAGE_PIXELS = 64_000_000
_NUMBER = re.compile(r"^([0-9]{1,2})[.):]?\Z")


def words_from_text(text: str) -> list[str]:
    """The share words in ``text``, in order, lower-cased."""
    lines = text.splitlines()
    marked = [line.strip().lower() for line in lines]
    if WORDS_BEGIN in marked:
        start = marked.index(WORDS_BEGIN) + 1
        end = marked.index(WORDS_END, start) if WORDS_END in marked[start:] else len(lines)
        lines = lines[start:end]
    tokens: list[str] = []
    for line in lines:
        tokens.extend(line.split("#", 1)[0].replace(",", " ").split())
    numbered: list[tuple[int, str]] = []
    plain: list[str] = []
    pending: int | None = None
    for token in tokens:
        match = _NUMBER.match(token)
        if match:
            pending = int(match.group(1))
            continue
        if pending is not None:
            numbered.append((pending, token.lower()))
            pending = None
        else:
            plain.append(token.lower())
    if numbered and not plain:
        numbers = [n for n, _ in numbered]
        if sorted(numbers) != list(range(1, len(numbers) + 1)):
            raise ShareInputError(
                "the word numbers do not run 1, 2, 3... without gaps or repeats",
                "check the numbering against the sheet, or give the words without numbers",
            )
        return [word for _, word in sorted(numbered)]
    return [t.lower() for t in tokens if not _NUMBER.match(t)]


def read_text_file(path: Path) -> list[str]:
    """The share words in a text file."""
    raw = _read_share_file(path, MAX_FILE_BYTES, "far larger than a share")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ShareInputError(
            f"{path} is not a text file", "give a text file or an image"
        ) from None
    return words_from_text(text)


def _read_share_file(path: Path, limit: int, too_large: str) -> bytes:
    """The bytes of a share's file: a plain file, not through a link, at most
    ``limit`` bytes (a pipe or device is refused before it is read)."""
    try:
        return read_plain_file(path, limit)
    except UnsafeFileError as error:
        if error.reason == "missing":
            raise ShareInputError(f"{path} does not exist", "check the file name") from None
        if error.reason == "too large":
            raise ShareInputError(f"{path} is {too_large}", "give the share's own file") from None
        if error.reason in ("link", "not plain"):
            raise ShareInputError(
                f"{path} {error.what}", "give the share's file itself, a plain file"
            ) from None
        raise ShareInputError(
            f"{path} cannot be read ({error.system_reason})", "check the file"
        ) from None


def read_qr_image(path: Path) -> list[str]:
    """The share words in the one QR code of an image file (PNG, JPEG...)."""
    raw = _read_share_file(path, MAX_IMAGE_BYTES, "far larger than a scan of a share sheet")
    decoded = qr_codes_in(raw)
    if decoded is None:
        raise ShareInputError(
            f"{path} is not an image that can be read",
            "give a PNG or JPEG photo or scan of the sheet (render a PDF first)",
        )
    size, texts = decoded
    if size[0] * size[1] > MAX_IMAGE_PIXELS:
        raise ShareInputError(
            f"{path} is {size[0]} x {size[1]} pixels, far larger than a scan of a share sheet",
            "scan the sheet at 300 dpi, or type the words",
        )
    if not texts:
        raise ShareInputError(
            f"no QR code found in {path}",
            "scan the sheet again, flat and in focus (300 dpi), or type the words",
        )
    if len(texts) > 1:
        raise ShareInputError(
            f"{path} holds {len(texts)} different QR codes",
            "give an image of one share sheet at a time",
        )
    try:
        return words_from_text(texts.pop().decode("utf-8"))
    except UnicodeDecodeError:
        raise ShareInputError(
            f"the QR code in {path} is not a share", "type the words instead"
        ) from None


def qr_codes_in(raw: bytes) -> tuple[tuple[int, int], set[bytes]] | None:
    """An image's size and the data of every QR code in it (none read when it has
    more than MAX_IMAGE_PIXELS); None when ``raw`` is no image that can be read.
    Share sheets and signature files (ceremony/sittings/) are read with it."""
    try:
        from PIL import Image, UnidentifiedImageError
        from pyzbar.pyzbar import ZBarSymbol, decode
    except ImportError:  # pragma: no cover - depends on the machine
        raise ShareInputError(
            "reading QR codes needs pyzbar and the zbar library",
            "install them (Debian: apt-get install libzbar0; pip install pyzbar)",
        ) from None
    size = (0, 0)
    found = []
    try:
        with Image.open(io.BytesIO(raw)) as image:
            size = image.size
            if size[0] * size[1] <= MAX_IMAGE_PIXELS:
                found = decode(image.convert("L"), symbols=[ZBarSymbol.QRCODE])
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, ValueError):
        return None
    return size, {symbol.data for symbol in found}


IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff", ".webp", ".pnm"}


def answer_for_file(path: Path) -> ShareAnswer:
    """A share file: an image (by its suffix) or a text file."""
    path = Path(path)
    return ShareAnswer("image" if path.suffix.lower() in IMAGE_SUFFIXES else "file", path=path)
