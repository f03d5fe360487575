"""Metadata read from bytes is encoded once for both its uses, with the same answers.

Judging a file's exact bytes serializes the model again (``Metadata.to_bytes``);
the signatures cover the canonical bytes of ``signed`` as parsed
(``Metadata.signed_bytes``). When the file is exactly the model's bytes, the first
encoding is kept for the second. These tests hold a fresh reading, asked in either
order, to the two encodings made apart (the code as it was; the model's encoding
now laid out directly when it is plain): over generated roots
and targets (names with ``<>&``, U+2028, non-ASCII, quotes, control characters,
unknown fields) and over the same files spoiled (a field twice, fields reordered,
characters escaped, non-canonical numbers, whitespace): the same bytes, the same
refusals, and the same problems in a bundle's verification.
"""

from __future__ import annotations

import base64
import json
import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ceremony.checked import remembering
from ceremony.errors import CeremonyError
from ceremony.flavors.dct.notary import canonical as cjson
from ceremony.flavors.dct.notary.model import Metadata, Root, Targets, read_metadata
from ceremony.flavors.dct.verify.roots import _parsed

_SAFE = list("aZ09-_/.:é€<>&\"\\ \u2028\u2029\u007f") + ["\U0001f600"]
# a control character now and then: notary cannot write it, and both encodings refuse
_SAFE_NAME = st.text(st.sampled_from(_SAFE), max_size=6)
_NAME = _SAFE_NAME | _SAFE_NAME | st.text(st.sampled_from([*_SAFE, "\n", "\t"]), max_size=6)
_PLAIN = st.text(st.sampled_from(list("abcdef0123456789")), min_size=1, max_size=8)
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | _NAME,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_NAME, inner, max_size=3),
    max_leaves=8,
)


def _ODD_NOW_AND_THEN(plain: st.SearchStrategy[str]) -> st.SearchStrategy[str]:  # noqa: N802
    """A plain name nine times in ten, else any name."""
    return st.integers(0, 9).flatmap(lambda pick: _NAME if pick == 0 else plain)


def _EXTRA(names: list[str]) -> st.SearchStrategy[dict[str, Any]]:  # noqa: N802
    """Unknown fields, none at all more often than not."""
    return st.just({}) | st.just({}) | st.dictionaries(st.sampled_from(names), _JSON, max_size=2)


_EXPIRES = st.sampled_from([
    "2030-01-01T00:00:00Z", "2030-01-01T00:00:00.5+01:00", "2031-05-06T07:08:09Z",
    "2030-01-01T00:00:00-02:30", "2030-01-01T00:00:00Z\n",
])


@st.composite
def _root(draw: st.DrawFn) -> dict[str, Any]:
    # plain names mostly (the directly laid-out path), odd ones now and then
    keyids = draw(st.lists(_ODD_NOW_AND_THEN(_PLAIN), min_size=1, max_size=3, unique=True))
    keys = {
        keyid: {
            "keytype": draw(_ODD_NOW_AND_THEN(st.sampled_from(["ecdsa-x509", "ed25519", "x"]))),
            "keyval": {"private": None,
                       "public": base64.b64encode(draw(st.binary(max_size=12))).decode(),
                       **draw(_EXTRA(["x", "<"]))},
        }
        for keyid in keyids
    }
    roles = {
        name: {"keyids": draw(st.lists(st.sampled_from(keyids), max_size=2)),
               "threshold": draw(st.integers(1, 3))}
        for name in ("root", "targets", "snapshot", "timestamp")
    }
    signed: dict[str, Any] = {
        "_type": "Root", "consistent_snapshot": draw(st.booleans()),
        "expires": draw(_EXPIRES), "keys": keys, "roles": roles,
        "version": draw(st.integers(1, 2**64)),
    }
    signed.update(draw(_EXTRA(["zz", "a<b", "é"])))
    return signed


@st.composite
def _targets(draw: st.DrawFn) -> dict[str, Any]:
    signed: dict[str, Any] = {
        "_type": "Targets", "delegations": {"keys": {}, "roles": []},
        "expires": draw(_EXPIRES), "targets": {}, "version": draw(st.integers(1, 2**64)),
    }
    signed.update(draw(_EXTRA(["zz", "<&>"])))
    return signed


_SIGNATURES = st.lists(
    st.fixed_dictionaries({
        "keyid": st.one_of(_PLAIN, _NAME),
        "method": st.sampled_from(["ecdsa", "ed25519"]) | _NAME,
        "sig": st.binary(max_size=8).map(lambda b: base64.b64encode(b).decode()),
    }),
    max_size=2,
)


def _go_file(signed: dict[str, Any], signatures: list[dict[str, Any]]) -> bytes:
    """The file as notary writes it (when it can: else a json.dumps of it)."""
    try:
        return cjson.file_bytes(cjson.canonical(signed), [
            cjson.signature_json(s["keyid"], s["method"], base64.b64decode(s["sig"]))
            for s in signatures
        ])
    except CeremonyError:
        return json.dumps({"signed": signed, "signatures": signatures}).encode()


def _spoil(data: bytes, how: int, where: int) -> bytes:
    """One of the ways a file can hold the same content in other bytes (or not)."""
    text = data.decode("utf-8", "surrogatepass")
    spots = [m.start() for m in re.finditer(r'"[^"\\]', text)] or [0]
    at = spots[where % len(spots)]
    edits = [
        lambda: text,
        lambda: text.replace('"version":', '"version":1,"version":', 1),  # a field twice
        lambda: text.replace('{"signed":', '{"signatures":[],"signed":', 1),
        lambda: json.dumps(json.loads(text), sort_keys=False, indent=None),
        lambda: json.dumps({**dict(reversed(json.loads(text).items()))},
                           separators=(",", ":"), ensure_ascii=False),
        lambda: text[: at + 1] + f"\\u{ord(text[at + 1]):04x}" + text[at + 2:],  # escaped
        lambda: text.replace("/", "\\/", 1),
        lambda: text.replace("\\u003c", "<", 1).replace("\\u0026", "&", 1),
        lambda: text.replace("\u2028", "\\u2028").replace("é", "\\u00e9"),
        lambda: re.sub(r'"version":(\d+)', r'"version":\1.0', text, count=1),
        lambda: re.sub(r'"version":(\d+)', r'"version":\1e0', text, count=1),
        lambda: re.sub(r'"version":(\d+)', r'"version":0\1', text, count=1),
        lambda: re.sub(r'"threshold":(\d+)', r'"threshold": \1', text, count=1),
        lambda: text.replace('"consistent_snapshot":false', '"consistent_snapshot":0', 1),
        lambda: text + "\n",
        # content the model reads as another: the file's signed part and the
        # model's then differ
        lambda: text.replace('"private":null,', "", 1),
        lambda: text.replace('"private":null', '"private":""', 1),
        lambda: text.replace('"targets":{}', '"targets":null', 1),
        lambda: text.replace('"delegations":{"keys":{},"roles":[]}', '"delegations":null', 1),
        lambda: text.replace('"delegations":{"keys":{},"roles":[]}', '"delegations":{}', 1),
        lambda: text.replace(":", ": ", 1),
    ]
    return edits[how % len(edits)]().encode("utf-8", "surrogatepass")


def _outcome(function: Any) -> tuple[str, Any]:
    try:
        return "value", function()
    except CeremonyError as error:
        return "refused", (type(error).__name__, error.what, error.where)


def _two_passes(data: bytes, kind: type[Root] | type[Targets]) -> Any:
    """What the code as it was answered: each encoding made on its own."""
    read = _outcome(lambda: read_metadata(data, kind, "f"))
    if read[0] != "value":
        return read
    metadata: Metadata[Any] = read[1]
    file = _outcome(lambda: cjson.file_bytes(
        cjson.canonical(metadata.signed.to_dict()), [s.to_json() for s in metadata.signatures]
    ))
    signed = _outcome(lambda: cjson.canonical(metadata.raw_signed))
    return file, signed


def _one_pass(data: bytes, kind: type[Root] | type[Targets], file_first: bool) -> Any:
    read = _outcome(lambda: read_metadata(data, kind, "f"))
    if read[0] != "value":
        return read
    metadata: Metadata[Any] = read[1]
    if file_first:
        file = _outcome(metadata.to_bytes)
        signed = _outcome(metadata.signed_bytes)
    else:
        signed = _outcome(metadata.signed_bytes)
        file = _outcome(metadata.to_bytes)
    assert _outcome(metadata.to_bytes) == file  # asked again: the same
    assert _outcome(metadata.signed_bytes) == signed
    return file, signed


def _problems(data: bytes, kind: type[Root] | type[Targets]) -> Any:
    with remembering():
        return _outcome(lambda: _parsed(data, "metadata/g/1.root.json", kind)[1])


def _expected_problems(data: bytes, kind: type[Root] | type[Targets]) -> Any:
    """The verification's problems worked out from the two encodings made apart."""
    answer = _two_passes(data, kind)
    if answer[0] == "refused" or answer[0][0] != "value" or answer[0][1] == data:
        return None  # refused, raising, or exact: left to the verification's own words
    return "value", (("metadata/g/1.root.json",
                      "not in notary's exact bytes (Go's JSON): clients would compute a "
                      "different checksum than the server's"),)


def _check(data: bytes, kind: type[Root] | type[Targets]) -> None:
    expected = _two_passes(data, kind)
    assert _one_pass(data, kind, file_first=True) == expected
    assert _one_pass(data, kind, file_first=False) == expected
    words = _expected_problems(data, kind)
    if words is not None:
        found = _problems(data, kind)
        assert found[0] == "value"
        assert [(p.where, p.what) for p in found[1]] == list(words[1])


@settings(max_examples=400, deadline=None)
@given(signed=_root(), signatures=_SIGNATURES, how=st.integers(0, 20), where=st.integers(0, 99))
def test_roots_read_once_answer_as_two_encodings(
    signed: dict[str, Any], signatures: list[dict[str, Any]], how: int, where: int
) -> None:
    _check(_spoil(_go_file(signed, signatures), how, where), Root)


@settings(max_examples=200, deadline=None)
@given(signed=_targets(), signatures=_SIGNATURES, how=st.integers(0, 20), where=st.integers(0, 99))
def test_targets_read_once_answer_as_two_encodings(
    signed: dict[str, Any], signatures: list[dict[str, Any]], how: int, where: int
) -> None:
    _check(_spoil(_go_file(signed, signatures), how, where), Targets)


def test_an_exact_file_is_encoded_once() -> None:
    signed = {"_type": "Targets", "delegations": {"keys": {}, "roles": []},
              "expires": "2030-01-01T00:00:00Z", "targets": {}, "version": 3, "n": "<&>"}
    data = _go_file(signed, [{"keyid": "ab", "method": "ecdsa", "sig": "AAAA"}])
    metadata = read_metadata(data, Targets, "f")
    assert metadata.to_bytes() == data
    calls = []
    original = cjson.canonical

    def counted(value: object, where: str = "signed") -> bytes:
        calls.append(value)
        return original(value, where)

    cjson.canonical = counted  # type: ignore[assignment]
    try:
        assert metadata.signed_bytes() == original(metadata.raw_signed)
    finally:
        cjson.canonical = original  # type: ignore[assignment]
    assert calls == []  # kept from the file's judging
    spoiled = data.replace(b'"version":3', b'"version":3 ')
    other = read_metadata(spoiled, Targets, "f")
    assert other.to_bytes() != spoiled
    assert other._canonical is None  # nothing kept from a file that differs


def _plain_root(**changes: Any) -> dict[str, Any]:
    keys = {"ab": {"keytype": "ecdsa-x509", "keyval": {"private": None, "public": "AAAA"}}}
    roles = {name: {"keyids": ["ab"], "threshold": 1}
             for name in ("root", "targets", "snapshot", "timestamp")}
    return {"_type": "Root", "consistent_snapshot": False, "expires": "2030-01-01T00:00:00Z",
            "keys": keys, "roles": roles, "version": 2, **changes}


def test_roots_the_direct_layout_must_leave_to_the_generic_serializer() -> None:
    signatures = [{"keyid": "ab", "method": "ecdsa", "sig": "AAAA"}]
    odd_key = {"ab": {"keytype": "ec\tdsa", "keyval": {"private": None, "public": "AAAA"}}}
    for signed in (
        _plain_root(),  # laid out directly
        _plain_root(keys=odd_key),  # its key layout refuses a tab in its own words
    ):
        data = _go_file(signed, signatures)
        assert read_metadata(data, Root, "f")  # each one reads
        _check(data, Root)
    # times Go's RFC 3339 reading refuses: a newline after, another script's digits
    for expires in ("2030-01-01T00:00:00Z\n", "٢٠٣٠-01-01T00:00:00Z"):
        data = _go_file(_plain_root(expires=expires), signatures)
        with pytest.raises(CeremonyError, match="is not an RFC 3339 time"):
            read_metadata(data, Root, "f")
        _check(data, Root)
