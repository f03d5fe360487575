"""ceremony/json_scan.py's ``json_loads`` reads custody records and the sealed bags of a
transcript without loading json: it must give what ``json.loads`` gives (values, and
the same errors) for any text, and the bags read what json.loads read."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from ceremony.json_scan import json_loads

values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=8)),
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.text(max_size=6), inner, max_size=4)),
    max_leaves=12,
)
ODD = ["", " ", "\ufeff{}", "{}\n", " [1] ", "[1] x", "{\"a\": 1, \"a\": 2}", "NaN", "-Infinity",
       "Infinity", "1e400", "01", "[1,]", "{\"a\" 1}", "\"\\x\"", "\"a\nb\"", "tru", "[" * 50,
       "1" * 5000, "{\"a\": [1, 2.5, -0, true, null]}", "\t\r\n1\t\r\n", "\u00a01"]


def outcome(read, text):
    try:
        return "value", repr(read(text))
    except ValueError as error:
        return type(error).__name__, str(error)


@settings(max_examples=400)
@given(st.one_of(
    values.map(json.dumps),
    values.map(lambda value: json.dumps(value, indent=2, sort_keys=True) + "\n"),
    st.sampled_from(ODD),
    st.text(alphabet="{}[]\",:0123456789.eE+- \n\tnultrefasINa\\", max_size=20),
))
def test_json_loads_reads_as_json_loads(text):
    assert outcome(json_loads, text) == outcome(json.loads, text)


def sealed_bags_by_json(transcript: bytes) -> dict[str, tuple[str, str, str]]:
    """The bags a transcript's lines say were sealed, each line read with json.loads
    (none when a line is not JSON), as verify/bags.py read them before."""
    try:
        events = [json.loads(raw) for raw in transcript.splitlines()]
    except (UnicodeDecodeError, json.JSONDecodeError):
        return {}
    bags, started = {}, ""
    for event in (e for e in events if isinstance(e, dict)):
        if event.get("event") == "ceremony-started":
            started = str(event.get("ceremony_id", ""))
        if event.get("event") == "bag-sealed":
            bags[str(event.get("bag", ""))] = (
                str(event.get("holds", "")), str(event.get("serial", "")), started)
    return bags

EVENTS = [{"event": "ceremony-started", "ceremony_id": "c-1"},
          {"event": "bag-sealed", "bag": "custody-a", "holds": "share 1", "serial": "0012"},
          {"event": "bag-sealed", "bag": "b", "serial": 12}, {"event": "other"}, None, [1]]
lines = st.one_of(
    st.sampled_from(EVENTS).map(lambda event: json.dumps(event).encode()),
    st.sampled_from(EVENTS).map(lambda event: json.dumps(event).encode("utf-16")),
    st.sampled_from(EVENTS).map(lambda event: b"\xef\xbb\xbf" + json.dumps(event).encode()),
    values.map(lambda value: json.dumps(value, ensure_ascii=False).encode()),
    st.binary(max_size=12),
    st.sampled_from([b"", b"null", b"\x00\x00\x00[", b"1\x00", b'"\xed\xa0\x80"', b"\xff"]),
)


@settings(max_examples=400)
@given(st.lists(lines, max_size=6))
def test_sealed_bags_reads_a_transcript_as_json_loads_did(raw_lines):
    from ceremony.verify.bags import sealed_bags
    from ceremony.verify.contents import BundleContents
    from ceremony.verify.limits import TRANSCRIPT

    transcript = b"\n".join(raw_lines)
    found = sealed_bags(BundleContents.from_bytes({TRANSCRIPT: transcript}))
    assert {name: (bag.holds, bag.serial, bag.ceremony_id) for name, bag in found.items()} \
        == sealed_bags_by_json(transcript)
