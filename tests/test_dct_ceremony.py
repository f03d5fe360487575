"""Docker Content Trust ceremonies end to end, against the real notary-server and CLI.

The chain an organization goes through, each ceremony run as an operator
runs it (``ceremony run SCRIPT --yes``, passphrases from the environment)
and each bundle published with ``scripts/dct-publish``:

1. a dct bootstrap of two GUNs: the server accepts both, ``notary list`` from
   an empty trust dir trusts them, and CI, holding nothing but the exported
   repository key files, adds and publishes a target;
2. an offline root-key rotation, and then an offline targets-key rotation
   (which keeps CI's target): accepted, and followed by a client that cached
   the old root;
3. a delegation ceremony: CI publishes into targets/releases with only the
   delegation key;
4. an import of an existing Docker trust dir (a laptop that made its
   repository with notary): its root key signs a rotation to an offline key.

The fixtures chain (each ceremony builds on the bundle before it), so a
failure early shows up in the tests after it. ``ceremony rehearse --flavor
dct`` runs too, offline.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml
from dct_offline import run_script
from dct_world import PASSPHRASES, World
from destruction_lines import destruction
from notary_server import cached_root_version, notary_cli, notary_server  # noqa: F401
from pdf_reading import pdf_text, squeezed

from ceremony.cli import main
from ceremony.flavors.dct.folders import MOST_GUN_PARTS
from ceremony.verify import verify_bundle

pytestmark = pytest.mark.slow

# the second GUN's 107 characters make a root certificate's CN longer than the 64
# X.509 suggests: notary takes it, and the tool says nothing of it
#: the second longer than an X.509 name; the third as deep as a bundle holds, a folder a part
DEEPEST = "registry.example.com/org/" + "/".join(f"team{n}" for n in range(1, MOST_GUN_PARTS - 1))
GUNS = ("registry.example.com/org/app", "registry.example.com/org/db" + "-replica" * 10, DEEPEST)


@pytest.fixture(scope="module")
def world(notary_server, tmp_path_factory):  # noqa: F811
    """A folder for media, the server, and the test passphrases in the environment."""
    saved = {name: os.environ.get(name) for name in PASSPHRASES}
    os.environ.update(PASSPHRASES)
    try:
        yield World(notary_server, tmp_path_factory.mktemp("dct-ceremony"))
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def index_of(bundle: Path) -> dict:
    return json.loads((bundle / "keys" / "index.json").read_text())["keys"]


def keys_with_role(bundle: Path, role: str, gun: str) -> list[str]:
    return [
        e["keyid"] for e in index_of(bundle).values() if role in e["roles"] and gun in e["guns"]
    ]


def root_of(bundle: Path, gun: str) -> dict:
    return json.loads((bundle / "metadata" / gun / "root.json").read_bytes())["signed"]


# -- 1. bootstrap -----------------------------------------------------------------


@pytest.fixture(scope="module")
def bootstrapped(world) -> Path:
    world.online("--out", str(world.folder / "server-keys"), *GUNS)
    bundle = world.ceremony(
        "1-bootstrap",
        f"""\
        format: 1
        ceremony: bootstrap
        flavor: dct
        title: offline roots for app and db
        network: allowed
        output-media: any-device
        output: 1-bootstrap
        guns: [{", ".join(GUNS)}]
        server-keys: server-keys
        keyholders: [{{name: alice}}, {{name: ci}}]
        keys:
          - {{name: root-alice, holder: alice, algorithm: ecdsa-p256}}
          - {{name: repo, holder: ci, algorithm: ecdsa-p256}}
        roles:
          root: {{keys: [root-alice], threshold: 1}}
          targets: {{keys: [repo]}}
        spare-keys: none
        accept-risk: every root key must sign (a test root)
        passphrases:
          root-alice: {{env: DCT_TEST_ALICE}}
          repo: {{env: DCT_TEST_REPO}}
        """,
    )
    results = world.publish(bundle)
    assert [(r["gun"], r["accepted"]) for r in results] == [(gun, True) for gun in GUNS], results
    for gun in GUNS:
        world.reader.run("list", gun)  # trust on first use: caches root version 1
    return bundle


def test_bootstrap_of_several_guns_is_trusted_from_an_empty_trust_dir(
    world, bootstrapped, tmp_path
):
    fresh = notary_cli(world.server, tmp_path / "fresh" / "trust")
    for gun in GUNS:
        listed = fresh.run("list", gun)
        assert "No targets present" in listed.stdout + listed.stderr
        assert cached_root_version(fresh.trust_dir, gun) == 1
        root = root_of(bootstrapped, gun)
        assert [root["keys"][k]["keytype"] for k in root["roles"]["root"]["keyids"]] == [
            "ecdsa-x509"
        ]
    alice = index_of(bootstrapped)["root-alice"]
    assert alice["location"] == "age-file:keys/offline/root-alice.age"
    assert sorted(alice["guns"]) == sorted(GUNS)  # one root key, one certificate per GUN
    assert (
        (bootstrapped / "keys" / "offline" / "root-alice.age")
        .read_bytes()
        .startswith(b"age-encryption.org/v1")
    )
    assert not list((bootstrapped / "ci").rglob("*root*"))


@pytest.mark.parametrize("command", ["verify", "inspect"])
def test_a_gun_longer_than_an_x509_name_is_read_without_a_word_on_stderr(
    bootstrapped, command
):
    assert len(GUNS[1]) > 64
    done = subprocess.run([sys.executable, "-m", "ceremony", command, str(bootstrapped)],
                          capture_output=True, text=True, cwd=bootstrapped.parent)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stderr == ""
    assert GUNS[1] in done.stdout or command == "verify"


def test_ci_publishes_with_only_the_exported_repository_key(world, bootstrapped):
    gun = GUNS[0]
    [keyid] = keys_with_role(bootstrapped, "targets", gun)
    key_file = bootstrapped / "ci" / "trust" / "private" / f"{keyid}.key"
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    assert f"gun: {gun}\npath: {keyid}\nrole: targets\n".encode() in key_file.read_bytes()
    ci = world.ci(bootstrapped, "ci-1", [keyid], PASSPHRASES["DCT_TEST_REPO"])
    world.add_target(ci, gun, "v1")
    assert all(
        "role: root" not in key.read_text() for key in (ci.trust_dir / "private").glob("*.key")
    )
    assert "v1" in world.reader.run("list", gun).stdout

    # the same file is what `notary key import` takes (it needs the path: header)
    imported = notary_cli(
        world.server, world.folder / "ci-import" / "trust", passphrase=PASSPHRASES["DCT_TEST_REPO"]
    )
    imported.run("key", "import", str(key_file))
    assert keyid in imported.run("key", "list").stdout
    world.add_target(imported, gun, "v1-imported")
    assert "v1-imported" in world.reader.run("list", gun).stdout


# -- 2. rotations -------------------------------------------------------------------


@pytest.fixture(scope="module")
def root_rotated(world, bootstrapped) -> Path:
    state = world.fetch_state("state-2", *GUNS)
    bundle = world.ceremony(
        "2-rotate-root",
        """\
        format: 1
        ceremony: rotate-root
        flavor: dct
        title: replace alice's root key with bob's
        network: allowed
        output-media: any-device
        current: 1-bootstrap
        published: state-2
        output: 2-rotate-root
        sign-with: [root-alice]
        keyholders: [{name: bob}]
        keys:
          - {name: root-bob, holder: bob, algorithm: ecdsa-p256}
        roles:
          root: {keys: [root-bob, root-alice], threshold: 1}   # alice's goes at 5
        passphrases:
          root-alice: {env: DCT_TEST_ALICE}
          root-bob: {env: DCT_TEST_BOB}
        """,
    )
    assert state.is_dir()
    results = world.publish(bundle)
    assert all(r["accepted"] for r in results), results
    return bundle


def test_root_key_rotation_is_accepted_and_followed_by_a_client_with_the_old_root(
    world, root_rotated
):
    for gun in GUNS:
        assert cached_root_version(world.reader.trust_dir, gun) == 1
        world.reader.run("list", gun)
        assert cached_root_version(world.reader.trust_dir, gun) == 2
        assert sorted(p.name for p in (root_rotated / "metadata" / gun).iterdir()) == [
            "1.root.json",
            "2.root.json",
            "root.json",
            "targets.json",
        ]
    keys = index_of(root_rotated)
    assert keys["root-alice"]["roles"] == keys["root-bob"]["roles"] == ["root"]
    assert "v1" in world.reader.run("list", GUNS[0]).stdout


@pytest.fixture(scope="module")
def targets_rotated(world, root_rotated) -> Path:
    world.fetch_state("state-3", *GUNS)
    bundle = world.ceremony(
        "3-rotate-targets",
        """\
        format: 1
        ceremony: rotate-root
        flavor: dct
        title: new repository keys for CI
        network: allowed
        output-media: any-device
        current: 2-rotate-root
        published: state-3
        output: 3-rotate-targets
        sign-with: [root-bob]
        keyholders: [{name: ci}]
        keys:
          - {name: repo-2, holder: ci, algorithm: ecdsa-p256}
        roles:
          targets: {keys: [repo-2]}
        passphrases:
          root-bob: {env: DCT_TEST_BOB}
          repo-2: {env: DCT_TEST_REPO}
        """,
    )
    results = world.publish(bundle)
    assert all(r["accepted"] and r["roles"] == ["root", "targets"] for r in results), results
    return bundle


def test_targets_key_rotation_keeps_ci_targets_and_is_followed(
    world, bootstrapped, targets_rotated
):
    gun = GUNS[0]
    listed = world.reader.run("list", gun).stdout
    assert "v1" in listed  # CI's target, re-signed by the new key offline
    assert cached_root_version(world.reader.trust_dir, gun) == 3
    [old] = keys_with_role(bootstrapped, "targets", gun)
    [new] = keys_with_role(targets_rotated, "targets", gun)
    assert old != new
    ci = world.ci(targets_rotated, "ci-3", [new], PASSPHRASES["DCT_TEST_REPO"])
    world.add_target(ci, gun, "v2")
    assert "v2" in world.reader.run("list", gun).stdout
    stale = world.ci(bootstrapped, "ci-stale", [old], PASSPHRASES["DCT_TEST_REPO"])
    artefact = world.folder / "v3.bin"
    artefact.write_bytes(b"v3")
    stale.run("add", gun, "v3", str(artefact))
    assert stale.run("publish", gun, check=False).returncode != 0  # the old key is out


def test_status_reads_the_servers_state_and_a_clients_trust_dir(world, targets_rotated, capsys):
    """`ceremony status` of real outputs: dct-fetch-keys --state before the targets
    rotation (root 2) and the trust dir of a client that followed it (root 3)."""
    for gun in GUNS:
        world.reader.run("list", gun)  # the reader follows each GUN to root 3
    code = main(["status", str(world.folder / "state-3"), str(world.reader.trust_dir), "--json"])
    out = capsys.readouterr()
    assert out.err == ""
    roles = json.loads(out.out)["roles"]
    assert code == 0 and {r["state"] for r in roles} == {"fine"}
    state = [(r["scope"], r["role"], r["version"]) for r in roles
             if r["path"].endswith("state-3")]
    assert [(gun, role) for gun, role, _ in state] == [
        (gun, role) for gun in GUNS for role in ("root", "targets")]
    assert [version for _, role, version in state if role == "root"] == [2] * len(GUNS)
    cached = {(r["scope"], r["role"]): r for r in roles if r["path"] == str(world.reader.trust_dir)}
    assert {gun for gun, _ in cached} == set(GUNS)
    assert {role for _, role in cached} == {"root", "targets", "snapshot", "timestamp"}
    assert all(cached[gun, "root"]["version"] == 3 for gun in GUNS)
    # the server re-signs the timestamp for days, not months: online margins apply
    timestamp = cached[GUNS[0], "timestamp"]
    assert 10 <= timestamp["days_left"] <= 14
    assert main(["status", str(world.reader.trust_dir), "--at", timestamp["expires"]]) == 2
    capsys.readouterr()
    assert main(["inspect", str(world.folder / "state-3"), "--json"]) == 0
    assert [g["gun"] for g in json.loads(capsys.readouterr().out)["guns"]] == list(GUNS)


# -- 3. delegation --------------------------------------------------------------------


@pytest.fixture(scope="module")
def delegated(world, targets_rotated) -> Path:
    world.fetch_state("state-4", *GUNS)
    bundle = world.ceremony(
        "4-delegate",
        """\
        format: 1
        ceremony: delegate
        flavor: dct
        title: a signer for CI, as docker trust signer add does it
        network: allowed
        output-media: any-device
        current: 3-rotate-targets
        published: state-4
        output: 4-delegate
        keyholders: [{name: ci}]
        keys:
          - {name: ci-signer, holder: ci, algorithm: ecdsa-p256}
        signers:
          - {name: ci, keys: [ci-signer]}
        passphrases:
          repo-2: {env: DCT_TEST_REPO}
          ci-signer: {env: DCT_TEST_SIGNER}
        """,
    )
    results = world.publish(bundle)
    assert all(r["accepted"] and r["roles"] == ["targets"] for r in results), results
    return bundle


def test_delegation_lets_ci_publish_into_targets_releases(world, delegated):
    gun = GUNS[1]
    signer = index_of(delegated)["ci-signer"]
    assert sorted(signer["roles"]) == ["targets/ci", "targets/releases"]
    ci = world.ci(delegated, "ci-signer", [signer["keyid"]], PASSPHRASES["DCT_TEST_SIGNER"])
    world.add_target(ci, gun, "release-1", "targets/releases")
    listed = world.reader.run("list", gun, "--roles", "targets/releases").stdout
    assert "release-1" in listed


# -- 5. decommission ------------------------------------------------------------------


def test_decommission_removes_alices_root_key_the_server_accepts_and_clients_follow(
    world, root_rotated, delegated, capsys
):
    """Root version 4 of each GUN without root-alice (signed by bob alone: both
    thresholds of 1), her key files wiped from two bundles; notary-server accepts it,
    the reader follows, and CI's targets stay listed."""
    alice = "keys/offline/root-alice.age"
    bundle = world.ceremony(
        "5-decommission",
        f"""\
        format: 1
        ceremony: decommission
        flavor: dct
        title: alice's root key is destroyed
        network: allowed
        output-media: any-device
        current: 4-delegate
        output: 5-decommission
        sign-with: [root-bob]
        destroy: [root-alice]
        wipe:
          key-files: [4-delegate/{alice}, 2-rotate-root/{alice}]
        passphrases:
          root-bob: {{env: DCT_TEST_BOB}}
        """,
    )
    results = world.publish(bundle)
    assert all(r["accepted"] and r["roles"] == ["root"] for r in results), results
    gone = index_of(root_rotated)["root-alice"]
    for gun in GUNS:
        world.reader.run("list", gun)
        assert cached_root_version(world.reader.trust_dir, gun) == 4
        root = root_of(bundle, gun)
        assert len(root["roles"]["root"]["keyids"]) == 1
        assert gone["guns"][gun] not in root["keys"]
    assert "v1" in world.reader.run("list", GUNS[0]).stdout
    assert "root-alice" not in index_of(bundle)
    assert not (delegated / alice).exists() and not (root_rotated / alice).exists()
    lines = destruction(bundle)  # done after the seal: recorded beside the bundle
    assert [e["path"] for e in lines if e["event"] == "file-wiped"] == [
        str(delegated / alice), str(root_rotated / alice)]
    (destroyed,) = [e for e in lines if e["event"] == "key-destroyed" and e["proof"]]
    assert destroyed["keyid"] == gone["keyid"] and "were wiped" in destroyed["proof"]
    assert main(["inspect", str(bundle)]) == 0
    assert f"destroyed  root-alice  {gone['keyid'][:8]}" in capsys.readouterr().out


# -- 4. import of existing Docker trust -------------------------------------------------


def test_import_of_a_docker_trust_dir_rotates_away_from_the_laptop_key(world):
    gun = "registry.example.com/org/legacy"
    laptop = notary_cli(
        world.server, world.folder / "laptop" / "trust", PASSPHRASES["DCT_TEST_LAPTOP"]
    )
    laptop.run("init", gun, "-p")
    laptop.run(
        "key", "rotate", gun, "snapshot", "-r"
    )  # server-managed snapshot, as docker sets it up
    world.add_target(laptop, gun, "old")
    world.reader.run("list", gun)
    assert cached_root_version(world.reader.trust_dir, gun) == 2
    shutil.copytree(laptop.trust_dir, world.folder / "laptop-copy")
    world.fetch_state("state-legacy", gun)
    bundle = world.ceremony(
        "5-import",
        f"""\
        format: 1
        ceremony: rotate-root
        flavor: dct
        title: move {gun} off the laptop's root key
        network: allowed
        output-media: any-device
        import-trust: laptop-copy
        published: state-legacy
        output: 5-import
        guns: [{gun}]
        keyholders: [{{name: carol}}]
        keys:
          - {{name: root-carol, holder: carol, algorithm: ecdsa-p256}}
        roles:
          root: {{keys: [root-carol], threshold: 1}}
        spare-keys: none
        accept-risk: every root key must sign (a test root)
        passphrases:
          docker-root: {{env: DCT_TEST_LAPTOP}}
          root-carol: {{env: DCT_TEST_CAROL}}
        """,
    )
    [result] = world.publish(bundle)
    assert result["accepted"], result
    world.reader.run("list", gun)
    assert cached_root_version(world.reader.trust_dir, gun) == 3
    facts = json.loads((bundle / "metadata" / "dct.json").read_text())["guns"][0]
    assert (facts["history_from"], facts["root_version"], facts["source"]) == (1, 3, "docker-trust")
    keys = index_of(bundle)
    assert list(keys["root-carol"]["guns"]) == [gun] and not any(
        n.startswith("docker-root") for n in keys
    )
    [targets] = [name for name, entry in keys.items() if "targets" in entry["roles"]]
    assert keys[targets]["location"].startswith("notary-file:ci/trust/private/")
    world.add_target(laptop, gun, "after-rotation")  # the laptop keeps its targets key
    assert "after-rotation" in world.reader.run("list", gun).stdout


def test_offline_snapshot_and_a_shared_repository_key_publish_from_ci(world):
    guns = ("registry.example.com/ci/one", "registry.example.com/ci/two")
    world.online("--no-snapshot", "--out", str(world.folder / "server-keys-ts"), *guns)
    bundle = world.ceremony(
        "6-offline-snapshot",
        f"""\
        format: 1
        ceremony: bootstrap
        flavor: dct
        title: CI signs snapshots; one repository key for both GUNs
        network: allowed
        output-media: any-device
        output: 6-offline-snapshot
        guns: [{", ".join(guns)}]
        server-keys: server-keys-ts
        snapshot: offline
        repository-keys: shared
        keyholders: [{{name: alice}}, {{name: ci}}]
        keys:
          - {{name: root-alice, holder: alice, algorithm: ecdsa-p256}}
          - {{name: repo, holder: ci, algorithm: ecdsa-p256}}
          - {{name: snapshot-ci, holder: ci, algorithm: ecdsa-p256}}
        roles:
          root: {{keys: [root-alice], threshold: 1}}
          targets: {{keys: [repo]}}
          snapshot: {{keys: [snapshot-ci]}}
        spare-keys: none
        accept-risk: every root key must sign (a test root)
        passphrases:
          root-alice: {{env: DCT_TEST_ALICE}}
          repo: {{env: DCT_TEST_REPO}}
          snapshot-ci: {{env: DCT_TEST_REPO}}
        """,
    )
    results = world.publish(bundle)
    assert [r["roles"] for r in results] == [["root", "targets", "snapshot"]] * 2, results
    assert all(r["accepted"] for r in results), results
    keys = index_of(bundle)
    assert sorted(keys["repo"]["guns"]) == sorted(guns) and sorted(
        keys["snapshot-ci"]["guns"]
    ) == sorted(guns)
    ci = world.ci(
        bundle,
        "ci-shared",
        [keys["repo"]["keyid"], keys["snapshot-ci"]["keyid"]],
        PASSPHRASES["DCT_TEST_REPO"],
    )
    for gun in guns:
        world.add_target(ci, gun, f"built-{gun.rsplit('/', 1)[1]}")
        assert f"built-{gun.rsplit('/', 1)[1]}" in world.reader.run("list", gun).stdout

    # later: hand snapshots to the server (its snapshot key, fetched onto media, named in root)
    world.online("--out", str(world.folder / "server-snapshot-keys"), *guns)
    rotated = world.ceremony(
        "7-server-snapshot",
        """\
        format: 1
        ceremony: rotate-root
        flavor: dct
        title: the server signs snapshots from now on
        network: allowed
        output-media: any-device
        current: 6-offline-snapshot
        output: 7-server-snapshot
        server-keys: server-snapshot-keys
        sign-with: [root-alice]
        passphrases:
          root-alice: {env: DCT_TEST_ALICE}
        """,
    )
    results = world.publish(rotated)
    assert all(r["accepted"] and r["roles"] == ["root"] for r in results), results
    facts = json.loads((rotated / "metadata" / "dct.json").read_text())["guns"]
    assert {f["snapshot"] for f in facts} == {"server"}
    assert "snapshot-ci" not in index_of(rotated)
    only_targets = world.ci(
        rotated, "ci-after", [keys["repo"]["keyid"]], PASSPHRASES["DCT_TEST_REPO"]
    )
    world.add_target(only_targets, guns[0], "server-snapshotted")
    assert "server-snapshotted" in world.reader.run("list", guns[0]).stdout


def test_rotation_without_the_old_root_threshold_is_refused_before_any_key(
    world, bootstrapped, capsys
):
    script = world.folder / "refused.yaml"
    script.write_text(
        textwrap.dedent("""\
            format: 1
            ceremony: rotate-root
            flavor: dct
            title: only new keys would sign
            network: allowed
            output-media: any-device
            current: 1-bootstrap
            output: refused
            sign-with: [repo-4acbf0c5]
            keyholders: [{name: bob}]
            keys:
              - {name: root-eve, holder: bob, algorithm: ecdsa-p256}
            roles:
              root: {keys: [root-eve], threshold: 1}
            spare-keys: none
            accept-risk: every root key must sign (a test root)
            """).replace(
            "repo-4acbf0c5", next(n for n in index_of(bootstrapped) if n.startswith("repo-"))
        )
    )
    assert main(["validate", str(script)]) == 1
    out = capsys.readouterr().out
    assert "is not a root key of any GUN here" in out
    assert not (world.folder / "refused").exists()


def test_rehearse_dct_writes_bundles_verify_accepts(dct_rehearsal, tmp_path, capsys):
    out, printed = dct_rehearsal
    assert "every bundle verifies" in printed
    assert (out / "server-keys-MADE-UP-FOR-REHEARSAL" / "README-MADE-UP.txt").exists()
    for name in ("1-bootstrap", "2-delegate", "3-rotate-root"):
        report = verify_bundle(out / name)
        assert report.ok and report.rehearsal, report.lines()
        # printed before and after: the run sheet and the record (docs/reference/records.md)
        sheet, record = pdf_text(out / f"{name}-runsheet.pdf"), pdf_text(out / f"{name}-record.pdf")
        lines = [json.loads(line) for line in (out / name / "transcript.jsonl").read_text()
                 .splitlines()]
        assert lines[0]["script_sha256"] in squeezed(sheet)
        assert all(squeezed(title) in squeezed(sheet) for title in lines[0]["step_titles"])
        assert report.transcript_head and report.transcript_head in squeezed(record)
        keyids = [line["keyid"][:8] for line in lines if line["event"] == "key-generated"]
        assert keyids and all(f"id {keyid}" in record for keyid in keyids)
    # the fourth, a decommission: bob's root key out of both GUNs' roots, its certificate
    last = verify_bundle(out / "4-decommission")
    assert last.ok and last.ceremony == "decommission" and last.root_versions == [3]
    record = squeezed(pdf_text(out / "4-decommission-record.pdf"))
    assert squeezed("Certificate of key destruction") in record and "root-bob" in record

    # ceremony next writes the next renew and quarterly rotation from the newest bundle
    newest = out / "3-rotate-root"
    for kind in ("renew", "rotate-root"):
        assert main(["next", str(newest), "--kind", kind, "-o", str(out / f"{kind}.yaml")]) == 0
    renew = yaml.safe_load((out / "renew.yaml").read_text())
    assert (renew["flavor"], renew["sign-with"], renew["root-expires"]) == (
        "dct", ["root-bob"], "10y")  # notary's default, as the rehearsal left it
    assert "published" not in renew and "keys" not in renew
    rotate = yaml.safe_load((out / "rotate-root.yaml").read_text())
    assert rotate["keys"] == [{"name": "repo-3", "holder": "ci-team", "algorithm": "ecdsa-p256"}]
    assert rotate["roles"] == {"root": {"keys": ["root-bob", "root-carol"], "threshold": 1,
                                        "expires": "10y"}, "targets": {"keys": ["repo-3"]}}
    assert rotate["published"] == "3-rotate-root-state"
    assert "dct-fetch-keys --state" in (out / "rotate-root.yaml").read_text()
    shutil.copytree(newest / "publish", out / "3-rotate-root-state")  # the server's, unchanged
    capsys.readouterr()
    for kind in ("renew", "rotate-root"):
        assert main(["validate", str(out / f"{kind}.yaml")]) == 0, capsys.readouterr().out
    assert main(["next", str(newest), "--kind", "rotate-root", "--replace", "root-bob",
                 "-o", str(out / "x.yaml")]) == 3
    assert "root-bob is a root key" in capsys.readouterr().err

    # dct-publish refuses a rehearsal's publish set, even copied away from its bundle
    publish = out / "1-bootstrap" / "publish"
    assert json.loads((publish / "dct-publish.json").read_text())["rehearsal"] is True
    copied = tmp_path / "copied-publish"
    shutil.copytree(publish, copied)
    for folder in (publish, copied):
        done = run_script("dct-publish", "--server", "https://127.0.0.1:9", "--ca", "/none",
                          str(folder))
        assert (done.returncode, done.stdout, done.stderr) == (2, "", (
            f"dct-publish: {folder}: this publish set was made by a REHEARSAL: its keys are not "
            "for production, and nothing was sent. To upload it to a test server, pass "
            "--rehearsal\n"
        ))
    (copied / "dct-publish.json").write_text(
        (copied / "dct-publish.json").read_text().replace('"rehearsal": true', '"rehearsal": 0')
    )
    done = run_script("dct-publish", "--server", "https://127.0.0.1:9", "--ca", "/none",
                      str(copied))
    assert done.returncode == 2 and "cannot load the TLS files" in done.stderr  # past the check


def test_dct_publish_sends_a_rehearsal_when_told(world, dct_rehearsal):
    out, _printed = dct_rehearsal
    done = run_script(
        "dct-publish", "--server", world.server.url, "--ca", str(world.server.ca_file),
        "--rehearsal", "--json", str(out / "1-bootstrap" / "publish"),
    )
    assert done.returncode in (0, 1), done.stderr  # sent: the server's answer is its own
    assert [r["gun"] for r in json.loads(done.stdout)]
