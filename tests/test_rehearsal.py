"""The whole rehearsal, end to end, checked as a client and an auditor would.

One rehearsal runs per test session (tests/conftest.py; four ceremonies,
~30 s of scrypt): a bootstrap with custody (3-of-5 shares, test restore), a delegation, a root
rotation, and a recovery from three shares that replaces the lost targets
key. Every test here reads its results.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from tuf.api.exceptions import BadVersionNumberError, RepositoryError
from tuf.api.metadata import Metadata, Root

from ceremony.events import (
    BundleVerified,
    CeremonyStarted,
    CustodySealed,
    KeyGenerated,
    KeyRecovered,
    RestoreTested,
    ShareAccepted,
    ShareHandedOut,
)
from tests.online_repo import client, open_online_key, publish
from tests.pdf_reading import pdf_qr_codes, pdf_text, squeezed


def root_of(path) -> Metadata[Root]:
    return Metadata[Root].from_bytes(path.read_bytes())


def test_four_ceremonies_and_every_bundle_verifies(rehearsal):
    folder, _, events = rehearsal
    kinds = [e.kind for e in events if isinstance(e, CeremonyStarted)]
    assert kinds == ["bootstrap", "delegate", "rotate-root", "recover"]
    verified = [e for e in events if isinstance(e, BundleVerified)]
    assert [v.problems for v in verified] == [(), (), (), ()]
    for name in ("1-bootstrap", "2-delegate", "3-rotate-root", "4-recover"):
        out = subprocess.run(
            [sys.executable, "-m", "ceremony", "verify", str(folder / name)],
            capture_output=True,
            text=True,
        )
        assert out.returncode == 0, out.stdout + out.stderr
        assert (folder / name / "REHEARSAL").is_file()


def test_every_ceremony_has_its_run_sheet_and_record_printed(rehearsal, tmp_path):
    folder, _, events = rehearsal
    started = [e for e in events if isinstance(e, CeremonyStarted)]
    bags = 0
    for name, start in zip(("1-bootstrap", "2-delegate", "3-rotate-root", "4-recover"), started,
                           strict=True):
        runsheet, record = folder / f"{name}-runsheet.pdf", folder / f"{name}-record.pdf"
        sheet_text = pdf_text(runsheet)
        assert start.script_sha256 in squeezed(sheet_text)
        assert runsheet.with_suffix(".txt").is_file() and record.with_suffix(".txt").is_file()
        for title in start.step_titles:
            assert squeezed(title) in squeezed(sheet_text)
        manifest = json.loads((folder / name / "MANIFEST.json").read_text())
        head = manifest["transcript_head"]
        record_text = pdf_text(record)
        assert head in squeezed(record_text)
        assert head in pdf_qr_codes(record, tmp_path / name)
        lines = (folder / name / "transcript.jsonl").read_text().splitlines()
        for line in map(json.loads, lines):
            if line["event"] in ("key-generated", "key-imported", "key-recovered"):
                assert f"id {line['keyid'][:8]}" in record_text
            if line["event"] in ("bag-sealed", "bag-checked"):  # every serial on paper
                bags += 1
                assert line["serial"] in record_text and line["bag"] in sheet_text
            if line["event"] == "bag-checked":  # the delegation opens the bootstrap's bags
                assert line["matches"] and name == "2-delegate"
    assert bags == 6  # the bootstrap seals two; the delegation checks and reseals them


def test_bootstrap_makes_three_root_keys_threshold_two(rehearsal):
    folder, _, events = rehearsal
    root = root_of(folder / "1-bootstrap" / "metadata" / "1.root.json").signed
    assert root.version == 1
    assert len(root.roles["root"].keyids) == 3
    assert root.roles["root"].threshold == 2
    generated = [e.key for e in events if isinstance(e, KeyGenerated)]
    assert generated[:3] == ["root-alice", "root-bob", "root-carol"]


def test_rotation_replaces_a_root_key_and_the_timestamp_key(rehearsal):
    folder, _, _ = rehearsal
    metadata = folder / "3-rotate-root" / "metadata"
    v1 = root_of(metadata / "1.root.json")
    v2 = root_of(metadata / "2.root.json")
    assert (metadata / "root.json").read_bytes() == (metadata / "2.root.json").read_bytes()
    index = json.loads((folder / "3-rotate-root" / "keys" / "index.json").read_text())["keys"]
    ids = {name: entry["keyid"] for name, entry in index.items()}
    assert set(v2.signed.roles["root"].keyids) == {
        ids["root-alice"], ids["root-bob"], ids["root-dave"]
    }
    assert "root-carol" not in index
    assert v2.signed.roles["timestamp"].keyids == [ids["timestamp-2"]]
    assert v2.signed.roles["timestamp"].keyids != v1.signed.roles["timestamp"].keyids
    # signed by a threshold of the old root AND of the new one
    v1.signed.verify_delegate("root", v2.signed_bytes, v2.signatures)
    v2.signed.verify_delegate("root", v2.signed_bytes, v2.signatures)


def test_delegations_reach_the_rotated_bundle(rehearsal):
    folder, _, _ = rehearsal
    metadata = folder / "3-rotate-root" / "metadata"
    targets = Metadata.from_bytes((metadata / "targets.json").read_bytes())
    roles = targets.signed.delegations.roles
    assert sorted(roles) == ["alpha", "beta"]
    assert roles["alpha"].paths == ["alpha/*"] and roles["alpha"].terminating
    assert roles["beta"].paths == ["beta/*"] and not roles["beta"].terminating


def test_no_passphrase_reaches_any_file(rehearsal):
    folder, operator, _ = rehearsal
    passphrases = [p.encode() for p in operator._passphrases.values()]
    assert len(passphrases) >= 9
    for path in folder.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert not any(p in data for p in passphrases), path


def test_private_keys_on_media_are_only_encrypted(rehearsal):
    folder, _, _ = rehearsal
    for path in folder.rglob("*"):
        if path.is_file():
            assert b"PRIVATE KEY" not in path.read_bytes(), path
    for path in folder.rglob("*.age"):
        custody = path.parent.name.startswith("custody-")  # sealed to the shares' X25519 key
        stanza = b"-> X25519 " if custody else b"-> scrypt "
        assert path.read_bytes().startswith(b"age-encryption.org/v1\n" + stanza), path
        assert path.stat().st_mode & 0o077 == 0, path


@pytest.fixture(scope="session")
def online_keys(rehearsal):
    folder, operator, _ = rehearsal
    bundle = folder / "3-rotate-root"
    snapshot = open_online_key(bundle, "snapshot", operator._passphrases["snapshot"])
    timestamp = open_online_key(bundle, "timestamp-2", operator._passphrases["timestamp-2"])
    return bundle, snapshot, timestamp


def test_ngclient_trusting_version_1_accepts_the_rotated_root(online_keys, tmp_path):
    bundle, snapshot, timestamp = online_keys
    repo = publish(bundle, tmp_path / "repo", snapshot, timestamp)
    trusted = (bundle / "metadata" / "1.root.json").read_bytes()
    updater = client(repo, trusted, tmp_path / "client")
    updater.refresh()
    assert updater._trusted_set.root.version == 2
    assert updater.get_targetinfo("gamma/not-delegated") is None


def test_ngclient_refuses_a_tampered_rotated_root(online_keys, tmp_path):
    bundle, snapshot, timestamp = online_keys
    repo = publish(bundle, tmp_path / "repo", snapshot, timestamp)
    data = (repo / "2.root.json").read_bytes()
    (repo / "2.root.json").write_bytes(data.replace(b'"threshold": 2', b'"threshold": 1', 1))
    updater = client(repo, (bundle / "metadata" / "1.root.json").read_bytes(), tmp_path / "c")
    with pytest.raises(RepositoryError):
        updater.refresh()


def test_ngclient_refuses_a_rollback_of_root(online_keys, tmp_path):
    bundle, snapshot, timestamp = online_keys
    repo = publish(bundle, tmp_path / "repo", snapshot, timestamp)
    # A repository that serves version 1 again as version 3: a rollback.
    (repo / "3.root.json").write_bytes((repo / "1.root.json").read_bytes())
    updater = client(repo, (bundle / "metadata" / "2.root.json").read_bytes(), tmp_path / "c")
    with pytest.raises(BadVersionNumberError):
        updater.refresh()


# -- custody: the bootstrap's bundle and shares, and the recovery -----------------


def custody_id(events) -> str:
    return next(e for e in events if isinstance(e, CustodySealed)).custody_id


def test_bootstrap_puts_its_keys_in_custody_on_two_media(rehearsal):
    folder, _, events = rehearsal
    sealed = next(e for e in events if isinstance(e, CustodySealed))
    assert sealed.keys == ("root-alice", "root-bob", "root-carol", "targets")
    assert sealed.scheme == "any 3 of 5 shares"
    for medium in ("custody-a", "custody-b"):
        copy = folder / medium / f"custody-{sealed.custody_id}"
        assert sorted(p.name for p in copy.iterdir()) == [
            "REHEARSAL", "bundle.age", "custody.json", "recovery-without-ceremony.txt"]
    sheets = folder / "custody-sheets" / f"shares-{sealed.custody_id}"
    assert len(list(sheets.glob("share-0?-of-05.pdf"))) == 5
    assert len(list(sheets.glob("share-0?-of-05.txt"))) == 5
    handed = [
        (e.number, e.custodian, e.read_back) for e in events if isinstance(e, ShareHandedOut)
    ]
    assert handed == [(1, "erin", True), (2, "frank", True), (3, "grace", True),
                      (4, "heidi", True), (5, "ivan", True)]
    [tested] = [e for e in events if isinstance(e, RestoreTested)]
    assert tested.shares_used == (3, 4, 5)
    assert tested.keys_matched == sealed.keys


def test_recovery_from_three_shares_replaces_the_lost_targets_key(rehearsal):
    folder, _, events = rehearsal
    accepted = [e.source for e in events if isinstance(e, ShareAccepted)]
    sheet = folder / "custody-sheets" / f"shares-{custody_id(events)}" / "share-02-of-05.txt"
    assert accepted == ["typed", f"file {sheet}", "typed"]
    recovered = {e.key: e.current_roles for e in events if isinstance(e, KeyRecovered)}
    assert recovered == {
        "root-alice": ("root",), "root-bob": ("root",), "root-carol": (), "targets": ("targets",)
    }
    metadata = folder / "4-recover" / "metadata"
    v2, v3 = root_of(metadata / "2.root.json"), root_of(metadata / "3.root.json")
    index = json.loads((folder / "4-recover" / "keys" / "index.json").read_text())["keys"]
    assert v3.signed.roles["targets"].keyids == [index["targets-2"]["keyid"]]
    assert v3.signed.roles["root"].keyids == v2.signed.roles["root"].keyids
    assert "targets" not in index
    v2.signed.verify_delegate("root", v3.signed_bytes, v3.signatures)
    v3.signed.verify_delegate("root", v3.signed_bytes, v3.signatures)
    targets = Metadata.from_bytes((metadata / "targets.json").read_bytes())
    v3.signed.verify_delegate("targets", targets.signed_bytes, targets.signatures)
    assert sorted(targets.signed.delegations.roles) == ["alpha", "beta"]


def test_ngclient_trusting_version_1_accepts_the_recovered_root(rehearsal, tmp_path):
    folder, operator, _ = rehearsal
    bundle = folder / "4-recover"
    snapshot = open_online_key(bundle, "snapshot", operator._passphrases["snapshot"])
    timestamp = open_online_key(bundle, "timestamp-2", operator._passphrases["timestamp-2"])
    repo = publish(bundle, tmp_path / "repo", snapshot, timestamp)
    trusted = (folder / "1-bootstrap" / "metadata" / "1.root.json").read_bytes()
    updater = client(repo, trusted, tmp_path / "client")
    updater.refresh()
    assert updater._trusted_set.root.version == 3
    assert updater._trusted_set.targets.version == 3


def test_share_words_are_only_on_the_sheets(rehearsal):
    folder, operator, events = rehearsal
    shares = operator._shares[custody_id(events)]
    assert len(shares) == 5
    sheets = folder / "custody-sheets"
    for path in folder.rglob("*"):
        if path.is_file() and sheets not in path.parents:
            data = path.read_bytes()
            assert not any(share.encode() in data for share in shares.values()), path
            assert not any(" ".join(s.split()[:3]).encode() in data for s in shares.values()), path
