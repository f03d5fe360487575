"""Docker Content Trust root keys on a real SoftHSM2 token, against the real notary-server.

A dct bootstrap of two GUNs makes its root key on the token (one PIN entry
for the token, whatever the number of GUN certificates and roots it signs);
``ceremony verify`` accepts the bundle; ``scripts/dct-publish`` gets both
GUNs accepted and ``notary list`` trusts them from an empty trust dir. A
rotate-root then signs with the token key by its recorded ``pkcs11:`` URI,
and the server accepts that too. The script checks refuse a repository key
on a token and a YubiKey root key with a plain sentence.
"""

from __future__ import annotations

import json
import os
import textwrap
import uuid
from pathlib import Path

import pytest
from dct_offline import run_script
from notary_server import cached_root_version, notary_cli, notary_server  # noqa: F401
from softhsm_support import MODULE, USER_PIN, softhsm

from ceremony.engine import run_ceremony
from ceremony.errors import CeremonyError
from ceremony.operator import Secret
from ceremony.script.load import load_script
from ceremony.verify import verify_bundle

GUNS = ("registry.example.com/hw/app", "registry.example.com/hw/db")
MAIN = "ceremony-main"
PASSPHRASE = "repository key passphrase"


class Operator:
    """A keyholder who knows the PIN and the passphrases; records what was asked."""

    can_retry = False

    def __init__(self) -> None:
        self.asked: list[str] = []

    def secret(self, request):
        self.asked.append(request.id)
        return Secret(USER_PIN if request.id.startswith("pin/") else PASSPHRASE)

    def confirm(self, request):
        return True

    def choose(self, request):
        return request.options[0]


def fetch_keys(server, out: Path) -> None:
    done = run_script(
        "dct-fetch-keys", "--server", server.url, "--ca", str(server.ca_file), "--out", str(out),
        *GUNS,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def publish(server, bundle: Path) -> list[dict]:
    done = run_script(
        "dct-publish", "--server", server.url, "--ca", str(server.ca_file), "--json", "--rehearsal",
        str(bundle / "publish"),
    )
    assert done.returncode in (0, 1), done.stdout + done.stderr
    return json.loads(done.stdout)


def run(folder: Path, name: str, text: str) -> tuple[Path, Operator, list]:
    script = folder / f"{name}.yaml"
    script.write_text(textwrap.dedent(text))
    operator = Operator()
    events = list(run_ceremony(load_script(script), operator))
    return folder / name, operator, events


def index_of(bundle: Path) -> dict:
    return json.loads((bundle / "keys" / "index.json").read_text())["keys"]


@pytest.fixture(scope="module")
def world(notary_server, tmp_path_factory):  # noqa: F811
    softhsm()  # every token made before anything loads the module
    folder = tmp_path_factory.mktemp("dct-hardware")
    fetch_keys(notary_server, folder / "server-keys")
    return notary_server, folder, uuid.uuid4().hex[:8]


@pytest.fixture(scope="module")
def bootstrapped(world):
    server, folder, tag = world
    bundle, operator, events = run(
        folder,
        "1-bootstrap",
        f"""\
        format: 1
        ceremony: bootstrap
        flavor: dct
        title: DCT root key on a token
        rehearsal: true
        network: allowed
        output-media: any-device
        output: 1-bootstrap
        guns: [{", ".join(GUNS)}]
        server-keys: server-keys
        keyholders: [{{name: alice}}, {{name: ci}}]
        keys:
          - {{name: root-hsm, holder: alice, algorithm: ecdsa-p256, backend: pkcs11,
              module: {MODULE}, token-label: {MAIN}, object-label: dct-root-{tag}}}
          - {{name: repo, holder: ci, algorithm: ecdsa-p256}}
        roles:
          root: {{keys: [root-hsm], threshold: 1}}
          targets: {{keys: [repo]}}
        spare-keys: none
        accept-risk: every root key must sign (a test root)
        """,
    )
    return bundle, operator, events


def test_bootstrap_with_the_root_key_on_a_token_is_trusted_by_notary(
    world, bootstrapped, tmp_path
):
    server, _folder, tag = world
    bundle, operator, events = bootstrapped
    assert operator.asked.count(f"pin/{MAIN}") == 1  # one PIN for the token, two GUNs
    entry = index_of(bundle)["root-hsm"]
    assert entry["backend"] == "pkcs11"
    assert entry["location"].startswith("pkcs11:")
    assert f"object=dct-root-{tag}" in entry["location"]
    assert "module-path=" in entry["location"] and sorted(entry["guns"]) == sorted(GUNS)
    assert not (bundle / "keys" / "offline").exists()  # nothing of the root key on media
    transcript = (bundle / "transcript.jsonl").read_text()
    assert USER_PIN not in transcript
    lines = [json.loads(line) for line in transcript.splitlines()]
    [logged_in] = [line for line in lines if line["event"] == "token-logged-in"]
    assert logged_in["token"] == MAIN and logged_in["pin_entries"] == 1
    [made] = [
        line for line in lines if line["event"] == "key-generated" and line["key"] == "root-hsm"
    ]
    assert made["facts"]["cka_id"] in entry["location"].replace("%", "").lower()
    assert made["facts"]["generated_on_device"] is True
    assert any(line["event"] == "token-closed" and line["keys"] == ["root-hsm"] for line in lines)
    report = verify_bundle(bundle)
    assert report.ok, report.lines()

    results = publish(server, bundle)
    assert [(r["gun"], r["accepted"]) for r in results] == [(g, True) for g in GUNS], results
    fresh = notary_cli(server, tmp_path / "fresh" / "trust")
    for gun in GUNS:
        listed = fresh.run("list", gun)
        assert "No targets present" in listed.stdout + listed.stderr
        assert cached_root_version(fresh.trust_dir, gun) == 1


def test_rotate_root_signs_with_the_token_key_by_its_uri(world, bootstrapped, tmp_path):
    server, folder, _tag = world
    bundle, _operator, _events = bootstrapped
    reader = notary_cli(server, tmp_path / "reader" / "trust")
    for gun in GUNS:
        reader.run("list", gun)
    os.environ["DCT_HW_TEST_BOB"] = "bob passphrase for the test"
    try:
        rotated, operator, _ = run(
            folder,
            "2-rotate",
            f"""\
            format: 1
            ceremony: rotate-root
            flavor: dct
            title: from the token key to bob's key
            rehearsal: true
            network: allowed
            output-media: any-device
            current: {bundle}
            output: 2-rotate
            sign-with: [root-hsm]
            keyholders: [{{name: bob}}]
            keys:
              - {{name: root-bob, holder: bob, algorithm: ecdsa-p256}}
            roles:
              root: {{keys: [root-bob], threshold: 1}}
            spare-keys: none
            accept-risk: every root key must sign (a test root)
            pins:
              {MAIN}: prompt
            """,
        )
    finally:
        del os.environ["DCT_HW_TEST_BOB"]
    assert operator.asked.count(f"pin/{MAIN}") == 1
    assert verify_bundle(rotated).ok
    results = publish(server, rotated)
    assert all(r["accepted"] for r in results), results
    for gun in GUNS:
        reader.run("list", gun)
        assert cached_root_version(reader.trust_dir, gun) == 2


YUBIKEY_ROOT = "{name: root-a, holder: a, algorithm: ecdsa-p256, backend: yubikey, serial: 1234}"
TOKEN_REPO = (
    f"{{name: repo, holder: a, algorithm: ecdsa-p256, backend: pkcs11, module: {MODULE}, "
    f"token-label: {MAIN}, object-label: repo}}"
)
SOFT_ROOT = "{name: root-a, holder: a, algorithm: ecdsa-p256}"
SOFT_REPO = "{name: repo, holder: a, algorithm: ecdsa-p256}"


@pytest.mark.parametrize(
    "root, repo, said",
    [
        (YUBIKEY_ROOT, SOFT_REPO, "YubiKey PIV keys are not wired into the dct flavor yet"),
        (SOFT_ROOT, TOKEN_REPO, "'repo' is not a root key"),
    ],
)
def test_script_refuses_keys_the_dct_flavor_cannot_keep_on_hardware(tmp_path, root, repo, said):
    script = tmp_path / "s.yaml"
    script.write_text(
        "format: 1\nceremony: bootstrap\nflavor: dct\ntitle: t\nrehearsal: true\n"
        "output: out\nguns: [registry.example.com/a/b]\nserver-keys: sk\n"
        f"keyholders: [{{name: a}}]\nkeys:\n  - {root}\n  - {repo}\n"
        "roles:\n  root: {keys: [root-a], threshold: 1}\n  targets: {keys: [repo]}\n"
    )
    with pytest.raises(CeremonyError) as raised:
        load_script(script)
    assert said in str(raised.value)
