"""Drawing a :class:`Document` as a PDF: A4 or US Letter, black on white.

Steps get Initial and Time boxes, digests their QR codes (drawn in vector by
the share sheets' :func:`draw_qr`), sign-off blocks lines for a printed
name, signature, date, time and time zone. Every page carries the title and
"page n of m". DejaVu is embedded when installed, so any text prints whole
(fonts.py); the text file kept beside the PDF always has it whole.
"""

from __future__ import annotations

from fpdf import FPDF

from ceremony.custody.sheets import draw_qr
from ceremony.describe import grouped
from ceremony.records.document import (
    EXCEPTION_COLUMNS,
    Block,
    Digest,
    Document,
    ExceptionRows,
    Facts,
    Heading,
    Lines,
    NameLines,
    SignOff,
    StepRow,
)
from ceremony.records.fonts import Fonts, embed_fonts

PAPER = {"a4": "A4", "letter": "Letter"}
MARGIN = 16.0
WIDTH = 178.0  # fits A4 (210 mm) and Letter (215.9 mm) with the margins
QR = 30.0
BOX = 22.0  # an Initial or Time box
LINE = 4.8


class _Pages(FPDF):
    footer_text = ""
    typefaces = Fonts("helvetica", "courier", unicode=False)

    def font(self, family: str, style: str, size: float) -> None:
        """``family`` "sans" or "mono"; DejaVu Sans a tenth smaller, as wide as Helvetica."""
        faces = self.typefaces
        name = faces.sans if family == "sans" else faces.mono
        self.set_font(name, style, size * (faces.scale if family == "sans" else 1))

    def footer(self) -> None:
        self.set_y(-12)
        self.font("sans", "", 8)
        footer = f"{self.footer_text} - page {self.page_no()} of {{nb}}"
        self.cell(0, 5, self.typefaces.text(footer), align="C")


def document_pdf(document: Document, paper: str = "a4") -> bytes:
    """The document as PDF bytes; ``paper`` is ``a4`` or ``letter``."""
    pdf = _Pages(orientation="P", unit="mm", format=PAPER[paper])
    pdf.footer_text = document.title
    pdf.typefaces = embed_fonts(pdf)
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(True, margin=18)
    pdf.set_title(pdf.typefaces.text(document.title))
    pdf.set_creator("ceremony")
    pdf.add_page()
    pdf.font("sans", "B", 16)
    pdf.multi_cell(WIDTH, 8, pdf.typefaces.text(document.title), new_x="LMARGIN", new_y="NEXT")
    pdf.font("sans", "", 11)
    pdf.multi_cell(WIDTH, 6, pdf.typefaces.text(document.subtitle), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    for block in document.blocks:
        _draw(pdf, block)
    return bytes(pdf.output())


def _room(pdf: _Pages, height: float) -> None:
    """Start a new page unless ``height`` mm fit on this one."""
    if pdf.will_page_break(height):
        pdf.add_page()


def _text(pdf: _Pages, text: str, width: float = WIDTH, style: str = "", size: float = 10) -> None:
    pdf.font("sans", style, size)
    pdf.set_x(MARGIN)
    pdf.multi_cell(width, LINE, pdf.typefaces.text(text), new_x="LMARGIN", new_y="NEXT")


def _height(pdf: _Pages, text: str, width: float) -> float:
    lines = pdf.multi_cell(width, LINE, pdf.typefaces.text(text), dry_run=True, output="LINES")
    assert isinstance(lines, list)  # output="LINES" gives the lines alone
    return len(lines) * LINE


def _draw(pdf: _Pages, block: Block) -> None:
    match block:
        case Heading(text=text, new_page=new_page):
            if new_page:
                pdf.add_page()
            else:
                _room(pdf, 30)
            pdf.ln(2)
            _text(pdf, text, style="B", size=13)
            pdf.ln(1)
        case Lines(lines=lines):
            for line in lines:
                _text(pdf, line)
            pdf.ln(2)
        case Facts(pairs=pairs):
            for label, value in pairs:
                pdf.font("sans", "", 10)
                _room(pdf, _height(pdf, value, WIDTH - 42))
                y = pdf.get_y()
                pdf.font("sans", "B", 10)
                pdf.set_xy(MARGIN, y)
                pdf.cell(42, LINE, pdf.typefaces.text(label))
                pdf.font("sans", "", 10)
                pdf.multi_cell(WIDTH - 42, LINE, pdf.typefaces.text(value), new_x="LMARGIN",
                               new_y="NEXT")
            pdf.ln(2)
        case Digest():
            _digest(pdf, block)
        case StepRow():
            _step(pdf, block)
        case NameLines(role=role, people=people):
            _room(pdf, 8 + 9 * len(people))
            _text(pdf, role, style="B")
            for person in people:
                y = pdf.get_y() + 7
                pdf.font("sans", "", 10)
                pdf.set_xy(MARGIN + 4, y - 5)
                pdf.cell(40, 5, pdf.typefaces.text(person))
                pdf.line(MARGIN + 46, y, MARGIN + 140, y)
                pdf.set_xy(MARGIN + 142, y - 5)
                pdf.cell(14, 5, "Initial")
                pdf.line(MARGIN + 156, y, MARGIN + WIDTH, y)
                pdf.set_y(y + 2)
            pdf.ln(2)
        case ExceptionRows():
            _exceptions(pdf, block)
        case SignOff(participants=participants):
            for role, name in participants:
                _sign_off(pdf, role, name)


def _digest(pdf: _Pages, block: Digest) -> None:
    _room(pdf, QR + 4)
    top = pdf.get_y()
    draw_qr(pdf, block.hex, MARGIN + WIDTH - QR, top, QR)
    pdf.set_xy(MARGIN, top + 2)
    pdf.font("sans", "B", 10)
    pdf.multi_cell(WIDTH - QR - 4, LINE, pdf.typefaces.text(block.label), new_x="LMARGIN",
                   new_y="NEXT")
    pdf.font("mono", "B", 11)
    words = grouped(block.hex).split(" ")
    for start in range(0, len(words), 8):  # eight groups a line: two lines for a sha256
        pdf.set_x(MARGIN)
        pdf.cell(WIDTH - QR - 4, 6, pdf.typefaces.text(" ".join(words[start : start + 8])),
                 new_x="LMARGIN", new_y="NEXT")
    pdf.font("sans", "", 7)
    pdf.set_x(MARGIN)
    pdf.cell(WIDTH - QR - 4, 4, "QR code at right: the same digest, unspaced",
             new_x="LMARGIN", new_y="NEXT")
    pdf.set_y(max(pdf.get_y(), top + QR) + 3)


def _step(pdf: _Pages, block: StepRow) -> None:
    text_width = WIDTH - 2 * BOX - 6
    pdf.font("sans", "", 9.5)
    body = f"Say aloud: {block.say_aloud}\nCheck by eye: {block.check_by_eye}"
    height = max(LINE + 1 + _height(pdf, body, text_width) + 2, 16)
    _room(pdf, height + 2)
    top = pdf.get_y()
    pdf.rect(MARGIN, top, WIDTH, height)
    pdf.set_xy(MARGIN + 1.5, top + 1)
    pdf.font("sans", "B", 10.5)
    pdf.multi_cell(text_width, LINE + 1, pdf.typefaces.text(f"{block.number}. {block.title}"),
                   new_x="LMARGIN", new_y="NEXT")
    pdf.font("sans", "", 9.5)
    pdf.set_x(MARGIN + 1.5)
    pdf.multi_cell(text_width, LINE, pdf.typefaces.text(body), new_x="LMARGIN", new_y="NEXT")
    for column, label in enumerate(("Initial", "Time")):
        x = MARGIN + WIDTH - (2 - column) * BOX - 1
        pdf.rect(x, top + 1, BOX - 1, height - 2)
        pdf.set_xy(x, top + 1.5)
        pdf.font("sans", "", 7)
        pdf.cell(BOX - 1, 3, label, align="C")
    pdf.set_y(top + height + 2)


def _exceptions(pdf: _Pages, block: ExceptionRows) -> None:
    pdf.font("sans", "", 9)
    rows = [tuple(pdf.typefaces.text(cell) for cell in row) for row in block.recorded]
    if not rows:
        _text(pdf, "(none recorded by the tool)", size=9)
    rows += [("", "", "", "")] * block.blank
    with pdf.table(col_widths=(36, 56, 56, 30), line_height=LINE + 1.5,
                   text_align="LEFT", first_row_as_headings=True) as table:
        table.row(EXCEPTION_COLUMNS)
        for cells in rows:
            table.row(cells)
    pdf.ln(3)


def _sign_off(pdf: _Pages, role: str, name: str) -> None:
    _room(pdf, 40)
    _text(pdf, f"{role}{': ' + name if name else ''}", style="B")
    half = WIDTH / 2
    third = WIDTH / 3
    top = pdf.get_y()
    layout = (
        (("Printed name", 0, half - 4), ("Signature", half + 4, half - 4)),
        (("Date", 0, third - 4), ("Time", third + 2, third - 4),
         ("Time zone", 2 * third + 4, third - 4)),
    )
    for row, cells in enumerate(layout):
        y = top + 10 + row * 12
        for label, x, width in cells:
            pdf.set_xy(MARGIN + x, y - 9)
            pdf.font("sans", "", 8)
            pdf.cell(width, 4, label)
            pdf.line(MARGIN + x, y, MARGIN + x + width, y)
    pdf.set_y(top + 10 + 12 + 6)
