"""A Docker Content Trust rotation signed in several sittings, against the real notary-server.

Two GUNs are bootstrapped with three root keys (threshold 2) and published; a
client caches root version 1. bob and carol leave and dave joins: dave makes
his root key (an age file) at a sitting of his own and certifies it for each
GUN of his copy of the bundle (`ceremony certify`); the coordinator writes the
request for root version 2 (root-alice and root-dave, threshold 2) importing
his certificates, alice, bob and dave each sign at a sitting of their own (own
process and home, own copy of the bundle), the coordinator seals; notary-server
accepts every GUN's new root and the client that cached version 1 follows to
version 2, whose root keys hold dave's certificate for the GUN. CI's new
repository (targets) key, made at its own sitting and imported, signs each
GUN's targets.json version 2 there; the client takes it too.
"""

from __future__ import annotations

import base64
import json
import shutil

import pytest
from dct_world import PASSPHRASES, World
from notary_server import cached_root_version, notary_server  # noqa: F401
from sittings_helpers import MAKE_KEY_FILE, ceremony, sitting

pytestmark = pytest.mark.slow

GUNS = ("registry.example.com/sit/app", "registry.example.com/sit/db")
HEAD = "format: 1\nflavor: dct\nnetwork: allowed\noutput-media: any-device\n"
DAVE = "dave's passphrase, at his own sitting"
CI = "the new repository key's passphrase, at CI's sitting"
PASSPHRASE_LINES = "".join(
    f"  {key}: {{env: {env}}}\n"
    for key, env in (("root-alice", "DCT_TEST_ALICE"), ("root-bob", "DCT_TEST_BOB"),
                     ("root-carol", "DCT_TEST_CAROL"), ("repo", "DCT_TEST_REPO"))
)


def test_a_dct_rotation_signed_in_sittings_is_accepted_and_followed(
    notary_server, tmp_path, monkeypatch  # noqa: F811
):
    for name, value in PASSPHRASES.items():
        monkeypatch.setenv(name, value)  # the bootstrap, run here; each sitting has its own
    check_the_rotation(World(notary_server, tmp_path / "room"))


def check_the_rotation(world: World) -> None:
    world.folder.mkdir()
    world.online("--out", str(world.folder / "server-keys"), *GUNS)
    boot = world.ceremony("1-bootstrap", HEAD + f"""\
ceremony: bootstrap
title: three root keyholders
output: 1-bootstrap
guns: [{", ".join(GUNS)}]
server-keys: server-keys
keyholders: [{{name: alice}}, {{name: bob}}, {{name: carol}}, {{name: ci}}]
keys:
  - {{name: root-alice, holder: alice, algorithm: ecdsa-p256}}
  - {{name: root-bob, holder: bob, algorithm: ecdsa-p256}}
  - {{name: root-carol, holder: carol, algorithm: ecdsa-p256}}
  - {{name: repo, holder: ci, algorithm: ecdsa-p256}}
roles:
  root: {{keys: [root-alice, root-bob, root-carol], threshold: 2}}
  targets: {{keys: [repo]}}
passphrases:
{PASSPHRASE_LINES}""")
    assert all(r["accepted"] for r in world.publish(boot))
    for gun in GUNS:
        world.reader.run("list", gun)  # caches root version 1
    world.fetch_state("state-2", *GUNS)
    top = world.folder.parent
    # dave makes his new root key at a sitting of his own, and certifies it for each GUN
    # of his copy of the bundle: only the public key and the certificates travel
    dave = top / "dave"
    pem = sitting(dave, "-c", MAKE_KEY_FILE, "dave/root-dave.age", DAVE, "ecdsa-p256").stdout
    (dave / "root-dave.pem").write_text(pem)
    shutil.copytree(boot, dave / "current")
    (dave / "secrets.yaml").write_text(f"root-dave: {DAVE}\n")
    (dave / "secrets.yaml").chmod(0o600)
    ceremony(dave, "certify", "--key", "root-dave=dave/root-dave.age", "--public",
             "dave/root-dave.pem", "--current", "dave/current", "--secrets", "dave/secrets.yaml",
             "-o", "room/root-dave.certs.json")
    certified = json.loads((world.folder / "root-dave.certs.json").read_bytes())
    assert sorted(certified["certificates"]) == sorted(GUNS)
    assert "PRIVATE" not in json.dumps(certified) and certified["keyval"]["public"] == pem
    # CI makes the new repository (targets) key at its own sitting: only its public key travels
    ci = top / "ci"
    (world.folder / "repo-2.pem").write_text(
        sitting(ci, "-c", MAKE_KEY_FILE, "ci/repo-2.age", CI, "ecdsa-p256").stdout)
    shutil.copytree(boot, ci / "current")
    (ci / "secrets.yaml").write_text(f"repo-2: {CI}\n")
    (ci / "secrets.yaml").chmod(0o600)
    rotate = HEAD + """\
ceremony: rotate-root
title: carol and bob leave, dave joins; each signs where they are
current: 1-bootstrap
published: state-2
output: 2-rotate
request-expires: 7d
sign-with: [root-alice, root-bob]
keyholders: [{name: dave}, {name: ci}]
keys:
  - {name: root-dave, holder: dave, import: root-dave.certs.json}
  - {name: repo-2, holder: ci, import: repo-2.pem}
roles:
  root: {keys: [root-alice, root-dave], threshold: 2, expires: 1y}
  targets: {keys: [repo-2], expires: 180d}
spare-keys: none
accept-risk: both root keys must sign (a test root)
passphrases:
""" + PASSPHRASE_LINES
    (world.folder / "rotate.yaml").write_text(rotate)
    requested = ceremony(top / "coordinator", "request", "room/rotate.yaml", "-o", "room/request")
    assert "2 GUN(s): each root version goes up by one" in requested.stdout
    assert "root: keys added: root-dave" in requested.stdout
    assert "root: keys removed: root-bob, root-carol" in requested.stdout
    assert "root: threshold 2 -> 2" not in requested.stdout
    assert "targets: new key repo-2; each GUN's targets.json goes up by one" in requested.stdout
    files = []
    for who, key, env in (("alice", "root-alice", "DCT_TEST_ALICE"),
                          ("bob", "root-bob", "DCT_TEST_BOB")):
        shutil.copytree(boot, top / who / "current")
        ceremony(top / who, "sign", "room/request", "--current", f"{who}/current", "--key", key,
                 "-o", f"room/{who}.sig.json", env={env: PASSPHRASES[env]})
        files.append(f"room/{who}.sig.json")
    signed = ceremony(dave, "sign", "room/request", "--current", "dave/current", "--key",
                      "root-dave=dave/root-dave.age", "--secrets", "dave/secrets.yaml",
                      "-o", "room/dave.sig.json")
    assert signed.stdout.count("with root-dave") == len(GUNS), signed.stdout
    files.append("room/dave.sig.json")
    signed = ceremony(ci, "sign", "room/request", "--current", "ci/current", "--key",
                      "repo-2=ci/repo-2.age", "--secrets", "ci/secrets.yaml", "-o",
                      "room/ci.sig.json")
    assert signed.stdout.count(".targets.json with repo-2") == len(GUNS), signed.stdout
    files.append("room/ci.sig.json")
    damaged = json.loads((top / files[1]).read_bytes())  # one of bob's signatures, one bit
    first = damaged["signatures"][0]
    first["signature"] = first["signature"][:-1] + "%x" % (int(first["signature"][-1], 16) ^ 1)
    (top / "room" / "damaged.sig.json").write_text(json.dumps(damaged))
    refused = ceremony(top / "coordinator", "seal", "room/request", files[0], *files[2:],
                       "room/damaged.sig.json", "--current", "room/1-bootstrap", "--script",
                       "room/rotate.yaml", "-o", "room/2-rotate", ok=False)
    assert f"the signature by root-bob does not verify over the request's {first['payload']}" \
        in " ".join(refused.stderr.split()), refused.stderr
    assert not (world.folder / "2-rotate").exists()
    sealed = ceremony(top / "coordinator", "seal", "room/request", *reversed(files), "--current",
                      "room/1-bootstrap", "--script", "room/rotate.yaml", "-o", "room/2-rotate")
    assert "threshold 2 (met)" in sealed.stdout
    ceremony(top / "verifier", "verify", "room/2-rotate")
    results = world.publish(world.folder / "2-rotate")
    assert [(r["gun"], r["accepted"]) for r in results] == [(gun, True) for gun in GUNS], results
    for gun in GUNS:
        assert cached_root_version(world.reader.trust_dir, gun) == 1
        world.reader.run("list", gun)
        assert cached_root_version(world.reader.trust_dir, gun) == 2
        root = json.loads((world.reader.trust_dir / "tuf" / gun / "metadata" / "root.json")
                          .read_bytes())["signed"]
        keyids = root["roles"]["root"]["keyids"]  # alice's certificate for the GUN, and dave's
        assert len(keyids) == 2 and certified["certificates"][gun] in [
            base64.b64decode(root["keys"][keyid]["keyval"]["public"]).decode() for keyid in keyids]
        targets = json.loads((world.reader.trust_dir / "tuf" / gun / "metadata" /
                              "targets.json").read_bytes())  # CI's new key signed version 2
        assert targets["signed"]["version"] == 2
        assert [s["keyid"] for s in targets["signatures"]] == root["roles"]["targets"]["keyids"]
    # dave keeps root-dave, and CI repo-2: the next rotation `ceremony next` writes is
    # signed in sittings, its new repository key imported from the key CI makes
    ceremony(top / "coordinator", "next", "room/2-rotate", "--kind", "rotate-root",
             "-o", "room/next.yaml")
    following = (world.folder / "next.yaml").read_text()
    assert "sign-with: [root-alice, root-dave]\n" in following
    assert "request-expires: 14d\n" in following
    assert "import: repo-3.pem}" in following and "algorithm" not in following
