"""recover, flavor dct: the root keys come back from custody and sign a new targets key in.

Against the real notary-server and CLI: a dct bootstrap of two GUNs seals its
root keys into a custody bundle (3 of 5 shares) and is published; CI adds a
target. Then its keyholders are gone and CI's targets key is lost: a dct
recover, from shares 2, 3 and 5 read from their text sheets, replaces the
targets key (one per GUN) and signs root version 2 of each GUN with the
recovered root keys. The server accepts it, a client that cached version 1
follows, CI with only the new targets key publishes, and `ceremony verify`
accepts the bundle. Bad scripts are refused by the loader with exact errors.
"""

from __future__ import annotations

import json
import os
import shutil
import textwrap
from pathlib import Path

import pytest
from dct_offline import run_script
from notary_server import cached_root_version, notary_cli, notary_server  # noqa: F401

from ceremony.engine import run_ceremony
from ceremony.errors import CeremonyError, ScriptError
from ceremony.events import CustodySealed, KeyRecovered, ShareAccepted, ThresholdMet
from ceremony.operator import Secret, ShareAnswer, ShareRequest
from ceremony.rehearsal.operator import RehearsalOperator
from ceremony.script.load import load_script, load_script_text
from ceremony.verify import verify_bundle

pytestmark = pytest.mark.slow

GUNS = ("registry.example.com/org/app", "registry.example.com/org/db")
CI_PASSPHRASE = "the new repository key passphrase"

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
  root: {{keys: [root-alice, root-bob], threshold: 2}}
  targets: {{keys: [repo]}}
spare-keys: none
accept-risk: every root key must sign (a test root)
custody:
  media: [media-a, media-b]
  sheets: sheets
  shares: {{threshold: 3, of: 5}}
  custodians: [erin, frank, grace, heidi, ivan]
"""

RECOVER = """\
format: 1
ceremony: recover
flavor: dct
title: the root keyholders are gone and CI lost its targets key
rehearsal: true
current: 1-bootstrap
published: state-2
output: 2-recover
recover-from:
  copies: [media-a, media-b]
keyholders: [{name: ci}]
keys:
  - {name: repo-2, holder: ci, algorithm: ecdsa-p256}
replace:
  targets: {keys: [repo-2]}
"""


class Custodians(RehearsalOperator):
    """Custodians 2, 3 and 5 hand in their text sheets; every passphrase is one known."""

    def __init__(self, sheets: dict[int, Path]) -> None:
        super().__init__()
        self.sheets = sheets
        self.given: list[int] = []

    def secret(self, request) -> Secret:
        return Secret(CI_PASSPHRASE)

    def share(self, request: ShareRequest) -> ShareAnswer | None:
        waiting = [n for n in self.sheets if n not in self.given]
        if not waiting:
            return None
        self.given.append(waiting[0])
        return ShareAnswer("file", path=self.sheets[waiting[0]])


def publish(server, bundle: Path) -> list[dict]:
    done = run_script(
        "dct-publish", "--server", server.url, "--ca", str(server.ca_file), "--json", "--rehearsal",
        str(bundle / "publish"),
    )
    assert done.returncode in (0, 1), done.stdout + done.stderr
    return json.loads(done.stdout)


def online(server, *args: str) -> None:
    done = run_script(
        "dct-fetch-keys", "--server", server.url, "--ca", str(server.ca_file), *args
    )
    assert done.returncode == 0, done.stdout + done.stderr


def index_of(bundle: Path) -> dict:
    return json.loads((bundle / "keys" / "index.json").read_text())["keys"]


def keys_with_role(bundle: Path, role: str, gun: str) -> list[str]:
    return [
        e["keyid"] for e in index_of(bundle).values() if role in e["roles"] and gun in e["guns"]
    ]


@pytest.fixture(scope="module")
def room(notary_server, tmp_path_factory):  # noqa: F811
    folder = tmp_path_factory.mktemp("dct-recover")
    for name in ("media-a", "media-b", "sheets"):
        (folder / name).mkdir()
    online(notary_server, "--out", str(folder / "server-keys"), *GUNS)
    (folder / "bootstrap.yaml").write_text(BOOTSTRAP)
    operator = RehearsalOperator()
    events = list(run_ceremony(load_script(folder / "bootstrap.yaml"), operator))
    [sealed] = [e for e in events if isinstance(e, CustodySealed)]
    bundle = folder / "1-bootstrap"
    results = publish(notary_server, bundle)
    assert [(r["gun"], r["accepted"]) for r in results] == [(g, True) for g in GUNS], results
    reader = notary_cli(notary_server, folder / "reader" / "trust")
    for gun in GUNS:
        reader.run("list", gun)  # trust on first use: caches root version 1
    # CI adds a target with the bootstrap's targets key, then loses that key
    gun = GUNS[0]
    [keyid] = keys_with_role(bundle, "targets", gun)
    ci = notary_cli(notary_server, folder / "ci-1" / "trust",
                    passphrase=operator.secret(_request("repo")).reveal())
    private = ci.trust_dir / "private"
    private.mkdir(parents=True, mode=0o700)
    shutil.copy(bundle / "ci" / "trust" / "private" / f"{keyid}.key", private)
    os.chmod(private / f"{keyid}.key", 0o600)
    artefact = folder / "v1.bin"
    artefact.write_bytes(b"v1")
    ci.run("add", gun, "v1", str(artefact))
    ci.run("publish", gun)
    return folder, sealed, reader


def _request(key: str):
    from ceremony.operator import SecretRequest

    return SecretRequest(id=f"passphrase/{key}", key=key, prompt="")


@pytest.fixture(scope="module")
def recovered(room, notary_server):  # noqa: F811
    folder, sealed, _reader = room
    online(notary_server, "--state", "--out", str(folder / "state-2"), *GUNS)
    (folder / "recover.yaml").write_text(RECOVER)
    sheets = folder / "sheets" / f"shares-{sealed.custody_id}"
    operator = Custodians({n: sheets / f"share-{n:02d}-of-05.txt" for n in (2, 3, 5)})
    events = list(run_ceremony(load_script(folder / "recover.yaml"), operator))
    return folder, events, operator


def test_recover_takes_shares_2_3_5_and_signs_with_both_recovered_root_keys(recovered):
    _folder, events, operator = recovered
    assert operator.given == [2, 3, 5]
    assert len([e for e in events if isinstance(e, ShareAccepted)]) == 3
    assert sorted(e.key for e in events if isinstance(e, KeyRecovered)) == [
        "root-alice", "root-bob"
    ]
    met = [(e.role, e.group, e.have, e.need) for e in events if isinstance(e, ThresholdMet)]
    for gun in GUNS:
        assert (f"root of {gun}", "old", 2, 2) in met
        assert (f"root of {gun}", "new", 2, 2) in met
        assert (f"targets of {gun}", "new", 1, 1) in met


def test_server_accepts_the_recovery_and_a_client_with_version_1_follows(
    room, recovered, notary_server  # noqa: F811
):
    folder, _sealed, reader = room
    bundle = folder / "2-recover"
    report = verify_bundle(bundle)
    assert report.ok, report.lines()
    results = publish(notary_server, bundle)
    assert all(r["accepted"] and r["roles"] == ["root", "targets"] for r in results), results
    for gun in GUNS:
        assert cached_root_version(reader.trust_dir, gun) == 1
        reader.run("list", gun)
        assert cached_root_version(reader.trust_dir, gun) == 2
    assert "v1" in reader.run("list", GUNS[0]).stdout  # CI's target, re-signed offline
    keys = index_of(bundle)
    assert keys["root-alice"]["location"] == "age-file:keys/offline/root-alice.age"
    assert sorted(keys["root-alice"]["guns"]) == sorted(GUNS)
    assert (bundle / "custody" / f"custody-{_sealed.custody_id}.json").is_file()
    gun = GUNS[0]
    [old] = keys_with_role(folder / "1-bootstrap", "targets", gun)
    [new] = keys_with_role(bundle, "targets", gun)
    assert old != new
    ci = notary_cli(notary_server, folder / "ci-2" / "trust", passphrase=CI_PASSPHRASE)
    private = ci.trust_dir / "private"
    private.mkdir(parents=True, mode=0o700)
    shutil.copy(bundle / "ci" / "trust" / "private" / f"{new}.key", private)
    os.chmod(private / f"{new}.key", 0o600)
    artefact = folder / "v2.bin"
    artefact.write_bytes(b"v2")
    ci.run("add", gun, "v2", str(artefact))
    ci.run("publish", gun)
    assert "v2" in reader.run("list", gun).stdout


# -- the loader ----------------------------------------------------------------------


def _load(tmp_path: Path, text: str):
    return load_script_text(textwrap.dedent(text), path=tmp_path / "r.yaml", base_dir=tmp_path)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            ("replace:\n  targets: {keys: [repo-2]}\n",
             "replace:\n  root: {keys: [repo-2], threshold: 1}\n"),
            "a dct recover replaces the targets key only, not the root keys",
        ),
        (
            ("published: state-2\n", ""),
            "a new targets key re-signs each GUN's current targets.json, which only the "
            "server has",
        ),
        (
            ("output: 2-recover\n", "output: 2-recover\ncustody: {media: [a, b]}\n"),
            "a dct recover does not seal a new custody bundle yet",
        ),
        (
            ("output: 2-recover\n", "output: 2-recover\nsign-with: [root-alice]\n"),
            "a dct recover signs with the root keys recovered from custody, not with keys "
            "named in sign-with",
        ),
        (
            ("recover-from:\n  copies: [media-a, media-b]\n", ""),
            "recover-from",
        ),
    ],
)
def test_loader_refuses_bad_dct_recover_scripts(tmp_path, change, message):
    old, new = change
    assert old in RECOVER
    with pytest.raises(ScriptError) as caught:
        _load(tmp_path, RECOVER.replace(old, new))
    assert message in str(caught.value)


def test_loader_reads_a_dct_recover(tmp_path):
    plan = _load(tmp_path, RECOVER)
    assert (plan.kind, plan.flavor) == ("recover", "dct")
    assert [r.name for r in plan.roles] == ["targets"]
    assert plan.recover_from.copies == (tmp_path / "media-a", tmp_path / "media-b")


def test_custody_bundle_of_other_keys_is_refused_in_preflight(room, tmp_path):
    """A custody bundle whose root keys are not the current root's: nothing is asked."""
    folder, _sealed, _reader = room
    other = tmp_path / "other"
    for name in ("media-a", "media-b", "sheets"):
        (other / name).mkdir(parents=True)
    shutil.copytree(folder / "server-keys", other / "server-keys")
    (other / "bootstrap.yaml").write_text(BOOTSTRAP)
    list(run_ceremony(load_script(other / "bootstrap.yaml"), RehearsalOperator()))
    (folder / "wrong.yaml").write_text(
        RECOVER.replace("output: 2-recover", "output: wrong")
        .replace("[media-a, media-b]", f"[{other / 'media-a'}]")
    )
    operator = Custodians({})
    with pytest.raises(CeremonyError) as caught:
        list(run_ceremony(load_script(folder / "wrong.yaml"), operator))
    assert (
        "custody key root-alice: key root-alice in the custody bundle of ceremony "
        in str(caught.value)
    )
    assert "is not the current bundle's root-alice: this custody bundle is not of this " \
        "repository's ceremonies; bring the right copies" in str(caught.value)
    assert operator.given == []
