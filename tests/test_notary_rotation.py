"""Offline rotations and delegations, proven with the real notary server and CLI.

Root-key and targets-key rotations made offline must be accepted by the
server and followed by a client that cached the old root; a root signed by
only the old or only the new root keys must be refused, by ceremony before
anything is written and by the server too. A delegation made offline must let
CI publish into ``targets/releases`` with nothing but the delegation key.
"""

from __future__ import annotations

import pytest
from dct_offline import OfflineSide, new_key
from notary_server import cached_root_version, notary_cli, notary_server  # noqa: F401

from ceremony.flavors.dct.notary.certs import make_root_certificate
from ceremony.flavors.dct.notary.errors import DctError
from ceremony.flavors.dct.notary.keyfiles import write_trust_dir_key
from ceremony.flavors.dct.notary.keyids import key_for_public_key
from ceremony.flavors.dct.notary.model import Metadata
from ceremony.flavors.dct.notary.repository import GunUpdate, bootstrap_gun
from ceremony.flavors.dct.notary.root import RootKey, check_rotation, next_root, sign_root
from ceremony.flavors.dct.notary.rotation import (
    delegate,
    root_keys_of,
    rotate_root_keys,
    rotate_server_keys,
    rotate_targets_key,
    with_signers,
)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def offline(notary_server, tmp_path_factory):  # noqa: F811
    return OfflineSide(notary_server, tmp_path_factory.mktemp("dct-offline"))


def bootstrap(offline, gun, root_key, targets_key):
    offline.fetch_server_keys(gun)
    update = bootstrap_gun(
        gun, root_signers=[root_key], targets_signers=[targets_key],
        server_keys=offline.server_keys(gun),
    )
    [result] = offline.publish(update)
    assert result["accepted"], result


def ci_trust_dir(server, folder, gun, key, role="targets", passphrase="ci passphrase"):
    ci = notary_cli(server, folder, passphrase=passphrase)
    write_trust_dir_key(
        ci.trust_dir, key._private_key, passphrase, role=role,
        gun=gun if role == "targets" else None,
    )
    return ci


def publish_target(ci, gun, name, folder, *roles):
    artefact = folder / f"{name}.bin"
    artefact.write_bytes(name.encode())
    extra = [arg for role in roles for arg in ("--roles", role)]
    ci.run("add", gun, name, str(artefact), *extra)
    ci.run("publish", gun)


def test_offline_root_key_rotation_is_accepted_and_followed(offline, notary_server, tmp_path):  # noqa: F811
    gun = "registry.example.com/rotate/root"
    old_root, new_root, targets_key = new_key(), new_key(), new_key()
    bootstrap(offline, gun, old_root, targets_key)
    reader = notary_cli(notary_server, tmp_path / "reader")
    reader.run("list", gun)
    assert cached_root_version(reader.trust_dir, gun) == 1

    current = offline.current(gun, "root")
    update = rotate_root_keys(gun, current, old_signers=[old_root], new_signers=[new_root])
    new = Metadata.from_bytes(update.files["root"]).signed
    assert new.version == 2
    assert [new.keys[k].keytype for k in new.roles["root"].keyids] == ["ecdsa-x509"]
    assert new.roles["root"].keyids == [update.root_keys[0].keyid]
    assert update.root_keys[0].keyid not in current.signed.keys
    [result] = offline.publish(update)
    assert result["accepted"], result

    ci = ci_trust_dir(notary_server, tmp_path / "ci", gun, targets_key)
    publish_target(ci, gun, "after-root-rotation", tmp_path)
    assert "after-root-rotation" in reader.run("list", gun).stdout
    assert cached_root_version(reader.trust_dir, gun) == 2


def test_rotation_signed_by_only_old_or_only_new_keys_is_refused(offline, notary_server):  # noqa: F811
    gun = "registry.example.com/rotate/refused"
    old_root, new_root = new_key(), new_key()
    bootstrap(offline, gun, old_root, new_key())
    current = offline.current(gun, "root")
    old_keys = with_signers(root_keys_of(current.signed), [old_root])
    new_keys = [RootKey(make_root_certificate(new_root, gun), new_root)]
    root = next_root(current.signed, gun=gun, root_keys=new_keys)

    only_new = sign_root(root, new_keys)
    only_old = sign_root(next_root(current.signed, gun=gun, root_keys=new_keys), old_keys)
    with pytest.raises(DctError) as refused:
        check_rotation(current.signed, only_new)
    assert str(refused.value) == (
        "the current root keys give the new root 0 valid signatures, threshold 1 (1 more needed). "
        "Have 1 more keyholder(s) of the current root keys sign; the server refuses a rotation "
        "without both thresholds"
    )
    with pytest.raises(DctError) as refused:
        check_rotation(current.signed, only_old)
    assert str(refused.value).startswith("the new root keys give the new root 0 valid signatures")

    server_said = {
        "only new": "could not rotate trust to a new trusted root: failed to validate data "
        "with current trusted certificates",
        "only old": "could not validate the path to a trusted root: failed to validate "
        "integrity of roots",
    }
    for label, metadata in (("only new", only_new), ("only old", only_old)):
        [result] = offline.publish(GunUpdate(gun, {"root": metadata.to_bytes()}))
        assert not result["accepted"]
        assert result["status"] == 400
        assert result["server_said"].startswith("HTTP 400: INVALID_UPDATE: ")
        assert server_said[label] in result["server_said"]
    assert offline.current(gun, "root").signed.version == 1


def test_offline_targets_key_rotation_is_accepted_and_followed(offline, notary_server, tmp_path):  # noqa: F811
    gun = "registry.example.com/rotate/targets"
    root_key, old_targets, new_targets = new_key(), new_key(), new_key()
    bootstrap(offline, gun, root_key, old_targets)
    old_ci = ci_trust_dir(notary_server, tmp_path / "old-ci", gun, old_targets)
    publish_target(old_ci, gun, "before", tmp_path)
    reader = notary_cli(notary_server, tmp_path / "reader")
    reader.run("list", gun)

    update = rotate_targets_key(
        gun,
        offline.current(gun, "root"),
        offline.current(gun, "targets"),
        root_signers=[root_key],
        new_targets_signers=[new_targets],
    )
    [result] = offline.publish(update)
    assert result["accepted"], result

    new_ci = ci_trust_dir(notary_server, tmp_path / "new-ci", gun, new_targets)
    publish_target(new_ci, gun, "after", tmp_path)
    listed = reader.run("list", gun).stdout
    assert "before" in listed and "after" in listed
    assert cached_root_version(reader.trust_dir, gun) == 2
    # the old targets key signs nothing any more
    artefact = tmp_path / "late.bin"
    artefact.write_bytes(b"late")
    old_ci.run("add", gun, "late", str(artefact))
    assert old_ci.run("publish", gun, check=False).returncode != 0
    assert "late" not in reader.run("list", gun).stdout


def test_offline_delegation_lets_ci_publish_to_targets_releases(offline, notary_server, tmp_path):  # noqa: F811
    gun = "registry.example.com/delegate/app"
    root_key, targets_key, ci_key, qa_key = new_key(), new_key(), new_key(), new_key()
    bootstrap(offline, gun, root_key, targets_key)
    current_root = offline.current(gun, "root")
    update = delegate(
        gun, current_root, offline.current(gun, "targets"),
        targets_signers=[targets_key], signer_name="ci",
        keys=[key_for_public_key(ci_key.crypto_public_key)],
    )
    [result] = offline.publish(update)
    assert result["accepted"], result
    update = delegate(
        gun, current_root, offline.current(gun, "targets"),
        targets_signers=[targets_key], role_name="targets/qa",
        keys=[key_for_public_key(qa_key.crypto_public_key)], paths=["qa/"],
    )
    [result] = offline.publish(update)
    assert result["accepted"], result
    roles = {r.name: r for r in offline.current(gun, "targets").signed.delegations.roles}
    assert sorted(roles) == ["targets/ci", "targets/qa", "targets/releases"]
    assert roles["targets/releases"].paths == [""] and roles["targets/qa"].paths == ["qa/"]

    ci = ci_trust_dir(notary_server, tmp_path / "ci", gun, ci_key, role="ci")
    publish_target(ci, gun, "v2.0", tmp_path, "targets/releases")
    qa = ci_trust_dir(notary_server, tmp_path / "qa", gun, qa_key, role="targets/qa")
    publish_target(qa, gun, "qa/smoke", tmp_path, "targets/qa")
    listed = notary_cli(notary_server, tmp_path / "reader").run("list", gun).stdout
    assert "v2.0" in listed and "targets/releases" in listed
    assert "qa/smoke" in listed and "targets/qa" in listed
    assert offline.current(gun, "root").signed.version == 1


def test_server_timestamp_key_rotation_is_accepted_and_followed(offline, notary_server, tmp_path):  # noqa: F811
    gun = "registry.example.com/rotate/timestamp"
    root_key, targets_key = new_key(), new_key()
    bootstrap(offline, gun, root_key, targets_key)
    reader = notary_cli(notary_server, tmp_path / "reader")
    reader.run("list", gun)
    old_timestamp = offline.current(gun, "root").signed.roles["timestamp"].keyids

    new_timestamp = offline.rotate_server_key(gun, "timestamp").timestamp
    update = rotate_server_keys(
        gun, offline.current(gun, "root"), root_signers=[root_key], timestamp_key=new_timestamp
    )
    [result] = offline.publish(update)
    assert result["accepted"], result
    root = offline.current(gun, "root").signed
    assert root.roles["timestamp"].keyids == [new_timestamp.keyid] != old_timestamp
    timestamp = offline.current(gun, "timestamp")
    assert [s.keyid for s in timestamp.signatures] == [new_timestamp.keyid]

    ci = ci_trust_dir(notary_server, tmp_path / "ci", gun, targets_key)
    publish_target(ci, gun, "after-timestamp-rotation", tmp_path)
    assert "after-timestamp-rotation" in reader.run("list", gun).stdout
    assert cached_root_version(reader.trust_dir, gun) == 2


def test_two_of_two_root_needs_both_keyholders(offline, notary_server, tmp_path):  # noqa: F811
    gun = "registry.example.com/rotate/threshold"
    alice, bob, carol = new_key(), new_key(), new_key()
    offline.fetch_server_keys(gun)
    update = bootstrap_gun(
        gun, root_signers=[alice, bob], root_threshold=2, targets_signers=[new_key()],
        server_keys=offline.server_keys(gun),
    )
    [result] = offline.publish(update)
    assert result["accepted"], result
    reader = notary_cli(notary_server, tmp_path / "reader")
    reader.run("list", gun)
    current = offline.current(gun, "root")
    assert current.signed.roles["root"].threshold == 2

    with pytest.raises(DctError) as short:
        rotate_root_keys(gun, current, old_signers=[alice], new_signers=[carol])
    assert str(short.value).startswith(
        "the current root keys give the new root 1 valid signature, threshold 2 (1 more needed). "
        "Have 1 more"
    )
    unchecked = rotate_root_keys(
        gun, current, old_signers=[alice], new_signers=[carol], check=False
    )
    [result] = offline.publish(unchecked)
    assert not result["accepted"] and result["status"] == 400

    update = rotate_root_keys(gun, current, old_signers=[alice, bob], new_signers=[carol])
    [result] = offline.publish(update)
    assert result["accepted"], result
    reader.run("list", gun)
    assert cached_root_version(reader.trust_dir, gun) == 2
