"""A transcript line is encoded by one encoder made once, with the bytes of
``json.dumps(entry, sort_keys=True, ensure_ascii=False, default=str)`` as before:
over generated records (nested values, non-ASCII, floats and infinities, values
that are not JSON and are written as text, secrets redacted), line for line and
head for head.
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
        line = json.dumps(entry, sort_keys=True, ensure_ascii=False, default=str).encode()
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
    except UnicodeEncodeError as error:  # a lone surrogate: refused alike
        return "refused", str(error)


def test_a_usual_event_line() -> None:
    lines, head = _new_lines([{"event": "signature-checked", "gun": "r.example/x", "n": 2}], [])
    assert lines == [
        b'{"event": "signature-checked", "gun": "r.example/x", "n": 2, "prev": "%s", '
        b'"seq": 0, "time": "2026-12-07T02:50:01Z"}' % GENESIS.encode()
    ]
    assert head == hashlib.sha256(lines[0]).hexdigest()
