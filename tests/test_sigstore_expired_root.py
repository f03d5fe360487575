"""An expired root is refused by ``ceremony verify`` and by the clients, side by side.

A root cannot be written already expired (the script's checks refuse an expiry
that is not in the future), so the bootstrap here runs on a clock set two years
back, with its trust material made for that day: every role has expired by
now. The same bundle is then judged by ``ceremony verify``, python-tuf's
ngclient and sigstore-python, over loopback HTTP, and all three refuse it;
neither client stores anything it was served. The renew ``ceremony next`` writes
(``current-root-expired: renew``, the trust windows of the bundle's
trusted_root.json) then signs root version 2 with the same keys and the
mirror again, and sigstore-python, bootstrapped with the expired root,
follows to it; the quarterly rotation ``next`` writes from it validates.
"""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime, timedelta

import pytest
import yaml
from sigstore.errors import TUFError
from sigstore.models import ClientTrustConfig
from tuf.api.exceptions import ExpiredMetadataError
from tuf.ngclient import Updater

from ceremony.cli import main
from ceremony.engine import run_ceremony
from ceremony.flavors.sigstore.standins import write_standins
from ceremony.lifecycle.status import exit_code, judge
from ceremony.rehearsal.operator import RehearsalOperator
from ceremony.script.load import load_script
from ceremony.verify import verify_bundle
from tests.sigstore_instance import PASS, served, sigstore_script

PAST = datetime.now(UTC).replace(microsecond=0) - timedelta(days=730)
OPERATOR = RehearsalOperator()  # keeps the passphrases it chose from ceremony to ceremony


@pytest.fixture(scope="module")
def expired(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sigstore-expired")
    write_standins(folder / "trust", PAST)
    script = sigstore_script(folder, "v1")
    with pytest.MonkeyPatch.context() as patch:
        for name, value in PASS.items():
            patch.setenv(name, value)
        plan = load_script(script, now=PAST)
        list(run_ceremony(plan, OPERATOR, clock=lambda: PAST))
    bundle = folder / "v1"
    assert verify_bundle(bundle, at=PAST + timedelta(days=1)).ok  # sound while it lasted
    return bundle


def test_an_expired_root_is_refused_by_verify_and_both_clients(expired, tmp_path, monkeypatch):
    lines = verify_bundle(expired).lines()
    assert any(line.startswith("metadata/1.root.json: expired ") for line in lines), lines
    assert any(
        line.startswith("mirror/timestamp.json: expired ") and "clients refuse it" in line
        for line in lines
    ), lines

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    root = expired / "client" / "root.json"
    ng = tmp_path / "ng"
    (ng / "targets").mkdir(parents=True)
    with served(expired / "mirror") as url:
        updater = Updater(
            str(ng), url, str(ng / "targets"), f"{url}/targets/", bootstrap=root.read_bytes()
        )
        with pytest.raises(ExpiredMetadataError, match="Final root.json is expired"):
            updater.refresh()
        with pytest.raises(TUFError, match="Failed to refresh TUF metadata") as refused:
            ClientTrustConfig.from_tuf(url, bootstrap_root=root)
    causes = []
    error: BaseException | None = refused.value
    while error is not None:
        causes.append(error)
        error = error.__cause__ or error.__context__
    assert any(isinstance(cause, ExpiredMetadataError) for cause in causes), causes
    assert not list((ng / "targets").iterdir())
    assert not list((tmp_path / "data").rglob("trusted_root.json"))


def test_a_renewed_expired_root_is_followed_by_sigstore_python(
    expired, tmp_path, monkeypatch, capsys
):
    """renew (Sigstore): the same keys, root version 2 with a new expiry, the mirror
    signed again under it; sigstore-python holding the expired root follows."""
    folder = expired.parent
    script = folder / "v2.yaml"
    now = datetime.now(UTC).replace(microsecond=0)
    assert main(["next", str(expired), "--kind", "renew", "-o", str(script)]) == 0
    written = yaml.safe_load(script.read_text())
    assert written["sign-with"] == ["root-a", "targets", "snapshot", "timestamp"]
    assert (written["current-root-expired"], written["root-expires"]) == ("renew", "1y")
    assert [written[f"{r}-expires"] for r in ("targets", "snapshot", "timestamp")] == [
        "180d", "180d", "7d"]
    assert set(written["passphrases"]) == set(written["sign-with"])
    # the Rekor log's window keeps its start (the bootstrap's day), not the renewal's
    assert written["trust"]["rekor"] == [{"url": "https://rekor.example.internal",
                                          "key": "trust/rekor.pub",
                                          "valid-from": f"{PAST:%Y-%m-%dT%H:%M:%SZ}"}]
    for name, value in PASS.items():
        monkeypatch.setenv(name, value)
    list(run_ceremony(load_script(script, now=now), OPERATOR, clock=lambda: now))
    renewed = folder / "v1-renew-v2"
    report = verify_bundle(renewed)
    assert report.ok, report.lines()
    assert "RENEWING AN EXPIRED ROOT" in (renewed / "transcript.jsonl").read_text()
    old = json.loads((expired / "metadata" / "1.root.json").read_bytes())["signed"]
    new = json.loads((renewed / "metadata" / "2.root.json").read_bytes())["signed"]
    assert {k for k in old if old[k] != new[k]} == {"version", "expires"}
    assert exit_code(judge([renewed])) == 0
    tlogs = [json.loads((bundle / "trusted_root.json").read_bytes())["tlogs"]
             for bundle in (expired, renewed)]
    assert tlogs[0] == tlogs[1]
    # status: the services' deadlines beside the roles (the chains' expiries; the logs
    # have no end), for the bundle and for its published mirror alike
    for path in (renewed, renewed / "mirror"):
        rows = {(s.lifetime.role, s.lifetime.scope): s for s in judge([path])}
        assert {"fulcio", "tsa"} <= {role for role, _ in rows}
        assert not {"rekor", "ctlog"} & {role for role, _ in rows}
    # a Rekor log whose window ends in 10 days is a deadline (status 1, in the calendar)
    # until a second log outlasts it (a planned handover)
    mirror = tmp_path / "mirror"
    shutil.copytree(renewed / "mirror", mirror)
    (document,) = mirror.glob("targets/*.trusted_root.json")
    trusted = json.loads(document.read_bytes())
    ends = f"{now + timedelta(days=10):%Y-%m-%dT%H:%M:%SZ}"
    trusted["tlogs"][0]["publicKey"]["validFor"]["end"] = ends
    document.write_text(json.dumps(trusted))
    (rekor,) = [s for s in judge([mirror]) if s.lifetime.role == "rekor"]
    assert (rekor.lifetime.scope, rekor.state) == ("https://rekor.example.internal", "renew")
    assert main(["status", str(mirror)]) == 1
    assert main(["calendar", str(mirror)]) == 0
    assert [line.split()[:4] for line in capsys.readouterr().out.splitlines()
            if "https://rekor.example.internal" in line and " expires " in line] == [
        [ends[:10], f"{ends[11:16]}Z", "expires", "https://rekor.example.internal"]]
    successor = json.loads(json.dumps(trusted["tlogs"][0]))
    del successor["publicKey"]["validFor"]["end"]
    trusted["tlogs"].append(successor)
    document.write_text(json.dumps(trusted))
    assert main(["status", str(mirror)]) == 0
    # the quarterly rotation from the renewed bundle: new online keys, and it validates
    assert main(["next", str(renewed), "--kind", "rotate-root", "-o",
                 str(folder / "rotate.yaml")]) == 0
    rotate = yaml.safe_load((folder / "rotate.yaml").read_text())
    assert [key["name"] for key in rotate["keys"]] == ["targets-2", "snapshot-2", "timestamp-2"]
    assert rotate["sign-with"] == ["root-a"] and set(rotate["passphrases"]) == {"root-a"}
    assert main(["validate", str(folder / "rotate.yaml")]) == 0

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    with served(renewed / "mirror") as url:
        config = ClientTrustConfig.from_tuf(url, bootstrap_root=expired / "client" / "root.json")
    assert config.trusted_root._inner.tlogs
    (cache,) = {p.parent for p in (tmp_path / "data").rglob("root.json")}
    assert [(s.lifetime.role, s.lifetime.version) for s in judge([cache])][0] == ("root", 2)
    # status of sigstore-python's own files: its TUF metadata (the data folder), and its
    # targets cache holding the trusted root it downloaded, or that file alone: the
    # services' deadlines (no metadata there: no version), with the usual exit codes
    (targets,) = {p.parent for p in (tmp_path / "cache").rglob("trusted_root.json")}
    lone = targets / "trusted_root.json"
    capsys.readouterr()
    assert main(["status", "--json", str(cache), str(targets), str(lone)]) == 0
    rows = json.loads(capsys.readouterr().out)["roles"]
    seen: dict[str, list[tuple[str, int | None]]] = {}
    for row in rows:
        seen.setdefault(row["path"], []).append((row["role"], row["version"]))
    seconds = int(now.timestamp())  # snapshot and timestamp: the online signer's rule
    assert seen[str(cache)] == [
        ("root", 2), ("targets", 2), ("snapshot", seconds), ("timestamp", seconds)]
    assert seen[str(targets)] == seen[str(lone)] == [("fulcio", None), ("tsa", None)]
    (fulcio,) = [s for s in judge([renewed]) if s.lifetime.role == "fulcio"]
    ends = fulcio.lifetime.expires
    assert [row["expires"] for row in rows if row["role"] == "fulcio"] == [
        f"{ends:%Y-%m-%dT%H:%M:%SZ}"] * 2
    assert main(["status", str(lone), "--at", f"{ends - timedelta(days=10):%Y-%m-%d}"]) == 1
    assert main(["status", str(targets), "--at", f"{ends:%Y-%m-%dT%H:%M:%SZ}"]) == 2
    shown = capsys.readouterr().out
    assert f"{targets}  https://fulcio.example.internal fulcio" in shown
    assert " -  " in shown and "EXPIRED" in shown  # no version; the expiry second itself
    (tmp_path / "nothing").mkdir()
    assert main(["status", str(tmp_path / "nothing")]) == 3
    assert ("nothing: no root metadata here (root.json or N.root.json). give a bundle, a "
            "published metadata folder or one metadata file, a client's TUF cache folder, "
            "or a Sigstore trusted_root.json or a folder holding one") in capsys.readouterr().err
