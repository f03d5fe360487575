"""update-trust: a new Rekor key reaches a client that trusted the bootstrap's mirror.

A bootstrap, then an update-trust that adds a second Rekor log (the first
kept, its window closing in 30 days), signed by the current targets,
snapshot and timestamp keys. sigstore-python, having trusted the first
mirror, refreshes from the second served at the same URL and sees both
logs; python-tuf's ngclient follows too; ``ceremony verify`` holds the new
bundle; a sign-with short of the snapshot key is refused in preflight; and
once a client has seen the new timestamp, the old one is refused (rollback).
"""

from __future__ import annotations

import base64
import json
import shutil
from datetime import UTC, datetime, timedelta

import pytest
import yaml
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from sigstore.errors import TUFError
from sigstore.models import ClientTrustConfig
from tuf.api.exceptions import BadVersionNumberError
from tuf.ngclient import Updater
from witness import witnessed

from ceremony.cli import main
from ceremony.flavors.sigstore.next_script import carried_trust
from ceremony.flavors.sigstore.standins import write_standins
from ceremony.lifecycle.status import exit_code, judge
from ceremony.verify import verify_bundle
from tests.sigstore_instance import (
    PASS,
    TRUST,
    log_id,
    served,
    sigstore_script,
    update_trust_script,
)

NOW = datetime.now(UTC)
NEW_REKOR = (
    f"    - {{url: https://rekor.example.internal, key: trust/rekor.pub, "
    f"valid-from: {NOW - timedelta(days=1):%Y-%m-%d}, "
    f"valid-until: {NOW + timedelta(days=30):%Y-%m-%d}}}\n"
    "    - {url: https://rekor2.example.internal, key: trust/rekor2.pub}\n"
)


def new_trust() -> str:
    old = "    - {url: https://rekor.example.internal, key: trust/rekor.pub}\n"
    assert old in TRUST
    return TRUST.replace(old, NEW_REKOR)


@pytest.fixture(scope="module")
def updated(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sigstore-update")
    write_standins(folder / "trust", NOW)
    key = ec.generate_private_key(ec.SECP256R1()).public_key()
    (folder / "trust" / "rekor2.pub").write_bytes(
        key.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    with pytest.MonkeyPatch.context() as patch:
        for name, value in PASS.items():
            patch.setenv(name, value)
        online = TRUST.replace("trust:\n", "trust:\n  mirror-signer: online\n")
        bootstrap = sigstore_script(folder, "v1", trust=online)
        assert main(witnessed(["run", str(bootstrap), "--yes"])) == 0
        script = update_trust_script(folder, "v1", "v2", new_trust())
        assert main(witnessed(["run", str(script), "--yes"])) == 0
    return folder


def mirror_version(bundle) -> int:
    """The version of the bundle's timestamp, which its snapshot shares."""
    return int(json.loads((bundle / "mirror" / "timestamp.json").read_bytes())["signed"]["version"])


def test_an_online_mirror_signer_gets_the_snapshot_and_timestamp_keys(updated):
    bundle = updated / "v1"
    exported = json.loads((bundle / "mirror-signer" / "keys.json").read_text())
    assert sorted(exported["keys"]) == ["snapshot", "timestamp"]
    for name, entry in exported["keys"].items():
        assert entry["roles"] == [name]
        assert (bundle / entry["file"]).read_bytes().startswith(b"age-encryption.org/v1")
        assert entry["public_pem"] == (bundle / "keys" / "public" / f"{name}.pem").read_text()
    timestamp = json.loads((bundle / "mirror" / "timestamp.json").read_text())["signed"]
    assert exported["roles"]["timestamp"] == {
        "version": 1, "expires": timestamp["expires"]}
    readme = (bundle / "mirror-signer" / "README.md").read_text()
    assert "re-signs `timestamp.json`" in readme
    # the next ceremony signs at a version from its clock, above the server's: served as it is
    assert "Re-sign at your current version + 1" in readme
    assert "carry a version from its clock" in readme and "serve it as it is" in readme
    assert not (updated / "v2" / "mirror-signer").exists()  # its script does not say online


def test_the_update_verifies_and_keeps_the_root(updated):
    bundle = updated / "v2"
    report = verify_bundle(bundle)
    assert report.ok, report.lines()
    assert report.root_versions == [1]
    assert report.targets_version == 2
    # snapshot and timestamp at the ceremony's time in seconds: the online signer's
    # re-signed versions (its own + 1) stay below it
    version = mirror_version(bundle)
    assert version >= int(NOW.timestamp())
    names = sorted(p.name for p in (bundle / "mirror").iterdir())
    assert names == sorted([
        "1.root.json",
        f"{version}.snapshot.json",
        "2.targets.json",
        "targets",
        "timestamp.json",
    ])
    timestamp = json.loads((bundle / "mirror" / "timestamp.json").read_bytes())
    assert timestamp["signed"]["meta"]["snapshot.json"]["version"] == version
    assert (bundle / "client" / "root.json").read_bytes() == (
        updated / "v1" / "client" / "root.json"
    ).read_bytes()
    document = json.loads((bundle / "trusted_root.json").read_bytes())
    assert [t["baseUrl"] for t in document["tlogs"]] == [
        "https://rekor.example.internal",
        "https://rekor2.example.internal",
    ]
    assert "end" in document["tlogs"][0]["publicKey"]["validFor"]


def test_a_client_of_the_first_mirror_sees_the_new_rekor_key(updated, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    www = tmp_path / "www"
    shutil.copytree(updated / "v1" / "mirror", www)
    root = updated / "v1" / "client" / "root.json"
    with served(www) as url:
        first = ClientTrustConfig.from_tuf(url, bootstrap_root=root)
        assert [t.log_id.key_id for t in first.trusted_root._inner.tlogs] == [
            base64.b64decode(log_id(updated / "trust" / "rekor.pub"))
        ]
        shutil.rmtree(www)
        shutil.copytree(updated / "v2" / "mirror", www)
        second = ClientTrustConfig.from_tuf(url)
    seen = [t.log_id.key_id for t in second.trusted_root._inner.tlogs]
    assert base64.b64decode(log_id(updated / "trust" / "rekor2.pub")) in seen
    assert len(seen) == 2
    # `ceremony status` of what the client now trusts (its metadata cache) and of the bundle
    (cache,) = {p.parent for p in (tmp_path / "data").rglob("root.json")}
    version = mirror_version(updated / "v2")
    assert [(s.lifetime.role, s.lifetime.version) for s in judge([cache])] == [
        ("root", 1), ("targets", 2), ("snapshot", version), ("timestamp", version)]
    # and the trusted root's deadlines: the chains' expiries (the first Rekor log's end
    # is a handover to the second, which has none)
    assert [(s.lifetime.role, s.lifetime.version) for s in judge([updated / "v2"])] == [
        ("root", 1), ("targets", 2), ("snapshot", version), ("timestamp", version),
        ("fulcio", 2), ("tsa", 2)]
    assert exit_code(judge([cache, updated / "v2"])) == 0


def test_update_trust_without_the_snapshot_key_is_refused(updated, monkeypatch, capsys):
    for name, value in PASS.items():
        monkeypatch.setenv(name, value)
    script = update_trust_script(updated, "v1", "v2-short", new_trust())
    script.write_text(
        script.read_text()
        .replace("sign-with: [targets, snapshot, timestamp]", "sign-with: [targets, timestamp]")
        .replace("  snapshot: {env: SIG_ONLINE}\n", "")
    )
    assert main(["validate", str(script)]) != 0
    output = capsys.readouterr().out
    assert (
        "[FAIL] sign-with snapshot: the snapshot keys that sign today give 0 signatures, "
        "threshold 1 (1 more needed) for root version 1; add the snapshot key to sign-with"
    ) in output
    assert not (updated / "v2-short").exists()


def test_a_service_left_out_of_trust_is_refused_unless_withdrawn(updated, monkeypatch, capsys):
    """Listing only the new Rekor log (the old one's entry dropped) passed preflight, and
    every signature the old log held stopped verifying once clients updated."""
    for name, value in PASS.items():
        monkeypatch.setenv(name, value)
    only_new = TRUST.replace(
        "    - {url: https://rekor.example.internal, key: trust/rekor.pub}\n",
        "    - {url: https://rekor2.example.internal, key: trust/rekor2.pub}\n",
    )
    script = update_trust_script(updated, "v1", "v2-left-out", only_new)
    assert main(["validate", str(script)]) != 0
    output = capsys.readouterr().out
    old_log = log_id(updated / "trust" / "rekor.pub")
    assert (
        "[FAIL] trust rekor left out: the Rekor log https://rekor.example.internal (log id "
        f"{old_log}) of the current trusted_root.json is not in trust:, so every signature "
        "it logged stops verifying when clients update; list it again in trust: with a "
        "valid-until (what it did before then still verifies); or, if its key is "
        "compromised, name its URL in trust: withdraw:"
    ) in output
    assert output.count("[FAIL]") == 1  # the CA, the CT log and the TSA are kept

    withdrawn = only_new.replace(
        "  legacy-targets: true\n",
        "  legacy-targets: true\n  withdraw: [https://rekor.example.internal]\n",
    )
    script = update_trust_script(updated, "v1", "v2-left-out", withdrawn)
    assert main(["validate", str(script)]) == 0, capsys.readouterr().out
    assert "withdrawn, as trust: withdraw: says" in capsys.readouterr().out
    # `ceremony next` after it does not carry withdraw: (those services are gone)
    trust = yaml.safe_load(script.read_text())["trust"]
    carried = carried_trust(trust, updated, updated, [])
    assert "withdraw" in trust and "withdraw" not in carried
    assert carried["rekor"] == trust["rekor"]

    script.write_text(script.read_text().replace("https://rekor.example.internal]",
                                                 "https://rekor9.example.internal]"))
    assert main(["validate", str(script)]) != 0
    assert (
        "[FAIL] trust withdraw: https://rekor9.example.internal names no service of the "
        "current trusted_root.json that trust: leaves out; remove it from withdraw:, or "
        "correct the URL"
    ) in capsys.readouterr().out
    assert not (updated / "v2-left-out").exists()


def test_a_rolled_back_timestamp_is_refused_by_the_clients(updated, tmp_path, monkeypatch):
    """Having seen the update's timestamp, a client refuses the bootstrap's version 1."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    www = tmp_path / "www"
    shutil.copytree(updated / "v2" / "mirror", www)
    ng = tmp_path / "ng"
    (ng / "targets").mkdir(parents=True)
    root = updated / "v1" / "client" / "root.json"
    with served(www) as url:
        ClientTrustConfig.from_tuf(url, bootstrap_root=root)
        updater = Updater(
            str(ng), url, str(ng / "targets"), f"{url}/targets/", bootstrap=root.read_bytes()
        )
        updater.refresh()
        shutil.copyfile(updated / "v1" / "mirror" / "timestamp.json", www / "timestamp.json")
        with pytest.raises(TUFError):
            ClientTrustConfig.from_tuf(url)
        again = Updater(str(ng), url, str(ng / "targets"), f"{url}/targets/", bootstrap=None)
        with pytest.raises(BadVersionNumberError):
            again.refresh()
