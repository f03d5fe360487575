"""Custody in ceremonies, end to end: a 3-of-5 split, recoveries, and bad input.

One bootstrap with custody runs per module (two root keys and a targets key
made in software: ~10 s of scrypt). Its custody bundle is opened from every
3-share subset at the library level, and by a full `ceremony run` recovery
fed shares read back from the PDF sheets' QR codes, which replaces the
targets key; that new root verifies with python-tuf's ngclient from the old
trusted root. Bad input to the recover ceremony is refused with exact
errors and nothing lost; those runs stop before any key is made, so they
cost no scrypt. A few small bootstraps (one root key) show how a failed
hand-out or test restore stops a ceremony, and the passphrase-only mode.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import itertools
import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from custody_helpers import sealed_copies
from tuf.api.metadata import Metadata, Root, Targets
from witness import witnessed

from ceremony.cli import main
from ceremony.custody import (
    CustodyKey,
    CustodyRecord,
    KeyMismatchError,
    ShareCollector,
    SharePlan,
    WrongSecretError,
    make_custody,
    open_archive,
    read_copies,
    restore,
)
from ceremony.custody.copies import EncryptedArchive
from ceremony.custody.recovery_doc import recovery_text
from ceremony.engine import run_ceremony
from ceremony.engine.preflight import preflight
from ceremony.errors import CeremonyAbandonedError, CeremonyError, PreflightError
from ceremony.events import (
    CustodyOpened,
    CustodySealed,
    KeyRecovered,
    PreflightChecked,
    RestoreTested,
    ShareAccepted,
    ShareHandedOut,
    ShareRefused,
    StepFailed,
)
from ceremony.operator import Secret, ShareAnswer
from ceremony.rehearsal.operator import RehearsalOperator
from ceremony.script.load import load_script
from ceremony.verify import verify_bundle
from hsm.algorithms import ALGORITHMS
from hsm.software import SoftwareKey
from tests.custody_helpers import need, runs_of_words
from tests.online_repo import client, publish

SLIP39_PASS = "correct horse battery staple"

BOOTSTRAP = """\
format: 1
ceremony: bootstrap
flavor: tuf
title: test bootstrap with custody
rehearsal: true
output: 1-bootstrap
keyholders: [{name: alice}, {name: bob}, {name: online-team}]
keys:
  - {name: root-alice, holder: alice, algorithm: ed25519}
  - {name: root-bob, holder: bob, algorithm: ecdsa-p256}
  - {name: targets, holder: online-team, algorithm: ed25519}
  - {name: snapshot, import: online/snapshot.pem}
  - {name: timestamp, import: online/timestamp.pem}
roles:
  root: {keys: [root-alice, root-bob], threshold: 1, expires: 1y}
  targets: {keys: [targets], threshold: 1, expires: 90d}
  snapshot: {keys: [snapshot], threshold: 1, expires: 30d}
  timestamp: {keys: [timestamp], threshold: 1, expires: 7d}
custody:
  media: [media-a, media-b]
  sheets: sheets
  shares: {threshold: 3, of: 5}
  custodians: [erin, frank, grace, heidi, ivan]
"""


def recover_script(
    folder: Path, output: str, copies: str, extra: str = "", tail: str = ""
) -> Path:
    script = folder / f"{output}.yaml"
    script.write_text(
        f"""\
format: 1
ceremony: recover
flavor: tuf
title: test recovery of the lost targets key
rehearsal: true
current: 1-bootstrap
output: {output}
recover-from:
  copies: [{copies}]
{extra}keyholders: [{{name: online-team}}]
keys:
  - {{name: targets-2, holder: online-team, algorithm: ed25519}}
replace:
  targets: {{keys: [targets-2], threshold: 1, expires: 60d}}
{tail}"""
    )
    return script


class Room(RehearsalOperator):
    """Keyholders with random passphrases (as in a rehearsal) and scripted
    custodians: ``answers`` go to share requests in order, then None (no
    more shares); ``secrets`` give named secrets in order; asking for the
    secret ``stop_at`` stops the ceremony (the test has seen enough)."""

    can_retry = True

    def __init__(self, answers=(), secrets=None, stop_at=None, on_hand_out=None) -> None:
        super().__init__()
        self.answers = list(answers)
        self.given = {key: list(values) for key, values in (secrets or {}).items()}
        self.stop_at = stop_at
        self.on_hand_out = on_hand_out
        self.requests = []

    def secret(self, request):
        self.requests.append(request)
        if request.key == self.stop_at:
            raise CeremonyAbandonedError(f"stopped at {request.id}")
        if self.given.get(request.key):
            return Secret(self.given[request.key].pop(0))
        return super().secret(request)

    def share(self, request):
        self.requests.append(request)
        return self.answers.pop(0) if self.answers else None

    def hand_out(self, request):
        self.requests.append(request)
        answer = super().hand_out(request)
        return self.on_hand_out(request, answer) if self.on_hand_out else answer


def typed(words) -> ShareAnswer:
    return ShareAnswer("typed", words=Secret(words if isinstance(words, str) else " ".join(words)))


def run(plan, operator):
    """Run a ceremony; (events, the error it stopped with or None)."""
    events = []
    try:
        for event in run_ceremony(plan, operator):
            events.append(event)
    except CeremonyError as error:
        return events, error
    return events, None


def of(events, kind):
    return [e for e in events if isinstance(e, kind)]


def digests(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*")) if p.is_file()
    }


@dataclass
class Bootstrapped:
    folder: Path
    operator: Room
    events: list
    custody_id: str
    online: dict

    @property
    def shares(self) -> dict[int, str]:
        return self.operator._shares[self.custody_id]

    @property
    def copies(self) -> list[Path]:
        return [self.folder / m / f"custody-{self.custody_id}" for m in ("media-a", "media-b")]

    @property
    def record(self) -> CustodyRecord:
        return CustodyRecord.from_json((self.copies[0] / "custody.json").read_bytes())

    @property
    def sheets(self) -> Path:
        return self.folder / "sheets" / f"shares-{self.custody_id}"


@pytest.fixture(scope="module")
def room(tmp_path_factory) -> Bootstrapped:
    folder = tmp_path_factory.mktemp("room")
    for name in ("media-a", "media-b", "sheets", "online"):
        (folder / name).mkdir()
    online = {
        name: SoftwareKey.generate(ALGORITHMS["ed25519"]) for name in ("snapshot", "timestamp")
    }
    for name, key in online.items():
        (folder / "online" / f"{name}.pem").write_text(key.facts().public_pem)
    (folder / "bootstrap.yaml").write_text(BOOTSTRAP)
    operator = Room()
    events, error = run(load_script(folder / "bootstrap.yaml"), operator)
    assert error is None, error
    custody_id = of(events, CustodySealed)[0].custody_id
    return Bootstrapped(folder, operator, events, custody_id, online)


# -- the bootstrap with custody ---------------------------------------------------


def test_bootstrap_seals_hands_out_and_test_restores(room):
    sealed = of(room.events, CustodySealed)[0]
    assert sealed.keys == ("root-alice", "root-bob", "targets")
    assert sealed.scheme == "any 3 of 5 shares"
    assert sealed.copies == tuple(str(c) for c in room.copies)
    handed = of(room.events, ShareHandedOut)
    assert [(h.number, h.custodian, h.read_back) for h in handed] == [
        (1, "erin", True), (2, "frank", True), (3, "grace", True), (4, "heidi", True),
        (5, "ivan", True),
    ]
    [tested] = of(room.events, RestoreTested)
    assert tested.shares_used == (3, 4, 5)  # not the first three
    assert tested.copies_checked == tuple(str(c) for c in room.copies)
    assert tested.keys_matched == ("root-alice", "root-bob", "targets")
    steps = [e.step for e in room.events if type(e).__name__ == "StepStarted"]
    assert steps.index("test-restore") < steps.index("write-media")


def test_the_export_bundle_verifies_and_carries_the_custody_record(room):
    bundle = room.folder / "1-bootstrap"
    assert verify_bundle(bundle).ok
    carried = bundle / "custody" / f"custody-{room.custody_id}.json"
    assert carried.read_bytes() == (room.copies[0] / "custody.json").read_bytes()
    root = Metadata[Root].from_bytes((bundle / "metadata" / "root.json").read_bytes()).signed
    assert set(room.record.root_keyids) == set(root.roles["root"].keyids)


def test_sheets_are_written_apart_from_the_copies(room):
    names = sorted(p.name for p in room.sheets.iterdir())
    assert names == sorted(
        f"share-{n:02d}-of-05.{ext}" for n in range(1, 6) for ext in ("pdf", "txt")
    )
    for copy in room.copies:
        # the procedure without the tool, and a rehearsal's mark, travel with each copy
        assert sorted(p.name for p in copy.iterdir()) == [
            "REHEARSAL", "bundle.age", "custody.json", "recovery-without-ceremony.txt"]
        assert (copy / "recovery-without-ceremony.txt").read_bytes() == recovery_text()
        assert json.loads((copy / "custody.json").read_bytes())["rehearsal"] is True


def test_no_share_word_in_any_event_or_transcript(room):
    runs = set().union(*(runs_of_words(m.split()) for m in room.shares.values()))
    lines = [json.dumps(e.record()) for e in room.events]
    lines += (room.folder / "1-bootstrap" / "transcript.jsonl").read_text().splitlines()
    for line in lines:
        assert not any(r in line for r in runs), line


# -- unlocking: every 3-share subset, and shares from the printed QR codes --------


def test_every_three_share_subset_unlocks_the_bundle(room):
    found = read_copies(room.copies)
    root = Metadata[Root].from_bytes(
        (room.folder / "1-bootstrap" / "metadata" / "1.root.json").read_bytes()
    ).signed
    for subset in itertools.combinations(range(1, 6), 3):
        collector = ShareCollector(room.record)
        for number in subset:
            collector.add(room.shares[number], source=f"sheet {number}")
        with collector.recover() as identity:
            restored = open_archive(found, identity)
        assert [k.name for k in restored.keys] == ["root-alice", "root-bob", "targets"], subset
        assert {k.keyid for k in restored.keys if "root" in k.roles} == set(
            root.roles["root"].keyids
        )


def render_qr(room, numbers, out: Path) -> list[Path]:
    """The sheets' PDFs rendered as a scanner would (pdftoppm, 120 dpi, grey)."""
    need("pdftoppm")
    out.mkdir(exist_ok=True)
    images = []
    for number in numbers:
        pdf = out / f"sheet-{number}.pdf"
        shutil.copy(room.sheets / f"share-{number:02d}-of-05.pdf", pdf)
        scan = out / f"scan-{number}"
        subprocess.run(
            ["pdftoppm", "-r", "120", "-gray", "-png", "-singlefile", str(pdf), str(scan)],
            check=True,
        )
        images.append(out / f"scan-{number}.png")
    return images


@pytest.fixture(scope="module")
def recovered(room, tmp_path_factory):
    """`ceremony run` of a recovery fed three QR images of printed sheets,
    which also puts the keys into a new custody bundle with new shares."""
    images = render_qr(room, (1, 2, 5), tmp_path_factory.mktemp("scans"))
    for name in ("media-c", "media-d", "sheets-2"):
        (room.folder / name).mkdir()
    tail = (
        "passphrases:\n  targets-2: {env: TARGETS_2_PASS}\n"
        "custody:\n  media: [media-c, media-d]\n  sheets: sheets-2\n"
        "  shares: {threshold: 2, of: 3}\n"
    )
    script = recover_script(room.folder, "2-recover", "media-a, media-b", tail=tail)
    out = io.StringIO()
    os.environ["TARGETS_2_PASS"] = "a passphrase for targets-2"
    try:
        with contextlib.redirect_stdout(out):
            code = main(witnessed(["run", str(script), "--yes", *(f"--share={p}" for p in images)]))
    finally:
        del os.environ["TARGETS_2_PASS"]
    assert code == 0, out.getvalue()
    return room.folder / "2-recover", out.getvalue(), images


def test_recovery_from_qr_images_replaces_the_targets_key(room, recovered):
    bundle, log, images = recovered
    assert verify_bundle(bundle).ok
    for number, image in zip((1, 2, 3), images, strict=True):
        assert f"share {number} accepted (image {image})" in log
    index = json.loads((bundle / "keys" / "index.json").read_text())["keys"]
    old = Metadata[Root].from_bytes((bundle / "metadata" / "1.root.json").read_bytes())
    new = Metadata[Root].from_bytes((bundle / "metadata" / "2.root.json").read_bytes())
    assert new.signed.roles["targets"].keyids == [index["targets-2"]["keyid"]]
    assert new.signed.roles["root"].keyids == old.signed.roles["root"].keyids
    assert "targets" not in index  # the lost key is gone from the bundle
    old.signed.verify_delegate("root", new.signed_bytes, new.signatures)
    targets = Metadata[Targets].from_bytes((bundle / "metadata" / "targets.json").read_bytes())
    assert targets.signed.version == 2
    new.signed.verify_delegate("targets", targets.signed_bytes, targets.signatures)
    [new_copy] = (room.folder / "media-c").iterdir()
    record = CustodyRecord.from_json((new_copy / "custody.json").read_bytes())
    assert sorted(p.name for p in (bundle / "custody").iterdir()) == [f"{new_copy.name}.json"]
    assert [k.name for k in record.keys] == ["root-alice", "root-bob", "targets-2"]
    assert record.root_version == 2


def test_a_new_custody_bundle_retires_the_old_shares(room, recovered):
    bundle, log, _ = recovered
    transcript = (bundle / "transcript.jsonl").read_text()
    lines = [json.loads(entry) for entry in transcript.splitlines()]
    [retired] = [entry for entry in lines if entry["event"] == "shares-retired"]
    [sealed] = [entry for entry in lines if entry["event"] == "custody-sealed"]
    assert (retired["custody_id"], retired["set_id"]) == (
        room.custody_id, room.record.shares.identifier
    )
    assert retired["replaced_by"] == sealed["custody_id"]
    handed = [entry["read_back"] for entry in lines if entry["event"] == "share-handed-out"]
    assert handed == [False, False, False]  # --yes: recorded as not read back
    assert f"shares of custody bundle {room.custody_id}" in log and "RETIRED" in log
    tested = [entry for entry in lines if entry["event"] == "restore-tested"]
    assert [t["shares_used"] for t in tested] == [[2, 3]]


def test_recovery_transcript_names_sources_and_keys_but_no_word(room, recovered):
    bundle, _, images = recovered
    transcript = (bundle / "transcript.jsonl").read_text()
    lines = [json.loads(entry) for entry in transcript.splitlines()]
    accepted = [entry["source"] for entry in lines if entry["event"] == "share-accepted"]
    assert accepted == [f"image {p}" for p in images]
    keys = {
        entry["key"]: entry["current_roles"]
        for entry in lines
        if entry["event"] == "key-recovered"
    }
    assert keys == {"root-alice": ["root"], "root-bob": ["root"], "targets": ["targets"]}
    runs = set().union(*(runs_of_words(m.split()) for m in room.shares.values()))
    text = (bundle / "transcript.jsonl").read_text()
    assert not any(r in text for r in runs)


def test_ngclient_trusting_version_1_accepts_the_recovered_root(room, recovered, tmp_path):
    bundle, _, _ = recovered
    repo = publish(bundle, tmp_path / "repo", room.online["snapshot"], room.online["timestamp"])
    trusted = (room.folder / "1-bootstrap" / "metadata" / "1.root.json").read_bytes()
    updater = client(repo, trusted, tmp_path / "client")
    updater.refresh()
    assert updater._trusted_set.root.version == 2
    assert updater._trusted_set.targets.version == 2


# -- bad shares: exact errors, nothing lost ---------------------------------------


@pytest.fixture(scope="module")
def second(room, tmp_path_factory):
    """Another custody bundle of the same keys, split with a SLIP-39 passphrase
    (made with the library from the keys the room's shares recover)."""
    collector = ShareCollector(room.record)
    for number in (1, 2, 3):
        collector.add(room.shares[number])
    with collector.recover() as identity:
        keys = restore(room.copies, identity).keys
    custody = make_custody(
        [CustodyKey(k.name, k.roles, k.private_key) for k in keys],
        ceremony_id="20261127T090000Z-bootstrap-second",
        root_version=1,
        plan=SharePlan.of(3, 5),
        passphrase=SLIP39_PASS,
    )
    media = []
    for name in ("second-a", "second-b"):
        (room.folder / name).mkdir()
        media.append(room.folder / name)
    sealed_copies(custody.sealed, media)
    return custody


def changed_word(words: list[str], position: int) -> list[str]:
    changed = list(words)
    changed[position - 1] = "academic" if words[position - 1] != "academic" else "acid"
    return changed


def test_bad_shares_are_refused_one_by_one_and_the_good_one_kept(room, second, tmp_path):
    words = room.shares[1].split()
    a = next(i for i in range(10, 30) if words[i - 1] != words[i])  # words a, a+1 differ
    swapped = list(words)
    swapped[a - 1], swapped[a] = words[a], words[a - 1]
    truncated = tmp_path / "share-02-cut.txt"
    data = (room.sheets / "share-02-of-05.txt").read_bytes()
    truncated.write_bytes(data[: data.rindex(b"\n", 0, data.index(b"--- share words ---") + 120)])
    sheet_1 = room.sheets / "share-01-of-05.txt"
    operator = Room(answers=[
        typed(changed_word(words, 7)),
        typed(swapped),
        typed(words),
        ShareAnswer("file", path=sheet_1),
        typed(second.shares.shares[0].mnemonic),
        ShareAnswer("file", path=truncated),
    ])
    before = digests(room.folder / "media-a") | digests(room.folder / "media-b")
    plan = load_script(recover_script(room.folder, "bad-shares", "media-a, media-b"))
    events, error = run(plan, operator)
    tokens = truncated.read_text().split("--- share words ---")[1].split()
    cut = sum(1 for token in tokens if not token.isdigit())  # the words left, numbers aside
    assert [(r.number, r.source, r.reason) for r in of(events, ShareRefused)] == [
        (1, "typed", "share 1 (typed): the checksum fails: word 7 looks wrong. compare word 7 "
                     "with the sheet and type it again"),
        (1, "typed", f"share 1 (typed): the checksum fails: words {a} and {a + 1} look "
                     f"swapped. compare words {a} and {a + 1} with the sheet and type them in "
                     "its order"),
        (2, f"file {sheet_1}", f'share 2 ({sheet_1}): it is the sheet "Share 1 of 5" again, '
                               "already given as share 1. each share counts once: ask another "
                               "custodian for theirs"),
        (2, "typed", "share 2 (typed): it belongs to another share set (set id "
                     f"{second.shares.facts.identifier}), not ceremony {room.custody_id} "
                     f"(set id {room.record.shares.identifier}). this sheet is from another "
                     "ceremony or bundle: ask for this ceremony's share"),
        (2, f"file {truncated}", f"share 2 ({truncated}): it has {cut} words; a custody share "
                                 "has 33. a word is missing or extra (or the file is cut short): "
                                 "compare with the numbered words on the sheet"),
    ]
    assert [a.progress for a in of(events, ShareAccepted)] == [
        "1 of 3 shares collected; 2 more shares needed"
    ]
    asked = [r for r in operator.requests if type(r).__name__ == "ShareRequest"]
    assert [(r.number, r.attempt) for r in asked] == [(1, 1), (1, 2), (1, 3), (2, 1), (2, 2),
                                                      (2, 3), (2, 4)]
    assert asked[1].problem == of(events, ShareRefused)[0].reason
    # too few: the last request got no share, and the ceremony stopped cleanly
    assert isinstance(error, CeremonyAbandonedError)
    assert str(error) == (
        "share collection: no more shares were given: 1 of 3 shares collected; 2 more shares "
        "needed. nothing was changed; run the recovery again with enough custodians"
    )
    assert not (room.folder / "bad-shares").exists()
    assert digests(room.folder / "media-a") | digests(room.folder / "media-b") == before
    [attempt] = room.folder.glob("bad-shares.abandoned-*.jsonl")
    runs = set().union(*(runs_of_words(m.split()) for m in room.shares.values()))
    assert not any(r in attempt.read_text() for r in runs)


def test_a_wrong_slip39_passphrase_is_caught_and_asked_again(room, second):
    answers = [typed(s.mnemonic) for s in second.shares.shares[:3]]
    operator = Room(
        answers=answers,
        secrets={"slip39-passphrase": ["wrong one", "another wrong one", SLIP39_PASS]},
        stop_at="targets-2",
    )
    extra = "  slip39-passphrase: prompt\n"
    plan = load_script(recover_script(room.folder, "wrong-slip39", "second-a, second-b", extra))
    events, error = run(plan, operator)
    asked = [(r.id, r.attempt) for r in operator.requests if type(r).__name__ == "SecretRequest"]
    assert asked == [("passphrase/slip39", 1), ("passphrase/slip39", 2),
                     ("passphrase/slip39", 3), ("passphrase/targets-2", 1)]
    assert [k.key for k in of(events, KeyRecovered)] == ["root-alice", "root-bob", "targets"]
    assert str(error) == "stopped at passphrase/targets-2"
    assert not (room.folder / "wrong-slip39").exists()


def test_a_wrong_slip39_passphrase_from_the_environment_stops_at_once(room, second, monkeypatch):
    monkeypatch.setenv("SLIP39_PASS", "not the passphrase")
    operator = Room(answers=[typed(s.mnemonic) for s in second.shares.shares[2:]],
                    secrets={"slip39-passphrase": ["not the passphrase"]})
    extra = "  slip39-passphrase: {env: SLIP39_PASS}\n"
    plan = load_script(recover_script(room.folder, "env-slip39", "second-a, second-b", extra))
    events, error = run(plan, operator)
    assert isinstance(error, WrongSecretError)
    assert str(error) == (
        "share collection: the shares combine, but into a different key than the one the "
        "bundle was sealed to: the SLIP-39 passphrase is wrong (SLIP-39 accepts any passphrase "
        "and gives another key); custody.json says this set was split with a passphrase. type "
        "the passphrase again; nothing was changed and the shares are kept"
    )
    assert of(events, StepFailed)[0].step == "open-custody"
    assert not (room.folder / "env-slip39").exists()


# -- bad copies and bad bundles -----------------------------------------------------


def copy_media(room, *names) -> list[Path]:
    media = []
    for name, source in zip(names, room.copies, strict=False):
        (room.folder / name).mkdir()
        shutil.copytree(source, room.folder / name / source.name)
        media.append(room.folder / name / source.name)
    return media


def test_a_corrupted_copy_is_reported_and_the_other_used(room):
    bad, good = copy_media(room, "flipped-a", "flipped-b")
    data = bytearray((bad / "bundle.age").read_bytes())
    data[len(data) // 2] ^= 0x01
    (bad / "bundle.age").write_bytes(bytes(data))
    operator = Room(answers=[typed(room.shares[n]) for n in (2, 3, 4)], stop_at="targets-2")
    plan = load_script(recover_script(room.folder, "flipped", "flipped-a, flipped-b"))
    events, error = run(plan, operator)
    damaged = f"{bad}: bundle.age does not match the sha256 in the record: the copy is damaged"
    check = [c for c in of(events, PreflightChecked) if c.check == "custody bundle"][0]
    assert (check.ok, check.detail) == (
        True, f"ceremony {room.custody_id}: 1 good copy; will not use: {damaged}; a "
        "REHEARSAL's custody bundle (practice keys)"
    )
    [opened] = of(events, CustodyOpened)
    assert (opened.copy, opened.problems) == (str(good), (damaged,))
    assert str(error) == "stopped at passphrase/targets-2"


def test_no_good_copy_stops_in_preflight_before_any_share(room):
    cut, gone = copy_media(room, "cut-a", "cut-b")
    data = (cut / "bundle.age").read_bytes()
    (cut / "bundle.age").write_bytes(data[: len(data) // 2])
    (gone / "bundle.age").unlink()
    operator = Room()
    plan = load_script(recover_script(room.folder, "cut", "cut-a, cut-b"))
    events, error = run(plan, operator)
    assert isinstance(error, PreflightError)
    assert str(error) == (
        f"preflight found 1 problem(s): custody bundle: ceremony {room.custody_id}: no good "
        f"copy of the custody bundle: {cut}: bundle.age is {len(data) // 2} bytes, the record "
        f"says {len(data)} (cut short): the copy is damaged; {gone}: bundle.age is missing. "
        "bring another copy (every custody bundle was written to two or more media). fix "
        "these and run again; nothing was done"
    )
    assert operator.requests == []  # no custodian was asked for anything


def other_keys_custody(room, name: str, forge: bool):
    """A custody bundle of fresh keys; ``forge``: its record claims root-alice's."""
    fresh = [CustodyKey("root-alice", ("root",), ALGORITHMS["ed25519"].generate())]
    custody = make_custody(fresh, ceremony_id=f"20261127T100000Z-bootstrap-{name}",
                           root_version=1, plan=SharePlan.of(2, 3))
    sealed = custody.sealed
    if forge:
        real = room.record.key("root-alice")
        sealed = EncryptedArchive(
            sealed.ciphertext, sealed.record.replace(keys=(real,))
        )
    (room.folder / f"{name}-a").mkdir()
    (room.folder / f"{name}-b").mkdir()
    sealed_copies(sealed, [room.folder / f"{name}-a", room.folder / f"{name}-b"])
    return custody, sealed.record


def test_a_bundle_whose_keys_are_not_the_roots_stops_before_any_share(room):
    custody, record = other_keys_custody(room, "foreign", forge=False)
    operator = Room()
    plan = load_script(recover_script(room.folder, "foreign", "foreign-a, foreign-b"))
    events, error = run(plan, operator)
    assert str(error) == (
        "preflight found 1 problem(s): custody key root-alice: key root-alice in the custody "
        f"bundle of ceremony {record.ceremony_id} is not the current bundle's root-alice: this "
        "custody bundle is not of this repository's ceremonies; bring the right copies. fix "
        "these and run again; nothing was done"
    )
    assert operator.requests == []


def test_a_bundle_whose_keys_differ_from_its_record_is_refused_after_decrypting(room):
    custody, record = other_keys_custody(room, "forged", forge=True)
    operator = Room(answers=[typed(s.mnemonic) for s in custody.shares.shares[:2]])
    plan = load_script(recover_script(room.folder, "forged", "forged-a, forged-b"))
    events, error = run(plan, operator)
    assert isinstance(error, KeyMismatchError)
    copy = room.folder / "forged-a" / f"custody-{record.ceremony_id}"
    found = custody.record.key("root-alice").fingerprint
    assert str(error) == (
        f"{copy / 'bundle.age'}: key root-alice has fingerprint {found[:16]}..., custody.json "
        f"records {record.key('root-alice').fingerprint[:16]}.... this bundle is not the one "
        "its custody.json describes: use no key from it, and check that the copy and its "
        "custody.json come from the same ceremony"
    )
    assert of(events, KeyRecovered) == []
    assert not (room.folder / "forged").exists()


def test_a_rotation_seals_the_root_keys_opened_today(room):
    for name in ("rot-a", "rot-b", "rot-sheets"):
        (room.folder / name).mkdir()
    (room.folder / "rotate.yaml").write_text(
        "format: 1\nceremony: rotate-root\nflavor: tuf\ntitle: longer root, in custody\n"
        "rehearsal: true\ncurrent: 1-bootstrap\noutput: rotated\nsign-with: [root-alice]\n"
        "roles:\n  root: {keys: [root-alice, root-bob], threshold: 1, expires: 300d}\n"
        "custody:\n  media: [rot-a, rot-b]\n  sheets: rot-sheets\n"
        "  shares: {threshold: 2, of: 3}\n"
    )
    operator = Room()
    operator._passphrases = dict(room.operator._passphrases)  # the keyholders, again
    events, error = run(load_script(room.folder / "rotate.yaml"), operator)
    assert error is None, error
    sealed = of(events, CustodySealed)[0]
    assert sealed.keys == ("root-alice",)  # targets is not opened; root-bob not here today
    warnings = [e.message for e in events if type(e).__name__ == "Warning"]
    assert (
        "root key root-bob is not in this custody bundle: its private part is not in memory "
        "today (its keyholder keeps it, or it lives on a token)"
    ) in warnings
    record = CustodyRecord.from_json(
        (room.folder / "rot-a" / f"custody-{sealed.custody_id}" / "custody.json").read_bytes()
    )
    assert record.root_version == 2
    carried = sorted(p.name for p in (room.folder / "rotated" / "custody").iterdir())
    assert carried == sorted(f"custody-{i}.json" for i in (room.custody_id, sealed.custody_id))
    assert verify_bundle(room.folder / "rotated").ok


# -- hand-out and test restore failures; passphrase-only ----------------------------

SMALL = """\
format: 1
ceremony: bootstrap
flavor: tuf
title: one root key, custody
rehearsal: true
output: out
keyholders: [{{name: alice}}]
keys:
  - {{name: root-alice, holder: alice, algorithm: ed25519}}
  - {{name: targets, import: online/targets.pem}}
  - {{name: snapshot, import: online/snapshot.pem}}
  - {{name: timestamp, import: online/timestamp.pem}}
roles:
  root: {{keys: [root-alice], threshold: 1, expires: 1y}}
  targets: {{keys: [targets], threshold: 1, expires: 90d}}
  snapshot: {{keys: [snapshot], threshold: 1, expires: 30d}}
  timestamp: {{keys: [timestamp], threshold: 1, expires: 7d}}
spare-keys: none
accept-risk: every root key must sign (a test root)
custody:
{custody}"""
SHARES = "  media: [media-a, media-b]\n  sheets: sheets\n  shares: {threshold: 2, of: 3}\n"
PASSPHRASE_ONLY = (
    "  mode: passphrase-only\n  media: [media-a, media-b]\n"
    "  accept-risks: [one-person-recovers, forgotten-means-lost, offline-guessing]\n"
)


def small_room(folder: Path, custody: str) -> Path:
    for name in ("media-a", "media-b", "sheets", "online"):
        (folder / name).mkdir()
    for name in ("targets", "snapshot", "timestamp"):
        key = SoftwareKey.generate(ALGORITHMS["ed25519"])
        (folder / "online" / f"{name}.pem").write_text(key.facts().public_pem)
    (folder / "bootstrap.yaml").write_text(SMALL.format(custody=custody))
    return folder / "bootstrap.yaml"


def test_a_failed_test_restore_stops_the_ceremony_and_removes_the_custody(tmp_path):
    def faulty_medium(request, answer):
        if request.number == 2 and request.attempt == 1:
            return Secret("wrong words here")  # the custodian misreads once
        if request.number == 3:  # the medium holding copy b fails after the write
            [copy] = (tmp_path / "media-b").iterdir()
            data = bytearray((copy / "bundle.age").read_bytes())
            data[-1] ^= 0x01
            (copy / "bundle.age").write_bytes(bytes(data))
        return answer

    operator = Room(on_hand_out=faulty_medium)
    events, error = run(load_script(small_room(tmp_path, SHARES)), operator)
    handouts = [r for r in operator.requests if type(r).__name__ == "ShareHandout"]
    assert [(r.number, r.attempt) for r in handouts] == [(1, 1), (2, 1), (2, 2), (3, 1)]
    assert handouts[2].problem == (
        "words 31, 32 and 33 differ from the sheet; read them again, letter by letter"
    )
    assert handouts[0].checksum_positions == (31, 32, 33)
    copy = tmp_path / "media-b" / f"custody-{of(events, CustodySealed)[0].custody_id}"
    assert str(error) == (
        f"trial restore: a copy just written is not good: {copy}: bundle.age does not match "
        "the sha256 in the record: the copy is damaged. write the custody bundle again to "
        "sound media before ending the ceremony"
    )
    assert of(events, StepFailed)[0].step == "test-restore"
    assert not (tmp_path / "out").exists()
    for medium in ("media-a", "media-b", "sheets"):
        assert list((tmp_path / medium).iterdir()) == [], medium  # nothing half-made is left
    assert len(list(tmp_path.glob("out.abandoned-*.jsonl"))) == 1


def test_three_wrong_read_backs_stop_the_hand_out(tmp_path):
    operator = Room(on_hand_out=lambda request, answer: Secret("acid acid acid"))
    events, error = run(load_script(small_room(tmp_path, SHARES)), operator)
    sheet = tmp_path / "sheets" / f"shares-{of(events, CustodySealed)[0].custody_id}"
    assert str(error) == (
        f"{sheet / 'share-01-of-03.pdf'}: the custodian of share 1 read back words 31-33 "
        "differently 3 times. check that the sheet in their hands is share 1 of 3 of this "
        "ceremony and printed whole; nothing was sealed, run the ceremony again"
    )
    assert not (tmp_path / "out").exists() and list((tmp_path / "sheets").iterdir()) == []


def test_passphrase_only_custody_seals_tests_and_recovers(tmp_path, monkeypatch):
    passphrase = "seven random words make a long passphrase"
    operator = Room(secrets={"custody-passphrase": [passphrase]})
    events, error = run(load_script(small_room(tmp_path, PASSPHRASE_ONLY)), operator)
    assert error is None, error
    sealed = of(events, CustodySealed)[0]
    assert (sealed.scheme, sealed.set_id) == ("one passphrase, no shares", None)
    assert of(events, RestoreTested)[0].shares_used == ()
    assert of(events, ShareHandedOut) == []
    copy = tmp_path / "media-a" / f"custody-{sealed.custody_id}"
    assert (copy / "bundle.age").read_bytes().startswith(b"age-encryption.org/v1\n-> scrypt ")
    record = json.loads((copy / "custody.json").read_text())
    assert (record["recipient"], record["shares"]) == (None, {"scheme": "age-passphrase"})

    (tmp_path / "recover.yaml").write_text(
        recover_script(tmp_path, "r", "media-a, media-b").read_text()
        .replace("current: 1-bootstrap", "current: out")
    )
    wrong = Room(secrets={"custody-passphrase": ["not it"]})
    wrong.can_retry = False
    events, error = run(load_script(tmp_path / "recover.yaml"), wrong)
    assert isinstance(error, WrongSecretError)
    assert str(error) == (
        f"ceremony {sealed.custody_id}: the passphrase does not open the custody bundle. "
        "type it again, slowly; nothing was changed"
    )
    right = Room(secrets={"custody-passphrase": [passphrase]}, stop_at="targets-2")
    events, error = run(load_script(tmp_path / "recover.yaml"), right)
    assert [k.key for k in of(events, KeyRecovered)] == ["root-alice"]
    assert str(error) == "stopped at passphrase/targets-2"


# -- preflight of the custody media -------------------------------------------------


def test_production_preflight_refuses_copies_and_sheets_on_one_device(tmp_path):
    script = small_room(tmp_path, SHARES)
    script.write_text(
        script.read_text().replace("rehearsal: true", "network: allowed\noutput-media: any-device")
    )
    (tmp_path / "media-b").rmdir()
    result = preflight(load_script(script))
    failed = {c.check: c.detail for c in result.failures}
    assert failed == {
        f"custody copy {tmp_path / 'media-b'}": f"{tmp_path / 'media-b'} is not a folder: insert "
        "and mount the medium, or create the folder",
        "share sheets": f"the share sheets' folder {tmp_path / 'sheets'} is on the same device "
        f"as the custody copy {tmp_path / 'media-a'}: a share never goes on the bundle's "
        "media; use another medium for the sheets",
    }
    (tmp_path / "media-b").mkdir()
    failed = {c.check: c.detail for c in preflight(load_script(script)).failures}
    assert failed["custody copies"] == (
        f"{tmp_path / 'media-a'} and {tmp_path / 'media-b'} are on the same device, so they "
        "are one copy, not two: put each copy on its own removable medium"
    )


def test_preflight_names_marked_custody_copies_and_sheets_left_by_a_kill(tmp_path):
    script = small_room(tmp_path, SHARES)
    killed = "20261126T173000Z-bootstrap-3f2a9c1e"
    copy = tmp_path / "media-a" / f"custody-{killed}"
    sheets = tmp_path / "sheets" / f"shares-{killed}"
    staging = tmp_path / "media-b" / f".custody-{killed}.incomplete-0badc0de"
    for folder in (copy, sheets, staging):
        folder.mkdir()
    for folder in (copy, sheets):
        (folder / "INCOMPLETE").write_text("NOT A BUNDLE.\n")
    sealed_sheets = tmp_path / "sheets" / "shares-20261001T090000Z-bootstrap-0123abcd"
    sealed_sheets.mkdir()  # a sealed ceremony's sheets: no mark, never a leftover
    words = [c.detail for c in preflight(load_script(script)).checks if c.check == "leftover"]
    assert words == [
        f"WARNING: {path} is {what}; it is not used. Remove it with `ceremony clean {path}` "
        "(its key files are overwritten first)"
        for path, what in [
            (copy, "a custody copy from a ceremony whose bundle was never sealed (its "
                   "INCOMPLETE mark is still there); it restores nothing"),
            (staging, "the staging folder of a ceremony that never ended"),
            (sheets, "the share sheets of a ceremony whose bundle was never sealed (their "
                     "INCOMPLETE mark is still there); they recover nothing"),
        ]
    ]
