"""The quick YAML writer (ceremony/script/yaml_plain_write.py) writes the very bytes
``yaml.safe_dump(fields, sort_keys=False, default_flow_style=None, width=100)``
writes, or leaves the fields to it. Hypothesis writes fields of every shape a next
script has, with text YAML 1.1 reads as something else (``yes``, ``0o10``, ``1e3``,
``2027-11-30``, ``1:20``), text that needs quotes or escapes, and lines past the width."""

from __future__ import annotations

import re

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ceremony.script.yaml_plain_write import _NOT_TEXT, _not_text, dump_plain

ODD = ["yes", "No", "on", "OFF", "y", "n", "true", "null", "Null", "~", "0o10", "010", "0x1f",
       "0b101", "1e3", "1.5e+3", "-1e-3", ".5", "5.", "1_000", "1:20", "1:20:30.5", "+.inf",
       "-.inf",
       ".nan", "2027-11-30", "2027-11-30T12:00:00Z", "2027-1-3 1:02:03.5 +2", "=", "<<", "-", "--x",
       "+1", "-0", "30d", "1y", "2-delegate", "../a/3-rotate-root", "...", "..", ".", ".x", "a b",
       "a  b", " a", "a ", "", "a: b", "a #b", "a#b", "'q'", '"q"', "x\ny", "é", "\t", "(x)",
       "Renewal to root version 3", "[a]", "{a}", "a,b", "@x", "%x", "&x", "*x", "!x", "|", ">",
       "?", "? x", "- x", ":x", "x:", "=x"]
texts = st.one_of(st.sampled_from(ODD),
                  st.from_regex(r"[a-z0-9][a-z0-9 ./()+-]{0,12}", fullmatch=True),
                  st.from_regex(r"[A-Za-z0-9 _./()+:#'\"-]{1,12}", fullmatch=True),
                  st.from_regex(r"[a-z][a-z0-9 -]{80,110}", fullmatch=True),
                  st.text(max_size=6))
scalars = st.one_of(texts, st.integers(-10**20, 10**20), st.booleans(), st.none())
keys = st.one_of(st.from_regex(r"[a-z][a-z0-9-]{0,15}", fullmatch=True), texts)
fields_ = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(keys, inner, max_size=4)),
    max_leaves=16,
)

#: the same shapes, their text only of the characters the quick writer takes
simple_texts = st.one_of(st.sampled_from([t for t in ODD if t and t.isascii() and t.isprintable()
                                          and not set(t) & set(":#'\"[]{},@%&*!|>?=<`~")]),
                         st.from_regex(r"[a-z0-9.][a-z0-9 ./()+-]{0,12}", fullmatch=True))
simple_fields = st.recursive(
    st.one_of(simple_texts, st.integers(-10**20, 10**20), st.booleans(), st.none()),
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(simple_texts, inner, max_size=4)),
    max_leaves=16,
)


def pyyaml(fields: dict[str, object]) -> str:
    return yaml.safe_dump(dict(fields), sort_keys=False, default_flow_style=None, width=100)


def holds_to_pyyaml(fields: dict[str, object]) -> bool:
    quick = dump_plain(fields)
    assert quick is None or quick == pyyaml(fields), (fields, quick, pyyaml(fields))
    return quick is not None


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(keys, fields_, max_size=6))
def test_fields_are_written_as_pyyaml_writes_them_or_left_to_it(fields):
    holds_to_pyyaml(fields)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(simple_texts, simple_fields, max_size=6))
def test_simple_fields_are_written_as_pyyaml_writes_them(fields):
    holds_to_pyyaml(fields)


@settings(max_examples=300, deadline=None)
@given(st.from_regex(r"[a-z][a-z0-9 ./-]{0,130}", fullmatch=True), st.integers(0, 40),
       st.booleans())
def test_lines_near_the_width_are_written_as_pyyaml_writes_them(text, items, in_list):
    """Around 100 characters PyYAML folds a line; below it, never."""
    value: object = [text[: n + 1] for n in range(0, len(text), max(1, items))] if in_list else text
    holds_to_pyyaml({"title": value, "keys": [{"name": text, "x": [text, 1]}]})


def test_a_next_scripts_fields_are_written_without_pyyaml():
    fields = {
        "format": 1, "ceremony": "rotate-root", "flavor": "tuf",
        "title": "Rotation to root version 3", "current": "../media/2-delegate",
        "output": "../media/2-delegate-rotate-root-v3", "rehearsal": True,
        "sign-with": ["root-alice", "root-bob"],
        "keys": [{"name": "timestamp-2", "algorithm": "ed25519"},
                 {"name": "targets-2", "import": "targets-2.pem"}],
        "roles": {"root": {"keys": ["root-alice", "root-bob"], "threshold": 2, "expires": "1y"},
                  "timestamp": {"keys": ["timestamp-2"], "threshold": 1, "expires": "7d"}},
        "passphrases": {"root-alice": {"env": "ROOT_ALICE"}},
        "policy": {"renewal-margin": "30d", "rotation": {"timestamp": "90d"}},
        "bags": {"open": [{"name": "custody-a-bag", "serial": "0012"}]},
        "expires-on": "2027-11-30", "empty": [], "nothing": {}, "none": None,
    }
    assert holds_to_pyyaml(fields)


@settings(max_examples=1000, deadline=None)
@given(st.one_of(
    st.sampled_from(ODD), texts,
    st.from_regex(r"[-+.0-9][-+.0-9_:eEbxa-fA-FinfINFaNAtTZ \t]{0,25}", fullmatch=True),
    st.from_regex(r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([Tt]| +)[0-9]{1,2}:[0-9]{2}:[0-9]{2}"
                  r"(\.[0-9]*)? *(Z|[-+][0-9]{1,2}(:[0-9]{2})?)?", fullmatch=True),
))
def test_the_quick_not_text_test_is_the_resolvers_pattern(text):
    """Text the writer quotes without compiling the pattern is what the pattern matches."""
    assert _not_text(text) == bool(re.compile(_NOT_TEXT, re.X).match(text))
