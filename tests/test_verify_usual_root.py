"""What the root chain's one-pass reading of a usual version must keep.

ceremony/flavors/tuf/verify/usual_root.py reads a version in one pass, takes
keys and rules equal to an earlier version's from memory, and puts the
canonical bytes of ``signed`` together from pieces. Whatever it accepts, the
full reading (the canonical or strict envelope, every field, every key) must
accept with no problem and read the same; whatever is unusual it must leave
to the full reading, so a bundle shows the same problems whichever path each
version takes. A version's bytes with a newline after them are read fully
(they are no longer canonical): the tests compare the two.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from bundle_factory import BundleMaker
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from securesystemslib.formats import encode_canonical
from tuf.api.metadata import Metadata

from ceremony.flavors.tuf.verify.metadata import read_metadata
from ceremony.flavors.tuf.verify.signatures import usable_keys
from ceremony.flavors.tuf.verify.usual_root import UsualRoots, read_usual_root
from ceremony.tufmeta.metadata import metadata_bytes
from ceremony.verify import verify_bundle
from ceremony.verify.canonical import canonical_bytes
from ceremony.verify.keys import KeyRing
from ceremony.verify.problem import Problem

VERSIONS = 6


@pytest.fixture(scope="module")
def chain() -> BundleMaker:
    maker = BundleMaker(with_targets=False)
    for _ in range(VERSIONS - 1):
        maker.rotate(replace=1)
    return maker


def resigned(maker: BundleMaker, data: bytes, change) -> bytes:
    """``data`` with ``change(signed)`` made, signed again by the same keyids,
    as canonical JSON (securesystemslib's encoder, not ceremony's)."""
    document = json.loads(data)
    change(document["signed"])
    payload = encode_canonical(document["signed"]).encode()
    by_keyid = {made.keyid: made for made in maker.keys.values()}
    document["signatures"] = [
        {"keyid": entry["keyid"], "sig": by_keyid[entry["keyid"]].signer.sign(payload).signature}
        for entry in document["signatures"]
    ]
    return encode_canonical(document).encode()


def tool_layout(data: bytes) -> bytes:
    """``data`` as ceremony writes metadata (python-tuf's indented JSON:
    ceremony.tufmeta.metadata.metadata_bytes)."""
    return json.dumps(json.loads(data), indent=1, separators=(",", ": "), sort_keys=True).encode()


def _reversed(value: Any) -> Any:
    if isinstance(value, dict):
        return {name: _reversed(value[name]) for name in reversed(list(value))}
    if isinstance(value, list):
        return [_reversed(item) for item in value]
    return value


def reversed_layout(data: bytes) -> bytes:
    """``data`` as JSON with every object's fields in reverse order (not sorted)."""
    return json.dumps(_reversed(json.loads(data)), indent=2).encode()


#: the layouts a version may come in: python-tuf's default (canonical JSON), the
#: one ceremony's own bundles hold, and one whose fields are not sorted
LAYOUTS = {
    "canonical": lambda data: data,
    "the tool's own": tool_layout,
    "fields reversed": reversed_layout,
}


def full_reading(path: str, data: bytes, ring: KeyRing) -> tuple[Any, list[Problem]]:
    problems: list[Problem] = []
    file = read_metadata(path, data, "root", problems)
    keys = usable_keys(file, ring, problems) if file is not None else None
    return (file, keys), problems


def assert_read_alike(fast, full) -> None:
    (file, keys), (full_file, full_keys) = fast, full
    for field in ("path", "signed", "payload", "signatures", "version", "expires",
                  "expires_text", "keys", "roles"):
        assert getattr(file, field) == getattr(full_file, field), field
    assert list(file.roles) == list(full_file.roles)
    assert {k: v.identity for k, v in keys.items()} == {
        k: v.identity for k, v in full_keys.items()
    }
    assert file.payload == canonical_bytes(file.signed)


def warm(maker: BundleMaker, upto: int) -> UsualRoots:
    """A UsualRoots that has read versions 1 to ``upto``, each the usual way."""
    usual = UsualRoots(KeyRing())
    for version in range(1, upto + 1):
        assert read_usual_root(f"metadata/{version}.root.json",
                               maker.root_files[version], usual) is not None
    return usual


def test_metadata_bytes_is_the_tool_layout_of_these_tests(chain):
    assert metadata_bytes(Metadata.from_bytes(chain.root_files[2])) == tool_layout(
        chain.root_files[2]
    )


@pytest.mark.parametrize("layout", LAYOUTS)
def test_every_usual_version_is_read_as_the_full_reading_reads_it(chain, layout):
    usual = UsualRoots(KeyRing())
    for version in range(1, VERSIONS + 1):
        path = f"metadata/{version}.root.json"
        data = LAYOUTS[layout](chain.root_files[version])
        fast = read_usual_root(path, data, usual)
        assert fast is not None
        full, problems = full_reading(path, data, KeyRing())
        assert problems == []
        assert_read_alike(fast, full)


#: what a forger might splice into canonical bytes: fields twice, whitespace,
#: escapes for plain characters, a second signed, a lone surrogate
SPLICES = [b"", b" ", b"\n", b',"a":1', b'"a":1,', b'"a":{"a":1,"a":1}', b"\\u0061", b"\\u0030",
           b'"signed":{},', b',"signed":{}', b'"\\ud800"', b"}", b"{", b"]", b",", b'"', b"0"]

#: values a changed field may take: 1 and true, keyids, times and versions, other kinds
VALUES = st.sampled_from(
    [0, 1, 2, 3, -1, True, False, None, "", "x", "root", "Root", [], {}, ["x"], {"x": 1},
     "ab" * 32, "1.0.31", "2.0", "1.0.31.1", "2030-01-01T00:00:00Z", "2030-02-30T00:00:00Z",
     "2030-01-01T00:00:00+00:00", "ed25519", "ecdsa", "\u00e9", '"', "\\", "\n"]
)


def _places(value: Any, at: tuple = ()) -> list[tuple]:
    """Every path to a field or item inside ``value``."""
    found = []
    if isinstance(value, dict):
        for name, inner in value.items():
            found.append((*at, name))
            found += _places(inner, (*at, name))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            found.append((*at, index))
            found += _places(inner, (*at, index))
    return found


def _change(document: Any, place: tuple, how: str, value: Any) -> None:
    # a copy: hypothesis hands out VALUES' own lists and dicts, which a change put in
    # the document as they are would let a later change grow (one once held itself)
    value = copy.deepcopy(value)
    *parents, last = place
    holder = document
    for step in parents:
        holder = holder[step]
    if how == "set":
        holder[last] = value
    elif how == "delete":
        del holder[last]
    elif isinstance(holder, dict):  # add a field beside it
        holder[f"x-{last}"] = value
    else:
        holder.append(value)


@settings(
    max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.tuples(st.integers(0, 10_000), st.sampled_from(["set", "delete", "add"]), VALUES),
        min_size=1, max_size=3,
    ),
    st.booleans(),
    st.lists(st.tuples(st.integers(0, 10_000), st.sampled_from(SPLICES)), max_size=2),
    st.sampled_from(sorted(LAYOUTS)),
)
def test_a_changed_version_is_read_as_the_full_reading_reads_it_or_left_to_it(
    chain, changes, cold, splices, layout
):
    """A version changed anywhere (1 for true, a key, a rule, a field added or
    removed...), written as canonical JSON or in the tool's layout, with bytes
    spliced in or not (a field twice, an escape, whitespace...), read after
    five usual ones (or first): the one-pass reading answers only what the full
    reading answers with no problem."""
    document = json.loads(chain.root_files[VERSIONS])
    for at, how, value in changes:
        places = _places(document)
        if not places:  # everything deleted
            break
        _change(document, places[at % len(places)], how, value)
    try:
        data = LAYOUTS[layout](canonical_bytes(document))
    except ValueError:
        return
    for at, splice in splices:  # b"": cut one byte out instead
        at %= len(data) + 1
        data = data[:at] + splice + data[at + (not splice):]
    usual = UsualRoots(KeyRing()) if cold else warm(chain, VERSIONS - 1)
    path = f"metadata/{VERSIONS}.root.json"
    fast = read_usual_root(path, data, usual)
    full, problems = full_reading(path, data, KeyRing())
    if fast is not None:
        assert problems == []
        assert_read_alike(fast, full)


def test_a_rule_equal_to_the_last_but_with_true_for_1_is_left_to_the_full_reading(chain):
    usual = warm(chain, VERSIONS - 1)
    path = f"metadata/{VERSIONS}.root.json"

    def threshold_true(signed: dict) -> None:
        signed["roles"]["snapshot"]["threshold"] = True

    data = resigned(chain, chain.root_files[VERSIONS], threshold_true)
    assert read_usual_root(path, data, usual) is None
    _, problems = full_reading(path, data, KeyRing())
    assert [p.what for p in problems] == [
        "signed.roles.snapshot.threshold is true, not a whole number from 1"
    ]


def _twice(data: bytes, field: bytes) -> bytes:
    """``data`` with the first ``"field":`` (or ``"field": ``) written twice, the
    first time with another value (what two readers could disagree on)."""
    start = data.index(field)
    return data[:start] + field + b"7," + data[start:]


#: fields a forger might write twice in a usual version: each makes the bytes
#: no longer the canonical encoding of what they hold
TWICE = [b'"version":', b'"threshold":', b'"expires":', b'"_type":', b'"public":',
         b'"keytype":', b'"keyids":', b'"consistent_snapshot":', b'"root":', b'"keys":',
         b'"roles":', b'"spec_version":', b'"sig":', b'"keyid":', b'"signed":']


@pytest.mark.parametrize("field", TWICE)
@pytest.mark.parametrize("cold", [True, False])
@pytest.mark.parametrize("layout", LAYOUTS)
def test_a_field_written_twice_is_left_to_the_full_reading(chain, field, cold, layout):
    usual = UsualRoots(KeyRing()) if cold else warm(chain, VERSIONS - 1)
    path = f"metadata/{VERSIONS}.root.json"
    if layout == "canonical":
        data = _twice(chain.root_files[VERSIONS], field)
    else:
        data = _twice(LAYOUTS[layout](chain.root_files[VERSIONS]), field + b" ")
    assert read_usual_root(path, data, usual) is None
    _, problems = full_reading(path, data, KeyRing())
    assert [p.what for p in problems] == [
        f"the field {field.decode()[1:-2]!r} appears twice in one object"
    ]


def test_a_key_equal_to_a_known_one_but_for_its_keyid_is_left_to_the_full_reading(chain):
    usual = warm(chain, VERSIONS - 1)
    path = f"metadata/{VERSIONS}.root.json"
    document = json.loads(chain.root_files[VERSIONS])
    keys = document["signed"]["keys"]
    first, second = sorted(keys)[:2]
    keys[first], keys[second] = keys[second], keys[first]  # each under the other's keyid
    data = canonical_bytes(document)
    assert read_usual_root(path, data, usual) is None
    _, problems = full_reading(path, data, KeyRing())
    assert len(problems) == 2 and all("is not the sha256 of its key" in p.what for p in problems)


def late_chain(versions: int = 12) -> BundleMaker:
    maker = BundleMaker(with_targets=False)
    for _ in range(versions - 1):
        maker.rotate(replace=1)
    return maker


def verified_with(maker: BundleMaker, where, version: int, data: bytes):
    """The report on ``maker``'s bundle with ``data`` as the given root version."""

    def edit(files: dict[str, bytes]) -> None:
        files[f"metadata/{version}.root.json"] = data

    return verify_bundle(maker.write(where, edit_files=edit))


def _flip_a_signature(document: dict) -> None:
    """Spoil the signature by the first key both root versions share (the
    first one a tally checks; the retired key's, first in the list, is not
    needed once the shared keys meet the threshold)."""
    sig = document["signatures"][1]["sig"]
    document["signatures"][1]["sig"] = ("0" if sig[0] != "0" else "1") + sig[1:]


#: changes to a version late in a 12-version chain, signed again where the
#: change is to signed (so only the change itself is wrong)
LATE_CHANGES = {
    "snapshot threshold true": lambda s: s["roles"]["snapshot"].update(threshold=True),
    "root threshold 1": lambda s: s["roles"]["root"].update(threshold=1),
    "root threshold 4": lambda s: s["roles"]["root"].update(threshold=4),
    "version true": lambda s: s.update(version=True),
    "spec 2.0": lambda s: s.update(spec_version="2.0"),
    "no such day": lambda s: s.update(expires="2030-02-30T00:00:00Z"),
    "consistent_snapshot 1": lambda s: s.update(consistent_snapshot=1),
    "a field more": lambda s: s.update({"x-note": 1}),
    "a rule's field more": lambda s: s["roles"]["targets"].update({"x-note": True}),
    "a key's scheme": lambda s: next(iter(s["keys"].values())).update(scheme="ed448"),
    "a key's field more": lambda s: next(iter(s["keys"].values())).update({"x": "1"}),
    "_type Root": lambda s: s.update(_type="Root"),
    "a fifth role": lambda s: s["roles"].update(mirror=s["roles"]["timestamp"]),
    "no snapshot role": lambda s: s["roles"].pop("snapshot"),
    "no keys": lambda s: s.pop("keys"),
    "a named key missing": lambda s: s["keys"].pop(s["roles"]["timestamp"]["keyids"][0]),
    "a role twice over": lambda s: s["roles"]["root"]["keyids"].append(
        s["roles"]["root"]["keyids"][0]),
}


#: changes that leave the version right (unknown fields are allowed, as in python-tuf)
ACCEPTED = {"root threshold 1", "a field more", "a rule's field more", "a signature's field"}


def read_fully(layout: str, data: bytes) -> bytes:
    """The same version, in bytes that only the full reading takes: canonical
    JSON with a newline after it (no longer canonical), the tool's layout with
    a top-level field no reader reads (the one-pass reading wants exactly two)."""
    if layout == "canonical":
        return data + b"\n"
    return data[:-2] + b',\n "x-note": 1\n}'


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("change", [*LATE_CHANGES, "a forged signature", "a signature's field"])
def test_a_changed_version_late_in_a_chain_shows_what_the_full_reading_shows(
    tmp_path, change, layout
):
    maker = late_chain()
    original = maker.root_files[10]
    if change in LATE_CHANGES:
        data = resigned(maker, original, LATE_CHANGES[change])
    else:
        document = json.loads(original)
        if change == "a forged signature":
            _flip_a_signature(document)
        else:
            document["signatures"][0]["x-note"] = "not signed, not read"
        data = encode_canonical(document).encode()
    assert data != original
    data = LAYOUTS[layout](data)
    assert json.loads(read_fully(layout, data))["x-note" if layout != "canonical" else "signed"]
    fast = verified_with(maker, tmp_path / "fast", 10, data)
    full = verified_with(maker, tmp_path / "full", 10, read_fully(layout, data))
    assert fast.lines() == full.lines()
    assert fast.root_versions == full.root_versions == list(range(1, 13))
    if change in ACCEPTED:
        assert fast.ok
    else:
        assert any(line.startswith("metadata/10.root.json: ") for line in fast.lines())
    if change == "a forged signature":
        keyid = json.loads(original)["signatures"][1]["keyid"]
        assert f"metadata/10.root.json: the signature by key {keyid[:8]} does not verify" in (
            fast.lines()
        )


def test_a_forged_signature_late_in_a_long_chain_is_refused(tmp_path):
    maker = late_chain(40)
    document = json.loads(maker.root_files[37])
    keyid = document["signatures"][1]["keyid"]
    sig = document["signatures"][1]["sig"]
    document["signatures"][1]["sig"] = sig[:-2] + ("00" if sig[-2:] != "00" else "01")
    report = verified_with(maker, tmp_path / "bundle", 37, encode_canonical(document).encode())
    lines = report.lines()
    assert f"metadata/37.root.json: the signature by key {keyid[:8]} does not verify" in lines
    assert not report.ok
    assert all(line.startswith("metadata/37.root.json: ") for line in lines)


def test_a_chain_in_the_tools_own_layout_is_read_the_usual_way(tmp_path, chain):
    usual = UsualRoots(KeyRing())
    for version in range(1, VERSIONS + 1):
        data = tool_layout(chain.root_files[version])
        assert read_usual_root(f"metadata/{version}.root.json", data, usual) is not None

    def edit(files: dict[str, bytes]) -> None:
        for path, data in files.items():
            if path.startswith("metadata/") and path.endswith("root.json"):
                files[path] = tool_layout(data)

    assert verify_bundle(chain.write(tmp_path / "bundle", edit_files=edit)).lines() == []
