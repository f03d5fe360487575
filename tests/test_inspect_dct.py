"""``ceremony inspect`` on Docker Content Trust: a DCT bundle and a lone notary root.json.

A dct bootstrap of two GUNs (software keys, rehearsal operator) is made
once; inspect then shows each GUN's root: version, expiry and days left, the
roles with thresholds, the keys by notary's short id with their canonical
id, algorithm, certificate CN and expiry, and, inside the bundle, each key's
name, holder and where it lives. Text and ``--json`` both.
"""

from __future__ import annotations

import json
import shutil
import textwrap
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519

from ceremony.cli import main
from ceremony.engine import run_ceremony
from ceremony.errors import BundleError
from ceremony.flavors.dct.notary.keyids import key_for_public_key
from ceremony.inspect import inspect_file, render_lines
from ceremony.rehearsal.operator import RehearsalOperator
from ceremony.script.load import load_script

GUNS = ("registry.example.com/org/app", "registry.example.com/org/db")
APP = GUNS[0]


@pytest.fixture(scope="module")
def bundle(dct_inspect_bundle) -> Path:
    """make_bundle's bundle, made once for the session (conftest.py); read, never
    written (test_lifecycle_status reads it too)."""
    return dct_inspect_bundle


def make_bundle(folder: Path) -> Path:
    """A dct bootstrap of the two GUNs in ``folder`` (software keys, rehearsal operator)."""
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
            title: inspect test
            rehearsal: true
            network: allowed
            output-media: any-device
            output: bundle
            guns: [{", ".join(GUNS)}]
            server-keys: server-keys
            keyholders: [{{name: alice}}, {{name: bob}}]
            keys:
              - {{name: root-alice, holder: alice, algorithm: ecdsa-p256}}
              - {{name: root-bob, holder: bob, algorithm: ecdsa-p256}}
              - {{name: repo, algorithm: ecdsa-p256}}
            roles:
              root: {{keys: [root-alice, root-bob], threshold: 2, expires: 2y}}
              targets: {{keys: [repo], expires: 1y}}
            spare-keys: none
            accept-risk: every root key must sign (a test root)
            """))
    list(run_ceremony(load_script(script), RehearsalOperator()))
    return folder / "bundle"


def test_a_dct_bundle_shows_every_gun_root(bundle):
    facts = inspect_file(bundle)
    assert facts["flavor"] == "dct" and facts["rehearsal"] is True
    assert [gun["gun"] for gun in facts["guns"]] == list(GUNS)
    app = facts["guns"][0]
    assert app["version"] == 1 and len(app["signatures"]) == 2
    assert 725 <= app["days_left"] <= 731 and app["expired"] is False
    roles = {role["name"]: role for role in app["roles"]}
    assert [role["name"] for role in app["roles"]] == ["root", "targets", "snapshot", "timestamp"]
    assert roles["root"]["threshold"] == 2 and len(roles["root"]["keyids"]) == 2
    keys = {key["name"]: key for key in app["keys"]}
    alice = keys["root-alice"]
    assert alice["keytype"] == "ecdsa-x509" and alice["algorithm"] == "ecdsa-p256"
    assert alice["cn"] == APP and alice["holder"] == "alice"
    assert alice["location"] == "age-file:keys/offline/root-alice.age"
    assert alice["short_id"] == alice["keyid"][:8] and alice["canonical_id"] != alice["keyid"]
    index = json.loads((bundle / "keys" / "index.json").read_text())["keys"]
    assert index["root-alice"]["keyid"] == alice["canonical_id"]
    assert index["root-alice"]["guns"][APP] == alice["keyid"]
    assert 3640 <= alice["cert_days_left"] <= 3651  # notary's 10-year certificates
    [repo] = [key for key in app["keys"] if key["roles"] == ["targets"]]
    assert repo["location"].startswith("notary-file:ci/trust/private/")
    servers = [key for key in app["keys"] if key["roles"] in (["snapshot"], ["timestamp"])]
    assert [key["location"] for key in servers] == ["notary server", "notary server"]


def test_text_names_guns_roles_keys_and_certificates(bundle):
    lines = render_lines(inspect_file(bundle))
    text = "\n".join(lines)
    assert lines[0].endswith("Docker Content Trust, 2 GUNs")
    assert "REHEARSAL bundle" in text
    assert f"{APP}: root version 1, expires " in text and "days left)" in text
    assert "root       2 of 2 keys" in text
    assert f"CN={APP} until " in text
    assert "root-alice (alice)" in text and "notary server" in text
    assert "....key" in text  # a key file's 64-digit name is shortened on screen


def test_a_lone_notary_root_json_names_its_gun_from_the_certificate(bundle, tmp_path):
    lone = tmp_path / "root.json"
    shutil.copy(bundle / "metadata" / APP / "root.json", lone)
    later = datetime.now(UTC) + timedelta(days=800)
    facts = inspect_file(lone, at=later)
    [root] = facts["guns"]
    assert facts["bundle"] is None and root["gun"] == APP
    assert root["expired"] is True and root["days_left"] < 0
    assert {key["location"] for key in root["keys"]} == {"unknown"}
    assert "EXPIRED" in "\n".join(render_lines(facts))


def test_a_root_inside_the_bundle_finds_its_key_index(bundle):
    facts = inspect_file(bundle / "metadata" / GUNS[1] / "1.root.json")
    assert facts["bundle"] == str(bundle)
    names = {key["name"] for key in facts["guns"][0]["keys"]}
    assert {"root-alice", "root-bob"} <= names


def test_json_output_from_the_command_line(bundle, capsys):
    assert main(["inspect", str(bundle), "--json"]) == 0
    facts = json.loads(capsys.readouterr().out)
    assert [gun["gun"] for gun in facts["guns"]] == list(GUNS)


def test_a_broken_notary_root_is_a_bundle_error(bundle, tmp_path):
    broken = tmp_path / "root.json"
    document = json.loads((bundle / "metadata" / APP / "root.json").read_bytes())
    document["signed"]["version"] = "one"
    broken.write_text(json.dumps(document))
    with pytest.raises(BundleError):
        inspect_file(broken)


def test_text_shows_each_guns_delegations_and_their_paths(bundle, tmp_path):
    folder = tmp_path  # the fixture's script again, and a delegation, by one operator
    shutil.copytree(bundle.parent / "server-keys", folder / "server-keys")
    shutil.copy(bundle.parent / "bootstrap.yaml", folder / "bootstrap.yaml")
    operator = RehearsalOperator()
    list(run_ceremony(load_script(folder / "bootstrap.yaml"), operator))
    (folder / "delegate.yaml").write_text(textwrap.dedent("""\
        format: 1
        ceremony: delegate
        flavor: dct
        title: inspect delegations
        rehearsal: true
        current: bundle
        published: bundle/publish
        output: delegated
        keyholders: [{name: ci-team}]
        keys:
          - {name: ci-signer, holder: ci-team, algorithm: ecdsa-p256}
        signers:
          - {name: ci, keys: [ci-signer]}
        """))
    list(run_ceremony(load_script(folder / "delegate.yaml"), operator))
    facts = inspect_file(folder / "delegated")
    for gun in facts["guns"]:
        assert [(d["name"], d["paths"]) for d in gun["delegations"]] == [
            ("targets/ci", [""]), ("targets/releases", [""]),
        ]
    lines = render_lines(facts)
    at = lines.index("  delegated paths (Notary v1 has no terminating flag)")
    assert [line.split() for line in lines[at + 1:at + 3]] == [
        ["targets/ci", "every", "path"], ["targets/releases", "every", "path"],
    ]
    assert lines.count("  delegations (targets.json)") == len(GUNS)
