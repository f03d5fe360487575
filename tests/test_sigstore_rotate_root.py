"""rotate-root for a Sigstore trust root: clients of version 1 follow version 2.

A bootstrap (root threshold 1 of root-a, root-b; the run's ``sigstore_v1``, a
copy for this module), then a rotation to 2 of
root-a, root-b and a new root-c, signed by root-a (both roots' thresholds
met with root-c made here) and with the mirror signed again by the current targets,
snapshot and timestamp keys. sigstore-python and python-tuf's ngclient,
having trusted version 1 at a URL, follow to version 2 when the new mirror
is served there; a version 2 short of its threshold is refused by both the
clients and ``ceremony verify``.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from destruction_lines import destruction
from session_cache import copy_of
from tuf.api.exceptions import RepositoryError
from tuf.api.metadata import Metadata
from tuf.ngclient import Updater
from witness import witnessed

from ceremony.cli import main
from ceremony.verify import verify_bundle
from tests.sigstore_instance import (
    PASS,
    TRUST,
    clients_follow,
    rotation_script,
    served,
)

ROOT_C = {"SIG_ROOT_C": "correct horse battery sig 4"}
ROOT_B_FILE = "keys/offline/root-b.age"


@pytest.fixture(scope="module")
def rotated(tmp_path_factory, sigstore_v1):
    folder = copy_of(sigstore_v1, tmp_path_factory.mktemp("sigstore-rotate") / "room")
    with pytest.MonkeyPatch.context() as patch:
        for name, value in {**PASS, **ROOT_C}.items():
            patch.setenv(name, value)
        assert main(witnessed(["run", str(rotation_script(folder)), "--yes"])) == 0
    return folder


def test_the_rotation_verifies_and_its_mirror_holds_both_roots(rotated):
    report = verify_bundle(rotated / "v2")
    assert report.ok, report.lines()
    assert report.root_versions == [1, 2]
    names = sorted(p.name for p in (rotated / "v2" / "mirror").iterdir())
    (snapshot,) = (rotated / "v2" / "mirror").glob("*.snapshot.json")  # at the run's time
    assert int(snapshot.name.split(".")[0]) > 2  # in seconds: the online signer's rule
    assert names == sorted([
        "1.root.json",
        "2.root.json",
        snapshot.name,
        "2.targets.json",
        "targets",
        "timestamp.json",
    ])
    assert (rotated / "v2" / "client" / "root.json").read_bytes() == (
        rotated / "v2" / "metadata" / "2.root.json"
    ).read_bytes()


def trusted_version(metadata_dir: Path) -> int:
    return Metadata.from_bytes((metadata_dir / "root.json").read_bytes()).signed.version


def test_clients_that_trusted_version_1_follow_to_version_2(rotated, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    config, ngclient, sigstore_python = clients_follow(rotated / "v1", rotated / "v2", tmp_path)
    assert config.signing_config.get_fulcio().url == "https://fulcio.example.internal"
    assert ngclient == 2
    assert sigstore_python == [2]


def test_a_version_2_short_of_its_threshold_is_refused_by_verify_and_the_client(rotated, tmp_path):
    bundle = tmp_path / "short"
    shutil.copytree(rotated / "v2", bundle)
    document = json.loads((bundle / "mirror" / "2.root.json").read_bytes())
    assert len(document["signatures"]) == 2
    document["signatures"] = document["signatures"][:1]
    (bundle / "mirror" / "2.root.json").write_text(json.dumps(document, indent=1))
    assert "mirror/2.root.json: differs from the bundle's metadata/root.json" in (
        verify_bundle(bundle).lines()
    )
    ng = tmp_path / "ng"
    (ng / "targets").mkdir(parents=True)
    with served(bundle / "mirror") as url:
        updater = Updater(
            str(ng),
            url,
            str(ng / "targets"),
            f"{url}/targets/",
            bootstrap=(rotated / "v1" / "client" / "root.json").read_bytes(),
        )
        with pytest.raises(RepositoryError):
            updater.refresh()
    assert trusted_version(ng) == 1


@pytest.fixture(scope="module")
def decommissioned(rotated):
    """Root version 3 without root-b (a and c keep threshold 2), the mirror signed
    again, root-b's key file wiped from v2 and v1 (so this runs last)."""
    script = rotated / "v3.yaml"
    script.write_text(
        "format: 1\nceremony: decommission\nflavor: sigstore\ntitle: root-b is destroyed\n"
        "network: allowed\noutput-media: any-device\ncurrent: v2\noutput: v3\n"
        "sign-with: [root-a, root-c, targets, snapshot, timestamp]\ndestroy: [root-b]\n"
        f"wipe: {{key-files: [v2/{ROOT_B_FILE}, v1/{ROOT_B_FILE}]}}\n"
        "targets-expires: 90d\nsnapshot-expires: 30d\ntimestamp-expires: 7d\n"
        "passphrases:\n  root-a: {env: SIG_ROOT_A}\n  root-c: {env: SIG_ROOT_C}\n"
        "  targets: {env: SIG_ONLINE}\n  snapshot: {env: SIG_ONLINE}\n"
        "  timestamp: {env: SIG_ONLINE}\n"
        + TRUST)
    with pytest.MonkeyPatch.context() as patch:
        for name, value in {**PASS, **ROOT_C}.items():
            patch.setenv(name, value)
        assert main(witnessed(["run", str(script), "--yes"])) == 0
    return rotated


def test_a_decommission_removes_a_root_key_and_clients_follow(
    decommissioned, tmp_path, monkeypatch, capsys
):
    report = verify_bundle(decommissioned / "v3")
    assert report.ok and report.ceremony == "decommission", report.lines()
    assert report.root_versions == [1, 2, 3]
    index = json.loads((decommissioned / "v2" / "keys" / "index.json").read_bytes())["keys"]
    root = Metadata.from_bytes((decommissioned / "v3" / "mirror" / "3.root.json").read_bytes())
    assert index["root-b"]["keyid"] not in root.signed.keys
    assert root.signed.roles["root"].threshold == 2 and len(root.signed.roles["root"].keyids) == 2
    for bundle in ("v1", "v2"):
        assert not (decommissioned / bundle / ROOT_B_FILE).exists()
    capsys.readouterr()
    assert main(["inspect", str(decommissioned / "v3")]) == 0
    assert f"destroyed  root-b  {index['root-b']['keyid'][:8]}" in capsys.readouterr().out
    assert [e["path"] for e in destruction(decommissioned / "v3")
            if e["event"] == "file-wiped"] == [
        str(decommissioned / bundle / ROOT_B_FILE) for bundle in ("v2", "v1")]
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    _, ngclient, sigstore_python = clients_follow(
        decommissioned / "v1", decommissioned / "v3", tmp_path)
    assert ngclient == 3 and sigstore_python == [3]
