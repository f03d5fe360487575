"""migrate-dct: the way off Docker Content Trust, from a real DCT rehearsal bundle.

``ceremony rehearse --flavor dct`` makes the DCT bundles; a migrate-dct
script moves its two GUNs to two cosign keys in named groups. The bundle
verifies; the transcript records, GUN by GUN, which DCT root (version and
root key ids, as the DCT bundle's key index has them) each new key
replaces; the cosign keys open with an independent reader and match their
``.pub``; the cluster policies fit the vendored schemas and scope each key
to its GUNs' tags and digests; MIGRATION.md says the same. With custody:,
the key made in a file (not the one on a token) is sealed, and two shares read
from their sheets give back the very key its cosign.key holds. Docker Hub GUNs
take each admission controller's own form. Bad scripts are refused with
their words: a GUN not in the bundle, a GUN in two groups, a bundle that is
not there.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import textwrap
import uuid
from urllib.parse import parse_qs

import pytest
import yaml
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from softhsm_support import MODULE, USER_PIN, softhsm
from test_sigstore_cosign_keys import independent_open
from test_sigstore_policies import check, schema

from ceremony.cli import main
from ceremony.custody import CustodyRecord, ShareCollector, open_archive, read_copies
from ceremony.custody.share_input import read_text_file
from ceremony.flavors.sigstore.migration import kyverno_globs, policy_controller_globs
from ceremony.verify import verify_bundle

APP, DB = "registry.example.com/rehearsal/app", "registry.example.com/rehearsal/db"
PASSWORD = "correct horse battery migrate"
TOKEN = "ceremony-main"
MEDIA = ("custody-a", "custody-b", "custody-sheets")
LABEL = f"cosign-data-{uuid.uuid4().hex[:10]}"  # the SoftHSM tokens are the run's


def migrate_script(folder, groups: str, output: str = "migrated"):
    script = folder / f"{output}.yaml"
    script.write_text(
        textwrap.dedent(f"""\
            format: 1
            ceremony: migrate-dct
            flavor: sigstore
            title: Leave DCT - cosign keys for the rehearsal GUNs
            rehearsal: true
            output: {output}
            dct-bundle: dct/3-rotate-root
            keyholders:
              - name: ci-team
            passphrases:
              app-team: {{env: MIGRATE_PASS}}
            custody:                      # the cosign key in a file; the token's stays put
              media: [custody-a, custody-b]
              sheets: custody-sheets
              shares: {{threshold: 2, of: 3}}
            """)
        + (f"pins:\n  {TOKEN}: {{env: MIGRATE_PIN}}\n" if "backend: pkcs11" in groups else "")
        + "groups:\n"
        + textwrap.indent(textwrap.dedent(groups), "  ")
    )
    return script


GROUPS = f"""\
- {{name: app-team, holder: ci-team, guns: [{APP}]}}
- {{name: data-team, holder: ci-team, guns: [{DB}], backend: pkcs11,
   module: {MODULE}, token-label: {TOKEN}, object-label: {LABEL}}}
"""


@pytest.fixture(scope="module")
def migrated(tmp_path_factory, dct_rehearsal):
    softhsm()  # every token made before anything loads the module
    folder = tmp_path_factory.mktemp("migrate-dct")
    for medium in MEDIA:
        (folder / medium).mkdir()
    shutil.copytree(dct_rehearsal[0], folder / "dct")  # the session's DCT rehearsal
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MIGRATE_PASS", PASSWORD)
        patch.setenv("MIGRATE_PIN", USER_PIN)
        assert main(["run", str(migrate_script(folder, GROUPS)), "--yes"]) == 0
    return folder


def test_the_migration_verifies_and_records_which_dct_root_each_key_replaces(migrated, capsys):
    bundle = migrated / "migrated"
    report = verify_bundle(bundle)
    assert report.ok, report.lines()
    assert (report.flavor, report.ceremony) == ("sigstore", "migrate-dct")
    assert not (bundle / "mirror").exists()  # no trust root: keys and policies only

    dct_index = json.loads((migrated / "dct" / "3-rotate-root" / "keys" / "index.json")
                           .read_text())["keys"]
    lines = [json.loads(line) for line in (bundle / "transcript.jsonl").read_text().splitlines()]
    made = {e["key"]: e["keyid"] for e in lines if e["event"] == "key-generated"}
    succeeds = {e["repository"]: e for e in lines if e["event"] == "key-succeeds"}
    assert sorted(succeeds) == [APP, DB]
    for gun, key in ((APP, "app-team"), (DB, "data-team")):
        event = succeeds[gun]
        assert (event["key"], event["keyid"]) == (key, made[key])
        assert event["root_version"] == 2  # the rehearsal's rotate-root
        root_ids = sorted(dct_index[name]["keyid"] for name in ("root-bob", "root-carol"))
        assert sorted(event["root_keyids"]) == root_ids
        assert f"DCT root version 2 of {gun}" in event["replaces"]
        assert "root-bob, root-carol" in event["replaces"]

    assert main(["inspect", str(bundle)]) == 0
    shown = capsys.readouterr().out.splitlines()
    assert f"  {APP} -> app-team" in shown and f"  {DB} -> data-team" in shown
    assert any(line.split()[:2] == ["data-team", "cosign/data-team.uri"] for line in shown)
    assert main(["status", str(bundle)]) != 0
    assert "a migrate-dct bundle holds cosign keys and policies" in capsys.readouterr().err

    page = (bundle / "MIGRATION.md").read_text()
    assert f"`{APP}`" in page and f"`{DB}`" in page
    assert "cosign sign --key cosign/app-team.key" in page
    assert "docs/runbooks/leaving-dct.md" in page


def test_the_cosign_keys_open_and_the_policies_scope_them_to_their_guns(migrated):
    bundle = migrated / "migrated"
    _, der = independent_open((bundle / "cosign" / "app-team.key").read_bytes(),
                              PASSWORD.encode())
    private = serialization.load_der_private_key(der, None)
    public = serialization.load_pem_public_key((bundle / "cosign" / "app-team.pub").read_bytes())
    assert private.public_key().public_numbers() == public.public_numbers()

    (kyverno,) = yaml.safe_load_all((bundle / "policies" / "kyverno-clusterpolicy.yaml")
                                    .read_text())
    assert check(kyverno, schema("kyverno-clusterpolicy.v1.verifyimages")) == []
    scopes = {rule["name"]: rule["verifyImages"][0]["imageReferences"]
              for rule in kyverno["spec"]["rules"]}
    assert scopes == {"cosign-app-team": [f"{APP}:*", f"{APP}@*"],
                      "cosign-data-team": [f"{DB}:*", f"{DB}@*"]}
    cips = list(yaml.safe_load_all((bundle / "policies" / "clusterimagepolicy.yaml").read_text()))
    for cip in cips:
        assert check(cip, schema("clusterimagepolicy.v1beta1")) == []
    assert [[g["glob"] for g in cip["spec"]["images"]] for cip in cips] == [
        [f"{APP}:*", f"{APP}@*"], [f"{DB}:*", f"{DB}@*"]]
    pub = (bundle / "cosign" / "data-team.pub").read_text().strip()
    assert cips[1]["spec"]["authorities"][0]["key"]["data"] == pub


def test_the_cosign_key_in_a_file_goes_into_custody_and_comes_back_from_two_shares(migrated):
    """custody: seals app-team (its key is in a file), not data-team (on its token);
    two shares read from their text sheets open the bundle, and the key in it is the
    one cosign/app-team.key decrypts to, whose public half is cosign/app-team.pub."""
    bundle = migrated / "migrated"
    lines = [json.loads(line) for line in (bundle / "transcript.jsonl").read_text().splitlines()]
    (sealed,) = [e for e in lines if e["event"] == "custody-sealed"]
    assert sealed["keys"] == ["app-team"]
    assert any(e["event"] == "restore-tested" for e in lines)
    custody_id = sealed["custody_id"]
    carried = CustodyRecord.from_json((bundle / "custody" / f"custody-{custody_id}.json")
                                      .read_bytes())
    assert carried.root_version == 2  # the DCT root the key replaces
    assert [(k.name, k.roles) for k in carried.keys] == [("app-team", ("cosign",))]

    found = read_copies([migrated / m / f"custody-{custody_id}" for m in MEDIA[:2]])
    collector = ShareCollector(found.record)
    sheets = migrated / "custody-sheets" / f"shares-{custody_id}"
    for number in (2, 3):
        sheet = sheets / f"share-{number:02d}-of-03.txt"
        collector.add(" ".join(read_text_file(sheet)), source=f"sheet {number}")
    with collector.recover() as identity:
        (recovered,) = open_archive(found, identity).keys
    _, der = independent_open((bundle / "cosign" / "app-team.key").read_bytes(),
                              PASSWORD.encode())
    in_file = serialization.load_der_private_key(der, None)
    public = serialization.load_pem_public_key((bundle / "cosign" / "app-team.pub").read_bytes())
    assert recovered.name == "app-team"
    assert recovered.private_key.private_numbers() == in_file.private_numbers()
    assert recovered.private_key.public_key().public_numbers() == public.public_numbers()


def cosign_reads(uri: str) -> tuple[dict, dict]:
    """A pkcs11: URI read as cosign's Pkcs11UriConfig.Parse reads it (';' as '&')."""
    assert uri.startswith("pkcs11:")
    path, _, query = uri.removeprefix("pkcs11:").partition("?")
    return (parse_qs(path.replace(";", "&"), encoding="latin-1"),  # the id is bytes
            parse_qs(query.replace(";", "&")))


def test_the_token_key_signs_through_the_uri_cosign_takes(migrated, tmp_path):
    bundle = migrated / "migrated"
    assert not (bundle / "cosign" / "data-team.key").exists()  # it never left its token
    uri = (bundle / "cosign" / "data-team.uri").read_text().strip()
    path, query = cosign_reads(uri)
    assert (path["token"], path["object"], query["module-path"]) == ([TOKEN], [LABEL], [MODULE])
    assert "pin" not in uri
    key_id = path["id"][0].encode("latin-1")
    blob = b"an image manifest, as cosign sign-blob would sign it"
    # cosign (crypto11) hashes, then has the token sign the digest with CKM_ECDSA
    (migrated / "blob").write_bytes(hashlib.sha256(blob).digest())
    # another program signs through the token by what the URI names (a throwaway test PIN)
    subprocess.run(
        ["pkcs11-tool", "--module", query["module-path"][0], "--token-label", path["token"][0],
         "--login", "--pin", USER_PIN, "--sign", "--mechanism", "ECDSA",
         "--id", key_id.hex(), "--label", path["object"][0], "--signature-format", "openssl",
         "--input-file", str(migrated / "blob"), "--output-file", str(migrated / "blob.sig")],
        env=os.environ, capture_output=True, check=True,
    )
    public = serialization.load_pem_public_key((bundle / "cosign" / "data-team.pub").read_bytes())
    # cosign verify-blob --key: ECDSA P-256 over SHA-256, the signature in DER
    public.verify((migrated / "blob.sig").read_bytes(), blob, ec.ECDSA(hashes.SHA256()))
    page = (bundle / "MIGRATION.md").read_text()
    assert 'cosign sign --key "$(cat cosign/data-team.uri)"' in page
    assert "COSIGN_PKCS11_PIN" in page

    spoiled = tmp_path / "spoiled"
    shutil.copytree(bundle, spoiled)
    (spoiled / "cosign" / "data-team.uri").write_text(f"{uri}&pin-value=1234\n")
    assert ("cosign/data-team.uri: holds a PIN: the PIN belongs in COSIGN_PKCS11_PIN, never in "
            "a file") in verify_bundle(spoiled).lines()


@pytest.mark.parametrize(
    ("gun", "kyverno", "controller"),
    [
        ("docker.io/acme/app", "docker.io/acme/app", "index.docker.io/acme/app"),
        ("index.docker.io/acme/app", "docker.io/acme/app", "index.docker.io/acme/app"),
        ("docker.io/nginx", "docker.io/library/nginx", "index.docker.io/library/nginx"),
        ("registry.internal:5000/team/app", "registry.internal:5000/team/app",
         "registry.internal:5000/team/app"),
        # no registry host, as DCT's grammar allows: Docker Hub's, as Docker reads them
        # (their globs were team/app:*, which no image the controllers see matches)
        ("acme/app", "docker.io/acme/app", "index.docker.io/acme/app"),
        ("nginx", "docker.io/library/nginx", "index.docker.io/library/nginx"),
        ("localhost/app", "localhost/app", "localhost/app"),
    ],
)
def test_docker_hub_guns_take_each_controller_s_form(gun, kyverno, controller):
    assert kyverno_globs(gun) == (f"{kyverno}:*", f"{kyverno}@*")
    assert policy_controller_globs(gun) == (f"{controller}:*", f"{controller}@*")


@pytest.mark.parametrize(
    ("groups", "words"),
    [
        ("- {name: app-team, guns: [registry.example.com/rehearsal/gone]}\n",
         "GUN registry.example.com/rehearsal/gone: is not a GUN of"),
        (f"- {{name: app-team, guns: [{APP}]}}\n- {{name: data-team, guns: [{APP}]}}\n",
         f"{APP} is already in group 'app-team': a GUN moves to one cosign key"),
        ("- {name: app-team, guns: [registry.example.com/app:latest]}\n",
         "is not a GUN"),
        ("- {name: app-team, guns: []}\n", "names no GUN"),
        (f"- {{name: data-team, guns: [{DB}], backend: pkcs11, module: {MODULE},\n"
         f"   token-label: {TOKEN}, object-label: {LABEL}-2}}\n",
         "custody: every group's cosign key is made on a token, where it stays: custody "
         "would have nothing to seal"),
        ("- {name: app-team, guns: [nginx]}\n", "GUN nginx: is not a GUN of"),
        (f"- {{name: {'a' * 57}, guns: [{APP}]}}\n",
         f"groups[0].name: '{'a' * 57}' names the key in the cluster policies, but it is 57 "
         "characters long"),
    ],
    ids=["gun-gone", "gun-twice", "tag-not-gun", "no-gun", "custody-all-on-tokens",
         "one-part-gun-read-then-not-in-bundle", "name-too-long-for-kyverno"],
)
def test_a_bad_migration_is_refused_with_its_words(migrated, capsys, groups, words):
    script = migrate_script(migrated, groups, output="refused")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MIGRATE_PASS", PASSWORD)
        patch.setenv("MIGRATE_PIN", USER_PIN)
        assert main(["validate", str(script)]) != 0
    captured = capsys.readouterr()
    assert words in captured.out + captured.err
    assert not (migrated / "refused").exists()


def test_a_missing_dct_bundle_is_refused(migrated, capsys):
    script = migrate_script(migrated, GROUPS, output="refused")
    script.write_text(script.read_text().replace("dct/3-rotate-root", "dct/nothing-here"))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MIGRATE_PASS", PASSWORD)
        patch.setenv("MIGRATE_PIN", USER_PIN)
        assert main(["validate", str(script)]) != 0
    assert "nothing-here: no bundle here" in capsys.readouterr().out


def test_a_production_migration_from_a_rehearsal_s_dct_bundle_is_refused(migrated, capsys):
    groups = f"- {{name: app-team, guns: [{APP}]}}\n"
    script = migrate_script(migrated, groups, output="refused")
    script.write_text(script.read_text().replace("rehearsal: true\n", ""))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MIGRATE_PASS", PASSWORD)
        assert main(["validate", str(script)]) != 0
    assert ("dct/3-rotate-root was made by a rehearsal: its GUNs and roots are not "
            "production's; name the bundle of the real DCT ceremony") in capsys.readouterr().out
