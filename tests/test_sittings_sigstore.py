"""A Sigstore trust root's rotation signed in several sittings, followed by sigstore-python.

A bootstrap (root threshold 1 of root-a, root-b; a copy of the run's
``sigstore_v1``); keyholder c makes root-c at a
sitting of her own; the coordinator writes the request for root version 2
(root-a, root-b, root-c, threshold 2); a signs with root-a from her copy of the
bundle, c with her key file, each its own process and home; the coordinator
seals, the mirror signed again there by the online keys. The bundle verifies,
and sigstore-python and ngclient that trusted version 1 follow to version 2.
"""

from __future__ import annotations

import shutil

from session_cache import copy_of
from sittings_helpers import MAKE_KEY_FILE, ceremony, sitting

from ceremony.verify import verify_bundle
from tests.sigstore_instance import PASS, clients_follow, rotation_script


def test_a_sigstore_rotation_signed_in_sittings_is_followed_by_sigstore_python(
    tmp_path, monkeypatch, sigstore_v1
):
    folder = copy_of(sigstore_v1, tmp_path / "room")
    c = tmp_path / "c"
    c.mkdir()
    pem = sitting(c, "-c", MAKE_KEY_FILE, str(c / "root-c.age"), "sig root c passphrase")
    (folder / "root-c.pem").write_text(pem.stdout)
    rotation_script(folder, sittings=True)

    coordinator = tmp_path / "coordinator"
    ceremony(coordinator, "request", "room/v2.yaml", "-o", "room/request")
    shutil.copytree(folder / "v1", tmp_path / "a" / "current")
    ceremony(tmp_path / "a", "sign", "room/request", "--current", "a/current", "--key", "root-a",
             "-o", "room/a.sig.json", env=PASS)
    secrets = c / "secrets.yaml"
    secrets.write_text("root-c: sig root c passphrase\n")
    secrets.chmod(0o600)
    ceremony(c, "sign", "room/request", "--current", "room/v1", "--key",
             f"root-c={c / 'root-c.age'}", "--secrets", str(secrets), "-o", "room/c.sig.json")
    sealed = ceremony(coordinator, "seal", "room/request", "room/c.sig.json", "room/a.sig.json",
                      "--current", "room/v1", "--script", "room/v2.yaml", "-o", "room/v2",
                      env=PASS)
    assert "new 2.root.json: 2 signatures, threshold 2 (met)" in sealed.stdout

    report = verify_bundle(folder / "v2")
    assert report.ok, report.lines()
    assert report.root_versions == [1, 2]
    (snapshot,) = (folder / "v2" / "mirror").glob("*.snapshot.json")  # at the seal's time
    assert int(snapshot.name.split(".")[0]) > 2  # in seconds: the online signer's rule
    assert sorted(p.name for p in (folder / "v2" / "mirror").iterdir()) == sorted([
        "1.root.json", "2.root.json", snapshot.name, "2.targets.json", "targets",
        "timestamp.json",
    ])
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    config, ngclient, sigstore_python = clients_follow(folder / "v1", folder / "v2",
                                                       tmp_path / "clients")
    assert config.signing_config.get_fulcio().url == "https://fulcio.example.internal"
    assert (ngclient, sigstore_python) == (2, [2])
