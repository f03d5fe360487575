"""Share sheets: one printable page per share, and its plain-text twin.

A sheet is what a custodian keeps in a tamper-evident bag: the 33 numbered
words in a large clear font, a QR code of the same words, which share it is
(x of n, its group, the thresholds), the ceremony id, the SLIP-39 set id, the
bundle's sha256 and the root key ids, lines for the custodian's name (printed
when the script names them), signature, date and bag number, and a few lines
on what it is for. A rehearsal's sheet says REHEARSAL at its top, among its
facts and beside its QR code, so practice never passes for production. It fits
one A4 or US Letter page, drawn in vector (the QR code too), so it prints
sharp on any printer.

The sheet holds a share: this module returns bytes and text for the caller
to send to a printer or to media other than the bundle's. It writes nothing
itself, and puts no share word in the PDF's metadata.
"""

from __future__ import annotations

import qrcode
from fpdf import FPDF
from qrcode.constants import ERROR_CORRECT_M

from ceremony.custody.record import CustodyRecord
from ceremony.custody.shares import CustodyShare
from ceremony.custody.words import CHECKSUM_WORDS

PAPER = ("A4", "Letter")
MARGIN = 16.0
CONTENT_WIDTH = 178.0  # fits A4 (210 mm) and Letter (215.9 mm) with the margins
QR_SIZE = 54.0
ROWS = 11  # three columns of eleven words
MAX_ROOT_KEYIDS = 6
RECOVERY_DOC = "docs/runbooks/recovery-without-ceremony.md"
#: the mark a rehearsal's sheet carries, at its top and beside its QR code
REHEARSAL_MARK = "REHEARSAL - PRACTICE ONLY, NOT A PRODUCTION SHARE"


def sheet_name(share: CustodyShare, extension: str = "pdf") -> str:
    """A file name for the sheet, e.g. ``share-03-of-05.pdf``."""
    return f"share-{share.number:02d}-of-{share.total:02d}.{extension}"


def _headline(share: CustodyShare) -> tuple[str, str]:
    title = f"Share {share.number} of {share.total}"
    if share.group_count == 1:
        return title, (
            f"any {share.member_threshold} of {share.member_count} shares recover the keys"
        )
    return title, (
        f"group {share.group} of {share.group_count}, member {share.member} of "
        f"{share.member_count}"
    )


def _facts(
    share: CustodyShare, record: CustodyRecord, rehearsal: bool
) -> list[tuple[str, str]]:
    if share.group_count == 1:
        rule = f"any {share.member_threshold} of {share.member_count} shares"
    else:
        rule = (
            f"any {share.group_threshold} of {share.group_count} groups; in group "
            f"{share.group}, any {share.member_threshold} of {share.member_count} members"
        )
    passphrase = (
        "also needed (never written down with a share)" if record.shares.passphrase else "none"
    )
    marked = [("Rehearsal", "yes: practice keys, never trust them")] if rehearsal else []
    return marked + [
        ("Ceremony", record.ceremony_id),
        ("Share set id", f"{share.identifier} (the same on every share of this set)"),
        ("Recovery needs", rule),
        ("Passphrase", passphrase),
        ("Root version", str(record.root_version)),
    ]


def _check(share: CustodyShare, record: CustodyRecord) -> None:
    if share.identifier != record.share_set.identifier:
        raise ValueError("this share is not of the share set the record names")


def share_sheet_pdf(
    share: CustodyShare,
    record: CustodyRecord,
    paper: str = "A4",
    *,
    custodian: str = "",
    rehearsal: bool = False,
) -> bytes:
    """The sheet as a one-page PDF (``paper``: A4 or Letter), with the
    ``custodian``'s name when the script gives it, marked as a ``rehearsal``'s."""
    _check(share, record)
    if paper not in PAPER:
        raise ValueError(f"paper is one of {', '.join(PAPER)}")
    pdf = FPDF(orientation="P", unit="mm", format=paper)
    pdf.set_auto_page_break(False)
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_title(("REHEARSAL " if rehearsal else "")
                  + f"Custody share {share.number} of {share.total}, {record.ceremony_id}")
    pdf.set_creator("ceremony")
    pdf.add_page()
    left = MARGIN

    title, subtitle = _headline(share)
    if rehearsal:
        pdf.set_xy(left, 7)
        pdf.set_font("helvetica", "B", 12)
        pdf.cell(CONTENT_WIDTH, 6, REHEARSAL_MARK, align="C", border=1)
    pdf.set_xy(left, 14)
    pdf.set_font("helvetica", "B", 11)
    pdf.cell(CONTENT_WIDTH, 5, "ROOT KEY CUSTODY SHARE - KEEP SEALED, KEEP SECRET")
    pdf.set_xy(left, 20)
    pdf.set_font("helvetica", "B", 22)
    pdf.cell(pdf.get_string_width(title) + 4, 10, title)
    pdf.set_font("helvetica", "", 13)
    pdf.cell(0, 10, subtitle)

    # facts on the left, the QR code on the right
    qr_x = left + CONTENT_WIDTH - QR_SIZE
    draw_qr(pdf, share.mnemonic, qr_x, 33, QR_SIZE)
    pdf.set_font("helvetica", "", 7)
    pdf.set_xy(qr_x, 33 + QR_SIZE + 0.5)
    pdf.cell(QR_SIZE, 3.5, ("REHEARSAL " if rehearsal else "") + "QR code: the same 33 words",
             align="C")

    y = 33.0
    label_width = 27.0
    text_width = qr_x - left - 4
    for label, value in _facts(share, record, rehearsal):
        pdf.set_xy(left, y)
        pdf.set_font("helvetica", "B", 9)
        pdf.cell(label_width, 5, label)
        pdf.set_font("helvetica", "", 9)
        pdf.multi_cell(text_width - label_width, 5, value)
        y = max(pdf.get_y(), y + 5)
    y += 1
    pdf.set_xy(left, y)
    pdf.set_font("helvetica", "B", 9)
    pdf.cell(text_width, 5, "Bundle sha256 (bundle.age)")
    pdf.set_font("courier", "", 8.5)
    pdf.set_xy(left, y + 4.5)
    pdf.cell(text_width, 4.5, record.bundle_sha256)
    y += 10.5
    keyids = record.root_keyids
    pdf.set_xy(left, y)
    pdf.set_font("helvetica", "B", 9)
    pdf.cell(text_width, 5, f"Root key ids ({len(keyids)})")
    y += 4.5
    pdf.set_font("courier", "", 8.5)
    for keyid in keyids[:MAX_ROOT_KEYIDS]:
        pdf.set_xy(left, y)
        pdf.cell(text_width, 4.2, keyid)
        y += 4.2
    if len(keyids) > MAX_ROOT_KEYIDS:
        pdf.set_xy(left, y)
        pdf.set_font("helvetica", "I", 8)
        pdf.cell(text_width, 4.2, f"and {len(keyids) - MAX_ROOT_KEYIDS} more: see custody.json")
        y += 4.2

    # the words
    y = max(y, 33 + QR_SIZE + 4) + 4
    pdf.set_xy(left, y)
    pdf.set_font("helvetica", "B", 11)
    pdf.cell(CONTENT_WIDTH, 6, "Share words, in order (words 31-33, boxed, are the checksum words)")
    y += 8
    _draw_words(pdf, share.words, left, y)
    y += ROWS * 8.6 + 3

    # custody lines
    pdf.set_font("helvetica", "", 10)
    half = CONTENT_WIDTH / 2
    for row, (first, second) in enumerate(
        (("Custodian name", "Signature"), ("Date", "Tamper-evident bag no."))
    ):
        line_y = y + 11 + row * 13
        for column, label in enumerate((first, second)):
            x = left + column * (half + 4)
            pdf.set_xy(x, line_y - 10)
            pdf.cell(half - 4, 5, label)
            if label == "Custodian name" and custodian:
                pdf.set_xy(x, line_y - 5.5)
                pdf.set_font("helvetica", "B", 12)
                pdf.cell(half - 4, 5, custodian)
                pdf.set_font("helvetica", "", 10)
            pdf.line(x, line_y, x + half - 4, line_y)
    y += 11 + 13 + 5

    pdf.set_xy(left, y)
    pdf.set_font("helvetica", "", 8.5)
    pdf.multi_cell(
        CONTENT_WIDTH,
        4,
        f"This sheet is one SLIP-39 share of the age (X25519) key that decrypts the root-key "
        f"custody bundle of ceremony {record.ceremony_id} (bundle.age, sha256 above). "
        f"{share.member_threshold if share.group_count == 1 else 'A threshold of'} shares "
        "together recover that key; one share alone reveals nothing. Keep it sealed in its "
        "numbered tamper-evident bag; do not photograph, copy or type it except to recover. "
        "At hand-out, type words 31 to 33 unseen; never say them aloud. "
        "Recovery without the ceremony tool: any SLIP-39 implementation and the standard "
        "age CLI, step by step in "
        f"{RECOVERY_DOC} (recovery-without-ceremony.txt beside each copy of the bundle); "
        "check the recovered keys against the root key ids above.",
        align="L",
    )
    if pdf.get_y() > pdf.h - 8:  # auto page break is off: never print past the edge
        raise ValueError(f"the share sheet does not fit one {paper} page")
    return bytes(pdf.output())


def draw_qr(pdf: FPDF, text: str, x: float, y: float, size: float) -> None:
    """Draw ``text`` as a QR code in vector, ``size`` mm square, its top left at (x, y).

    Share sheets and the ceremony's printed records (ceremony/records/) use it."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0)
    code.add_data(text)
    code.make(fit=True)
    matrix = code.get_matrix()
    module = size / len(matrix)
    pdf.set_fill_color(0, 0, 0)
    for row, cells in enumerate(matrix):
        column = 0
        while column < len(cells):
            if not cells[column]:
                column += 1
                continue
            start = column
            while column < len(cells) and cells[column]:
                column += 1
            # a hair wider than exact so neighbouring runs leave no white seams
            pdf.rect(x + start * module, y + row * module,
                     (column - start) * module + 0.02, module + 0.02, style="F")


def _draw_words(pdf: FPDF, words: tuple[str, ...], left: float, top: float) -> None:
    column_width = CONTENT_WIDTH / 3
    row_height = 8.6
    first_checksum = len(words) - CHECKSUM_WORDS
    for i, word in enumerate(words):
        column, row = divmod(i, ROWS)
        x = left + column * column_width
        y = top + row * row_height
        if i >= first_checksum:
            pdf.rect(x - 1, y + 0.3, column_width - 4, row_height - 0.6)
        pdf.set_xy(x, y)
        pdf.set_font("helvetica", "", 11)
        pdf.cell(10, row_height, f"{i + 1:2d}", align="R")
        pdf.set_xy(x + 13, y)
        pdf.set_font("helvetica", "B", 17)
        pdf.cell(column_width - 15, row_height, word)


def share_sheet_text(
    share: CustodyShare, record: CustodyRecord, *, custodian: str = "", rehearsal: bool = False
) -> str:
    """The sheet as plain text (numbered words, same facts, same lines).

    ``ShareCollector.add_file`` reads this text back as it is.
    """
    _check(share, record)
    title, subtitle = _headline(share)
    lines = [REHEARSAL_MARK, ""] if rehearsal else []
    lines += [
        "ROOT KEY CUSTODY SHARE - KEEP SEALED, KEEP SECRET",
        "",
        f"{title}: {subtitle}",
        "",
    ]
    lines += [f"{label + ':':<16}{value}" for label, value in _facts(share, record, rehearsal)]
    lines += [f"{'Bundle sha256:':<16}{record.bundle_sha256}", "Root key ids:"]
    lines += [f"  {keyid}" for keyid in record.root_keyids]
    lines += ["", "--- share words ---"]
    for start in range(0, len(share.words), 3):
        row = share.words[start : start + 3]
        cells = (f"{start + i + 1:02d} {word:<9}" for i, word in enumerate(row))
        lines.append("   ".join(cells).rstrip())
    lines += [
        "--- end of share words ---",
        f"(words {len(share.words) - CHECKSUM_WORDS + 1}-{len(share.words)} are the "
        "checksum words, read back at hand-out)",
        "",
        f"Custodian name: {custodian or '______________________'}   "
        "Signature: ______________________",
        "",
        "Date: ________________   Tamper-evident bag no.: ________________",
        "",
        "One SLIP-39 share of the age (X25519) key that decrypts the custody bundle",
        f"above. Recovery without the ceremony tool: {RECOVERY_DOC}",
        "(recovery-without-ceremony.txt beside each copy of the bundle); check the",
        "recovered keys against the root key ids above.",
    ]
    return "\n".join(lines) + "\n"
