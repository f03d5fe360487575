"""A transcript line is encoded by one encoder made once, with the bytes of
``json.dumps(entry, sort_keys=True, ensure_ascii=False, default=str)``, a character
that would act on a terminal or hide (a control, a bidi override, a line separator,
a lone surrogate) written as its JSON escape: over generated records (nested
values, non-ASCII, floats and infinities, values that are not JSON and are written
as text, secrets redacted), line for line and head for head. Read back, a line
holds the values it was given, and verify accepts it.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import PurePosixPath
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from ceremony.bundle.transcript import GENESIS, Transcript, guarded, utc_stamp
from ceremony.safe_text import terminal_safe
from ceremony.verify.contents import BundleContents
from ceremony.verify.transcript import check_transcript

NOW = datetime(2026, 12, 7, 2, 50, 1, 999_999, tzinfo=UTC)
_TEXT = st.text(st.sampled_from(list('aZ0 "\\\t\né€<>&\u2028') + ["\U0001f600", "\ud800"]),
                max_size=8)
_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | _TEXT
    | st.builds(PurePosixPath, _TEXT) | st.binary(max_size=4),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_TEXT, inner, max_size=3)
    | st.frozensets(st.integers(), max_size=3),
    max_leaves=10,
)
_RECORDS = st.dictionaries(_TEXT, _VALUES, min_size=1, max_size=4)


def _old_lines(records: list[dict[str, Any]], secrets: list[str]) -> tuple[list[bytes], str]:
    """The lines and head as Transcript.append wrote them before."""
    probe = Transcript(lambda: NOW)
    for secret in secrets:
        probe.guard.remember(secret)
    lines, head = [], GENESIS
    for record in records:
        entry: dict[str, Any] = {"seq": len(lines), "prev": head, "time": utc_stamp(NOW)}
        entry.update(guarded(record, probe.guard))
        text = json.dumps(entry, sort_keys=True, ensure_ascii=False, default=str)
        line = "".join(ch if terminal_safe(ch) == ch else json.dumps(ch)[1:-1]
                       for ch in text).encode()
        lines.append(line)
        head = hashlib.sha256(line).hexdigest()
    return lines, head


def _new_lines(records: list[dict[str, Any]], secrets: list[str]) -> tuple[list[bytes], str]:
    transcript = Transcript(lambda: NOW)
    for secret in secrets:
        transcript.guard.remember(secret)
    for record in records:
        transcript.append(record)
    return transcript.lines, transcript.head


@settings(max_examples=300, deadline=None)
@given(records=st.lists(_RECORDS, min_size=1, max_size=4),
       secrets=st.lists(_TEXT.filter(bool), max_size=2))
def test_lines_are_the_bytes_json_dumps_wrote(
    records: list[dict[str, Any]], secrets: list[str]
) -> None:
    assert _outcome(_new_lines, records, secrets) == _outcome(_old_lines, records, secrets)


def _outcome(lines: Any, records: list[dict[str, Any]], secrets: list[str]) -> Any:
    try:
        return lines(records, secrets)
    except UnicodeEncodeError as error:  # nothing is refused: a lone surrogate is escaped
        return "refused", str(error)


def test_a_usual_event_line() -> None:
    lines, head = _new_lines([{"event": "signature-checked", "gun": "r.example/x", "n": 2}], [])
    assert lines == [
        b'{"event": "signature-checked", "gun": "r.example/x", "n": 2, "prev": "%s", '
        b'"seq": 0, "time": "2026-12-07T02:50:01Z"}' % GENESIS.encode()
    ]
    assert head == hashlib.sha256(lines[0]).hexdigest()


def test_a_hidden_character_from_the_media_is_written_escaped_and_read_back_the_same(
) -> None:
    named = "root\u202ekey\x9b2J\x7f\u200b\U000e0001\udcff é中"  # as a hostile bundle names it
    lines, head = _new_lines([{"event": "key-read", "name": named}], [])
    (line,) = lines
    assert all(terminal_safe(ch) == ch for ch in line.decode())  # nothing raw
    assert b"\\u202e" in line and b"\\u009b" in line and b"\\udb40\\udc01" in line
    assert "é中".encode() in line  # what shows as itself is written as itself
    assert json.loads(line)["name"] == named
    problems: list[Any] = []
    contents = BundleContents.from_bytes({"transcript.jsonl": line + b"\n"})
    facts = check_transcript(contents, head, problems)
    assert problems == [] and facts.head == head
