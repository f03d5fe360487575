"""A Sigstore bootstrap, run headless, checked by the real clients.

One bootstrap with stand-in trust material (the run's ``sigstore_v1``, a copy
for this module); then
sigstore-python (its CLI's ``trust-instance``, ``ClientTrustConfig.from_tuf``
and ``--trust-config``'s reader) and python-tuf's ngclient each take the
bundle's mirror over loopback HTTP; and ``ceremony verify`` and the clients
are shown the same tampered mirror side by side.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from session_cache import copy_of
from sigstore._internal.trust import KeyringPurpose
from sigstore.errors import TUFError
from sigstore.models import ClientTrustConfig
from tuf.api.exceptions import RepositoryError
from tuf.ngclient import Updater

from ceremony.lifecycle.status import judge
from ceremony.verify import verify_bundle
from tests.sigstore_instance import PASS, log_id, served, sigstore_js

TRUSTED_ROOT_TYPE = "application/vnd.dev.sigstore.trustedroot+json;version=0.1"


@pytest.fixture(scope="module")
def bootstrapped(tmp_path_factory, sigstore_v1):
    return copy_of(sigstore_v1, tmp_path_factory.mktemp("sigstore") / "room")


@pytest.fixture
def client_home(tmp_path, monkeypatch):
    """sigstore-python keeps its TUF state under the XDG folders: a fresh pair per test."""
    env = {"XDG_DATA_HOME": str(tmp_path / "data"), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return env


def test_the_bundle_verifies_and_holds_the_mirror_and_client_files(bootstrapped):
    bundle = bootstrapped / "v1"
    report = verify_bundle(bundle)
    assert report.ok, report.lines()
    assert report.flavor == "sigstore"
    names = sorted(p.name for p in (bundle / "mirror").iterdir())
    assert names == [
        "1.root.json",
        "1.snapshot.json",
        "1.targets.json",
        "targets",
        "timestamp.json",
    ]
    root_doc = (bundle / "trusted_root.json").read_bytes()
    target = (
        bundle / "mirror" / "targets" / f"{hashlib.sha256(root_doc).hexdigest()}.trusted_root.json"
    )
    assert target.read_bytes() == root_doc
    client_root = (bundle / "client" / "root.json").read_bytes()
    assert client_root == (bundle / "metadata" / "1.root.json").read_bytes()
    digest = hashlib.sha256(client_root).hexdigest()
    assert (bundle / "client" / "root.json.sha256").read_text() == f"{digest}  root.json\n"
    assert f"--root-checksum {digest}" in (bundle / "CLIENTS.md").read_text()
    assert (bundle / "keys" / "online" / "timestamp.age").is_file()


def test_trusted_root_names_each_log_by_the_sha256_of_its_key(bootstrapped):
    document = json.loads((bootstrapped / "v1" / "trusted_root.json").read_bytes())
    assert document["mediaType"] == TRUSTED_ROOT_TYPE
    assert [log["logId"]["keyId"] for log in document["tlogs"]] == [
        log_id(bootstrapped / "trust" / "rekor.pub")
    ]
    assert [log["logId"]["keyId"] for log in document["ctlogs"]] == [
        log_id(bootstrapped / "trust" / "ctfe.pub")
    ]
    chain = x509.load_pem_x509_certificates(
        (bootstrapped / "trust" / "fulcio-chain.pem").read_bytes()
    )
    ders = [
        base64.b64decode(c["rawBytes"])
        for c in document["certificateAuthorities"][0]["certChain"]["certificates"]
    ]
    assert ders == [cert.public_bytes(serialization.Encoding.DER) for cert in chain]


def test_sigstore_python_trusts_the_instance_from_the_mirror(bootstrapped, client_home):
    bundle = bootstrapped / "v1"
    sigstore_cli = shutil.which("sigstore", path=str(Path(sys.executable).parent))
    assert sigstore_cli is not None
    with served(bundle / "mirror") as url:
        done = subprocess.run(
            [
                sigstore_cli,
                "--instance",
                url,
                "trust-instance",
                str(bundle / "client" / "root.json"),
            ],
            capture_output=True,
            text=True,
            env={**os.environ, **client_home},
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        config = ClientTrustConfig.from_tuf(url)
    trusted = config.trusted_root
    chain = x509.load_pem_x509_certificates(
        (bootstrapped / "trust" / "fulcio-chain.pem").read_bytes()
    )
    assert trusted.get_fulcio_certs() == chain
    trusted.rekor_keyring(KeyringPurpose.VERIFY)
    trusted.ct_keyring(KeyringPurpose.VERIFY)
    assert len(trusted.get_timestamp_authorities()) == 1
    assert config.signing_config.get_fulcio().url == "https://fulcio.example.internal"
    assert config.signing_config.get_oidc_url() == "https://oidc.example.internal"


def test_sigstore_js_trusts_the_instance_from_the_mirror(bootstrapped, tmp_path):
    """A second client: Sigstore's own @sigstore/tuf on the machine's node."""
    bundle = bootstrapped / "v1"
    with served(bundle / "mirror") as url:
        done = sigstore_js(url, bundle / "client" / "root.json", tmp_path / "cache")
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    assert seen["mediaType"] == TRUSTED_ROOT_TYPE
    assert seen["tlogs"] == [log_id(bootstrapped / "trust" / "rekor.pub")]
    assert seen["ctlogs"] == [log_id(bootstrapped / "trust" / "ctfe.pub")]
    assert seen["certificateAuthorities"] == ["https://fulcio.example.internal"]
    # its cache keeps the metadata and, in targets/, the trusted root: status reads both
    (cache,) = {p.parent for p in (tmp_path / "cache").rglob("root.json")}
    assert (cache / "targets" / "trusted_root.json").is_file()
    assert [(s.lifetime.role, s.lifetime.version) for s in judge([cache])] == [
        ("root", 1), ("targets", 1), ("snapshot", 1), ("timestamp", 1), ("fulcio", 1),
        ("tsa", 1)]


def test_sigstore_python_reads_the_client_trust_config(bootstrapped):
    text = (bootstrapped / "v1" / "client" / "trust_config.json").read_text()
    config = ClientTrustConfig.from_json(text)
    config.trusted_root.rekor_keyring(KeyringPurpose.SIGN)
    assert config.signing_config.get_fulcio().url == "https://fulcio.example.internal"


def ngclient(mirror_url: str, root: bytes, home: Path) -> Updater:
    (home / "metadata").mkdir(parents=True)
    (home / "targets").mkdir()
    return Updater(
        str(home / "metadata"),
        mirror_url,
        str(home / "targets"),
        f"{mirror_url}/targets/",
        bootstrap=root,
    )


def test_python_tuf_refreshes_from_the_mirror_and_downloads_trusted_root(bootstrapped, tmp_path):
    bundle = bootstrapped / "v1"
    with served(bundle / "mirror") as url:
        updater = ngclient(url, (bundle / "client" / "root.json").read_bytes(), tmp_path)
        updater.refresh()
        info = updater.get_targetinfo("trusted_root.json")
        assert info is not None
        path = updater.download_target(info)
    assert Path(path).read_bytes() == (bundle / "trusted_root.json").read_bytes()


def test_verify_and_the_clients_refuse_the_same_tampered_targets(
    bootstrapped, tmp_path, client_home
):
    bundle = tmp_path / "tampered"
    shutil.copytree(bootstrapped / "v1", bundle)
    targets = bundle / "mirror" / "1.targets.json"
    document = json.loads(targets.read_bytes())
    document["signed"]["expires"] = "2099-01-01T00:00:00Z"
    targets.write_bytes(json.dumps(document, indent=1).encode())
    report = verify_bundle(bundle)
    assert not report.ok
    assert any(
        "mirror/1.targets.json" in line and "valid signatures" in line for line in report.lines()
    )
    with served(bundle / "mirror") as url:
        updater = ngclient(url, (bundle / "client" / "root.json").read_bytes(), tmp_path / "ng")
        with pytest.raises(RepositoryError):
            updater.refresh()
        with pytest.raises(TUFError):
            ClientTrustConfig.from_tuf(url, bootstrap_root=bundle / "client" / "root.json")
        refused = sigstore_js(url, bundle / "client" / "root.json", tmp_path / "js")
    assert refused.returncode == 1
    assert refused.stderr.startswith("refused:")


def test_older_cosign_finds_its_per_file_targets_with_their_usage(bootstrapped, tmp_path):
    bundle = bootstrapped / "v1"
    with served(bundle / "mirror") as url:
        updater = ngclient(url, (bundle / "client" / "root.json").read_bytes(), tmp_path)
        updater.refresh()
        found = {}
        for name in ("fulcio_v1.crt.pem", "rekor.pub", "ctfe.pub"):
            info = updater.get_targetinfo(name)
            assert info is not None, name
            found[name] = (info.custom, Path(updater.download_target(info)).read_bytes())
    assert found["rekor.pub"][0] == {
        "sigstore": {"usage": "Rekor", "status": "Active", "uri": "https://rekor.example.internal"}
    }
    assert found["rekor.pub"][1] == (bootstrapped / "trust" / "rekor.pub").read_bytes()
    assert found["ctfe.pub"][0]["sigstore"]["usage"] == "CTFE"
    assert found["fulcio_v1.crt.pem"][0] == {"sigstore": {"usage": "Fulcio", "status": "Active"}}
    assert (
        found["fulcio_v1.crt.pem"][1] == (bootstrapped / "trust" / "fulcio-chain.pem").read_bytes()
    )
    assert not (bundle / "rekor.pub").exists()  # only in the mirror


def test_no_passphrase_reaches_any_file_and_private_keys_are_only_encrypted(bootstrapped):
    bundle = bootstrapped / "v1"
    for path in bundle.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            for value in PASS.values():
                assert value.encode() not in data, path
            assert b"PRIVATE KEY-----" not in data or b"ENCRYPTED" in data, path
    for path in (bundle / "keys").rglob("*.age"):
        assert path.read_bytes().startswith(b"age-encryption.org/v1")
        assert path.stat().st_mode & 0o077 == 0
