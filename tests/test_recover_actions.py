"""A recovery's two root-key actions, end to end: rotate away, and re-home.

One bootstrap with custody (2 of 3 shares; two root keys and a targets key
in software) runs per module. A recovery from two of its shares then
rotates the root keys away from that custodian quorum: new root keys are
made, root version 2 is signed by the recovered keys (current root) and the
new ones, python-tuf's ngclient trusting version 1 accepts it, a new custody
bundle holds the new keys (and test-restores), and the old shares are
declared retired. Another recovery from the same bundle re-homes a recovered
root key onto a SoftHSM2 token: the bundle's key index names the token copy
(imported, not generated there), and a later rotate-root signs with it by
its pkcs11: URI. Preflight checks the re-homing token without a PIN.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from types import SimpleNamespace

import pytest
from softhsm_support import USER_PIN, softhsm
from tuf.api.metadata import Metadata, Root

from ceremony.custody import CustodyRecord, ShareCollector, restore
from ceremony.engine import run_ceremony
from ceremony.engine.preflight import preflight
from ceremony.errors import CeremonyError
from ceremony.events import CustodySealed, KeyRehomed, RestoreTested, SharesRetired
from ceremony.operator import Secret
from ceremony.rehearsal.operator import RehearsalOperator
from ceremony.script.load import load_script
from ceremony.verify import verify_bundle
from hsm.algorithms import ALGORITHMS
from hsm.software import SoftwareKey
from tests.online_repo import client, publish

MODULE = "/usr/lib/softhsm/libsofthsm2.so"
TOKEN = "ceremony-backup"  # made up front by softhsm_support, with every other token

BOOTSTRAP = """\
format: 1
ceremony: bootstrap
flavor: tuf
title: bootstrap with custody, to recover from
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
  shares: {threshold: 2, of: 3}
"""

RECOVER = """\
format: 1
ceremony: recover
flavor: tuf
title: {title}
rehearsal: true
network: allowed
output-media: any-device
current: 1-bootstrap
output: {output}
recover-from:
  copies: [media-a, media-b]
"""

ROTATE_AWAY = RECOVER.format(title="rotate away from the old custodians",
                             output="2-rotate-away") + """\
keyholders: [{name: dave}, {name: erin}]
keys:
  - {name: root-dave, holder: dave, algorithm: ed25519}
  - {name: root-erin, holder: erin, algorithm: ecdsa-p256}
replace:
  root: {keys: [root-dave, root-erin], threshold: 1, expires: 300d}
custody:
  media: [media-c, media-d]
  sheets: sheets-2
  shares: {threshold: 2, of: 3}
"""


class Room(RehearsalOperator):
    """Keyholders and custodians as in a rehearsal; token PINs known."""

    def secret(self, request):
        if request.key.startswith("pin/"):
            return Secret(USER_PIN)
        return super().secret(request)

    def next_recovery(self) -> Room:
        self._given.clear()  # the custodians bring their shares again
        return self


def run(folder: Path, name: str, text: str, operator: Room) -> list:
    script = folder / f"{name}.yaml"
    script.write_text(text)
    return list(run_ceremony(load_script(script), operator))


def lines(bundle: Path) -> list[dict]:
    return [json.loads(line) for line in (bundle / "transcript.jsonl").read_text().splitlines()]


def index(bundle: Path) -> dict:
    return json.loads((bundle / "keys" / "index.json").read_text())["keys"]


def root_of(bundle: Path, version: int) -> Metadata[Root]:
    return Metadata[Root].from_bytes((bundle / "metadata" / f"{version}.root.json").read_bytes())


@pytest.fixture(scope="module")
def room(tmp_path_factory):
    folder = tmp_path_factory.mktemp("recover-actions")
    for name in ("media-a", "media-b", "media-c", "media-d", "sheets", "sheets-2", "online"):
        (folder / name).mkdir()
    online = {n: SoftwareKey.generate(ALGORITHMS["ed25519"]) for n in ("snapshot", "timestamp")}
    for name, key in online.items():
        (folder / "online" / f"{name}.pem").write_text(key.facts().public_pem)
    operator = Room()
    events = run(folder, "bootstrap", BOOTSTRAP, operator)
    (sealed,) = [e for e in events if isinstance(e, CustodySealed)]
    return SimpleNamespace(folder=folder, operator=operator, online=online,
                           custody_id=sealed.custody_id, set_id=sealed.set_id)


# -- rotating the root keys away from the old custodians ---------------------------


@pytest.fixture(scope="module")
def rotated_away(room):
    events = run(room.folder, "rotate-away", ROTATE_AWAY, room.operator.next_recovery())
    return SimpleNamespace(bundle=room.folder / "2-rotate-away", events=events)


def test_the_new_root_has_only_new_root_keys_signed_by_old_and_new(room, rotated_away):
    bundle = rotated_away.bundle
    assert verify_bundle(bundle).ok, verify_bundle(bundle).problems
    old, new = root_of(bundle, 1), root_of(bundle, 2)
    keys = index(bundle)
    assert sorted(new.signed.roles["root"].keyids) == sorted(
        keys[n]["keyid"] for n in ("root-dave", "root-erin")
    )
    assert not set(new.signed.roles["root"].keyids) & set(old.signed.roles["root"].keyids)
    assert "root-alice" not in keys and "root-bob" not in keys  # retired with the old root
    old.signed.verify_delegate("root", new.signed_bytes, new.signatures)
    new.signed.verify_delegate("root", new.signed_bytes, new.signatures)
    signed = [(e["key"], e["version"]) for e in lines(bundle) if e["event"] == "signature-added"]
    assert sorted(signed) == [("root-alice", 2), ("root-bob", 2), ("root-dave", 2),
                              ("root-erin", 2)]


def test_ngclient_trusting_version_1_accepts_the_rotated_root(room, rotated_away, tmp_path):
    bundle = rotated_away.bundle
    repo = publish(bundle, tmp_path / "repo", room.online["snapshot"], room.online["timestamp"])
    updater = client(repo, root_of(bundle, 1).to_bytes(), tmp_path / "client")
    updater.refresh()
    assert updater._trusted_set.root.version == 2


def test_the_old_shares_are_declared_retired(room, rotated_away):
    (retired,) = [e for e in rotated_away.events if isinstance(e, SharesRetired)]
    (sealed,) = [e for e in rotated_away.events if isinstance(e, CustodySealed)]
    assert (retired.custody_id, retired.set_id, retired.replaced_by) == (
        room.custody_id, room.set_id, sealed.custody_id
    )
    assert retired.reason == (
        "its custodians are no longer trusted: the root keys it holds were rotated out of root "
        f"version 2, and custody bundle {sealed.custody_id} holds the new ones"
    )
    logged = [e for e in lines(rotated_away.bundle) if e["event"] == "shares-retired"]
    assert [e["custody_id"] for e in logged] == [room.custody_id]
    carried = sorted(p.name for p in (rotated_away.bundle / "custody").iterdir())
    assert carried == [f"custody-{sealed.custody_id}.json"]  # the old record is dropped


def test_the_new_custody_bundle_holds_the_new_keys_and_restores(room, rotated_away):
    (sealed,) = [e for e in rotated_away.events if isinstance(e, CustodySealed)]
    assert sealed.keys == ("root-dave", "root-erin", "targets")
    (tested,) = [e for e in rotated_away.events if isinstance(e, RestoreTested)]
    assert tested.custody_id == sealed.custody_id
    assert tested.keys_matched == ("root-dave", "root-erin", "targets")
    copies = [room.folder / m / f"custody-{sealed.custody_id}" for m in ("media-c", "media-d")]
    record = CustodyRecord.from_json((copies[0] / "custody.json").read_bytes())
    assert record.root_version == 2
    collector = ShareCollector(record)
    for number in (1, 3):  # two of the new custodians, not the test restore's pair
        collector.add(room.operator._shares[sealed.custody_id][number])
    with collector.recover() as identity:
        keys = restore(copies, identity).keys
    new_root = root_of(rotated_away.bundle, 2).signed
    assert {k.keyid for k in keys if "root" in k.roles} == set(new_root.roles["root"].keyids)


# -- re-homing a recovered root key onto a token -------------------------------------


def rehome_script(tag: str, output: str, key: str = "root-alice", token: str = TOKEN) -> str:
    return RECOVER.format(title="put root-alice on a token", output=output) + (
        f"rehome:\n  - {{key: {key}, module: {MODULE}, token-label: {token}, "
        f"object-label: {key}-{tag}}}\n"
    )


@pytest.fixture(scope="module")
def rehomed(room):
    softhsm()
    tag = uuid.uuid4().hex[:8]
    operator = room.operator.next_recovery()
    before = len(operator.questions)
    asked: list[str] = []
    original = operator.secret

    def secret(request):
        asked.append(request.key)
        return original(request)

    operator.secret = secret
    try:
        events = run(room.folder, "rehome", rehome_script(tag, "3-rehome"), operator)
    finally:
        del operator.secret
    return SimpleNamespace(bundle=room.folder / "3-rehome", events=events, tag=tag,
                           asked=asked, questions=operator.questions[before:])


def test_the_index_names_the_token_copy_imported_not_generated(room, rehomed):
    bundle = rehomed.bundle
    assert verify_bundle(bundle).ok, verify_bundle(bundle).problems
    keys = index(bundle)
    alice = keys["root-alice"]
    assert alice["backend"] == "pkcs11" and alice["origin"] == "imported"
    assert alice["location"].startswith(f"pkcs11:token={TOKEN};serial=")
    assert f"object=root-alice-{rehomed.tag};id=%" in alice["location"]
    assert alice["location"].endswith(f"module-path={MODULE}")
    assert keys["root-bob"]["location"] == "age-file:keys/offline/root-bob.age"
    assert not (bundle / "keys" / "offline" / "root-alice.age").exists()
    assert (bundle / "metadata" / "root.json").read_bytes() == (
        room.folder / "1-bootstrap" / "metadata" / "root.json").read_bytes()  # root unchanged
    (moved,) = [e for e in rehomed.events if isinstance(e, KeyRehomed)]
    assert (moved.key, moved.token, moved.location, moved.home) == (
        "root-alice", TOKEN, alice["location"], True
    )
    assert moved.previous == "age-file:keys/offline/root-alice.age"
    assert moved.facts["origin"] == "imported into the token (not generated there)"
    assert moved.facts["generated_on_device"] is False
    assert rehomed.asked.count(f"pin/{TOKEN}") == 1
    logged = {e["event"]: e for e in lines(bundle)}
    assert logged["key-rehomed"]["location"] == alice["location"]
    assert logged["token-closed"]["keys"] == ["root-alice (re-homed)"]
    destroyed = sorted(e["key"] for e in lines(bundle) if e["event"] == "key-destroyed")
    assert destroyed == ["root-alice", "root-bob", "targets"]  # the software copies


def test_a_later_rotate_root_signs_with_the_token_key_by_its_uri(room, rehomed):
    script = """\
format: 1
ceremony: rotate-root
flavor: tuf
title: signed by the re-homed key on its token
rehearsal: true
network: allowed
output-media: any-device
current: 3-rehome
output: 4-rotate
sign-with: [root-alice]
roles:
  root: {keys: [root-alice, root-bob], threshold: 1, expires: 200d}
"""
    run(room.folder, "rotate", script, room.operator)
    bundle = room.folder / "4-rotate"
    assert verify_bundle(bundle).ok, verify_bundle(bundle).problems
    logged = lines(bundle)
    (loaded,) = [e for e in logged if e["event"] == "key-loaded"]
    assert loaded["key"] == "root-alice"
    assert loaded["location"] == index(rehomed.bundle)["root-alice"]["location"]
    signed = [(e["key"], e["version"]) for e in logged if e["event"] == "signature-added"]
    assert signed == [("root-alice", 2)]
    assert index(bundle)["root-alice"]["origin"] == "imported"  # carried forward
    root_of(bundle, 1).signed.verify_delegate(
        "root", root_of(bundle, 2).signed_bytes, root_of(bundle, 2).signatures
    )


def test_preflight_checks_the_rehoming_token_without_a_pin(room, rehomed, tmp_path):
    folder = room.folder
    cases = {
        "taken": rehome_script(rehomed.tag, "x-taken"),  # that label is on the token now
        "absent": rehome_script("t", "x-absent", token="no-such-token"),
        "targets": rehome_script("t", "x-targets", key="targets"),
    }
    failures = {}
    for name, text in cases.items():
        script = folder / f"preflight-{name}.yaml"
        script.write_text(text)
        failures[name] = {c.check: c.detail for c in preflight(load_script(script)).failures}
    assert f"already holds a key labelled 'root-alice-{rehomed.tag}'" in (
        failures["taken"][f"token {TOKEN!r}"]
    )
    assert "token 'no-such-token'" in failures["absent"]
    assert failures["targets"] == {
        "rehome targets": "key targets is not a root key of root version 1; only recovered "
        "root keys are re-homed",
    }


def test_a_recovery_that_rehomes_a_key_it_did_not_recover_stops():
    """A key missing from the recovered set is refused before any token is touched."""
    from ceremony.steps import rehome as recover_actions

    ctx = SimpleNamespace(
        plan=SimpleNamespace(rehome=(SimpleNamespace(key="root-zed"),)), keys={},
    )
    with pytest.raises(CeremonyError) as caught:
        list(recover_actions.rehome(ctx))
    assert caught.value.message() == (
        "rehome root-zed: key root-zed was not recovered in software from the custody bundle, "
        "so there is nothing to import. nothing was changed; check that the custody bundle "
        "holds this root key"
    )
