"""``ceremony rehearse --flavor sigstore``, then inspect and verify of what it made.

One rehearsal per module (through the CLI): every kind runs and verifies
(bootstrap, recover, update-trust, rotate-root, and migrate-dct from the DCT
rehearsal's bundles), and sigstore-python trusting version 1 follows to the
last mirror and sees both Rekor logs; its bootstrap holds the mirror; its
recovery replaces the lost timestamp key and a client of version 1 follows;
``ceremony inspect`` decodes its trusted_root.json into CAs, logs and windows
with days left; and trust documents spoiled on the media are refused by
``ceremony verify`` and by sigstore-python alike, side by side.
"""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime, timedelta

import pytest
import yaml
from sigstore.errors import Error as SigstoreError
from sigstore.models import ClientTrustConfig, SigningConfig, TrustedRoot
from tuf.api.exceptions import RepositoryError
from tuf.api.metadata import Metadata
from tuf.ngclient import Updater

from ceremony.cli import main
from ceremony.engine.current import CurrentState
from ceremony.engine.preflight import preflight
from ceremony.flavors.sigstore.current import current_mirror
from ceremony.flavors.sigstore.mirror_signer import next_version
from ceremony.inspect import inspect_file, render_lines
from ceremony.script.load import load_script
from ceremony.verify import verify_bundle
from tests.sigstore_instance import served


@pytest.fixture(scope="module")
def rehearsal(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sigstore-rehearsal") / "out"
    assert main(["rehearse", "--flavor", "sigstore", "--out", str(folder)]) == 0
    return folder


@pytest.fixture
def bundle_copy(rehearsal, tmp_path):
    copy = tmp_path / "bundle"
    shutil.copytree(rehearsal / "1-bootstrap", copy)
    return copy


def test_the_rehearsal_leaves_a_verified_bundle_with_its_mirror(rehearsal):
    bundle = rehearsal / "1-bootstrap"
    assert verify_bundle(bundle).ok
    assert (bundle / "mirror" / "1.root.json").is_file()
    assert (bundle / "mirror" / "timestamp.json").is_file()
    assert len(list((bundle / "mirror" / "targets").iterdir())) == 2
    assert (
        (bundle / "cosign" / "ci-release.key")
        .read_bytes()
        .startswith(b"-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----")
    )
    assert "cosign verify --key cosign/ci-release.pub" in (bundle / "CLIENTS.md").read_text()
    assert "registry.rehearsal.invalid/release/**" in (
        bundle / "policies" / "kyverno-clusterpolicy.yaml"
    ).read_text()
    assert (bundle / "policies" / "clusterimagepolicy.yaml").is_file()
    assert (rehearsal / "1-bootstrap.yaml").read_text().startswith("# Rehearsal")
    assert sorted(p.name for p in (rehearsal / "trust").iterdir()) == [
        "ctfe.pub",
        "fulcio-chain.pem",
        "rekor-2.pub",
        "rekor.pub",
        "tsa-chain.pem",
    ]
    assert not any(b"PRIVATE KEY" in p.read_bytes() for p in (rehearsal / "trust").iterdir())
    for medium in ("custody-a", "custody-b", "custody-sheets"):  # custody, as TUF's
        assert any(path.is_file() for path in (rehearsal / medium).rglob("*")), medium


def test_the_recovery_replaces_the_timestamp_key_and_a_client_follows(rehearsal, tmp_path):
    bundle = rehearsal / "2-recover"
    report = verify_bundle(bundle)
    assert report.ok, report.lines()
    assert report.root_versions == [1, 2]
    index = json.loads((bundle / "keys" / "index.json").read_bytes())["keys"]
    assert index["timestamp-2"]["roles"] == ["timestamp"]
    assert "timestamp" not in index
    ng = tmp_path / "ng"
    (ng / "targets").mkdir(parents=True)
    first_root = (rehearsal / "1-bootstrap" / "client" / "root.json").read_bytes()
    with served(bundle / "mirror") as url:
        updater = Updater(
            str(ng), url, str(ng / "targets"), f"{url}/targets/", bootstrap=first_root
        )
        updater.refresh()
        assert updater.get_targetinfo("trusted_root.json") is not None
    root = Metadata.from_bytes((ng / "root.json").read_bytes()).signed
    assert root.version == 2
    assert root.roles["timestamp"].keyids == [index["timestamp-2"]["keyid"]]


def test_every_kind_runs_and_a_client_of_version_1_follows_to_the_last(
    rehearsal, tmp_path, monkeypatch
):
    kinds = {}
    for name in ("1-bootstrap", "2-recover", "3-update-trust", "4-rotate-root", "5-migrate-dct"):
        report = verify_bundle(rehearsal / name)
        assert report.ok and report.rehearsal, (name, report.lines())
        kinds[name] = report.ceremony
    assert list(kinds.values()) == [
        "bootstrap", "recover", "update-trust", "rotate-root", "migrate-dct"]
    for name in ("1-bootstrap", "2-delegate", "3-rotate-root", "4-decommission"):  # DCT's
        assert verify_bundle(rehearsal / "dct" / name).ok
    last = rehearsal / "4-rotate-root"
    assert verify_bundle(last).root_versions == [1, 2, 3]
    assert (last / "mirror" / "3.root.json").is_file()
    assert json.loads((last / "mirror-signer" / "keys.json").read_text())["keys"].keys() == {
        "snapshot", "timestamp-2"}
    # sigstore-python, trusting version 1, follows the rotations and sees both Rekor logs
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    with served(last / "mirror") as url:
        config = ClientTrustConfig.from_tuf(
            url, bootstrap_root=rehearsal / "1-bootstrap" / "client" / "root.json")
    assert len(config.trusted_root._inner.tlogs) == 2
    migrated = rehearsal / "5-migrate-dct"
    assert "registry.example.com/rehearsal/app" in (migrated / "MIGRATION.md").read_text()
    succeeds = [json.loads(line) for line in (migrated / "transcript.jsonl").read_text()
                .splitlines() if '"key-succeeds"' in line]
    assert [(e["key"], e["repository"]) for e in succeeds] == [
        ("app-signing", "registry.example.com/rehearsal/app"),
        ("data-signing", "registry.example.com/rehearsal/db")]


def test_the_cosign_key_goes_into_custody_and_a_recovery_reissues_it(rehearsal, capsys):
    first, second = rehearsal / "1-bootstrap", rehearsal / "2-recover"
    (record,) = [json.loads(p.read_text()) for p in (first / "custody").glob("*.json")]
    assert record["keys"]["ci-release"]["roles"] == ["cosign"]
    # the same key (same .pub, so the cluster policies stand), a new file and passphrase
    assert (second / "cosign" / "ci-release.pub").read_bytes() == (
        first / "cosign" / "ci-release.pub").read_bytes()
    new_key = (second / "cosign" / "ci-release.key").read_bytes()
    assert new_key.startswith(b"-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----")
    assert new_key != (first / "cosign" / "ci-release.key").read_bytes()
    stored = [json.loads(line) for line in (second / "transcript.jsonl").read_text()
              .splitlines() if '"key-stored"' in line]
    assert "cosign/ci-release.key" in [e["path"] for e in stored]
    # a key the custody bundle does not hold is refused before any share is asked for
    script = (rehearsal / "2-recover.yaml").read_text()
    (rehearsal / "again.yaml").write_text(
        script.replace("output: 2-recover", "output: 2-again")
        .replace("reissue-cosign: [ci-release]", "reissue-cosign: [ci-nope]"))
    assert main(["validate", str(rehearsal / "again.yaml")]) != 0
    assert "reissue-cosign ci-nope: the custody bundle of ceremony " in capsys.readouterr().out


def test_inspect_decodes_the_trusted_root(rehearsal):
    facts = inspect_file(rehearsal / "1-bootstrap" / "trusted_root.json")
    assert facts["flavor"] == "sigstore"
    services = [s["service"] for s in facts["services"]]
    assert services == ["Fulcio CA", "Rekor log", "CT log", "timestamp authority"]
    rekor = facts["services"][1]
    assert rekor["url"] == "https://rekor.rehearsal.invalid"
    assert rekor["log_id_matches"] is True
    assert rekor["key"] == "PKIX_ECDSA_P256_SHA_256"
    fulcio = facts["services"][0]
    assert fulcio["chain"] == ["rehearsal fulcio intermediate", "rehearsal fulcio root"]
    assert fulcio["chain_days_left"] in (3648, 3649)
    lines = render_lines(facts)
    assert "    'PKIX_ECDSA_P256_SHA_256', log id " + repr(rekor["log_id"]) in lines
    assert facts["problems"] == []


def test_inspect_counts_days_from_the_time_asked(rehearsal):
    later = datetime.now(UTC) + timedelta(days=3700)
    facts = inspect_file(rehearsal / "1-bootstrap" / "trusted_root.json", at=later)
    assert facts["services"][0]["chain_expired"] is True
    assert any("EXPIRED" in line for line in render_lines(facts))


def test_inspect_of_the_bundle_folder_is_the_flavor_its_manifest_names(rehearsal, capsys):
    bundle = rehearsal / "1-bootstrap"
    facts = inspect_file(bundle)
    assert facts["flavor"] == "sigstore"  # not tuf, which also claims metadata/1.root.json
    assert facts["version"] == 1 and {r["name"] for r in facts["roles"]} >= {"root", "targets"}
    assert [s["service"] for s in facts["trusted_root"]["services"]][:2] == [
        "Fulcio CA",
        "Rekor log",
    ]
    assert main(["inspect", str(bundle)]) == 0
    out = capsys.readouterr().out
    assert "root version 1" in out
    assert f"{bundle / 'trusted_root.json'}: Sigstore trusted root" in out
    assert "  Rekor log " in out


def test_inspect_of_a_folder_whose_manifest_names_no_known_flavor_asks_every_flavor(
    bundle_copy,
):
    spoil(bundle_copy, "MANIFEST.json", lambda d: d.update(flavor="no-such-flavor"))
    assert inspect_file(bundle_copy)["flavor"] == "tuf"
    (bundle_copy / "MANIFEST.json").write_text("{not json")
    assert inspect_file(bundle_copy)["flavor"] == "tuf"


def spoil(bundle, name, change) -> None:
    path = bundle / name
    document = json.loads(path.read_bytes())
    change(document)
    path.write_text(json.dumps(document, indent=2))


def test_a_trusted_root_of_version_0_2_is_refused_by_verify_and_sigstore_python(bundle_copy):
    spoil(
        bundle_copy,
        "trusted_root.json",
        lambda d: d.update(mediaType="application/vnd.dev.sigstore.trustedroot.v0.2+json"),
    )
    lines = verify_bundle(bundle_copy).lines()
    assert (
        "trusted_root.json: media type 'application/vnd.dev.sigstore.trustedroot.v0.2+json': "
        "clients accept only 'application/vnd.dev.sigstore.trustedroot+json;version=0.1'"
    ) in lines
    assert "trusted_root.json: differs from the copy the mirror's targets carry" in lines
    with pytest.raises(SigstoreError, match="unsupported trusted root format"):
        TrustedRoot.from_file(str(bundle_copy / "trusted_root.json"))


def test_a_wrong_log_id_is_named_by_verify_and_inspect(bundle_copy):
    spoil(
        bundle_copy,
        "trusted_root.json",
        lambda d: d["tlogs"][0]["logId"].update(keyId="AAAA"),
    )
    lines = verify_bundle(bundle_copy).lines()
    assert any(
        line.startswith("trusted_root.json: tlogs[0]: log id 'AAAA' is not the sha256 of its key")
        and line.endswith("clients say 'tlog missing log ID'")
        for line in lines
    ), lines
    facts = inspect_file(bundle_copy / "trusted_root.json")
    assert facts["services"][1]["log_id_matches"] is False
    assert any("(NOT the key's sha256)" in line for line in render_lines(facts))


def test_a_signing_config_without_a_ca_is_refused_by_verify_and_sigstore_python(bundle_copy):
    spoil(bundle_copy, "signing_config.v0.2.json", lambda d: d.update(caUrls=[]))
    lines = verify_bundle(bundle_copy).lines()
    assert "signing_config.v0.2.json: gives no CA URL (caUrls): sigstore-python refuses it" in lines
    with pytest.raises(SigstoreError, match="No valid Fulcio CA found in signing config"):
        SigningConfig.from_file(str(bundle_copy / "signing_config.v0.2.json"))


def test_verify_names_a_mirror_timestamp_that_has_expired(rehearsal):
    report = verify_bundle(rehearsal / "1-bootstrap", at=datetime.now(UTC) + timedelta(days=200))
    assert any(
        line.startswith("mirror/timestamp.json: expired ") and "clients refuse it" in line
        for line in report.lines()
    ), report.lines()


def test_a_mirror_timestamp_that_is_not_metadata_is_named(bundle_copy):
    (bundle_copy / "mirror" / "timestamp.json").write_text("{not json")
    assert (
        "mirror/timestamp.json: is not TUF metadata python-tuf can read"
        in verify_bundle(bundle_copy).lines()
    )


def test_a_changed_target_file_is_refused_by_verify_and_ngclient(bundle_copy, tmp_path):
    target = next((bundle_copy / "mirror" / "targets").glob("*.trusted_root.json"))
    target.write_bytes(target.read_bytes().replace(b"rekor", b"rekot"))
    assert (
        f"mirror/targets/{target.name}: does not match the length and sha256 targets.json "
        "gives trusted_root.json"
    ) in verify_bundle(bundle_copy).lines()
    ng = tmp_path / "ng"
    (ng / "targets").mkdir(parents=True)
    root = (bundle_copy / "client" / "root.json").read_bytes()
    with served(bundle_copy / "mirror") as url:
        updater = Updater(str(ng), url, str(ng / "targets"), f"{url}/targets/", bootstrap=root)
        updater.refresh()
        info = updater.get_targetinfo("trusted_root.json")
        with pytest.raises(RepositoryError):
            updater.download_target(info)


def test_a_policy_trusting_a_key_not_in_the_bundle_is_named_by_verify(rehearsal, bundle_copy):
    stranger = (rehearsal / "trust" / "rekor.pub").read_text()  # a P-256 key, not cosign's
    kyverno = bundle_copy / "policies" / "kyverno-clusterpolicy.yaml"
    document = yaml.safe_load(kyverno.read_text())
    keys = document["spec"]["rules"][0]["verifyImages"][0]["attestors"][0]["entries"][0]["keys"]
    keys["publicKeys"] = stranger
    kyverno.write_text(yaml.safe_dump(document, sort_keys=False))
    (bundle_copy / "policies" / "clusterimagepolicy.yaml").unlink()
    lines = verify_bundle(bundle_copy).lines()
    assert (
        "policies/kyverno-clusterpolicy.yaml: the key it trusts as 'ci-release' is not "
        "cosign/ci-release.pub"
    ) in lines
    assert (
        "policies/clusterimagepolicy.yaml: missing: it comes with "
        "policies/kyverno-clusterpolicy.yaml"
    ) in lines


def test_a_bundle_served_online_is_signed_above_the_servers_versions(rehearsal):
    """The rehearsal's bundles export their snapshot and timestamp keys for a server
    (mirror-signer/), which re-signs at its own versions: a later ceremony signs above
    them by its clock even when its own script leaves the server (offline)."""
    at = datetime(2027, 3, 1, tzinfo=UTC)
    bundle = rehearsal / "1-bootstrap"
    assert (bundle / "mirror-signer" / "keys.json").is_file()
    mirror = current_mirror(CurrentState(path=bundle, contents=verify_bundle(bundle).contents))
    assert mirror.served_online
    assert next_version(mirror.timestamp_version, False, at, served_online=True) == int(
        at.timestamp())
    assert next_version(1, False, at, served_online=False) == 2
    assert next_version(1, True, at, served_online=False) == int(at.timestamp())
    assert next_version(2**40, True, at, served_online=True) == 2**40 + 1  # never backwards


def test_a_recovery_names_the_versions_of_the_ceremonys_time(rehearsal):
    """The recovery's checks of the mirror's signers (Flavor.check_recovery) are made as
    of the ceremony's time, as the rest of preflight is: on a clock 30 days on, the
    timestamp version named is that time's seconds, where it was the wall clock's
    (the version the ceremony would not sign at)."""
    later = datetime.now(UTC).replace(microsecond=0) + timedelta(days=30)
    result = preflight(load_script(rehearsal / "2-recover.yaml", now=later), now=later)
    lines = [c.detail for c in result.checks if c.check == "sign-with timestamp"]
    assert lines and all(line.startswith(f"timestamp version {int(later.timestamp())}: ")
                         for line in lines), lines
