"""A Docker Content Trust rotation signed in several sittings, against the real notary-server.

Two GUNs are bootstrapped with three root keys (threshold 2) and published; a
client caches root version 1. carol leaves: the coordinator writes the
request for root version 2 (root-alice and root-bob, threshold 2), alice and
bob each sign at a sitting of their own (own process and home, own copy of
the bundle), the coordinator seals; notary-server accepts every GUN's new
root and the client that cached version 1 follows to version 2. A request
that would add a root key is refused, saying why.
"""

from __future__ import annotations

import json
import shutil

import pytest
from dct_world import PASSPHRASES, World
from notary_server import cached_root_version, notary_server  # noqa: F401
from sittings_helpers import ceremony

pytestmark = pytest.mark.slow

GUNS = ("registry.example.com/sit/app", "registry.example.com/sit/db")
HEAD = "format: 1\nflavor: dct\nnetwork: allowed\noutput-media: any-device\n"
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
    rotate = HEAD + """\
ceremony: rotate-root
title: carol leaves; alice and bob sign where they are
current: 1-bootstrap
published: state-2
output: 2-rotate
request-expires: 7d
sign-with: [root-alice, root-bob]
roles:
  root: {keys: [root-alice, root-bob], threshold: 2}
spare-keys: none
accept-risk: both remaining root keys must sign (a test root)
passphrases:
""" + PASSPHRASE_LINES
    (world.folder / "rotate.yaml").write_text(rotate)
    top = world.folder.parent
    requested = ceremony(top / "coordinator", "request", "room/rotate.yaml", "-o", "room/request")
    assert "2 GUN(s): each root version goes up by one" in requested.stdout
    assert "root: keys removed: root-carol" in requested.stdout
    assert "root: threshold 2 -> 2" not in requested.stdout
    files = []
    for who, key, env in (("alice", "root-alice", "DCT_TEST_ALICE"),
                          ("bob", "root-bob", "DCT_TEST_BOB")):
        shutil.copytree(boot, top / who / "current")
        ceremony(top / who, "sign", "room/request", "--current", f"{who}/current", "--key", key,
                 "-o", f"room/{who}.sig.json", env={env: PASSPHRASES[env]})
        files.append(f"room/{who}.sig.json")
    damaged = json.loads((top / files[1]).read_bytes())  # one of bob's signatures, one bit
    first = damaged["signatures"][0]
    first["signature"] = first["signature"][:-1] + "%x" % (int(first["signature"][-1], 16) ^ 1)
    (top / "room" / "damaged.sig.json").write_text(json.dumps(damaged))
    refused = ceremony(top / "coordinator", "seal", "room/request", files[0],
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

    adding = rotate.replace("output: 2-rotate", "output: 3-rotate").replace(
        "current: 1-bootstrap", "current: 2-rotate").replace("published: state-2",
                                                             "published: state-3").replace(
        "root: {keys: [root-alice, root-bob], threshold: 2}",
        "root: {keys: [root-alice, root-bob, root-dave], threshold: 2}").replace(
        "sign-with:", "keyholders: [{name: dave}]\nkeys:\n"
        "  - {name: root-dave, holder: dave, import: root-dave.pem}\nsign-with:")
    world.fetch_state("state-3", *GUNS)
    shutil.copy(boot / "keys" / "public" / "root-carol.pem", world.folder / "root-dave.pem")
    for line in ("  root-carol: {env: DCT_TEST_CAROL}\n", "spare-keys: none\n",
                 "accept-risk: both remaining root keys must sign (a test root)\n"):
        adding = adding.replace(line, "")
    (world.folder / "adding.yaml").write_text(adding)
    refused = ceremony(top / "coordinator", "request", "room/adding.yaml", "-o", "room/r3",
                       ok=False)
    assert "would be a new root key of registry.example.com/sit/app" in refused.stderr, \
        refused.stderr
    assert not (world.folder / "r3").exists()
