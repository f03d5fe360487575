"""A printed record as blocks, and the same record as plain text.

A run sheet and a ceremony record are each a :class:`Document`: a title and
a list of blocks (headings, facts, digests, steps with Initial and Time
boxes, name lines, exception rows, sign-off pages). pdf.py draws the blocks;
:func:`document_text` writes them as the plain text kept beside every PDF,
so both say the same thing. Text in it may come from a bundle on media (a
transcript's title, a holder's name): the text file shows every control or
format character escaped (ceremony/safe_text.py), as the PDF does (fonts.py),
so that ``cat`` of it cannot drive the terminal. Nothing here touches disk.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ceremony.describe import grouped
from ceremony.safe_text import terminal_safe

#: blank exception rows printed for the witness to fill in by hand
BLANK_EXCEPTION_ROWS = 6


@dataclass(frozen=True)
class Heading:
    text: str
    new_page: bool = False


@dataclass(frozen=True)
class Lines:
    """Plain lines of text, wrapped on paper."""

    lines: tuple[str, ...]


@dataclass(frozen=True)
class Facts:
    """Label: value pairs."""

    pairs: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Digest:
    """A sha256 (or other hex digest) in groups of four, with its QR code."""

    label: str
    hex: str


@dataclass(frozen=True)
class StepRow:
    number: int
    title: str
    say_aloud: str
    check_by_eye: str


@dataclass(frozen=True)
class NameLines:
    """A role and a line for the name of each person in it."""

    role: str
    people: tuple[str, ...]  # names the script gives; "" for a blank line


@dataclass(frozen=True)
class ExceptionRows:
    """Exceptions recorded (time, what, why, witness), then blank rows."""

    recorded: tuple[tuple[str, str, str, str], ...] = ()
    blank: int = BLANK_EXCEPTION_ROWS


@dataclass(frozen=True)
class SignOff:
    """One sign-off block per participant (role, name as known)."""

    participants: tuple[tuple[str, str], ...]


Block = Heading | Lines | Facts | Digest | StepRow | NameLines | ExceptionRows | SignOff


@dataclass
class Document:
    title: str
    subtitle: str
    blocks: list[Block] = field(default_factory=list)

    def add(self, *blocks: Block) -> None:
        self.blocks.extend(blocks)


SIGN_OFF_FIELDS = ("Printed name", "Signature", "Date", "Time", "Time zone")
EXCEPTION_COLUMNS = ("Time (UTC)", "What", "Why", "Witness")


def document_text(document: Document) -> str:
    """The document as plain text: every word the PDF prints, control characters
    escaped."""
    out = [document.title, document.subtitle, ""]
    for block in document.blocks:
        out += _block_text(block)
    return terminal_safe("\n".join(out).rstrip() + "\n")


def _block_text(block: Block) -> list[str]:
    match block:
        case Heading(text=text):
            return ["", text, "=" * len(text), ""]
        case Lines(lines=shown):
            return [*shown, ""]
        case Facts(pairs=pairs):
            width = max((len(label) for label, _ in pairs), default=0) + 2
            return [f"{label + ':':<{width}}{value}" for label, value in pairs] + [""]
        case Digest(label=label, hex=hex_text):
            return [f"{label}:", f"  {grouped(hex_text)}", ""]
        case StepRow():
            return [
                f"Step {block.number}. {block.title}",
                f"  Say aloud:    {block.say_aloud}",
                f"  Check by eye: {block.check_by_eye}",
                "  Initial: ________   Time: ________",
                "",
            ]
        case NameLines(role=role, people=people):
            return [f"{role}:"] + [
                f"  {person or '':<20} Name: ______________________  Initial: ______"
                for person in people
            ] + [""]
        case ExceptionRows(recorded=recorded, blank=blank):
            rows = [" | ".join(EXCEPTION_COLUMNS)]
            rows += [" | ".join(row) for row in recorded]
            if not recorded:
                rows.append("(none recorded by the tool)")
            rows += ["____ | ____________ | ____________ | ____"] * blank
            return [*rows, ""]
        case SignOff(participants=participants):
            blocks: list[str] = []
            for role, name in participants:
                blocks.append(f"{role}{': ' + name if name else ''}")
                blocks += [f"  {label}: ______________________" for label in SIGN_OFF_FIELDS]
                blocks.append("")
            return blocks
    raise TypeError(block)  # pragma: no cover - every block is matched above
