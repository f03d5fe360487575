"""``verify_bundle``: a good bundle passes; each defect is refused with its exact line.

Every bundle here is made by tests/bundle_factory.py in the docs/reference/bundle.md
layout. Where the issue asks for it, the same bundle goes through python-tuf's
ngclient as well (tests/tuf_client.py): a client trusting 1.root.json must
accept the rotated root and refuse a tampered byte, a missing signature, a
version gap and a rollback, just as ``ceremony verify`` does.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from bundle_factory import BundleMaker, in_days, make_bundle, sign
from tuf.api.exceptions import (
    BadVersionNumberError,
    ExpiredMetadataError,
    UnsignedMetadataError,
)
from tuf_client import refresh_from_bundle

from ceremony.verify import Problem, VerificationReport, verify_bundle


def lines(report: VerificationReport) -> list[str]:
    return sorted(report.lines())


def utc(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def changed_hash_line(path: str, old: bytes, new: bytes) -> str:
    return (
        f"{path}: sha256 {sha(new)[:16]}... differs from {sha(old)[:16]}... in MANIFEST.json"
    )


def client_version(maker: BundleMaker, tmp_path: Path, **options) -> int:
    return refresh_from_bundle(maker.path, tmp_path / "client", maker.online_metadata(), **options)


def written(maker: BundleMaker, tmp_path: Path, **options) -> BundleMaker:
    maker.path = maker.write(tmp_path / "bundle", **options)
    return maker


@pytest.fixture
def bundle(tmp_path) -> BundleMaker:
    """A good bundle: 3 root versions, one root key replaced at each rotation."""
    return make_bundle(tmp_path / "bundle", versions=3)


# --- good bundles ------------------------------------------------------------


def test_good_bundle_passes_with_its_facts(bundle, tmp_path):
    report = verify_bundle(bundle.path)
    assert report.ok, report.lines()
    manifest = json.loads((bundle.path / "MANIFEST.json").read_bytes())
    assert report.root_versions == [1, 2, 3]
    assert report.newest_root_version == 3
    assert report.root_expires == utc(bundle.expires)
    assert report.targets_version == 1
    assert report.transcript_head == manifest["transcript_head"]
    assert report.transcript_lines == len(
        (bundle.path / "transcript.jsonl").read_bytes().splitlines()
    )
    assert report.files_checked == sum(1 for p in bundle.path.rglob("*") if p.is_file())
    assert report.rehearsal is False
    assert report.ceremony == "bootstrap"


def test_ngclient_trusting_version_1_accepts_the_rotated_root(bundle, tmp_path):
    assert client_version(bundle, tmp_path) == 3


@pytest.mark.parametrize("algorithm", ["ecdsa-p256", "ecdsa-p384", "rsa-3072"])
def test_every_allowed_algorithm_verifies(tmp_path, algorithm):
    maker = make_bundle(tmp_path / "bundle", versions=2, algorithm=algorithm)
    assert verify_bundle(maker.path).ok
    assert client_version(maker, tmp_path) == 2


def test_rehearsal_is_a_fact_not_a_problem(tmp_path):
    maker = make_bundle(tmp_path / "bundle", versions=2, rehearsal=True)
    report = verify_bundle(maker.path)
    assert report.ok, report.lines()
    assert report.rehearsal is True


def test_problem_reads_as_one_line():
    problem = Problem("metadata/3.root.json", "signed by 1 of the 2 root keys version 2 requires")
    assert str(problem) == (
        "metadata/3.root.json: signed by 1 of the 2 root keys version 2 requires"
    )


# --- root history ------------------------------------------------------------


def test_tampered_byte_in_a_root_file_is_refused(bundle, tmp_path):
    path = bundle.path / "metadata/2.root.json"
    original = path.read_bytes()
    start = original.index(b'"expires":"') + len(b'"expires":"2027-01-01T00:00:0')
    digit = original[start : start + 1]
    tampered = original[:start] + (b"1" if digit != b"1" else b"2") + original[start + 1 :]
    path.write_bytes(tampered)

    signers = ["root-1", "root-2", "root-3", "root-4"]
    assert lines(verify_bundle(bundle.path)) == sorted(
        [changed_hash_line("metadata/2.root.json", original, tampered)]
        + [
            f"metadata/2.root.json: the signature by key {bundle.key(name).short} does not verify"
            for name in signers
        ]
        + [
            "metadata/2.root.json: root keys of version 1: 0 valid signatures, threshold 2 "
            "(2 more needed)",
            "metadata/2.root.json: root keys of version 2: 0 valid signatures, threshold 2 "
            "(2 more needed)",
        ]
    )
    with pytest.raises(UnsignedMetadataError):
        client_version(bundle, tmp_path)


def test_too_few_signatures_of_the_old_root_is_refused(tmp_path):
    maker = BundleMaker()
    maker.rotate(signers=["root-2", "root-4"])  # root-4 is new: one old key signed
    maker.rotate()
    written(maker, tmp_path)
    assert lines(verify_bundle(maker.path)) == [
        "metadata/2.root.json: root keys of version 1: 1 valid signature, threshold 2 "
        f"(1 more needed) (keyids {maker.key('root-2').short})"
    ]
    with pytest.raises(UnsignedMetadataError):
        client_version(maker, tmp_path)


def test_too_few_signatures_of_the_new_root_is_refused(tmp_path):
    maker = BundleMaker()
    maker.rotate(signers=["root-1", "root-2"])  # root-1 left: one new key signed
    maker.rotate()
    written(maker, tmp_path)
    assert lines(verify_bundle(maker.path)) == [
        "metadata/2.root.json: root keys of version 2: 1 valid signature, threshold 2 "
        f"(1 more needed) (keyids {maker.key('root-2').short})"
    ]
    with pytest.raises(UnsignedMetadataError):
        client_version(maker, tmp_path)


def test_version_gap_is_refused(tmp_path):
    maker = BundleMaker()
    for _ in range(3):
        maker.rotate()
    written(maker, tmp_path, edit_files=lambda files: files.pop("metadata/3.root.json"))
    assert lines(verify_bundle(maker.path)) == [
        "metadata/3.root.json: missing: root versions must run from 1 to 4 without gaps"
    ]
    # ngclient cannot walk past the gap: it never trusts version 4
    assert client_version(maker, tmp_path) == 2


def test_duplicate_version_is_refused_as_a_rollback(tmp_path):
    maker = BundleMaker()
    maker.rotate()
    maker.rotate(replace=0)  # version 3 keeps version 2's keys

    def roll_back(files):
        files["metadata/3.root.json"] = maker.root_files[2]
        files["metadata/root.json"] = maker.root_files[2]

    written(maker, tmp_path, edit_files=roll_back)
    assert lines(verify_bundle(maker.path)) == [
        "metadata/3.root.json: signed.version is 2, but its name says 3"
    ]
    with pytest.raises(BadVersionNumberError):
        client_version(maker, tmp_path)


def test_root_json_older_than_the_newest_version_is_refused(tmp_path):
    maker = BundleMaker()
    maker.rotate()
    maker.rotate()
    written(
        maker,
        tmp_path,
        edit_files=lambda files: files.update({"metadata/root.json": maker.root_files[2]}),
    )
    assert lines(verify_bundle(maker.path)) == [
        "metadata/root.json: not the same bytes as metadata/3.root.json, the newest root version"
    ]


def test_wrong_keyid_is_refused_and_does_not_count(tmp_path):
    maker = BundleMaker()
    wrong = "ab" * 32
    real = maker.key("root-1").keyid
    maker.rotate(
        edit=lambda root: root.add_key(maker.mislabeled("root-1", wrong), "root"),
        signers=["root-2", "root-3", "root-4", ("root-1", wrong)],
    )
    written(maker, tmp_path)
    assert lines(verify_bundle(maker.path)) == [
        f"metadata/2.root.json: keyid abababab is not the sha256 of its key "
        f"(that would be {real[:8]}); it does not count"
    ]


def test_one_key_under_two_keyids_counts_once(tmp_path):
    maker = BundleMaker()  # root-1, root-2, root-3; threshold 2
    alias = maker.alias("root-2")

    def twice(root):  # version 2: root-2 (also as alias) and root-4
        root.revoke_key(maker.key("root-3").keyid, "root")
        root.add_key(alias, "root")

    maker.rotate(edit=twice, signers=["root-2", "root-3", ("root-2", alias.keyid)])
    maker.rotate(
        replace=0,
        edit=lambda root: root.revoke_key(alias.keyid, "root"),
        signers=["root-2", "root-4"],
    )
    written(maker, tmp_path)
    pair = sorted([maker.key("root-2").short, alias.keyid[:8]])
    assert lines(verify_bundle(maker.path)) == sorted(
        [
            f"metadata/2.root.json: keyids {pair[0]} and {pair[1]} are the same public key; "
            "it counts once",
            "metadata/2.root.json: root keys of version 2: 1 valid signature, threshold 2 "
            f"(1 more needed) (keyids {maker.key('root-2').short})",
        ]
    )


def test_expired_newest_root_is_refused(tmp_path):
    maker = make_bundle(tmp_path / "bundle", versions=2, expires=in_days(-1))
    now = in_days(0)
    expired = utc(maker.expires)
    assert lines(verify_bundle(maker.path, at=now)) == [
        f"metadata/2.root.json: expired {expired} (checked as of {utc(now)})",
        f"metadata/targets.json: expired {expired} (checked as of {utc(now)})",
    ]
    with pytest.raises(ExpiredMetadataError):
        client_version(maker, tmp_path)


def test_expired_intermediate_root_is_fine(tmp_path):
    maker = BundleMaker(expires=in_days(-30))
    maker.rotate(expires=in_days(-20))
    maker.rotate(expires=in_days(100))
    maker.expires = in_days(100)  # for targets.json
    written(maker, tmp_path)
    assert verify_bundle(maker.path).ok
    assert client_version(maker, tmp_path) == 3


def test_at_in_the_future_finds_the_root_expired(tmp_path):
    maker = make_bundle(tmp_path / "bundle", versions=2, expires=in_days(30))
    later = in_days(60)
    assert verify_bundle(maker.path).ok
    assert lines(verify_bundle(maker.path, at=later)) == [
        f"metadata/2.root.json: expired {utc(maker.expires)} (checked as of {utc(later)})",
        f"metadata/targets.json: expired {utc(maker.expires)} (checked as of {utc(later)})",
    ]
    # the moment of expiry itself counts as expired, as in python-tuf
    assert not verify_bundle(maker.path, at=maker.expires).ok
    assert verify_bundle(maker.path, at=maker.expires - timedelta(seconds=1)).ok


def test_at_in_the_past_accepts_a_root_that_has_expired_since(tmp_path):
    maker = make_bundle(tmp_path / "bundle", versions=2, expires=in_days(-1))
    assert not verify_bundle(maker.path).ok
    report = verify_bundle(maker.path, at=in_days(-10))
    assert report.ok, report.lines()
    assert report.checked_at == utc(in_days(-10))


def test_naive_at_is_taken_as_utc(bundle):
    naive = datetime(2027, 1, 2, 3, 4, 5)
    assert verify_bundle(bundle.path, at=naive).checked_at == "2027-01-02T03:04:05Z"
    aware = datetime(2027, 1, 2, 5, 4, 5, tzinfo=timezone(timedelta(hours=2)))
    assert verify_bundle(bundle.path, at=aware).checked_at == "2027-01-02T03:04:05Z"


# --- targets -----------------------------------------------------------------


def resigned_targets(maker: BundleMaker, signers, edit=None) -> Callable:
    def replace(files):
        targets = maker.targets()
        if edit is not None:
            edit(targets.signed)
        targets.signatures.clear()
        sign(targets, maker, signers)
        files["metadata/targets.json"] = files["metadata/1.targets.json"] = targets.to_bytes()

    return replace


def test_targets_signed_by_another_key_is_refused(tmp_path):
    maker = BundleMaker()
    maker.rotate(replace_online=["targets"])
    written(maker, tmp_path, edit_files=resigned_targets(maker, ["targets-1"]))
    assert lines(verify_bundle(maker.path)) == [
        "metadata/targets.json: targets keys of root version 2: 0 valid signatures, threshold 1 "
        "(1 more needed)"
    ]


def test_targets_delegation_with_a_wrong_keyid_is_refused(tmp_path):
    maker = BundleMaker()
    wrong = "cd" * 32

    def add_mislabeled(targets):
        targets.delegations.keys[wrong] = maker.mislabeled("packages-1", wrong)

    written(maker, tmp_path, edit_files=resigned_targets(maker, ["targets-1"], add_mislabeled))
    assert lines(verify_bundle(maker.path)) == [
        f"metadata/targets.json: keyid cdcdcdcd is not the sha256 of its key "
        f"(that would be {maker.key('packages-1').short}); it does not count"
    ]


def test_targets_copy_named_by_version_must_match(tmp_path):
    maker = BundleMaker()
    written(
        maker,
        tmp_path,
        edit_files=lambda files: files.update({"metadata/1.targets.json": b"{}"}),
    )
    assert lines(verify_bundle(maker.path)) == [
        "metadata/1.targets.json: not the same bytes as metadata/targets.json"
    ]


def test_rehearsal_file_must_agree_with_the_manifest(tmp_path):
    maker = BundleMaker(rehearsal=False)
    written(maker, tmp_path, edit_files=lambda files: files.update(REHEARSAL=b"yes\n"))
    assert lines(verify_bundle(maker.path)) == [
        "REHEARSAL: present, but MANIFEST.json says rehearsal is false"
    ]


# --- manifest ----------------------------------------------------------------


def test_manifest_hash_mismatch_is_refused(bundle):
    path = bundle.path / "ceremony.yaml"
    original = path.read_bytes()
    changed = original.replace(b"bootstrap", b"bootstrop")
    path.write_bytes(changed)
    assert lines(verify_bundle(bundle.path)) == [
        changed_hash_line("ceremony.yaml", original, changed)
    ]


@pytest.mark.parametrize(
    ("field", "value", "problem"),
    [
        ("ceremony", "rotate-root", "ceremony is 'rotate-root', but the transcript's first "
         "line records 'bootstrap': the manifest was changed"),
        ("ceremony_id", "20261126T173000Z-bootstrap-00000000", "ceremony_id is "
         "'20261126T173000Z-bootstrap-00000000', but the transcript's first line records "
         "'20261126T173000Z-bootstrap-3f2a9c1e': the manifest was changed"),
        ("ceremony", None, "ceremony is null, not the kind of ceremony"),
    ],
    ids=["kind", "id", "no-kind"],
)
def test_the_manifest_says_what_the_transcript_recorded(bundle, field, value, problem):
    path = bundle.path / "MANIFEST.json"
    manifest = json.loads(path.read_text())
    manifest[field] = value
    path.write_text(json.dumps(manifest, indent=2))
    assert lines(verify_bundle(bundle.path)) == [f"MANIFEST.json: {problem}"]


def test_manifest_size_mismatch_is_refused(bundle):
    path = bundle.path / "ceremony.yaml"
    size = path.stat().st_size
    path.write_bytes(path.read_bytes() + b"# more\n")
    assert lines(verify_bundle(bundle.path)) == [
        f"ceremony.yaml: {size + 7} bytes, but MANIFEST.json says {size}"
    ]


def test_extra_file_is_refused(bundle):
    (bundle.path / "notes.txt").write_text("hello")
    (bundle.path / "metadata" / "timestamp.json").write_text("{}")
    assert lines(verify_bundle(bundle.path)) == [
        "metadata/timestamp.json: on the media but not listed in MANIFEST.json",
        "notes.txt: on the media but not listed in MANIFEST.json",
    ]


def test_missing_file_is_refused(bundle):
    (bundle.path / "keys/offline/root-3.age").unlink()
    assert lines(verify_bundle(bundle.path)) == [
        "keys/offline/root-3.age: listed in MANIFEST.json but missing from the media"
    ]


def test_missing_root_version_on_media_is_refused_twice_over(bundle):
    (bundle.path / "metadata/2.root.json").unlink()
    assert lines(verify_bundle(bundle.path)) == [
        "metadata/2.root.json: listed in MANIFEST.json but missing from the media",
        "metadata/2.root.json: missing: root versions must run from 1 to 3 without gaps",
    ]


# --- transcript --------------------------------------------------------------


def transcript_lines(bundle: BundleMaker) -> list[bytes]:
    return (bundle.path / "transcript.jsonl").read_bytes().splitlines(keepends=True)


def test_edited_transcript_line_breaks_the_chain(bundle):
    path = bundle.path / "transcript.jsonl"
    original = path.read_bytes()
    entries = transcript_lines(bundle)
    entries[2] = entries[2].replace(b'"root-2"', b'"root-9"')
    path.write_bytes(b"".join(entries))
    assert lines(verify_bundle(bundle.path)) == sorted(
        [
            changed_hash_line("transcript.jsonl", original, path.read_bytes()),
            "transcript.jsonl line 4: prev is not the sha256 of line 3: "
            "a line before it was changed, removed or reordered",
        ]
    )


def test_removed_transcript_line_breaks_the_chain(bundle):
    path = bundle.path / "transcript.jsonl"
    size = path.stat().st_size
    entries = transcript_lines(bundle)
    del entries[4]
    path.write_bytes(b"".join(entries))
    assert lines(verify_bundle(bundle.path)) == sorted(
        [
            f"transcript.jsonl: {path.stat().st_size:,} bytes, but MANIFEST.json says {size:,}",
            "transcript.jsonl line 5: prev is not the sha256 of line 4: "
            "a line before it was changed, removed or reordered",
            "transcript.jsonl line 5: seq is 5 where 4 should follow",
        ]
    )


def test_transcript_head_mismatch_is_refused(bundle):
    manifest_path = bundle.path / "MANIFEST.json"
    manifest = json.loads(manifest_path.read_bytes())
    real_head = manifest["transcript_head"]
    manifest["transcript_head"] = "f" * 64
    manifest_path.write_text(json.dumps(manifest))
    assert lines(verify_bundle(bundle.path)) == [
        f"transcript.jsonl: its head {real_head[:16]}... is not the transcript_head "
        f"{'f' * 16}... in MANIFEST.json"
    ]


def test_cut_transcript_is_refused(bundle):
    path = bundle.path / "transcript.jsonl"
    size = path.stat().st_size
    entries = transcript_lines(bundle)
    path.write_bytes(b"".join(entries[:-1]))
    new_head = sha(entries[-2].rstrip(b"\n"))
    old_head = sha(entries[-1].rstrip(b"\n"))
    assert lines(verify_bundle(bundle.path)) == sorted(
        [
            f"transcript.jsonl: {path.stat().st_size:,} bytes, but MANIFEST.json says {size:,}",
            f"transcript.jsonl: its head {new_head[:16]}... is not the transcript_head "
            f"{old_head[:16]}... in MANIFEST.json",
        ]
    )


# --- keys --------------------------------------------------------------------


def test_key_index_pem_of_another_key_is_refused(tmp_path):
    maker = BundleMaker()
    maker.rotate()

    def swap(files):
        files["keys/public/root-2.pem"], files["keys/public/root-3.pem"] = (
            files["keys/public/root-3.pem"],
            files["keys/public/root-2.pem"],
        )

    written(maker, tmp_path, edit_files=swap)
    assert lines(verify_bundle(maker.path)) == [
        f"keys/index.json: key 'root-2': keys/public/root-2.pem is not the key "
        f"{maker.key('root-2').short} in the metadata",
        f"keys/index.json: key 'root-3': keys/public/root-3.pem is not the key "
        f"{maker.key('root-3').short} in the metadata",
    ]


def test_key_index_missing_a_root_key_is_refused(tmp_path):
    maker = BundleMaker()

    def forget(files):
        index = json.loads(files["keys/index.json"])
        del index["keys"]["root-1"]
        files["keys/index.json"] = json.dumps(index).encode()

    written(maker, tmp_path, edit_files=forget)
    assert lines(verify_bundle(maker.path)) == [
        f"keys/index.json: the root key {maker.key('root-1').short} is not listed",
        "keys/public/root-1.pem: not the public file of any key in keys/index.json",
    ]


# --- hostile media -----------------------------------------------------------


def test_no_bundle_at_the_path(tmp_path):
    report = verify_bundle(tmp_path / "nothing")
    assert report.lines() == [f"{tmp_path / 'nothing'}: does not exist"]
    assert not report.ok


def test_symbolic_link_is_refused_and_not_followed(bundle, tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("not on the media")
    os.symlink(secret, bundle.path / "metadata" / "4.root.json")
    assert lines(verify_bundle(bundle.path)) == [
        "metadata/4.root.json: a symbolic link; a bundle holds only plain files"
    ]


def test_oversized_root_is_not_read(tmp_path):
    def pad(files):
        padded = files["metadata/2.root.json"] + b" " * 512_000
        files["metadata/2.root.json"] = files["metadata/root.json"] = padded

    maker = BundleMaker()
    maker.rotate()
    written(maker, tmp_path, edit_files=pad)
    size = (maker.path / "metadata/2.root.json").stat().st_size
    assert lines(verify_bundle(maker.path)) == [
        # version 2 unread, so its new key is known from no metadata
        f"keys/index.json: key 'root-4': keyid {maker.key('root-4').short} "
        "is in no root or targets metadata of this bundle",
        f"metadata/2.root.json: {size:,} bytes, more than the 512,000 a root file may have",
        f"metadata/root.json: {size:,} bytes, more than the 512,000 a root file may have",
    ]


def test_fifo_is_never_opened(bundle):
    os.mkfifo(bundle.path / "pipe")
    assert lines(verify_bundle(bundle.path)) == [
        "pipe: not a plain file (a device, socket or pipe)"
    ]


def test_control_characters_in_a_file_name_are_escaped(bundle):
    (bundle.path / "evil\x1b[2Jname").write_text("x")
    assert lines(verify_bundle(bundle.path)) == [
        "evil\\x1b[2Jname: on the media but not listed in MANIFEST.json"
    ]


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (lambda entry: entry.update(sha256=entry["sha256"].upper()), "needs"),
        (lambda entry: entry.update(size=str(entry["size"])), "needs"),
        (lambda entry: entry.update(extra=1), None),
    ],
    ids=["uppercase sha256", "size as text", "a field more"],
)
def test_a_manifest_entry_right_but_for_its_form_is_still_refused(bundle, change, problem):
    """An entry is passed over quickly only when its sha256 is the file's, in
    lowercase hex, and its size the file's as a whole number: anything else is
    read the long way, which says what is wrong."""
    path = bundle.path / "MANIFEST.json"
    manifest = json.loads(path.read_text())
    change(manifest["files"]["ceremony.yaml"])
    path.write_text(json.dumps(manifest, indent=2))
    expected = [] if problem is None else [
        "MANIFEST.json: the entry for 'ceremony.yaml' needs a lowercase sha256 and a size"
    ]
    assert lines(verify_bundle(bundle.path)) == expected


def test_a_listed_file_whose_name_holds_a_backslash_is_not_a_bundle_path(bundle):
    odd = bundle.path / "notes\\x.txt"
    odd.write_bytes(b"note\n")
    path = bundle.path / "MANIFEST.json"
    manifest = json.loads(path.read_text())
    manifest["files"]["notes\\x.txt"] = {
        "sha256": hashlib.sha256(b"note\n").hexdigest(), "size": 5,
    }
    path.write_text(json.dumps(manifest, indent=2))
    assert lines(verify_bundle(bundle.path)) == [
        "MANIFEST.json: lists 'notes\\\\x.txt', which is not a path inside a bundle",
    ]
