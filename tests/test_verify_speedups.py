"""What the chain check's speed-ups must keep: the same problems found, the same bytes.

Keyids are worked out once per distinct key object (root versions repeat
their keys), one JSON decoder and one canonical encoder serve every file:
none of that may let one file's verdict leak into another's. A file written
as canonical JSON is read without the per-object duplicate check, once its
bytes are found to be the canonical encoding of what they hold: what that
fast path accepts, the strict read must accept and read the same, and a
bundle must show the same problems whichever path its files take.
"""

from __future__ import annotations

import hashlib
import json
import os

import pytest
from bundle_factory import BundleMaker
from hypothesis import given, settings
from hypothesis import strategies as st
from securesystemslib.formats import encode_canonical

from ceremony.bundle.reading import read_at_most
from ceremony.flavors.tuf.verify.envelope import read_canonical, read_strictly
from ceremony.verify import verify_bundle
from ceremony.verify.canonical import canonical_bytes, keyid_of
from ceremony.verify.digest import sha256_hex
from ceremony.verify.errors import MalformedJSONError
from ceremony.verify.keys import KeyRing
from ceremony.verify.strict_json import parse_json


def test_a_key_right_in_one_version_and_mislabeled_in_the_next_is_caught_there_only(tmp_path):
    maker = BundleMaker()  # root-1, root-2, root-3; threshold 2
    wrong = "cd" * 32
    real = maker.key("root-1").keyid
    maker.rotate(replace=0)  # version 2: root-1 under its own keyid, as in version 1
    maker.rotate(  # version 3: the same key, mislabeled
        replace=0,
        edit=lambda root: root.add_key(maker.mislabeled("root-1", wrong), "root"),
        signers=["root-2", "root-3", ("root-1", wrong)],
    )
    maker.rotate(replace=0, signers=["root-2", "root-3"])  # version 4 drops nothing
    maker.path = maker.write(tmp_path / "bundle")
    assert sorted(verify_bundle(maker.path).lines()) == [
        f"metadata/3.root.json: keyid cdcdcdcd is not the sha256 of its key "
        f"(that would be {real[:8]}); it does not count",
        f"metadata/4.root.json: keyid cdcdcdcd is not the sha256 of its key "
        f"(that would be {real[:8]}); it does not count",
    ]


def test_the_keyid_memo_gives_each_key_object_its_own_keyid():
    ring = KeyRing()
    key = {"keytype": "ed25519", "scheme": "ed25519", "keyval": {"public": "ab" * 32}}
    extra = dict(key, x_copy="1")
    assert ring.keyid(key, keyid_of) == keyid_of(key)
    assert ring.keyid(extra, keyid_of) == keyid_of(extra) != keyid_of(key)
    assert ring.keyid(dict(key), keyid_of) == keyid_of(key)


@pytest.mark.parametrize(
    "value",
    [
        {"b": 1, "a": [True, None, "x"], "c": {"z": "\u00e9\u4e2d", "y": -3}},
        {"pem": "-----BEGIN\nline\r\tend\b\f\x01\x1f\"\\-----"},
        ["", 0, {"": ""}],
    ],
)
def test_canonical_bytes_are_securesystemslibs_call_after_call(value):
    for _ in range(2):
        assert canonical_bytes(value) == encode_canonical(value).encode("utf-8")


#: documents as JSON parses them (no floats), every character a string may hold
#: (control characters, non-ASCII, lone surrogates a ``\\ud800`` escape makes)
DOCUMENTS = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.text(max_size=12)),
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.text(max_size=6), inner, max_size=5)),
    max_leaves=25,
)


@settings(max_examples=300, deadline=None)
@given(DOCUMENTS)
def test_canonical_bytes_are_securesystemslibs_for_any_document(value):
    """The C encoder's fast path gives securesystemslib's bytes, or both refuse."""
    try:
        expected = encode_canonical(value).encode("utf-8")
    except UnicodeEncodeError:
        with pytest.raises(ValueError, match="not valid Unicode"):
            canonical_bytes(value)
    else:
        assert canonical_bytes(value) == expected


@settings(max_examples=50, deadline=None)
@given(st.binary(max_size=3000))
def test_verifys_sha256_is_hashlibs(data):
    assert sha256_hex(data) == hashlib.sha256(data).hexdigest()


def test_one_decoder_for_every_file_still_refuses_each_bad_file():
    good = json.dumps({"a": {"b": 1}}).encode()
    assert parse_json(good) == {"a": {"b": 1}}
    with pytest.raises(MalformedJSONError, match="appears twice"):
        parse_json(b'{"a": 1, "a": 2}')
    with pytest.raises(MalformedJSONError, match="not a whole number"):
        parse_json(b'{"a": 1.5}')
    assert parse_json(good) == {"a": {"b": 1}}


def test_verifys_times_are_datetimes_own_classes():
    """verify takes them from datetime's C module (Python 3.11's datetime.py runs
    its pure-Python twin first): the same classes, the same UTC."""
    import datetime

    from ceremony.verify import times

    assert times.datetime is datetime.datetime
    assert times.UTC is datetime.UTC
    at = times.as_utc(datetime.datetime(2027, 1, 31, 14, 0, tzinfo=datetime.timezone(
        datetime.timedelta(hours=2))))
    assert times.utc_text(at) == "2027-01-31T12:00:00Z"


def _as_json_decoder_reads(data: bytes) -> object:
    """What parse_json answered when it ran json.JSONDecoder itself (its code then)."""
    from ceremony.verify.strict_json import _no_constant, _no_duplicates, _no_float

    decoder = json.JSONDecoder(
        object_pairs_hook=_no_duplicates, parse_float=_no_float, parse_constant=_no_constant
    )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        return f"not UTF-8 text (byte {error.start})"
    if text.startswith("\ufeff"):
        return "starts with a byte-order mark"
    try:
        return ("value", decoder.decode(text))
    except MalformedJSONError as error:
        return str(error)
    except json.JSONDecodeError as error:
        return f"not valid JSON: {error.msg} at line {error.lineno} column {error.colno}"
    except (RecursionError, ValueError) as error:
        return f"not JSON this tool accepts: {type(error).__name__}"


def _as_parse_json_reads(data: bytes) -> object:
    try:
        return ("value", parse_json(data))
    except MalformedJSONError as error:
        return str(error)


_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=4), inner,
                                                                 max_size=4),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(_JSON_VALUES, st.sampled_from(["", " ", "\n\t", "\r\n "]), st.integers(0, 200),
       st.text(alphabet=' \t\n{}[],:"\\0123456789.eE+-aflnrstu\x00\ufeff', max_size=6))
def test_parse_json_reads_as_json_decoder_did(value, space, cut, noise):
    """The C scanner called as JSONDecoder.decode calls it: the same values, and the
    same words for every way a file can be wrong (cut short, extra data, whitespace
    around, duplicates, floats, constants)."""
    text = space + json.dumps(value, indent=1 if cut % 2 else None) + space
    for candidate in (text, text[:cut], text[:cut] + noise + text[cut:], noise,
                      '{"a": 1, "a": 2}', "NaN", "[1, 2] 3", "[" * 5000):
        data = candidate.encode("utf-8", "surrogatepass")
        assert _as_parse_json_reads(data) == _as_json_decoder_reads(data)


def _outcome(read, data: bytes) -> object:
    try:
        return ("value", read(data))
    except ValueError:
        return "refused"


@settings(max_examples=200, deadline=None)
@given(_JSON_VALUES, st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-32"]),
       st.sampled_from(["", '{"a": 1, "a": 2}', "NaN", "1.5", "\x00", "[1] 2", "\ud800"]))
def test_a_transcript_line_is_read_leniently_as_json_loads_reads_it(value, encoding, noise):
    """The decommission check reads key-destroyed lines as json.loads does, asking json
    only of what strict JSON refuses."""
    from ceremony.verify.destroyed import _read_leniently

    text = json.dumps({"event": "key-destroyed", "value": value})
    for candidate in (text, text[:-1] + ", " + noise + "}", noise, text + noise):
        data = candidate.encode(encoding, "surrogatepass")
        assert _outcome(_read_leniently, data) == _outcome(json.loads, data)

@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([b"a", b"\n", b"\r", b"\r\n", b'"key-destroyed"', b'"key-',
                                 b'destroyed"', b"{}", b" "]), max_size=30).map(b"".join))
def test_the_lines_holding_key_destroyed_are_those_splitlines_gives(data):
    """The decommission check cuts out only the lines that name key-destroyed, where it
    split the whole transcript: the same lines, in order, however lines end."""
    from ceremony.verify.destroyed import lines_holding

    needle = b'"key-destroyed"'
    assert list(lines_holding(data, needle)) == [
        line for line in data.splitlines() if needle in line]


def canonical_file(signed: object, signatures: object) -> bytes:
    return b'{"signatures":%s,"signed":%s}' % (
        canonical_bytes(signatures), canonical_bytes(signed)
    )


#: what a forger might splice into canonical bytes: fields twice, whitespace,
#: escapes for plain characters, floats, a second signed, a lone surrogate
SPLICES = [b' ', b'\n', b',"a":1', b'"a":1,', b'"a":{"a":1,"a":1}', b'\\u0061', b'1.0',
           b'"signed":{},', b',"signed":{}', b'"\\ud800"', b'}', b'{', b'[', b']', b',', b'"']


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(st.text(max_size=6), DOCUMENTS, max_size=5),
    st.lists(st.dictionaries(st.sampled_from(["keyid", "sig"]), st.text(max_size=8))),
    st.lists(st.tuples(st.integers(0, 10_000), st.sampled_from(SPLICES) | st.just(b"")),
             max_size=3),
)
def test_what_the_canonical_fast_path_reads_the_strict_read_reads_the_same(
    signed, signatures, splices
):
    try:
        data = canonical_file(signed, signatures)
    except ValueError:  # a lone surrogate: no canonical form to start from
        return
    problems: list[str] = []
    strict = read_strictly(data, problems.append)
    # canonical bytes are read the fast way unless strict JSON refuses them
    # (a raw control character: canonical JSON leaves it, JSON forbids it)
    assert read_canonical(data) == strict
    assert (strict is None) == bool(problems)
    for at, splice in splices:  # b"": cut one byte out instead
        at %= len(data) + 1
        data = data[:at] + splice + data[at + (not splice):]
    fast = read_canonical(data)
    if fast is not None:
        problems.clear()
        assert read_strictly(data, problems.append) == fast
        assert problems == []


#: changes to a root version written as canonical JSON (python-tuf's default
#: layout), each leaving bytes that are no longer canonical
ALTERATIONS = [
    (b'"version":2', b'"version":2,"version":2'),
    (b'"threshold":1', b'"threshold":1,"threshold":2'),
    (b'"keyval":{"public":', b'"keyval":{"public":"00","public":'),
    (b'{"signatures":[', b'{"signed":{},"signatures":['),
    (b'"version":2', b'"version":2.0'),
    (b'"_type":"root"', b'"_type":"\\u0072oot"'),
    (b'"_type":"root"', b'"_type":"\\ud800"'),
    (b'"_type":"root"', b'"_type" : "root"'),
    (b'"_type":"root"', b'"_type":"r\xffot"'),
]


@pytest.mark.parametrize(("old", "new"), ALTERATIONS)
def test_a_changed_canonical_root_shows_what_the_strict_read_shows(tmp_path, old, new):
    maker = BundleMaker()
    maker.rotate(replace=1)
    maker.rotate(replace=1)
    original = maker.bundle_files()["metadata/2.root.json"]
    assert read_canonical(original) is not None  # python-tuf's layout: the fast path
    assert old in original
    changed = original.replace(old, new, 1)
    assert read_canonical(changed) is None

    def verified(name: str, data: bytes) -> list[str]:
        def edit(files: dict[str, bytes]) -> None:
            files["metadata/2.root.json"] = data

        return verify_bundle(maker.write(tmp_path / name, edit_files=edit)).lines()

    # a newline after the same bytes: the strict read, with nothing else different
    assert verified("changed", changed) == verified("strict", changed + b"\n")
    assert verified("fast", original) == verified("untouched", original + b"\n") == []


def test_the_keyid_memo_tells_the_usual_key_shape_from_any_other():
    ring = KeyRing()
    usual = {"keytype": "ed25519", "scheme": "ed25519", "keyval": {"public": "ab" * 32}}
    others = [
        dict(usual, keyval={"public": "ab" * 32, "private": ""}),
        dict(usual, keyval={"public": ["ab" * 32]}),
        {"keytype": "ed25519", "scheme": "ed25519", "keyval": "ab" * 32},
        {"keytype": "ed25519", "scheme": "ed25519", "public": {"keyval": "ab" * 32}},
        dict(usual, scheme=1),
        dict(usual, scheme=True),
    ]
    for key in [usual, *others, usual]:
        assert ring.keyid(key, keyid_of) == keyid_of(key)
        assert ring.known(key, keyid_of)[0] == keyid_of(key)


@pytest.mark.parametrize("said", [0, 5, 9, 10, 11, 4096, None])
def test_a_file_is_read_to_its_end_whatever_its_status_said(tmp_path, said):
    path = tmp_path / "grown"
    path.write_bytes(b"0123456789")
    with path.open("rb", buffering=0) as file:
        assert read_at_most(file, 100, said) == b"0123456789"
    with path.open("rb", buffering=0) as file:
        assert read_at_most(file, 7, said) == b"0123456"
    descriptor = os.open(path, os.O_RDONLY)
    try:
        assert read_at_most(descriptor, 100, said) == b"0123456789"
    finally:
        os.close(descriptor)
