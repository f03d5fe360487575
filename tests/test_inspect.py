"""``inspect_file`` and ``render_lines`` on bundles, loose files and bad input."""

from __future__ import annotations

import json
import shutil
from datetime import timedelta

import pytest
from bundle_factory import BundleMaker, in_days, make_bundle

from ceremony.errors import BundleError
from ceremony.inspect import inspect_file, render_lines


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    path = tmp_path_factory.mktemp("inspect") / "bundle"
    return make_bundle(path, versions=2, rehearsal=True, expires=in_days(100))


def test_bundle_directory_shows_its_newest_root(bundle):
    facts = inspect_file(bundle.path, at=bundle.expires - timedelta(days=30, hours=1))
    assert facts["path"] == str(bundle.path / "metadata/2.root.json")
    assert facts["type"] == "root"
    assert facts["version"] == 2
    assert facts["expires"] == bundle.expires.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert facts["days_left"] == 30
    assert facts["expired"] is False
    assert facts["rehearsal"] is True
    assert facts["root_versions"] == [1, 2]
    assert [(r["name"], r["threshold"], len(r["keyids"])) for r in facts["roles"]] == [
        ("root", 2, 3),
        ("targets", 1, 1),
        ("snapshot", 1, 1),
        ("timestamp", 1, 1),
    ]
    by_name = {key["name"]: key for key in facts["keys"]}
    assert sorted(by_name) == [
        "root-2", "root-3", "root-4", "snapshot-1", "targets-1", "timestamp-1"
    ]
    alice = by_name["root-2"]
    assert alice == {
        "keyid": bundle.key("root-2").keyid,
        "short_id": bundle.key("root-2").short,
        "algorithm": "ed25519",
        "keytype": "ed25519",
        "scheme": "ed25519",
        "name": "root-2",
        "holder": "keyholder-2",
        "location": "age-file:keys/offline/root-2.age",
        "roles": ["root"],
    }
    assert facts["problems"] == []
    json.dumps(facts)  # --json needs nothing but plain data


def test_text_rendering(bundle):
    facts = inspect_file(bundle.path, at=bundle.expires - timedelta(days=1, hours=1))
    lines = render_lines(facts)
    assert lines[0] == (
        f"{bundle.path}/metadata/2.root.json: root version 2 (spec 1.0.31); "
        "the bundle holds root versions 1 to 2"
    )
    assert lines[1] == f"expires {facts['expires']} (1 day left)"
    assert lines[2] == "REHEARSAL bundle: these keys are not for production"
    root_row = next(line for line in lines if line.strip().startswith("root "))
    assert "2 of 3 keys" in root_row
    short = bundle.key("root-3").short
    key_row = next(line for line in lines if short in line and "age-file" in line)
    assert key_row.split() == [
        bundle.key("root-3").short,
        "ed25519",
        "root",
        "root-3",
        "(keyholder-3)",
        "age-file:keys/offline/root-3.age",
    ]
    assert lines[-1] == "4 signatures (not checked here: run ceremony verify)"


def test_expired_root_says_so(bundle):
    facts = inspect_file(bundle.path, at=bundle.expires + timedelta(days=3, hours=2))
    assert facts["expired"] is True
    assert facts["days_left"] == -4
    assert render_lines(facts)[1] == f"expires {facts['expires']} (EXPIRED 4 days ago)"


def test_root_outside_a_bundle_has_unknown_locations(bundle, tmp_path):
    loose = tmp_path / "root.json"
    shutil.copy(bundle.path / "metadata/root.json", loose)
    facts = inspect_file(loose)
    assert facts["bundle"] is None
    assert "rehearsal" not in facts
    assert {key["location"] for key in facts["keys"]} == {"unknown"}
    assert {key["name"] for key in facts["keys"]} == {None}


def test_targets_shows_delegations(bundle):
    facts = inspect_file(bundle.path / "metadata/targets.json")
    assert facts["type"] == "targets"
    assert facts["roles"] == [
        {
            "name": "packages",
            "threshold": 1,
            "keyids": [bundle.key("packages-1").keyid, bundle.key("packages-2").keyid],
            "paths": ["*"],
            "terminating": True,
        }
    ]
    assert [key["location"] for key in facts["keys"]] == [
        "age-file:keys/online/packages-1.age",
        "age-file:keys/online/packages-2.age",
    ]
    assert "delegations" in render_lines(facts)


def test_other_algorithms_are_named(tmp_path):
    maker = BundleMaker(algorithm="ecdsa-p384", with_targets=False)
    maker.write(tmp_path / "bundle")
    facts = inspect_file(tmp_path / "bundle" / "metadata" / "1.root.json")
    assert {key["algorithm"] for key in facts["keys"]} == {"ecdsa-p384"}


def test_structural_problems_are_listed_not_raised(bundle, tmp_path):
    document = json.loads((bundle.path / "metadata/root.json").read_bytes())
    document["signed"]["expires"] = "2030-01-01T00:00:00.5Z"
    loose = tmp_path / "root.json"
    loose.write_text(json.dumps(document))
    facts = inspect_file(loose)
    assert facts["problems"] == [
        f"{loose}: signed.expires is '2030-01-01T00:00:00.5Z', "
        "not a UTC time of the form YYYY-MM-DDTHH:MM:SSZ"
    ]
    assert facts["days_left"] is None
    assert render_lines(facts)[1] == "expires unreadable"


@pytest.mark.parametrize(
    "content, message",
    [
        (b"{not json", "not valid JSON: Expecting property name enclosed in double quotes"),
        (b'{"signed": {"_type": "snapshot"}, "signatures": []}', "not root or targets metadata"),
        (b'{"signed": {"_type": "root"}, "signed": {}, "signatures": []}', "appears twice"),
        (b" " * 5_000_001, "more than the 5,000,000 bytes"),
    ],
    ids=["not-json", "snapshot", "duplicate-field", "too-large"],
)
def test_bad_files_raise_a_bundle_error(tmp_path, content, message):
    path = tmp_path / "root.json"
    path.write_bytes(content)
    with pytest.raises(BundleError, match=message) as raised:
        inspect_file(path)
    assert raised.value.where == str(path)


def test_directory_without_metadata_is_refused(tmp_path):
    with pytest.raises(BundleError, match="no root metadata here"):
        inspect_file(tmp_path)


def test_text_shows_each_delegations_paths_and_whether_it_terminates(bundle, tmp_path):
    # witnesses check the paths and `terminating` by eye: the text must show both
    lines = render_lines(inspect_file(bundle.path / "metadata/targets.json"))
    at = lines.index("delegated paths (a client asks the delegations in this order)")
    assert lines[at + 1].split() == ["packages", "*", "terminating"]

    document = json.loads((bundle.path / "metadata/targets.json").read_text())
    role = document["signed"]["delegations"]["roles"][0]
    role["terminating"] = False
    role["paths"] = ["debian/*", "debian-security/*", "bad\x1bname"]
    loose = tmp_path / "targets.json"
    loose.write_text(json.dumps(document))
    lines = render_lines(inspect_file(loose))
    at = lines.index("delegated paths (a client asks the delegations in this order)")
    assert lines[at + 1] == (
        "  packages  debian/*, debian-security/*, bad\\x1bname  not terminating"
    )


def test_a_root_has_no_delegated_paths(bundle):
    assert not any(line.startswith("delegated paths") for line in render_lines(
        inspect_file(bundle.path)
    ))
