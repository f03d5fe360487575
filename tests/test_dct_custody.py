"""Custody for the dct flavor: a DCT bootstrap seals its root keys, hands out
3-of-5 shares, test-restores, and the bundle carries the custody record.

Offline only (the Notary server's keys are made up on "media", as in a
rehearsal). The custody bundle is then opened again from shares 3, 4 and 5
as read from their text sheets, and the root keys in it are the ones every
GUN's root names. A rotation of one GUN's root then leaves the GUNs with
different roots: ``ceremony next`` writes one script per group (``--guns``).
The dct recover itself is tests/test_dct_recover.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from cryptography.hazmat.primitives.asymmetric import ed25519

from ceremony.custody import CustodyRecord, ShareCollector, open_archive, read_copies
from ceremony.custody.archive import fingerprint
from ceremony.custody.share_input import read_text_file
from ceremony.engine import run_ceremony
from ceremony.events import CustodySealed, RestoreTested, ShareHandedOut
from ceremony.flavors.dct.notary.keyids import canonical_keyid, key_for_public_key
from ceremony.flavors.dct.notary.model import Metadata
from ceremony.rehearsal.operator import RehearsalOperator
from ceremony.script.load import load_script
from ceremony.verify import verify_bundle

GUNS = ("registry.example.com/org/app", "registry.example.com/org/db")
OPERATOR = RehearsalOperator()  # keeps the passphrases it chose from ceremony to ceremony

BOOTSTRAP = f"""\
format: 1
ceremony: bootstrap
flavor: dct
title: offline DCT roots, kept in custody
rehearsal: true
output: 1-bootstrap
guns: [{", ".join(GUNS)}]
server-keys: server-keys
keyholders: [{{name: alice}}, {{name: bob}}, {{name: ci}}]
keys:
  - {{name: root-alice, holder: alice, algorithm: ecdsa-p256}}
  - {{name: root-bob, holder: bob, algorithm: ecdsa-p256}}
  - {{name: repo, holder: ci, algorithm: ecdsa-p256}}
roles:
  root: {{keys: [root-alice, root-bob], threshold: 1}}
  targets: {{keys: [repo]}}
custody:
  media: [media-a, media-b]
  sheets: sheets
  shares: {{threshold: 3, of: 5}}
  custodians: [erin, frank, grace, heidi, ivan]
"""


def server_keys(folder: Path) -> None:
    """Timestamp and snapshot public keys as scripts/dct-fetch-keys writes them."""
    for gun in GUNS:
        (folder / gun).mkdir(parents=True)
        for role in ("timestamp", "snapshot"):
            key = key_for_public_key(ed25519.Ed25519PrivateKey.generate().public_key())
            (folder / gun / f"{role}.key").write_text(json.dumps(key.to_dict()))


@pytest.fixture(scope="module")
def room(tmp_path_factory):
    folder = tmp_path_factory.mktemp("dct-custody")
    for name in ("media-a", "media-b", "sheets"):
        (folder / name).mkdir()
    server_keys(folder / "server-keys")
    (folder / "bootstrap.yaml").write_text(BOOTSTRAP)
    events = list(run_ceremony(load_script(folder / "bootstrap.yaml"), OPERATOR))
    [sealed] = [e for e in events if isinstance(e, CustodySealed)]
    return folder, events, sealed


def test_dct_bootstrap_seals_the_root_keys_and_test_restores(room):
    folder, events, sealed = room
    assert sealed.keys == ("root-alice", "root-bob")  # CI's repository keys are not sealed
    assert sealed.scheme == "any 3 of 5 shares"
    handed = [(e.number, e.custodian, e.read_back) for e in events if isinstance(e, ShareHandedOut)]
    assert handed == [
        (1, "erin", True), (2, "frank", True), (3, "grace", True), (4, "heidi", True),
        (5, "ivan", True),
    ]
    [tested] = [e for e in events if isinstance(e, RestoreTested)]
    assert tested.shares_used == (3, 4, 5)
    assert tested.keys_matched == ("root-alice", "root-bob")
    steps = [e.step for e in events if type(e).__name__ == "StepStarted"]
    assert steps.index("gun-metadata") < steps.index("custody-bundle")
    assert steps.index("test-restore") < steps.index("write-media")


def test_the_dct_bundle_verifies_and_carries_the_custody_record(room):
    folder, _events, sealed = room
    bundle = folder / "1-bootstrap"
    report = verify_bundle(bundle)
    assert report.ok, report.lines()
    copy = folder / "media-a" / f"custody-{sealed.custody_id}"
    carried = bundle / "custody" / f"custody-{sealed.custody_id}.json"
    assert carried.read_bytes() == (copy / "custody.json").read_bytes()
    record = CustodyRecord.from_json(carried.read_bytes())
    assert record.root_version == 1


def test_custody_bundle_restores_from_shares_3_4_5_read_from_the_text_sheets(room):
    folder, _events, sealed = room
    copies = [folder / m / f"custody-{sealed.custody_id}" for m in ("media-a", "media-b")]
    found = read_copies(copies)
    sheets = folder / "sheets" / f"shares-{sealed.custody_id}"
    collector = ShareCollector(found.record)
    for number in (3, 4, 5):
        words = read_text_file(sheets / f"share-{number:02d}-of-05.txt")
        collector.add(" ".join(words), source=f"sheet {number}")
    with collector.recover() as identity:
        restored = open_archive(found, identity)
    recovered = {k.name: k for k in restored.keys}
    assert sorted(recovered) == ["root-alice", "root-bob"]
    index = json.loads((folder / "1-bootstrap" / "keys" / "index.json").read_text())["keys"]
    for name, key in recovered.items():
        public = key.private_key.public_key()
        assert canonical_keyid(public) == index[name]["keyid"]
        assert fingerprint(public) == key.fingerprint
    for gun in GUNS:  # every GUN's root names both recovered keys
        root = Metadata.from_bytes(
            (folder / "1-bootstrap" / "metadata" / gun / "root.json").read_bytes()
        ).signed
        named = {canonical_keyid(root.keys[k]) for k in root.roles["root"].keyids}
        assert named == {index[n]["keyid"] for n in recovered}


def test_custody_status_judges_each_guns_root_by_name(room, capsys):
    """dct roots name keys by notary ids, custody by TUF ids: status says so and
    matches the keys by the names the bundle gives them, for every GUN."""
    from ceremony.cli import main

    folder, _, sealed = room
    code = main(["custody", "status", str(folder / "media-a"), "--root",
                 str(folder / "1-bootstrap")])
    out = capsys.readouterr().out
    assert code == 1  # judged by name only: flagged for a look
    for gun in GUNS:
        assert (f"  by name it holds root-alice, root-bob: 2 root keys, threshold 1 (met) for "
                f"root version 1 of {gun}, but its key ids are not the ids this root names "
                "its keys by") in out, out
    assert f"ceremony {sealed.custody_id}" in out


ROTATE_APP = f"""\
format: 1
ceremony: rotate-root
flavor: dct
title: a new root key for the app's root only
rehearsal: true
current: 1-bootstrap
output: 2-app-root
guns: [{GUNS[0]}]
sign-with: [root-alice]
keyholders: [{{name: carol}}]
keys:
  - {{name: root-carol, holder: carol, algorithm: ecdsa-p256}}
roles:
  root: {{keys: [root-alice, root-carol], threshold: 1}}
"""


def test_next_of_guns_with_different_roots_names_each_group_and_its_command(room, capsys):
    """A rotation of one GUN's root leaves the GUNs with different root keys: `next`
    refuses to write one script for all, naming each group and the command that
    writes its script; that command's script is for its GUNs only and validates."""
    from ceremony.cli import main

    folder, _, _ = room
    app, db = GUNS
    (folder / "rotate-app.yaml").write_text(ROTATE_APP)
    list(run_ceremony(load_script(folder / "rotate-app.yaml"), OPERATOR))
    bundle = folder / "2-app-root"
    capsys.readouterr()
    assert main(["next", str(bundle), "--kind", "renew", "-o", str(folder / "all.yaml")]) == 3
    err = " ".join(capsys.readouterr().err.split())
    assert "the GUNs have different root keys or thresholds, so each group is its own" in err
    assert f"{db} (root keys root-alice, root-bob, threshold 1)" in err
    for gun, slug in ((app, "org-app"), (db, "org-db")):
        assert (f"ceremony next {bundle} --kind renew --guns {gun} "
                f"-o 2-app-root-renew-{slug}.yaml") in err
    assert not (folder / "all.yaml").exists()

    assert main(["next", str(bundle), "--kind", "renew", "--guns", db,
                 "-o", str(folder / "renew-db.yaml")]) == 0
    renew = yaml.safe_load((folder / "renew-db.yaml").read_text())
    assert (renew["guns"], renew["sign-with"], renew["output"]) == (
        [db], ["root-alice"], "2-app-root-renew-org-db")
    assert main(["validate", str(folder / "renew-db.yaml")]) == 0
    assert main(["next", str(bundle), "--kind", "rotate-root", "--guns", app,
                 "-o", str(folder / "rotate-app-next.yaml")]) == 0
    rotate = yaml.safe_load((folder / "rotate-app-next.yaml").read_text())
    assert rotate["guns"] == [app] and rotate["published"] == "2-app-root-state-org-app"
    assert sorted(rotate["roles"]["root"]["keys"]) == ["root-alice", "root-carol"]
    assert [key["name"] for key in rotate["keys"]] == ["repo-2"]
    capsys.readouterr()
    assert main(["next", str(bundle), "--kind", "renew", "--guns", "example.com/none",
                 "-o", str(folder / "none.yaml")]) == 3
    assert ("--guns example.com/none: not a GUN of this bundle. name GUNs of the bundle: "
            f"{app}, {db}") in capsys.readouterr().err
