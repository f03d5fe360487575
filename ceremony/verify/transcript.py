"""transcript.jsonl: the hash chain that makes the ceremony record tamper-evident.

Each line is a JSON object whose ``prev`` is the sha256 (hex) of the previous
line's bytes, 64 zeros on the first line, and whose ``seq`` follows the one
before. The sha256 of the last line is the transcript head, read aloud at
the end of the ceremony and kept in MANIFEST.json. A changed, removed or
reordered line breaks the chain at the line after it, and the problem says
which line (counted from 1, as an editor shows them).

A transcript may be 60 MB (limits.TRANSCRIPT_MAX_BYTES): its lines are walked
one at a time, never held as a list, and once MOST_LINES_NAMED lines have problems
the chain is past repair and the lines after them are not checked, only counted
(and the last one hashed, for the head), so a hostile transcript of millions of
broken lines costs neither memory nor time (named one by one, 16 MB of ``{}``
lines took 2.8 GB; checked one by one, 60 MB of them took 75 s).
"""

from __future__ import annotations

from collections.abc import Iterator

from ceremony.verify.contents import BundleContents
from ceremony.verify.digest import sha256_hex
from ceremony.verify.errors import MalformedJSONError
from ceremony.verify.limits import MANIFEST, TRANSCRIPT
from ceremony.verify.problem import Problem, shown
from ceremony.verify.strict_json import parse_json

FIRST_PREV = "0" * 64
MOST_LINES_NAMED = 1_000  # lines with problems named; the lines after them are not checked


class TranscriptFacts:
    def __init__(self) -> None:
        self.head: str | None = None
        self.lines = 0
        self.started: dict[str, object] = {}  # the first line: what the ceremony said it was


def check_transcript(
    contents: BundleContents,
    manifest_head: str | None,
    problems: list[Problem],
    manifest_lines: int | None = None,
) -> TranscriptFacts:
    facts = TranscriptFacts()
    if TRANSCRIPT in contents.refused:
        return facts
    if TRANSCRIPT not in contents.files:
        problems.append(Problem(TRANSCRIPT, "missing: every bundle carries its ceremony's record"))
        return facts
    data = contents.content(TRANSCRIPT)
    if data is None:
        return facts
    if not data:
        problems.append(Problem(TRANSCRIPT, "empty"))
        return facts
    if not data.endswith(b"\n"):
        problems.append(
            Problem(TRANSCRIPT, "the last line has no newline: the record may be cut short")
        )
    else:
        data = data[:-1]

    expected_prev, previous_seq = FIRST_PREV, None
    named = number = 0
    for number, line in enumerate(_lines(data), start=1):
        before = len(problems)
        previous_seq = _check_line(number, line, expected_prev, previous_seq, problems)
        expected_prev = sha256_hex(line)
        if len(problems) > before:
            named += 1
            if named == MOST_LINES_NAMED:
                break
    if named == MOST_LINES_NAMED and (left := data.count(b"\n") + 1 - number):
        number += left
        expected_prev = sha256_hex(data[data.rfind(b"\n") + 1:])
        problems.append(Problem(TRANSCRIPT, (
            f"the {left:,} lines after line {number - left:,} were not checked: "
            f"{MOST_LINES_NAMED:,} lines before them have problems, and the record is "
            "past repair")))
    facts.head, facts.lines = expected_prev, number
    try:
        first = parse_json(next(_lines(data)))
    except MalformedJSONError:
        first = None  # said above
    if isinstance(first, dict):
        facts.started = first

    if manifest_lines is not None and facts.lines != manifest_lines:
        problems.append(
            Problem(
                TRANSCRIPT,
                f"it has {facts.lines} lines, and {MANIFEST} says the ceremony recorded "
                f"{manifest_lines}: lines were added or cut off",
            )
        )
    if manifest_head is not None and facts.head != manifest_head:
        problems.append(
            Problem(
                TRANSCRIPT,
                f"its head {facts.head[:16]}... is not the transcript_head "
                f"{manifest_head[:16]}... in {MANIFEST}",
            )
        )
    return facts


def _lines(data: bytes) -> Iterator[bytes]:
    """The lines of ``data`` (its last newline cut off), one at a time."""
    start = 0
    while (end := data.find(b"\n", start)) >= 0:
        yield data[start:end]
        start = end + 1
    yield data[start:]


def _check_line(
    number: int,
    line: bytes,
    expected_prev: str,
    previous_seq: int | None,
    problems: list[Problem],
) -> int | None:
    """Check one line; the seq it carries (or the one it should have)."""
    try:
        entry = parse_json(line)
    except MalformedJSONError as error:
        problems.append(Problem(_line(number), str(error)))
        return None
    if not isinstance(entry, dict):
        problems.append(Problem(_line(number), "not a JSON object"))
        return None
    seq = entry.get("seq")
    if entry.get("prev") == expected_prev and type(seq) is int:  # the usual line
        if number == 1:
            if seq == 0:
                return seq
        elif previous_seq is None or seq == previous_seq + 1:
            return seq
    where = _line(number)
    prev = entry.get("prev")
    if prev != expected_prev:
        if number == 1:
            what = f"prev is {shown(prev)}; the first line's prev is 64 zeros"
        else:
            what = (
                f"prev is not the sha256 of line {number - 1}: "
                "a line before it was changed, removed or reordered"
            )
        problems.append(Problem(where, what))
    expected_seq = 0 if number == 1 else (None if previous_seq is None else previous_seq + 1)
    if not isinstance(seq, int) or isinstance(seq, bool):
        problems.append(Problem(where, f"seq is {shown(seq)}, not a whole number"))
        return expected_seq
    if expected_seq is not None and seq != expected_seq:
        problems.append(Problem(where, f"seq is {seq} where {expected_seq} should follow"))
    return seq


def _line(number: int) -> str:
    return f"{TRANSCRIPT} line {number}"
