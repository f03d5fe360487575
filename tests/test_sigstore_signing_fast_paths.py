"""What the Sigstore steps' speed-ups must keep: the same bytes, and every check made.

The metadata's canonical bytes come from the verifier's encoder, the files
and the two Sigstore documents are laid out by json_layout.py rather than by
json's Python encoder, and inside a ceremony's ``remembering`` block a
signature is checked once (the signer's check answers the counts after it).
Here the bytes are held to python-tuf's and json's own, and a bad signature,
a spoiled one already on the metadata, and a bad certificate are still
refused inside that block.
"""

from __future__ import annotations

import hashlib
import json
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from securesystemslib.signer import Signature
from tuf.api.metadata import Metadata, MetaFile, Snapshot, TargetFile, Targets, Timestamp
from tuf.api.serialization import SerializationError
from tuf.api.serialization.json import JSONSerializer

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))

import bench_sigstore  # noqa: E402 (the benchmark's Context and steps)
from test_verify_speedups import DOCUMENTS  # noqa: E402

from ceremony.bundle.json_layout import indented_json
from ceremony.checked import remembering
from ceremony.engine.context import Context
from ceremony.errors import PreflightError
from ceremony.flavors.sigstore import documents
from ceremony.flavors.sigstore.material import read_material
from ceremony.flavors.sigstore.standins import write_standins
from ceremony.tufmeta.metadata import built, metadata_bytes, signed_bytes
from ceremony.tufmeta.signing import SignerGroup, verification
from ceremony.verify.times import day_text, utc_text, zulu_text
from hsm.errors import SignatureCheckError
from hsm.software import SoftwareKey

ROLES = ("root", "targets", "snapshot", "timestamp")


class SpoilsItsSignatures(SoftwareKey):
    """A key that returns its signature with one bit flipped, as a faulty token would."""

    def sign_raw(self, payload: bytes) -> bytes:
        raw = bytearray(super().sign_raw(payload))
        raw[-1] ^= 1
        return bytes(raw)


def open_context(folder: Path, spoiled: str = "") -> Context:
    """The benchmark's Context (the rehearsal bootstrap, stand-in trust material, every
    key open); ``spoiled``: the key whose signatures come back spoiled."""
    write_standins(folder / "trust", datetime.now(UTC))
    ctx = bench_sigstore.open_context(folder)
    if spoiled:
        record = ctx.keys[spoiled]
        assert isinstance(record.signer, SoftwareKey)
        record.signer = SpoilsItsSignatures(record.signer.private_key_for_custody())
    return ctx


def run_steps(ctx: Context) -> None:
    """The bootstrap's steps, inside a ``remembering`` block as the engine runs them."""
    bench_sigstore.run_steps(ctx, bench_sigstore.BOOTSTRAP_STEPS, keep_root=False)


@pytest.fixture(scope="module")
def bootstrapped(tmp_path_factory):
    ctx = open_context(tmp_path_factory.mktemp("sigstore-fast"))
    run_steps(ctx)
    return ctx


def test_the_files_are_python_tufs_bytes_and_their_signatures_verify(bootstrapped):
    work = bootstrapped.work
    root = work.root.signed
    for role in ROLES:
        md = getattr(work, role)
        written = getattr(work, f"{role}_bytes")
        assert written == md.to_bytes(JSONSerializer(compact=False))
        assert signed_bytes(md) == md.signed_bytes
        again = Metadata.from_bytes(written)
        root.verify_delegate(role, again.signed_bytes, again.signatures)  # python-tuf's check
        assert len(again.signatures) == len(root.roles[role].keyids)


def test_the_documents_are_jsons_bytes(bootstrapped):
    material = bootstrapped.work.material
    for document, name in (
        (documents.trusted_root(material), documents.TRUSTED_ROOT),
        (documents.signing_config(material), documents.SIGNING_CONFIG),
    ):
        expected = json.dumps(document, indent=2, sort_keys=False).encode() + b"\n"
        assert documents.document_bytes(document) == expected
        assert bootstrapped.work.documents[name] == expected


def test_each_window_is_written_once_and_the_same_in_both_documents(bootstrapped):
    """A service's window is formatted once (``valid_for``) and each document gets a
    dict of its own with the times in RFC 3339 UTC."""
    material = bootstrapped.work.material
    root = documents.trusted_root(material)
    config = documents.signing_config(material)
    fulcio = material.of("fulcio")[0]
    expected = {"start": fulcio.start.strftime("%Y-%m-%dT%H:%M:%SZ")}
    if fulcio.end is not None:
        expected["end"] = fulcio.end.strftime("%Y-%m-%dT%H:%M:%SZ")
    in_root = root["certificateAuthorities"][0]["validFor"]
    in_config = config["caUrls"][0]["validFor"]
    assert in_root == in_config == expected
    assert in_root is not in_config


@settings(max_examples=300, deadline=None)
@given(st.datetimes(timezones=st.just(UTC)))
def test_the_windows_and_dates_are_strftimes_text(moment):
    """The windows and the words write a time from its fields: strftime's text, a year
    below 1000 included (unpadded, as this platform's %Y writes it)."""
    assert zulu_text(moment) == moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert day_text(moment) == moment.strftime("%Y-%m-%d")
    assert utc_text(moment) == moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


#: JSON documents (test_verify_speedups.py's), and values json.dumps lays out its own
#: way: floats, keys that are not strings
JSON_VALUES = st.one_of(
    DOCUMENTS,
    st.lists(st.one_of(st.floats(), DOCUMENTS), max_size=3),
    st.dictionaries(st.one_of(st.integers(), st.booleans(), st.none(), st.floats()), DOCUMENTS,
                    max_size=3),
)


@settings(max_examples=300, deadline=None)
@given(JSON_VALUES, st.sampled_from([1, 2, 4]), st.booleans())
def test_the_indented_layout_is_json_dumps(value, indent, sort_keys):
    try:
        expected = json.dumps(value, indent=indent, sort_keys=sort_keys)
    except TypeError:  # keys of several types cannot be sorted: both refuse
        with pytest.raises(TypeError):
            indented_json(value, indent, sort_keys=sort_keys)
    else:
        assert indented_json(value, indent, sort_keys=sort_keys) == expected


@settings(max_examples=100, deadline=None)
@given(
    st.dictionaries(st.text(min_size=1, max_size=16), st.binary(max_size=40), max_size=4),
    DOCUMENTS,
    st.integers(1, 2**31),
)
def test_metadata_bytes_are_python_tufs_for_any_targets(files, custom, version):
    expires = datetime(2031, 1, 2, 3, 4, 5, tzinfo=UTC)
    targets = Targets(version=version, expires=expires)
    for name, data in files.items():
        target = TargetFile.from_data(name, data, ["sha256"])
        target.unrecognized_fields["custom"] = custom
        targets.targets[name] = target
    snapshot = Snapshot(version=version, expires=expires, meta={"targets.json": MetaFile(version)})
    meta = MetaFile.from_data(version, b"x", ["sha256"])
    timestamp = Timestamp(version=version, expires=expires, snapshot_meta=meta)
    for signed in (targets, snapshot, timestamp):
        md = Metadata(signed, unrecognized_fields={"x-note": custom} if version % 2 else None)
        md.signatures["ab" * 32] = Signature("ab" * 32, "cd" * 64, {"note": custom})
        whole = md.to_bytes(JSONSerializer(compact=False))
        assert metadata_bytes(md) == whole
        # build_and_sign's way: the signed part's dict, made once for the signatures
        assert metadata_bytes(md, md.signed.to_dict()) == whole
        assert built(md, signed=md.signed.to_dict()) == built(md)
        try:
            expected = md.signed_bytes
        except SerializationError:  # a lone surrogate has no UTF-8: both refuse
            with pytest.raises(ValueError, match="not valid Unicode"):
                signed_bytes(md)
        else:
            assert signed_bytes(md) == expected


def test_the_built_event_says_the_expiry_as_python_tuf_writes_it():
    """The event takes the expiry from the signed part's dict when it has one (made for
    the signatures), and from the metadata itself when a field of that name was added."""
    md = Metadata(Targets(version=1, expires=datetime(2031, 1, 2, 3, 4, 5, tzinfo=UTC)))
    assert built(md, signed=md.signed.to_dict()).expires == "2031-01-02T03:04:05Z"
    md.signed.unrecognized_fields["expires"] = "soon"
    assert md.signed.to_dict()["expires"] == "soon"
    assert built(md, signed=md.signed.to_dict()).expires == "2031-01-02T03:04:05Z"


def test_a_signature_that_does_not_verify_is_refused_inside_remembering(tmp_path):
    ctx = open_context(tmp_path, spoiled="snapshot")
    with pytest.raises(SignatureCheckError, match="returned a signature that does not verify"):
        run_steps(ctx)
    assert ctx.work.targets is not None  # targets was signed by a sound key
    assert ctx.work.snapshot is None  # nothing spoiled was kept


def test_a_spoiled_signature_is_not_counted_after_the_sound_one_was_checked(bootstrapped):
    work = bootstrapped.work
    group = SignerGroup("targets", work.root.signed, "targets")
    payload = signed_bytes(work.targets)
    digest = hashlib.sha256(payload).digest()
    (keyid,) = group.keyids()
    sound = work.targets.signatures[keyid]
    raw = bytearray.fromhex(sound.signature)
    raw[-1] ^= 1
    spoiled = {keyid: Signature(keyid, raw.hex())}
    with remembering():
        assert verification(group, payload, {keyid: sound}, digest).met
        assert not verification(group, payload, spoiled, digest).met
        other = payload.replace(b'"version":1', b'"version":2')
        other_digest = hashlib.sha256(other).digest()
        assert not verification(group, other, {keyid: sound}, other_digest).met
    assert not verification(group, payload, spoiled, digest).met  # outside: checked again


def test_a_bad_certificate_is_refused_inside_remembering(bootstrapped, tmp_path):
    details = bootstrapped.plan.details
    chain = next(s.file for s in details.services if s.service == "fulcio")
    good = chain.read_bytes()
    with remembering():
        read_material(details, bootstrapped.started)
        first, second = good.split(b"-----END CERTIFICATE-----\n")[:2]
        end = b"-----END CERTIFICATE-----\n"
        chain.write_bytes(second + end + first + end)  # out of order: not signed by the next
        try:
            with pytest.raises(PreflightError, match="is not signed by the certificate after it"):
                read_material(details, bootstrapped.started)
        finally:
            chain.write_bytes(good)


def test_the_same_bytes_are_judged_once_inside_remembering(bootstrapped):
    """Preflight's reading of the trust material is the trust step's, for the same
    bytes at the same time; outside a run, and at another time, it is judged again."""
    details, at = bootstrapped.plan.details, bootstrapped.started
    with remembering():
        first = read_material(details, at)
        again = read_material(details, at)
        later = read_material(details, at.replace(microsecond=(at.microsecond + 1) % 10**6))
    outside = read_material(details, at)
    with_files = [i for i, m in enumerate(first.services) if m.spec.file is not None]
    assert len(with_files) == 4
    for i in with_files:
        assert again.services[i] is first.services[i]
        assert later.services[i] is not first.services[i]
        assert outside.services[i] is not first.services[i]
    assert outside.services == first.services


def test_a_refusal_is_not_remembered(bootstrapped):
    """The same bad bytes are refused at each reading inside a run, never taken."""
    details = bootstrapped.plan.details
    chain = next(s.file for s in details.services if s.service == "tsa")
    good = chain.read_bytes()
    first, second = good.split(b"-----END CERTIFICATE-----\n")[:2]
    end = b"-----END CERTIFICATE-----\n"
    chain.write_bytes(second + end + first + end)
    try:
        with remembering():
            for _ in range(2):
                with pytest.raises(PreflightError):
                    read_material(details, bootstrapped.started)
    finally:
        chain.write_bytes(good)


#: what each root key's entry in the signatures holds: none, its own good signature,
#: that signature spoiled, or another key's good signature under its keyid
ENTRIES = st.sampled_from(["none", "good", "spoiled", "borrowed"])


@settings(max_examples=60, deadline=None)
@given(st.lists(ENTRIES, min_size=3, max_size=3), st.booleans())
def test_the_counts_are_python_tufs(entries, remembered):
    """verification() finds the signed and unsigned keys python-tuf's
    get_verification_result finds (a keyid the root has no key for is neither),
    inside a remembering block and outside it."""
    root = bootstrapped_root()
    payload = signed_bytes(root)
    digest = hashlib.sha256(payload).digest()
    keyids = sorted(root.signed.roles["root"].keyids)
    good = {keyid: root.signatures[keyid] for keyid in keyids}
    signatures = {}
    for keyid, entry, other in zip(keyids, entries, keyids[1:] + keyids[:1], strict=True):
        if entry == "good":
            signatures[keyid] = good[keyid]
        elif entry == "spoiled":
            raw = bytearray.fromhex(good[keyid].signature)
            raw[-1] ^= 1
            signatures[keyid] = Signature(keyid, raw.hex())
        elif entry == "borrowed":
            signatures[keyid] = Signature(keyid, good[other].signature)
    root.signed.roles["root"].keyids.append("ff" * 32)  # named, but no key for it
    try:
        expected = root.signed.get_verification_result("root", payload, signatures)
        group = SignerGroup("new", root.signed, "root")
        if remembered:
            with remembering():
                verification(group, payload, good, digest)  # the sound ones checked first
                counted = verification(group, payload, signatures, digest)
        else:
            counted = verification(group, payload, signatures, digest)
    finally:
        root.signed.roles["root"].keyids.remove("ff" * 32)
    assert counted.signed == frozenset(expected.signed)
    assert counted.unsigned == frozenset(expected.unsigned)
    assert counted.met == expected.verified


_ROOT: list[Metadata] = []


def bootstrapped_root() -> Metadata:
    """Root version 1 of a bootstrap run once (three root keys, all signed)."""
    if not _ROOT:
        import tempfile

        with tempfile.TemporaryDirectory() as folder:
            ctx = open_context(Path(folder))
            run_steps(ctx)
        _ROOT.append(ctx.work.root)
    return _ROOT[0]
