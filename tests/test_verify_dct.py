"""``ceremony verify`` on Docker Content Trust bundles: what it accepts, what it names.

One real dct bootstrap runs per module (two GUNs, one root key: a few
seconds of scrypt). Each test copies its bundle, changes one thing, and
re-seals the manifest over the change, so that the DCT checks themselves
(root chains with notary's rules, exact bytes, keys, publish set) must find
it, not just the manifest's hashes.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import textwrap
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519

from ceremony.checked import remembering
from ceremony.engine import run_ceremony
from ceremony.flavors.dct.notary.keyids import key_for_public_key
from ceremony.rehearsal.operator import RehearsalOperator
from ceremony.script.load import load_script
from ceremony.verify import verify_bundle

GUNS = ("registry.example.com/org/app", "registry.example.com/org/db")
APP = GUNS[0]


@pytest.fixture(scope="module")
def pristine(tmp_path_factory) -> Path:
    return make_dct_bundle(tmp_path_factory.mktemp("dct-verify"))


def make_dct_bundle(folder: Path) -> Path:
    """A real dct bootstrap of two GUNs in ``folder``; the bundle's path."""
    for gun in GUNS:
        (folder / "server-keys" / gun).mkdir(parents=True)
        for role in ("timestamp", "snapshot"):
            key = key_for_public_key(ed25519.Ed25519PrivateKey.generate().public_key())
            (folder / "server-keys" / gun / f"{role}.key").write_text(json.dumps(key.to_dict()))
    script = folder / "bootstrap.yaml"
    script.write_text(textwrap.dedent(f"""\
            format: 1
            ceremony: bootstrap
            flavor: dct
            title: verify test
            network: allowed
            output-media: any-device
            output: bundle
            guns: [{", ".join(GUNS)}]
            server-keys: server-keys
            keyholders: [{{name: alice}}]
            keys:
              - {{name: root-alice, holder: alice, algorithm: ecdsa-p256}}
              - {{name: repo, algorithm: ecdsa-p256}}
            roles:
              root: {{keys: [root-alice], threshold: 1}}
              targets: {{keys: [repo]}}
            spare-keys: none
            accept-risk: every root key must sign (a test root)
            """))
    list(run_ceremony(load_script(script), RehearsalOperator()))
    return folder / "bundle"


@pytest.fixture
def bundle(pristine, tmp_path) -> Path:
    copy = tmp_path / "bundle"
    shutil.copytree(pristine, copy)
    return copy


def reseal(bundle: Path) -> None:
    """Rewrite MANIFEST.json's hashes over the files as they are now."""
    manifest = json.loads((bundle / "MANIFEST.json").read_text())
    files = {}
    for folder, _dirs, names in os.walk(bundle):
        for name in names:
            path = Path(folder) / name
            relative = str(path.relative_to(bundle))
            if relative != "MANIFEST.json":
                data = path.read_bytes()
                files[relative] = {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
    manifest["files"] = dict(sorted(files.items()))
    (bundle / "MANIFEST.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")


def problems(bundle: Path) -> list[str]:
    return verify_bundle(bundle).lines()


def test_a_dct_bundle_verifies(pristine) -> None:
    report = verify_bundle(pristine)
    assert report.ok, report.lines()
    assert report.root_versions == [1] and report.ceremony == "bootstrap"


def test_a_changed_byte_is_caught_by_the_manifest(bundle) -> None:
    path = bundle / "metadata" / APP / "1.root.json"
    path.write_bytes(path.read_bytes().replace(b'"version":1', b'"version":2'))
    found = problems(bundle)
    assert any(line.startswith(f"metadata/{APP}/1.root.json: sha256 ") for line in found), found


def test_a_root_signed_by_nobody_is_named(bundle) -> None:
    path = bundle / "metadata" / APP / "1.root.json"
    document = json.loads(path.read_bytes())
    document["signatures"] = []
    data = json.dumps(document, separators=(",", ":")).encode()
    for name in ("1.root.json", "root.json"):
        (bundle / "metadata" / APP / name).write_bytes(data)
    reseal(bundle)
    found = problems(bundle)
    assert (
        f"metadata/{APP}/1.root.json: its own root keys give it 0 valid signatures, threshold 1 "
        "(1 more needed)"
        in found
    )


def test_pretty_printed_metadata_is_refused(bundle, pristine) -> None:
    path = bundle / "metadata" / APP / "targets.json"
    path.write_text(json.dumps(json.loads(path.read_bytes()), indent=2))
    reseal(bundle)
    found = problems(bundle)
    assert (
        f"metadata/{APP}/targets.json: not in notary's exact bytes (Go's JSON): clients would "
        "compute a different checksum than the server's"
    ) in found
    # inside a seal, each file's bytes are read once: the same problems are found
    # again, and other bytes at the same path are judged afresh
    with remembering():
        assert problems(bundle) == found
        assert verify_bundle(pristine).ok
        assert problems(bundle) == found


def test_a_gap_in_a_root_history_is_named(bundle) -> None:
    index_path = bundle / "metadata" / "dct.json"
    index = json.loads(index_path.read_text())
    index["guns"][0]["root_version"] = 2
    index_path.write_text(json.dumps(index))
    reseal(bundle)
    assert (
        f"metadata/{APP}/2.root.json: missing: the root history of {APP} runs from version 1 to 2 "
        "without gaps"
    ) in problems(bundle)


def test_the_publish_set_must_upload_the_newest_root(bundle) -> None:
    other = bundle / "publish" / GUNS[1] / "root.json"
    shutil.copy(other, bundle / "publish" / APP / "root.json")
    index_path = bundle / "metadata" / "dct.json"
    index = json.loads(index_path.read_text())
    for entry in index["publish"]["files"]:
        if entry["path"] == f"publish/{APP}/root.json":
            entry["sha256"] = hashlib.sha256(other.read_bytes()).hexdigest()
    index_path.write_text(json.dumps(index))
    reseal(bundle)
    assert f"publish/{APP}/root.json: not the newest root of {APP} this bundle holds" in problems(
        bundle
    )


def test_the_key_index_must_match_the_certificates(bundle) -> None:
    index_path = bundle / "keys" / "index.json"
    index = json.loads(index_path.read_text())
    alice = index["keys"]["root-alice"]
    alice["guns"][APP] = "0" * 64
    index_path.write_text(json.dumps(index))
    reseal(bundle)
    assert (
        f"keys/index.json: key 'root-alice' says it is key 00000000 of '{APP}', but that GUN's "
        "metadata has no such key"
    ) in problems(bundle)


def test_a_root_key_missing_from_the_index_is_named(bundle) -> None:
    index_path = bundle / "keys" / "index.json"
    index = json.loads(index_path.read_text())
    keyid = index["keys"].pop("root-alice")["keyid"]
    (bundle / "keys" / "public" / "root-alice.pem").unlink()
    index_path.write_text(json.dumps(index))
    reseal(bundle)
    found = problems(bundle)
    assert f"keys/index.json: the root key {keyid[:8]} of {APP} is not listed" in found


@pytest.mark.parametrize("field", ["path", "gun", "role"])
def test_publish_entries_that_are_not_strings_are_named_not_a_traceback(bundle, field) -> None:
    index_path = bundle / "metadata" / "dct.json"
    index = json.loads(index_path.read_text())
    entry = index["publish"]["files"][0]
    entry[field] = [entry[field]]  # a list: no file, GUN or role is called that
    index["publish"]["manifest"] = {"not": "a path"}
    index_path.write_text(json.dumps(index))
    reseal(bundle)
    found = problems(bundle)
    assert "metadata/dct.json: the publish manifest an object is missing" in found, found
    assert "publish/dct-publish.json: in publish/ but not part of the publish set" in found
    if field == "path":
        assert "metadata/dct.json: the publish set file a list is missing" in found, found
    if field == "gun":
        assert (
            f"publish/{APP}/root.json: publishes for a list, a GUN the bundle does not list"
            in found
        ), found


def test_a_key_id_that_is_not_a_string_is_named_not_a_traceback(bundle) -> None:
    index_path = bundle / "keys" / "index.json"
    index = json.loads(index_path.read_text())
    index["keys"]["root-alice"]["guns"][APP] = ["0" * 64]
    index_path.write_text(json.dumps(index))
    reseal(bundle)
    assert (
        f"keys/index.json: key 'root-alice' says it is key ['000000 of '{APP}', but that GUN's "
        "metadata has no such key"
    ) in problems(bundle)
