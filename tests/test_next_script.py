"""``ceremony next`` round trips, and ``policy:`` shared by next and status.

From a real bootstrap whose script has a ``policy:`` (quarterly rotation of
the timestamp and snapshot keys), ``ceremony next --kind rotate-root``
writes a script that validates and runs through the real engine; the roots
before and after differ only in the intended ways (asserted as a diff).
``ceremony status`` reads the same policy's renewal margin from the bundle.
"""

from __future__ import annotations

import shutil
import textwrap
from datetime import UTC, datetime, timedelta

import pytest
import yaml
from tuf.api.metadata import Metadata

from ceremony.cli import main
from ceremony.engine import run_ceremony
from ceremony.engine.preflight import preflight
from ceremony.errors import CeremonyError
from ceremony.lifecycle.status import judge
from ceremony.rehearsal.operator import RehearsalOperator
from ceremony.script.load import load_script, load_script_text
from ceremony.verify import verify_bundle

NOW = datetime.now(UTC).replace(microsecond=0)
OPERATOR = RehearsalOperator()
BOOTSTRAP = """\
format: 1
ceremony: bootstrap
flavor: tuf
title: policy bootstrap
rehearsal: true
network: allowed
output-media: any-device
output: v1
keyholders: [{name: a}, {name: b}]
keys:
  - {name: root-a, holder: a, algorithm: ed25519}
  - {name: root-b, holder: b, algorithm: ecdsa-p256}
  - {name: targets-1, algorithm: ed25519}
  - {name: snapshot-1, algorithm: ed25519}
  - {name: timestamp-1, algorithm: ecdsa-p256}
roles:
  root: {keys: [root-a, root-b], threshold: 2, expires: 1y}
  targets: {keys: [targets-1], threshold: 1, expires: 1y}
  snapshot: {keys: [snapshot-1], threshold: 1, expires: 30d}
  timestamp: {keys: [timestamp-1], threshold: 1, expires: 7d}
spare-keys: none
accept-risk: every root key must sign (a test root)
policy:
  renewal-margin: 45d
  critical-margin: 10d
  rotation: {timestamp: 90d, snapshot: 90d}
"""


def roots(bundle):
    return [Metadata.from_file(str(path)).signed.to_dict()
            for path in sorted((bundle / "metadata").glob("[0-9]*.root.json"))]


@pytest.fixture(scope="module")
def bootstrapped(tmp_path_factory, policy_bootstrap):
    """BOOTSTRAP's v1, run at NOW by OPERATOR (the session's, conftest.py): our copy."""
    folder = tmp_path_factory.mktemp("next")
    shutil.copytree(policy_bootstrap, folder, symlinks=True, dirs_exist_ok=True)
    return folder


def test_status_takes_the_bundles_policy(bootstrapped):
    at = NOW + timedelta(days=330)  # 35 days left: fine by default, inside the policy's 45
    (root, *_) = judge([bootstrapped / "v1"], at=at)
    assert root.state == "renew" and root.renew_by == root.lifetime.expires - timedelta(days=45)
    assert main(["status", str(bootstrapped / "v1"), "--at", at.isoformat()]) == 1
    assert main(["status", str(bootstrapped / "v1"), "--at", at.isoformat(),
                 "--margin", "30"]) == 0


def test_a_quarterly_rotation_round_trip(bootstrapped, capsys):
    script = bootstrapped / "rotate.yaml"
    assert main(["next", str(bootstrapped / "v1"), "--kind", "rotate-root",
                 "-o", str(script)]) == 0
    written = yaml.safe_load(script.read_text())
    assert written["roles"]["timestamp"] == {"keys": ["timestamp-2"], "threshold": 1,
                                             "expires": "7d"}
    assert written["roles"]["root"] == {"keys": ["root-a", "root-b"], "threshold": 2,
                                        "expires": "1y"}
    assert "targets" not in written["roles"]  # the policy rotates timestamp and snapshot only
    assert written["policy"]["rotation"] == {"timestamp": "90d", "snapshot": "90d"}
    assert main(["validate", str(script)]) == 0
    quarter = NOW + timedelta(days=90)  # the quarterly ceremony
    list(run_ceremony(load_script(script, now=quarter), OPERATOR, clock=lambda: quarter))
    out = bootstrapped / "v1-rotate-root-v2"
    assert verify_bundle(out, at=quarter).ok
    old, new = roots(out)
    assert new["expires"] == (quarter + timedelta(days=365)).strftime("%Y-%m-%dT%H:%M:%SZ")
    changed = {name for name in new if new[name] != old[name]}
    assert changed == {"version", "expires", "keys", "roles"}
    assert new["version"] == 2
    for role in ("root", "targets"):
        assert new["roles"][role] == old["roles"][role]
    for role in ("snapshot", "timestamp"):
        (was,), (now,) = old["roles"][role]["keyids"], new["roles"][role]["keyids"]
        assert was != now and new["roles"][role]["threshold"] == 1
        assert was not in new["keys"] and now not in old["keys"]
    kept = {k for r in ("root", "targets") for k in old["roles"][r]["keyids"]}
    assert {k: new["keys"][k] for k in kept} == {k: old["keys"][k] for k in kept}
    assert len(new["keys"]) == len(old["keys"])


def test_replace_names_roles_or_keys_and_refuses_root_keys(bootstrapped, capsys):
    script = bootstrapped / "targets.yaml"
    assert main(["next", str(bootstrapped / "v1"), "--kind", "rotate-root",
                 "--replace", "targets-1", "-o", str(script)]) == 0
    written = yaml.safe_load(script.read_text())
    assert written["keys"] == [{"name": "targets-2", "algorithm": "ed25519"}]
    assert set(written["roles"]) == {"root", "targets"}
    assert main(["next", str(bootstrapped / "v1"), "--kind", "rotate-root",
                 "--replace", "root-a", "-o", str(bootstrapped / "x.yaml")]) == 3
    assert "root key" in capsys.readouterr().err and not (bootstrapped / "x.yaml").exists()
    assert main(["next", str(bootstrapped / "v1"), "--kind", "renew",
                 "-o", str(script)]) == 3  # never over an existing file
    assert "already there" in capsys.readouterr().err
    assert main(["next", str(bootstrapped / "v1"), "--kind", "renew", "--guns", "a/b",
                 "-o", str(bootstrapped / "x.yaml")]) == 3  # GUNs are DCT's
    assert "--guns picks GUNs of a Docker Content Trust bundle" in capsys.readouterr().err


def test_a_bad_policy_is_named_with_its_line():
    text = BOOTSTRAP.replace("critical-margin: 10d", "critical-margin: soon")
    with pytest.raises(CeremonyError, match=r"<script>:\d+: policy.critical-margin"):
        load_script_text(textwrap.dedent(text), now=NOW)
    text = BOOTSTRAP.replace("critical-margin: 10d", "critical-margin: 60d")
    with pytest.raises(CeremonyError, match="critical margin is longer"):
        load_script_text(text, now=NOW)


def test_a_renew_whose_root_would_end_before_the_targets_renews_the_targets_too(bootstrapped):
    """A renew at a time when the root's period ends before the targets.json carried
    (targets 1y from NOW, the root 1y from ten days earlier): `next` renews targets
    too, within the root's period and with its key, and preflight passes the script,
    which refuses a root that expires before the targets it carries."""
    at = (NOW - timedelta(days=10)).replace(hour=0, minute=0, second=0)
    script = bootstrapped / "renew-early.yaml"
    assert main(["next", str(bootstrapped / "v1"), "--kind", "renew", "--at",
                 f"{at:%Y-%m-%d}", "-o", str(script)]) == 0
    written = yaml.safe_load(script.read_text())
    assert written["root-expires"] == "1y" and written["targets-expires"] == "1y"
    assert "targets-1" in written["sign-with"]
    assert not [str(c) for c in preflight(load_script(script, now=at), now=at).failures]
