"""renew (TUF): the same keys, a new expiry, version N+1, even for a root that has expired.

A bootstrap is run sixty days in the past with a thirty-day root, so its
root has really expired; a rotation and a renew without the script's
consent are refused, naming renew; a renew that says
``current-root-expired: renew`` runs through the real engine, warns loudly
into the transcript, and python-tuf's ngclient, trusting the expired root,
updates to the renewed one. A client never stops at an expired final root.
The same bootstrap, run again with the clock reaching today only as the bundle
is read back for its staging verify (a ceremony that runs past a role's
expiry), is refused at the seal as an expiry, saying what to do, never as a
fault in the tool or the media. A renew whose root-expires comes before the
expiry of the targets.json it carries is refused by preflight: the root must
outlive every role it signs.
"""

from __future__ import annotations

import textwrap
from datetime import UTC, datetime, timedelta

import pytest
from bundle_factory import make_bundle
from tuf.api.exceptions import ExpiredMetadataError
from tuf.api.metadata import Metadata, MetaFile, Snapshot, Targets, Timestamp
from tuf_client import refresh_from_bundle

import ceremony.engine.run as engine_run
from ceremony.engine import run_ceremony
from ceremony.engine.preflight import preflight
from ceremony.errors import CeremonyError, MediaError
from ceremony.lifecycle.status import exit_code, judge
from ceremony.rehearsal.operator import RehearsalOperator
from ceremony.script.load import load_script
from ceremony.verify import verify_bundle
from hsm.algorithms import ALGORITHMS
from hsm.software import SoftwareKey

NOW = datetime.now(UTC).replace(microsecond=0)
PAST = NOW - timedelta(days=60)
HEAD = """\
    format: 1
    flavor: tuf
    rehearsal: true
    network: allowed
    output-media: any-device
"""


def write(folder, name, body):
    path = folder / name
    path.write_text(textwrap.dedent(HEAD) + textwrap.dedent(body))
    return path


def run(script, at):
    return list(run_ceremony(load_script(script, now=at), OPERATOR, clock=lambda: at))


OPERATOR = RehearsalOperator()  # keeps the passphrases it chose from ceremony to ceremony


@pytest.fixture(scope="module")
def expired(tmp_path_factory):
    folder = tmp_path_factory.mktemp("renew")
    online = {role: SoftwareKey.generate(ALGORITHMS["ed25519"]) for role in
              ("targets", "snapshot", "timestamp")}
    for role, key in online.items():
        (folder / f"{role}.pem").write_text(key.facts().public_pem)
    script = write(folder, "bootstrap.yaml", """\
        ceremony: bootstrap
        title: a root that will expire
        output: v1
        keyholders: [{name: a}, {name: b}]
        keys:
          - {name: root-a, holder: a, algorithm: ed25519}
          - {name: root-b, holder: b, algorithm: ecdsa-p256}
          - {name: targets, import: targets.pem}
          - {name: snapshot, import: snapshot.pem}
          - {name: timestamp, import: timestamp.pem}
        roles:
          root: {keys: [root-a, root-b], threshold: 2, expires: 30d}
          targets: {keys: [targets], threshold: 1, expires: 30d}
          snapshot: {keys: [snapshot], threshold: 1, expires: 7d}
          timestamp: {keys: [timestamp], threshold: 1, expires: 1d}
        spare-keys: none
        accept-risk: every root key must sign (a test root)
        """)
    run(script, PAST)
    return folder, online


def renew_script(folder, output, extra=""):
    return write(folder, f"{output}.yaml", f"""\
        ceremony: renew
        title: renew the expired root
        current: v1
        output: {output}
        sign-with: [root-a, root-b]
        root-expires: 1y
        """ + extra)


def failures(script):
    return [str(check) for check in preflight(load_script(script, now=NOW), now=NOW).failures]


def test_an_expired_root_is_refused_naming_renew(expired):
    folder, _ = expired
    rotate = write(folder, "rotate.yaml", """\
        ceremony: rotate-root
        title: rotate an expired root
        current: v1
        output: never
        sign-with: [root-a, root-b]
        roles:
          root: {keys: [root-a, root-b], threshold: 1, expires: 1y}
        """)
    for script in (rotate, renew_script(folder, "never2")):
        (problem,) = [f for f in failures(script) if "current bundle" in f]
        assert "has expired" in problem and "current-root-expired: renew" in problem
        assert "ceremony next" in problem


def test_a_bad_current_root_expired_value_is_named(expired, tmp_path):
    folder, _ = expired
    script = renew_script(folder, "never3", "current-root-expired: yes\n")
    with pytest.raises(CeremonyError, match="current-root-expired: renew"):
        load_script(script, now=NOW)


def test_an_expired_root_renewed_and_a_client_follows(expired, tmp_path):
    folder, online = expired
    events = run(renew_script(folder, "v2", "current-root-expired: renew\n"), NOW)
    assert any("RENEWING AN EXPIRED ROOT" in str(getattr(e, "message", "")) for e in events)
    bundle = folder / "v2"
    assert verify_bundle(bundle, at=NOW).ok
    old = Metadata.from_file(str(bundle / "metadata" / "1.root.json")).signed
    new = Metadata.from_file(str(bundle / "metadata" / "2.root.json")).signed
    assert old.is_expired(NOW) and not new.is_expired(NOW)
    assert new.version == 2 and new.expires.date() == (NOW + timedelta(days=365)).date()
    # the same keys and thresholds: only version and expiry changed
    assert {**new.to_dict(), "version": 1, "expires": old.to_dict()["expires"]} == old.to_dict()
    transcript = (bundle / "transcript.jsonl").read_text()
    assert "RENEWING AN EXPIRED ROOT" in transcript and "HAS EXPIRED" in transcript

    assert exit_code(judge([folder / "v1"], at=NOW)) == 2
    assert [(s.lifetime.version, s.state) for s in judge([bundle], at=NOW)][0] == (2, "fine")

    served = online_metadata(online)
    with pytest.raises(ExpiredMetadataError):  # the old bundle: an expired final root
        refresh_from_bundle(folder / "v1", tmp_path / "stale", served)
    assert refresh_from_bundle(bundle, tmp_path / "client", served) == 2


def online_metadata(keys):
    """targets, snapshot and timestamp as the online system signs them today."""
    expires = NOW + timedelta(days=1)
    targets = Metadata(Targets(version=1, expires=expires))
    snapshot = Metadata(Snapshot(version=1, expires=expires, meta={"targets.json": MetaFile(1)}))
    timestamp = Metadata(Timestamp(version=1, expires=expires, snapshot_meta=MetaFile(1)))
    served = {}
    for md, role, names in ((targets, "targets", ("1.targets.json", "targets.json")),
                            (snapshot, "snapshot", ("1.snapshot.json", "snapshot.json")),
                            (timestamp, "timestamp", ("timestamp.json",))):
        md.sign(keys[role])
        for name in names:
            served[name] = md.to_bytes()
    return served



def test_next_writes_the_renewal_of_an_expired_root(expired):
    from ceremony.cli import main

    folder, _ = expired
    script = folder / "next-renew.yaml"
    assert main(["next", str(folder / "v1"), "--kind", "renew", "-o", str(script)]) == 0
    text = script.read_text()
    assert "THE CURRENT ROOT HAS EXPIRED" in text and "current-root-expired: renew" in text
    run(script, NOW)
    bundle = folder / "v1-renew-v2"
    assert verify_bundle(bundle, at=NOW).ok
    old, new = (Metadata.from_file(str(bundle / "metadata" / f"{v}.root.json")).signed.to_dict()
                for v in (1, 2))
    assert {name for name in new if new[name] != old[name]} == {"version", "expires"}
    assert new["expires"] == (NOW + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_next_rotation_of_an_expired_root_names_renew(expired, capsys):
    from ceremony.cli import main

    folder, _ = expired
    script = folder / "next-rotate.yaml"
    assert main(["next", str(folder / "v1"), "--kind", "rotate-root", "-o", str(script)]) == 3
    err = capsys.readouterr().err
    assert "has expired" in err and "--kind renew" in err and not script.exists()


def test_a_root_expired_by_the_seal_is_refused_as_an_expiry(expired, monkeypatch):
    folder, _ = expired
    script = folder / "late.yaml"
    script.write_text((folder / "bootstrap.yaml").read_text().replace("output: v1\n",
                                                                      "output: late\n"))
    now = [PAST]
    read_bundle = engine_run.read_bundle

    def read_back_today(*args, **kwargs):
        now[0] = NOW  # the seal's verify runs today: the thirty-day root has expired
        return read_bundle(*args, **kwargs)

    monkeypatch.setattr(engine_run, "read_bundle", read_back_today)
    with pytest.raises(CeremonyError) as raised:
        list(run_ceremony(load_script(script, now=PAST), OPERATOR, clock=lambda: now[0]))
    assert not isinstance(raised.value, MediaError)
    text = str(raised.value)
    assert "the bundle would not pass `ceremony verify`" in text
    assert "metadata/1.root.json: expired " in text and "fault in the tool" not in text
    assert ("nothing was sealed; its expiry had passed by the seal: check this machine's "
            "clock, then run the ceremony again with a later expiry in the script") in text
    assert not (folder / "late").exists()


def test_a_renewed_root_must_outlive_the_targets_it_carries(tmp_path):
    make_bundle(tmp_path / "current", versions=1)  # targets.json expires with the root, 365d
    short = write(tmp_path, "short.yaml", """\
        ceremony: renew
        title: renew for less than the targets it carries
        current: current
        output: never
        sign-with: [root-1, root-2]
        root-expires: 30d
        """)
    (problem,) = failures(short)
    assert "check='root-expires'" in problem
    assert "the root would expire at " in problem
    assert "before targets.json version 1, which is carried as it is" in problem
    assert "the root must outlive every role it signs" in problem
    assert "or targets-expires one no later than the root's" in problem
    body = short.read_text()
    for later in (body.replace("30d", "400d"), body + "targets-expires: 20d\n"):
        short.write_text(later)
        assert not [f for f in failures(short) if "expire" in f]
