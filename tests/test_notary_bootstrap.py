"""Offline bootstrap of Docker Content Trust GUNs, proven with the real notary server and CLI.

Debian's notary-server runs on loopback (memory storage, TLS with a CA the
test made); the offline side builds everything with ceremony's format layer,
``scripts/dct-fetch-keys`` and ``scripts/dct-publish`` carry it across, and
the real ``notary`` CLI, starting from empty trust dirs, must trust it.
"""

from __future__ import annotations

import json

import pytest
from dct_offline import OfflineSide, new_key
from notary_server import cached_root_version, notary_cli, notary_server  # noqa: F401

from ceremony.flavors.dct.notary.certs import tbs_certificate
from ceremony.flavors.dct.notary.keyfiles import key_file_bytes, read_key_file, write_trust_dir_key
from ceremony.flavors.dct.notary.keyids import canonical_keyid, certificate_of, x509_keyid
from ceremony.flavors.dct.notary.model import Metadata
from ceremony.flavors.dct.notary.repository import bootstrap_gun
from ceremony.flavors.dct.notary.signing import verify_role

pytestmark = pytest.mark.slow

GUNS = [
    "registry.example.com/team/app", "registry.example.com/team/db",
    "registry.example.com:5000/edge",
    # a CN longer than the 64 characters X.509 suggests: notary's Go reads it
    "registry.example.com/team/" + "long-name-" * 9 + "end",
]


@pytest.fixture(scope="module")
def offline(notary_server, tmp_path_factory):  # noqa: F811
    return OfflineSide(notary_server, tmp_path_factory.mktemp("dct-offline"))


@pytest.fixture(scope="module")
def bootstrapped(offline):
    """Three GUNs bootstrapped offline with one root key and published."""
    offline.fetch_server_keys(*GUNS)
    root_key = new_key()
    targets_keys = {gun: new_key() for gun in GUNS}
    updates = [
        bootstrap_gun(
            gun,
            root_signers=[root_key],
            targets_signers=[targets_keys[gun]],
            server_keys=offline.server_keys(gun),
        )
        for gun in GUNS
    ]
    results = offline.publish(*updates)
    return root_key, targets_keys, updates, results


def test_server_accepts_offline_bootstrap_of_several_guns(bootstrapped, notary_server, tmp_path):  # noqa: F811
    root_key, _, updates, results = bootstrapped
    assert [(r["gun"], r["accepted"], r["roles"]) for r in results] == [
        (gun, True, ["root", "targets"]) for gun in GUNS
    ]
    for update in updates:
        # the server serves our bytes as they are
        assert notary_server.metadata(update.gun, "root") == update.files["root"]
        assert notary_server.metadata(update.gun, "targets") == update.files["targets"]
    # one root key, one certificate per GUN: the canonical id is shared, x509 ids differ
    certificates = [u.root_keys[0].certificate for u in updates]
    assert {canonical_keyid(c) for c in certificates} == {
        canonical_keyid(root_key.crypto_public_key)
    }
    assert len({x509_keyid(c) for c in certificates}) == len(GUNS)

    client = notary_cli(notary_server, tmp_path / "empty-trust")
    for gun in GUNS:
        listed = client.run("list", gun)
        assert "No targets present in this repository." in listed.stdout
        assert cached_root_version(client.trust_dir, gun) == 1


def test_ci_with_only_the_exported_targets_key_adds_and_publishes(
    bootstrapped, notary_server, tmp_path  # noqa: F811
):
    _, targets_keys, _, _ = bootstrapped
    gun = GUNS[0]
    ci = notary_cli(notary_server, tmp_path / "ci-trust", passphrase="ci repository passphrase")
    key_path = write_trust_dir_key(
        ci.trust_dir, targets_keys[gun]._private_key, ci.passphrase, role="targets", gun=gun
    )
    assert key_path.name == f"{canonical_keyid(targets_keys[gun].crypto_public_key)}.key"
    assert oct(key_path.stat().st_mode & 0o777) == "0o600"
    assert oct(key_path.parent.stat().st_mode & 0o777) == "0o700"

    artefact = tmp_path / "app.tar"
    artefact.write_bytes(b"an image manifest, say")
    no_root = {"NOTARY_ROOT_PASSPHRASE": ""}  # root is offline: nothing to unlock it with
    ci.run("add", gun, "v1.0", str(artefact), env=no_root)
    ci.run("publish", gun, env=no_root)
    keys_after = sorted(p.name for p in (ci.trust_dir / "private").iterdir())
    assert keys_after == [key_path.name], "notary made or needed another key"
    assert notary_cli(notary_server, tmp_path / "reader").run("list", gun).stdout.count("v1.0") == 1
    root = Metadata.from_bytes(notary_server.metadata(gun, "root"))
    assert root.signed.version == 1, "publishing must never have re-signed root"


def test_offline_snapshot_key_and_rsa_root_key(offline, notary_server, tmp_path):  # noqa: F811
    """A GUN whose snapshot key stays offline, with an RSA root (rsa-x509, PSS certificate)."""
    gun = "registry.example.com/team/offline-snapshot"
    offline.fetch_server_keys(gun, snapshot=False)
    update = bootstrap_gun(
        gun,
        root_signers=[new_key("rsa-3072")],
        targets_signers=[new_key()],
        snapshot_signer=new_key(),
        server_keys=offline.server_keys(gun, snapshot=False),
    )
    assert list(update.files) == ["root", "targets", "snapshot"]
    root = Metadata.from_bytes(update.files["root"]).signed
    assert [root.keys[k].keytype for k in root.roles["root"].keyids] == ["rsa-x509"]
    [result] = offline.publish(update)
    assert result["accepted"], result
    assert notary_server.metadata(gun, "snapshot") == update.files["snapshot"]
    client = notary_cli(notary_server, tmp_path / "reader")
    assert "No targets present" in client.run("list", gun).stdout


def test_fetch_keys_keeps_keys_already_on_media(offline):
    gun = "registry.example.com/team/keep"
    offline.fetch_server_keys(gun)
    first = (offline.media / gun / "timestamp.key").read_bytes()
    again = offline.fetch_server_keys(gun)
    assert again.stdout.strip() == f"{gun}: timestamp kept, snapshot kept"
    assert (offline.media / gun / "timestamp.key").read_bytes() == first


def test_notary_metadata_is_parsed_and_reserialized_byte_for_byte(notary_server, tmp_path):  # noqa: F811
    """Metadata the real notary CLI and server made: same bytes back, signatures verify."""
    gun = "registry.example.com/team/made-by-notary"
    cli = notary_cli(notary_server, tmp_path / "notary-made")
    cli.run("init", gun, "-p")
    artefact = tmp_path / "artefact"
    artefact.write_bytes(b"payload")
    # <, >, & are escaped in files and raw in what is signed; U+2028 too; other UTF-8 stays raw
    cli.run("add", gun, 'odd <name> & "quotes" \\ é ∀ \u2028 😀', str(artefact))
    cli.run("publish", gun)
    files = {
        role: notary_server.metadata(gun, role)
        for role in ("root", "targets", "snapshot", "timestamp")
    }
    assert b"\\u003cname\\u003e \\u0026" in files["targets"] and b"\\u2028" in files["targets"]
    root = Metadata.from_bytes(files["root"], "root.json").signed
    for role, data in files.items():
        metadata = Metadata.from_bytes(data, f"{role}.json")
        assert metadata.to_bytes() == data, role
        keys = {keyid: root.keys[keyid] for keyid in root.roles[role].keyids}
        assert verify_role(metadata, keys, 1, role).met, role

    # the certificate notary made has exactly the layout certs.py builds
    certificate = certificate_of(root.keys[root.roles["root"].keyids[0]])
    rebuilt = tbs_certificate(
        certificate.public_key(), gun, certificate.not_valid_before_utc,
        certificate.not_valid_after_utc, certificate.serial_number,
    )
    assert rebuilt == certificate.tbs_certificate_bytes

    # notary's own key files open, and are named by canonical id
    for key_file in (cli.trust_dir / "private").glob("*.key"):
        opened = read_key_file(key_file.read_bytes(), cli.passphrase, str(key_file))
        assert key_file.stem == opened.canonical_keyid
        assert opened.role in ("root", "targets", "snapshot")
    root_id = root.roles["root"].keyids[0]
    assert (cli.trust_dir / "private" / f"{canonical_keyid(root.keys[root_id])}.key").exists()


def test_notary_key_import_reads_an_export_bundle(notary_server, tmp_path):  # noqa: F811
    """An exported key file with a path: header is what `notary key import` takes."""
    delegation_key = new_key()
    bundle = tmp_path / "delegation.pem"
    bundle.write_bytes(
        key_file_bytes(
            delegation_key._private_key, "delegation passphrase", role="ci", export_path=True
        )
    )
    cli = notary_cli(notary_server, tmp_path / "import", passphrase="delegation passphrase")
    cli.run("key", "import", str(bundle))
    keyid = canonical_keyid(delegation_key.crypto_public_key)
    imported = (cli.trust_dir / "private" / f"{keyid}.key").read_bytes()
    assert read_key_file(imported, "delegation passphrase").canonical_keyid == keyid
    assert keyid in cli.run("key", "list").stdout


def test_dct_publish_refuses_an_altered_publish_set(offline, tmp_path):
    from dct_offline import run_script

    from ceremony.flavors.dct.notary.publishset import write_publish_set
    from ceremony.flavors.dct.notary.repository import GunUpdate

    folder = tmp_path / "set"
    update = GunUpdate("registry.example.com/team/x", {"root": b"{}", "targets": b"{}"})
    write_publish_set(folder, [update])
    (folder / "registry.example.com/team/x/targets.json").write_bytes(b"{ }")
    done = run_script(
        "dct-publish", "--server", offline.server.url, "--ca", str(offline.server.ca_file),
        str(folder),
    )
    assert done.returncode == 2
    assert done.stderr.strip() == (
        "dct-publish: registry.example.com/team/x/targets.json: its sha256 does not match the "
        "publish set: the media was altered or damaged; nothing was sent"
    )
    manifest = json.loads((folder / "dct-publish.json").read_text())
    assert [f["role"] for f in manifest["guns"][0]["files"]] == ["root", "targets"]
