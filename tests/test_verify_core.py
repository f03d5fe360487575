"""The verification core on bytes made in memory: strict parsing, canonical
JSON and the shape of metadata, each problem with its exact line."""

from __future__ import annotations

import json

import pytest
from bundle_factory import BundleMaker, tuf_keyid
from hypothesis import given, settings
from hypothesis import strategies as st
from securesystemslib.formats import encode_canonical

from ceremony.flavors.tuf.verify.metadata import read_metadata
from ceremony.verify.canonical import canonical_bytes, keyid_of
from ceremony.verify.errors import MalformedJSONError
from ceremony.verify.strict_json import parse_json

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.text(),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_canonical_json_matches_securesystemslib(value):
    assert canonical_bytes(value) == encode_canonical(value).encode("utf-8")


def test_keyid_covers_pem_newlines_and_extra_fields():
    maker = BundleMaker(algorithm="ecdsa-p256", with_targets=False)
    key = maker.key("root-1").signer.public_key.to_dict()
    assert "\n" in key["keyval"]["public"]
    assert keyid_of(key) == maker.key("root-1").keyid
    key["x-note"] = 'a "quoted" \\ value'
    assert keyid_of(key) == tuf_keyid(key)


@pytest.mark.parametrize(
    "data, message",
    [
        (b'{"a": 1, "a": 2}', "the field 'a' appears twice in one object"),
        (b'{"a": 1.0}', "the number 1.0 is not a whole number"),
        (b'{"a": NaN}', "NaN is not allowed in JSON"),
        (b'\xef\xbb\xbf{"a": 1}', "starts with a byte-order mark"),
        (b'{"a": "\xff"}', "not UTF-8 text (byte 7)"),
        (b'{"a": 1', "not valid JSON: Expecting ',' delimiter at line 1 column 8"),
        (b"[" * 100_000, "not JSON this tool accepts: RecursionError"),
    ],
)
def test_strict_json_refuses(data, message):
    with pytest.raises(MalformedJSONError) as raised:
        parse_json(data)
    assert str(raised.value) == message


@pytest.fixture(scope="module")
def root_document():
    maker = BundleMaker(with_targets=False)
    return maker, json.loads(maker.root_files[1])


def problems_after(root_document, change) -> list[str]:
    _, document = root_document
    edited = json.loads(json.dumps(document))
    change(edited)
    problems = []
    read_metadata("metadata/1.root.json", json.dumps(edited).encode(), "root", problems)
    return [problem.what for problem in problems]


def set_signed(field, value):
    def change(document):
        document["signed"][field] = value

    return change


def drop_signed(field):
    return lambda document: document["signed"].pop(field)


@pytest.mark.parametrize(
    "change, expected",
    [
        (set_signed("_type", "targets"), "signed._type is 'targets', not 'root'"),
        (
            set_signed("spec_version", "2.0.0"),
            "signed.spec_version is '2.0.0'; only TUF spec version 1.x is understood",
        ),
        (set_signed("version", 0), "signed.version is 0, not a whole number from 1"),
        (set_signed("version", True), "signed.version is true, not a whole number from 1"),
        (
            set_signed("expires", "2030-01-01T00:00:00.123Z"),
            "signed.expires is '2030-01-01T00:00:00.123Z', "
            "not a UTC time of the form YYYY-MM-DDTHH:MM:SSZ",
        ),
        (
            set_signed("expires", "2030-1-01T00:00:00Z"),
            "signed.expires is '2030-1-01T00:00:00Z', "
            "not a UTC time of the form YYYY-MM-DDTHH:MM:SSZ",
        ),
        (
            set_signed("expires", "2030-02-30T00:00:00Z"),
            "signed.expires is '2030-02-30T00:00:00Z', "
            "not a UTC time of the form YYYY-MM-DDTHH:MM:SSZ",
        ),
        (
            drop_signed("consistent_snapshot"),
            "signed.consistent_snapshot is missing or not true/false",
        ),
        (
            lambda d: d["signed"]["roles"].pop("snapshot"),
            "signed.roles lacks the snapshot role",
        ),
        (
            lambda d: d["signed"]["roles"].update(mirrors={"keyids": [], "threshold": 1}),
            "signed.roles has 'mirrors', which is not a top-level role",
        ),
        (
            lambda d: d["signed"]["roles"]["root"].update(threshold=0),
            "signed.roles.root.threshold is 0, not a whole number from 1",
        ),
        (
            lambda d: d["signed"]["roles"]["root"].update(threshold=4),
            "signed.roles.root needs 4 signatures but lists only 3 keys",
        ),
        (
            lambda d: d["signed"]["roles"]["timestamp"]["keyids"].append("cd" * 32),
            "signed.roles.timestamp names keyid cdcdcdcd, which has no key in this file",
        ),
        (
            lambda d: d["signatures"].append(dict(d["signatures"][0])),
            "two signatures for keyid {first}; one per keyid is allowed",
        ),
        (
            lambda d: d.update(signed=[]),
            "not TUF metadata: it needs a signed object and a signatures list",
        ),
    ],
)
def test_root_shape_problems(root_document, change, expected):
    first = root_document[1]["signatures"][0]["keyid"][:8]
    assert problems_after(root_document, change) == [expected.format(first=first)]


def test_a_good_root_has_no_problems(root_document):
    assert problems_after(root_document, lambda document: None) == []


def test_terminal_escapes_in_fields_are_shown_escaped(root_document):
    assert problems_after(root_document, set_signed("_type", "\x1b[31mroot")) == [
        "signed._type is '\\x1b[31mroot', not 'root'"
    ]
