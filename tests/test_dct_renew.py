"""renew (DCT): an expired notary root renewed offline, accepted and followed for real.

notary-server refuses a root that has already expired, so the bootstrap's
root expires WINDOW seconds after it is made: it is published and a reader's
``notary list`` trusts it (caching it) while it is fresh. The renewal is
prepared as at a moment after that expiry (the ceremony's clock): ``ceremony
status`` exits 2, a rotation and a renew without the script's consent are
refused naming renew, and the renew ``ceremony next`` writes (it says
``current-root-expired: renew``)
signs version 2 with the same keys (the two roots differ in version, expiry
and signatures only), signs the server's targets.json again with its
targets key (a notary client will not publish over an expired one), and
warns into the transcript. Once the root has
really expired, a fresh ``notary list`` refuses it; the server accepts the
renewal; the reader, holding the expired root, follows to version 2 and
lists targets again after CI publishes a fresh one.
"""

from __future__ import annotations

import json
import shutil
import textwrap
import time
from datetime import UTC, datetime, timedelta

import pytest
import yaml
from dct_offline import run_script
from notary_server import cached_root_version, notary_cli, notary_server  # noqa: F401

from ceremony.cli import main
from ceremony.engine import run_ceremony
from ceremony.engine.preflight import preflight
from ceremony.lifecycle.status import judge
from ceremony.operator import Secret
from ceremony.rehearsal.operator import RehearsalOperator
from ceremony.script.load import load_script
from ceremony.verify import verify_bundle

pytestmark = pytest.mark.slow

WINDOW = timedelta(seconds=20)  # from the bootstrap to its root's expiry: publish and list
GUN = "registry.example.com/renew/app"
PASSPHRASES = {"root-a": "root passphrase for renew", "repo": "repository key passphrase"}
HEAD = """\
    format: 1
    flavor: dct
    rehearsal: true
    network: allowed
    output-media: any-device
"""


def write(folder, name, body):
    path = folder / f"{name}.yaml"
    path.write_text(textwrap.dedent(HEAD) + textwrap.dedent(body))
    return path


def publish(server, bundle):
    done = run_script("dct-publish", "--server", server.url, "--ca", str(server.ca_file),
                      "--rehearsal", "--json", str(bundle / "publish"))
    assert done.returncode in (0, 1), done.stdout + done.stderr
    return json.loads(done.stdout)


def failures(script, at):
    return [str(check) for check in preflight(load_script(script, now=at), now=at).failures]


def run(script, at):
    return list(run_ceremony(load_script(script, now=at), OPERATOR, clock=lambda: at))


class Keyholders(RehearsalOperator):
    """The rehearsal operator, typing known passphrases (CI opens the repository key)."""

    def secret(self, request):
        return Secret(PASSPHRASES[request.key]) if request.key in PASSPHRASES else \
            super().secret(request)


OPERATOR = Keyholders()


@pytest.fixture(scope="module")
def expired(notary_server, tmp_path_factory):  # noqa: F811
    folder = tmp_path_factory.mktemp("dct-renew")
    now = datetime.now(UTC).replace(microsecond=0)
    expires = now + WINDOW
    done = run_script("dct-fetch-keys", "--server", notary_server.url, "--ca",
                      str(notary_server.ca_file), "--out", str(folder / "server-keys"), GUN)
    assert done.returncode == 0, done.stderr
    script = write(folder, "v1", f"""\
        ceremony: bootstrap
        title: a root that will expire
        output: v1
        guns: [{GUN}]
        server-keys: server-keys
        keyholders: [{{name: a}}, {{name: ci}}]
        keys:
          - {{name: root-a, holder: a, algorithm: ecdsa-p256}}
          - {{name: repo, holder: ci, algorithm: ecdsa-p256}}
        roles:
          root: {{keys: [root-a], threshold: 1, expires: {expires:%Y-%m-%dT%H:%M:%SZ}}}
          targets: {{keys: [repo], expires: {expires:%Y-%m-%dT%H:%M:%SZ}}}
        spare-keys: none
        accept-risk: every root key must sign (a test root)
        """)
    run(script, now)
    assert [(r["gun"], r["accepted"]) for r in publish(notary_server, folder / "v1")] == [
        (GUN, True)], f"the root expired before it was published: a machine slower than {WINDOW}"
    reader = notary_cli(notary_server, folder / "reader" / "trust")
    reader.run("list", GUN)  # trust on first use, while the root is fresh
    assert cached_root_version(reader.trust_dir, GUN) == 1
    done = run_script("dct-fetch-keys", "--server", notary_server.url, "--ca",
                      str(notary_server.ca_file), "--state", "--out", str(folder / "v1-state"), GUN)
    assert done.returncode == 0, done.stderr
    return folder, reader, expires


def test_an_expired_dct_root_is_renewed_accepted_and_followed(expired, notary_server, capsys):  # noqa: F811
    folder, reader, expires = expired
    at = expires + timedelta(seconds=1)  # the renewal's clock: just after the expiry
    v1 = folder / "v1"
    assert main(["status", str(v1), "--at", at.isoformat()]) == 2
    assert main(["status", str(reader.trust_dir), "--at", at.isoformat()]) == 2
    capsys.readouterr()

    # every kind but a consenting renew refuses it, naming renew
    rotate = write(folder, "rotate", """\
        ceremony: rotate-root
        title: rotate an expired root
        current: v1
        output: never
        sign-with: [root-a]
        keyholders: [{name: a}]
        roles:
          root: {keys: [root-a], threshold: 1, expires: 1y}
        spare-keys: none
        accept-risk: every root key must sign (a test root)
        """)
    renew = write(folder, "renew-unsaid", """\
        ceremony: renew
        title: renew without saying the root expired
        current: v1
        output: never2
        sign-with: [root-a]
        root-expires: 1y
        """)
    for script in (rotate, renew):
        (problem,) = [f for f in failures(script, at) if "current bundle" in f]
        assert "has expired" in problem and "current-root-expired: renew" in problem
        assert f"ceremony next {v1} --kind renew" in problem

    # the renewal, as `ceremony next` writes it from the expired bundle
    script = folder / "v2.yaml"
    assert main(["next", str(v1), "--kind", "renew", "--at", at.isoformat(),
                 "-o", str(script)]) == 0
    written = yaml.safe_load(script.read_text())
    assert {k: written[k] for k in ("sign-with", "current-root-expired", "published")} == {
        "sign-with": ["root-a"], "current-root-expired": "renew", "published": "v1-state"}
    assert (written["root-expires"], written["targets-expires"]) == ("10y", "3y")  # were dates
    run(script, at)
    v2 = folder / "v1-renew"
    report = verify_bundle(v2, at=at)
    assert report.ok, report.lines()
    transcript = (v2 / "transcript.jsonl").read_text()
    assert "RENEWING AN EXPIRED ROOT" in transcript and "HAVE EXPIRED" in transcript
    old = json.loads((v1 / "metadata" / GUN / "root.json").read_bytes())
    new = json.loads((v2 / "metadata" / GUN / "root.json").read_bytes())
    changed = {k for k in old["signed"] if old["signed"][k] != new["signed"][k]}
    assert changed == {"version", "expires"} and new["signed"]["version"] == 2
    assert datetime.fromisoformat(new["signed"]["expires"]) >= at + timedelta(days=3650)
    assert [s["keyid"] for s in new["signatures"]] == old["signed"]["roles"]["root"]["keyids"]
    assert sorted(p.name for p in (v2 / "publish" / GUN).iterdir()) == [
        "root.json", "targets.json"]
    targets = json.loads((v2 / "metadata" / GUN / "targets.json").read_bytes())["signed"]
    assert targets["version"] == 2

    # once the root has really expired: a new client refuses it, the server takes the renewal
    time.sleep(max(0.0, (at - datetime.now(UTC)).total_seconds()))
    fresh = notary_cli(notary_server, folder / "fresh" / "trust")
    refused = fresh.run("list", GUN, check=False)
    assert refused.returncode != 0 and "expired" in (refused.stdout + refused.stderr).lower()
    assert [(r["gun"], r["accepted"]) for r in publish(notary_server, v2)] == [(GUN, True)]
    # CI publishes a fresh target; the reader, holding the expired root, follows and lists it
    index = json.loads((v1 / "keys" / "index.json").read_text())["keys"]
    ci = notary_cli(notary_server, folder / "ci" / "trust",
                    passphrase=PASSPHRASES["repo"])
    (ci.trust_dir / "private").mkdir(parents=True, mode=0o700)
    (keyid,) = [entry["keyid"] for entry in index.values() if "targets" in entry["roles"]]
    shutil.copy(v1 / "ci" / "trust" / "private" / f"{keyid}.key", ci.trust_dir / "private")
    artefact = folder / "after-renewal.bin"
    artefact.write_bytes(b"after renewal")
    ci.run("add", GUN, "after-renewal", str(artefact))
    ci.run("publish", GUN)
    assert "after-renewal" in reader.run("list", GUN).stdout
    assert cached_root_version(reader.trust_dir, GUN) == 2
    assert main(["status", str(v2)]) == 0 and main(["status", str(reader.trust_dir)]) == 0


def test_the_state_of_a_history_that_starts_at_version_2(notary_server, tmp_path):  # noqa: F811
    """A laptop that rotated its snapshot key before its first publish: the server
    keeps root versions from 2. dct-fetch-keys --state fetches what it has and checks
    it against the root the operator trusts."""
    gun = "registry.example.com/renew/from-two"
    laptop = notary_cli(notary_server, tmp_path / "laptop" / "trust")
    laptop.run("init", gun)
    laptop.run("key", "rotate", gun, "snapshot")
    laptop.run("publish", gun)
    assert notary_server.get(f"/v2/{gun}/_trust/tuf/1.root.json")[0] == 404

    def fetch(out, *extra):
        return run_script("dct-fetch-keys", "--server", notary_server.url, "--ca",
                          str(notary_server.ca_file), "--state", "--out", str(tmp_path / out),
                          *extra, gun)

    done = fetch("state")
    assert done.returncode == 0, done.stderr
    assert done.stdout == (f"{gun}: root version 2 (history 2-2) and targets.json fetched; the "
                           "server keeps no root before version 2: check it against the root "
                           "you trust (--trusted)\n")
    assert sorted(p.name for p in (tmp_path / "state" / gun).iterdir()) == [
        "2.root.json", "root.json", "targets.json"]
    # the laptop's trust dir is the root the operator trusts
    done = fetch("checked", "--trusted", str(laptop.trust_dir))
    assert done.returncode == 0, done.stderr
    assert done.stdout.endswith("; it holds the trusted root (version 2)\n")
    (status,) = [s for s in judge([tmp_path / "checked"]) if s.lifetime.role == "root"]
    assert (status.lifetime.scope, status.lifetime.version) == (gun, 2)
    # a root that is not the server's is refused, and nothing is written
    other = tmp_path / "other.json"
    cached = json.loads((laptop.trust_dir / "tuf" / gun / "metadata" / "root.json").read_bytes())
    cached["signed"]["expires"] = "2099-01-01T00:00:00Z"
    other.write_text(json.dumps(cached))
    done = fetch("refused", "--trusted", str(other))
    assert done.returncode == 1 and "is not the trusted one" in done.stdout
    assert not (tmp_path / "refused").exists()
    cached["signed"]["version"] = 1
    other.write_text(json.dumps(cached))
    done = fetch("refused", "--trusted", str(other))
    assert done.returncode == 1 and "keeps no root before version 2" in done.stdout
