"""ceremony/json_scan.py's ``json_loads`` reads custody records without loading json:
it must give what ``json.loads`` gives (values, and the same errors) for any text."""

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


@settings(max_examples=400, deadline=None)
@given(st.one_of(
    values.map(json.dumps),
    values.map(lambda value: json.dumps(value, indent=2, sort_keys=True) + "\n"),
    st.sampled_from(ODD),
    st.text(alphabet="{}[]\",:0123456789.eE+- \n\tnultrefasINa\\", max_size=20),
))
def test_json_loads_reads_as_json_loads(text):
    assert outcome(json_loads, text) == outcome(json.loads, text)
