"""python-tuf's ngclient follows the delegations a delegate ceremony writes.

A bootstrap whose online keys this test holds, then a delegate of two roles that
share a key, each at a threshold of all its keys, the first terminating and both
over ``x/*``. Delegated metadata signed by those keys is served beside the
bundle: ngclient finds ``x/a`` in the first role (listed first, and terminating,
so the second's ``x/a`` is never used) and ``y/b`` in the second.
"""

from __future__ import annotations

import textwrap
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519
from securesystemslib.signer import CryptoSigner, SSlibKey
from test_run_headless import PASS as HEADLESS_PASS
from test_run_headless import small_bootstrap
from tuf.api.metadata import (
    Metadata,
    MetaFile,
    Snapshot,
    TargetFile,
    Targets,
    Timestamp,
)
from tuf.ngclient import Updater
from tuf_client import BASE_URL, BundleFetcher
from witness import witnessed

from ceremony.cli import main

PASS = {**HEADLESS_PASS, "TARGETS_PASS": "correct horse battery 3"}
ONLINE = ("snapshot", "timestamp", "shared", "other")


def signer(key: ed25519.Ed25519PrivateKey) -> CryptoSigner:
    return CryptoSigner(key, SSlibKey.from_crypto(key.public_key()))


def signed(signed_part, *keys: ed25519.Ed25519PrivateKey) -> bytes:
    metadata = Metadata(signed_part)
    for key in keys:
        metadata.sign(signer(key), append=True)
    return metadata.to_bytes()


@pytest.fixture
def delegated(tmp_path, monkeypatch) -> tuple[Path, dict[str, ed25519.Ed25519PrivateKey]]:
    for name, value in PASS.items():
        monkeypatch.setenv(name, value)
    keys = {name: ed25519.Ed25519PrivateKey.generate() for name in ONLINE}
    (tmp_path / "online").mkdir()
    for name, key in keys.items():
        (tmp_path / "online" / f"{name}.pem").write_bytes(key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    bootstrap = small_bootstrap(tmp_path, "v1", "  targets: {env: TARGETS_PASS}\n")
    bootstrap.write_text(bootstrap.read_text().replace(
        "{name: targets, import: online/targets.pem}",
        "{name: targets, holder: a, algorithm: ed25519}"))
    head = "format: 1\nflavor: tuf\nnetwork: allowed\noutput-media: any-device\n"
    (tmp_path / "delegate.yaml").write_text(head + textwrap.dedent("""\
        ceremony: delegate
        title: two roles sharing a key
        current: v1
        output: v2
        sign-with: [targets]
        keys:
          - {name: shared, import: online/shared.pem}
          - {name: other, import: online/other.pem}
        delegations:
          - {name: first, keys: [shared, other], threshold: 2, paths: ["x/*"], terminating: true}
          - {name: second, keys: [shared], threshold: 1, paths: ["x/*", "y/*"]}
        targets-expires: 30d
        passphrases:
          targets: {env: TARGETS_PASS}
        """))
    for script in ("bootstrap.yaml", "delegate.yaml"):
        assert main(witnessed(["run", str(tmp_path / script), "--yes"])) == 0
    return tmp_path / "v2", keys


def test_ngclient_follows_the_delegations_written(delegated, tmp_path):
    bundle, keys = delegated
    expires = datetime.now(UTC).replace(microsecond=0) + timedelta(days=1)
    first = Targets(version=1, expires=expires, targets={
        "x/a": TargetFile.from_data("x/a", b"from first")})
    second = Targets(version=1, expires=expires, targets={
        "x/a": TargetFile.from_data("x/a", b"from second"),
        "y/b": TargetFile.from_data("y/b", b"from second")})
    meta = {"targets.json": MetaFile(2), "first.json": MetaFile(1), "second.json": MetaFile(1)}
    online = {
        "1.first.json": signed(first, keys["shared"], keys["other"]),
        "1.second.json": signed(second, keys["shared"]),
        "1.snapshot.json": signed(Snapshot(version=1, expires=expires, meta=meta),
                                  keys["snapshot"]),
        "timestamp.json": signed(Timestamp(version=1, expires=expires,
                                           snapshot_meta=MetaFile(1)), keys["timestamp"]),
    }
    updater = Updater(str(tmp_path / "client"), BASE_URL, fetcher=BundleFetcher(bundle, online),
                      bootstrap=(bundle / "metadata" / "1.root.json").read_bytes())
    updater.refresh()
    found = updater.get_targetinfo("x/a")
    assert found is not None and found.hashes == first.targets["x/a"].hashes
    found = updater.get_targetinfo("y/b")
    assert found is not None and found.hashes == second.targets["y/b"].hashes
    assert updater.get_targetinfo("z/c") is None
