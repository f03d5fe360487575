"""What the seal's speed-ups must keep: the same transcript lines, the same bytes.

An event's record skips ``asdict``'s deep copy when every field is a plain
value, and the transcript's guard skips its walk of a flat record while no
secret is known: each must give exactly what the slow way gives, for every
event kind and for any values (containers, nested records and secrets still
take the slow way). The bundle writer names its files by text: the files and
the manifest are the ones a Path would have made. A DCT request key is read
once per PEM text: a key whose id does not match still verifies nothing.
Python's cycle collector runs less often until a seal ends (never stopped), then
as it was, and a seal stopped early still closes (discards) at once. A
DCT root certificate's clock-free checks are made once per certificate and GUN
inside a seal; its validity is still judged at each verification's own time.
A DCT file the events, the key index and the summary all read is parsed once
per bytes and kind.
"""

from __future__ import annotations

import gc
import json
import os
from dataclasses import asdict, fields

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ceremony import events
from ceremony.bundle.transcript import SecretGuard, Transcript, guarded
from ceremony.bundle.writer import BundleWriter
from ceremony.sittings.seal import SEALING_THRESHOLDS, collector_eased

PLAIN = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=20),
                  st.floats(allow_nan=False))
VALUES = st.recursive(
    PLAIN,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.tuples(inner, inner),
        st.dictionaries(st.text(max_size=5), inner, max_size=3),
    ),
    max_leaves=6,
)


def every_event_kind() -> list[type[events.Event]]:
    found, todo = [], [events.Event]
    while todo:
        kind = todo.pop()
        found.append(kind)
        todo += kind.__subclasses__()
    return found


KINDS = every_event_kind()


def slow_record(event: events.Event) -> dict:
    """``asdict``'s fields but those a front end's hint, not recorded."""
    kept = {f.name for f in fields(event) if f.metadata != events.NOT_RECORDED}
    return {"event": event.name, **{k: v for k, v in asdict(event).items() if k in kept}}


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(KINDS), st.data())
def test_an_events_record_is_what_asdict_gives(kind, data):
    values = {f.name: data.draw(st.one_of(PLAIN, VALUES), label=f.name) for f in fields(kind)}
    event = kind.__new__(kind)
    for name, value in values.items():  # any value, even one its type does not name
        object.__setattr__(event, name, value)
    record = event.record()
    assert list(record.items()) == list(slow_record(event).items())
    assert json.dumps(record, sort_keys=True, default=str) == json.dumps(
        slow_record(event), sort_keys=True, default=str)


def test_a_record_holding_a_container_is_the_one_asdict_makes():
    event = events.CeremonyStarted(
        ceremony_id="x", kind="k", flavor="tuf", title="t", script_sha256="0" * 64,
        rehearsal=True, tool_version="1", steps=("a", "b"),
    )
    record = event.record()
    assert record == slow_record(event)
    assert record["steps"] == ("a", "b")


def test_a_preflight_checks_hints_for_the_screen_are_not_recorded():
    check = events.PreflightChecked("server keys g", False, "gone", "", "g", "GUN")
    assert check.record() == {"event": "preflight-checked", "check": "server keys g",
                              "ok": False, "detail": "gone", "reason": ""}


RECORDS = st.dictionaries(st.text(max_size=8), VALUES, max_size=6)


@settings(max_examples=300, deadline=None)
@given(RECORDS)
def test_a_guard_knowing_no_secret_gives_what_its_walk_gives(record):
    empty = SecretGuard()
    walking = SecretGuard()
    walking.remember("\x00" * 41 + "never in a drawn value")  # a secret: the full walk
    assert not walking.empty and empty.empty
    assert guarded(record, empty) == guarded(record, walking)
    line = {"event": "x", **record}
    assert guarded(line, empty) == guarded(line, walking)


def test_a_known_secret_is_still_redacted_in_a_flat_record():
    record = Transcript(lambda: __import__("datetime").datetime(2026, 1, 1))
    record.guard.remember("hunter22-horse")
    record.append({"event": "noted", "text": "hunter22-horse", "n": 3})
    line = json.loads(record.lines[-1])
    assert line["text"] == "[redacted]" and line["redacted"] == ["text"]


def test_the_writer_names_files_by_text_as_a_path_would(tmp_path):
    writer = BundleWriter(tmp_path / "bundle")
    try:
        writer.write("a.json", b"1")
        writer.write("metadata/x/y/root.json", b"2", private=True)
        writer.write("metadata/x/z.json", b"3")
        writer.finish({"format": 1})
        writer.seal()
    except BaseException:
        writer.discard()
        raise
    out = tmp_path / "bundle"
    assert (out / "metadata/x/y/root.json").read_bytes() == b"2"
    assert os.stat(out / "metadata/x/y/root.json").st_mode & 0o777 == 0o600
    assert os.stat(out / "metadata/x/z.json").st_mode & 0o777 == 0o644
    manifest = json.loads((out / "MANIFEST.json").read_bytes())
    assert sorted(manifest["files"]) == ["a.json", "metadata/x/y/root.json", "metadata/x/z.json"]
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()) == [
        "MANIFEST.json", "a.json", "metadata/x/y/root.json", "metadata/x/z.json"]


def test_the_cycle_collector_is_eased_until_the_seal_ends():
    usual = gc.get_threshold()
    seen: list[tuple[int, ...]] = []
    ended: list[str] = []

    def work():
        try:
            for n in range(3):
                seen.append(gc.get_threshold())
                assert gc.isenabled()  # eased, never stopped: a question may wait long
                yield n
        finally:
            ended.append("closed")

    events_out = []
    for event in collector_eased(work()):
        events_out.append((event, gc.get_threshold()))
    assert events_out == [(0, SEALING_THRESHOLDS), (1, SEALING_THRESHOLDS),
                          (2, SEALING_THRESHOLDS)]
    assert seen == [SEALING_THRESHOLDS] * 3 and ended == ["closed"]
    assert gc.get_threshold() == usual and gc.isenabled()


def test_a_seal_stopped_early_closes_its_work_at_once_and_the_collector_is_as_it_was():
    usual = gc.get_threshold()
    ended: list[str] = []

    def work():
        try:
            yield 1
            yield 2
        finally:
            ended.append("closed")

    eased = collector_eased(work())
    assert next(eased) == 1
    eased.close()
    assert ended == ["closed"] and gc.get_threshold() == usual
    eased = collector_eased(work())
    next(eased)
    with pytest.raises(KeyboardInterrupt):
        eased.throw(KeyboardInterrupt())
    assert ended == ["closed", "closed"] and gc.get_threshold() == usual


def test_a_collector_off_before_the_seal_stays_off():
    def work():
        yield gc.isenabled()

    gc.disable()
    try:
        assert list(collector_eased(work())) == [False]
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_a_request_key_read_once_still_verifies_only_its_own_signatures():
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

    from ceremony.flavor import flavor_named
    from ceremony.flavors.dct.notary.keyids import key_for_public_key
    from ceremony.sittings.adapter import Payload, RequestKey

    adapter = flavor_named("dct").sittings()
    private = ec.generate_private_key(ec.SECP256R1())
    pem = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    keyid = key_for_public_key(private.public_key()).keyid
    payload = Payload("a.root.json", b'{"signed":1}', ())
    r, s = decode_dss_signature(private.sign(payload.data, ec.ECDSA(hashes.SHA256())))
    signature = (r.to_bytes(32, "big") + s.to_bytes(32, "big")).hex()
    key = RequestKey("root-a", keyid, "a", pem)
    for _ in range(2):  # the second time, the key is the one read the first time
        assert adapter.verifies(payload, key, signature)
        assert not adapter.verifies(payload, RequestKey("root-a", "ab" * 32, "a", pem), signature)
        assert not adapter.verifies(Payload("a.root.json", b'{"signed":2}', ()), key, signature)
        assert not adapter.verifies(payload, key, "zz")


def test_a_root_certificate_judged_once_in_a_seal_is_still_judged_at_each_time(tmp_path):
    from datetime import UTC, datetime, timedelta

    from test_verify_dct import make_dct_bundle

    from ceremony.checked import remembering
    from ceremony.verify import verify_bundle

    bundle = make_dct_bundle(tmp_path)
    now = datetime.now(UTC)
    later = now + timedelta(days=365 * 30)  # every certificate expired by then
    alone = [verify_bundle(bundle, at=at).lines() for at in (now, later)]
    with remembering():  # the current bundle's verdicts, then the sealed one's
        together = [verify_bundle(bundle, at=at).lines() for at in (now, later, now)]
    assert alone[0] == [] and any("it expired on" in line for line in alone[1]), alone
    assert together == [alone[0], alone[1], alone[0]]


def test_metadata_read_once_is_shared_only_for_the_same_bytes_and_kind(tmp_path):
    from test_verify_dct import APP, make_dct_bundle

    from ceremony.checked import remembering
    from ceremony.errors import CeremonyError
    from ceremony.flavors.dct.kinds.common import read_shared
    from ceremony.flavors.dct.notary.model import Root, Targets

    bundle = make_dct_bundle(tmp_path)
    root = (bundle / "metadata" / APP / "root.json").read_bytes()
    other = root.replace(b'"version":1', b'"version":7')
    with remembering():
        first = read_shared(root, Root)
        assert read_shared(bytes(root), Root) is first  # the same bytes: the same reading
        assert read_shared(other, Root).signed.version == 7  # other bytes: read afresh
        for _ in range(2):  # a refusal is never remembered as a reading
            with pytest.raises(CeremonyError):
                read_shared(root, Targets)
    assert read_shared(root, Root) is not first  # outside a ceremony: nothing kept
