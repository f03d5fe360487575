"""With an online mirror signer, clients take a later ceremony's snapshot and timestamp.

The server re-signs timestamp at its own version + 1 between ceremonies; a
later ceremony signs snapshot and timestamp at its time in seconds since the
epoch (at least the bundle's + 1), above anything the server reached, so a
python-tuf client that followed the server takes the ceremony's mirror and
the new trusted root. A bundle whose timestamp has expired (normal with an
online signer) is built on; an expired root still needs a renew. Leaving for
an offline signer, a ceremony still signs above a bundle that was served
online (by its script or its expiries), and builds on it with its timestamp
expired (the ceremony signs it again); from a bundle made offline the
versions are its + 1, and its expired timestamp needs a renew. The run's
Sigstore bootstrap (``sigstore_v1``: timestamp 7 days, no ``mirror-signer:``,
so online by its expiries), a copy per test.
"""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from securesystemslib.signer import CryptoSigner
from session_cache import copy_of
from softhsm_support import MODULE, USER_PIN, softhsm
from tuf.api.metadata import Metadata, Timestamp
from tuf.api.serialization.json import JSONSerializer
from tuf.ngclient import Updater
from witness import WITNESS, witnessed

from ceremony.cli import main
from ceremony.cli.operator import HeadlessOperator
from ceremony.engine import run_ceremony
from ceremony.engine.preflight import preflight
from ceremony.errors import CeremonyError
from ceremony.flavor import flavor_named
from ceremony.flavors.sigstore.standins import write_standins
from ceremony.script.load import load_script
from hsm import age
from tests.sigstore_instance import (
    PASS,
    TRUST,
    served,
    sigstore_script,
    update_trust_script,
)

NOW = datetime.now(UTC).replace(microsecond=0)
OLD_REKOR = "    - {url: https://rekor.example.internal, key: trust/rekor.pub}\n"
NEW_REKOR = (
    f"    - {{url: https://rekor.example.internal, key: trust/rekor.pub, "
    f"valid-from: {NOW - timedelta(days=1):%Y-%m-%d}}}\n"
    "    - {url: https://rekor2.example.internal, key: trust/rekor2.pub}\n"
)


@pytest.fixture
def room(sigstore_v1, tmp_path, monkeypatch) -> Path:
    """A copy of the bootstrap, a second Rekor key beside its trust material."""
    folder = copy_of(sigstore_v1, tmp_path / "room")
    key = ec.generate_private_key(ec.SECP256R1()).public_key()
    (folder / "trust" / "rekor2.pub").write_bytes(key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    for name, value in PASS.items():
        monkeypatch.setenv(name, value)
    return folder


def update_trust(folder: Path, output: str, trust: str = TRUST) -> Path:
    assert OLD_REKOR in trust
    return update_trust_script(folder, "v1", output, trust.replace(OLD_REKOR, NEW_REKOR))


def run(script: Path, at: datetime) -> None:
    """``ceremony run --yes`` (passphrases from PASS, a witness named) on a clock at ``at``."""
    answers = script.with_suffix(".answers.yaml")
    answers.write_text(f"witness: {WITNESS}\n")
    operator = HeadlessOperator(answers_file=answers, yes=True, interactive=False)
    list(run_ceremony(load_script(script, now=at), operator, clock=lambda: at))


def versions(bundle: Path) -> tuple[int, int, int]:
    """The mirror's snapshot version, and its timestamp's version and snapshot meta."""
    timestamp = json.loads((bundle / "mirror" / "timestamp.json").read_bytes())["signed"]
    (snapshot,) = (bundle / "mirror").glob("*.snapshot.json")
    version = json.loads(snapshot.read_bytes())["signed"]["version"]
    assert snapshot.name == f"{version}.snapshot.json"
    return version, timestamp["version"], timestamp["meta"]["snapshot.json"]["version"]


def resign_timestamp(bundle: Path, www: Path) -> int:
    """The server's re-signing: the served timestamp at its version + 1, signed with
    the bundle's own timestamp key (its encrypted file, as mirror-signer/ exports it)."""
    pem = age.decrypt_with_passphrase(  # not pyrage: under load it refuses scrypt's work
        (bundle / "keys" / "online" / "timestamp.age").read_bytes(), PASS["SIG_ONLINE"])
    md = Metadata[Timestamp].from_file(str(www / "timestamp.json"))
    md.signed.version += 1
    md.signed.expires = NOW + timedelta(days=7)
    md.signatures.clear()
    md.sign(CryptoSigner(serialization.load_pem_private_key(pem, None)))
    (www / "timestamp.json").write_bytes(md.to_bytes(JSONSerializer(compact=False)))
    return md.signed.version


def client(folder: Path, url: str, root: bytes | None) -> Updater:
    (folder / "targets").mkdir(parents=True, exist_ok=True)
    return Updater(str(folder), url, str(folder / "targets"), f"{url}/targets/", bootstrap=root)


def rekor_urls(updater: Updater) -> list[str]:
    info = updater.get_targetinfo("trusted_root.json")
    assert info is not None
    document = json.loads(Path(updater.download_target(info)).read_bytes())
    return [tlog["baseUrl"] for tlog in document["tlogs"]]


def test_a_client_that_followed_the_server_takes_the_update(room, tmp_path):
    """Timestamp versions 2 and 3 from the server, then the update-trust's mirror:
    refused before (New timestamp version 2 must be >= 3), taken now."""
    www, ng = tmp_path / "www", tmp_path / "ng"
    shutil.copytree(room / "v1" / "mirror", www)
    root = (room / "v1" / "client" / "root.json").read_bytes()
    with served(www) as url:
        client(ng, url, root).refresh()
        for served_version in (2, 3):
            assert resign_timestamp(room / "v1", www) == served_version
            updater = client(ng, url, None)
            updater.refresh()
            assert updater._trusted_set.timestamp.version == served_version
        run(update_trust(room, "v2"), NOW)
        seconds = int(NOW.timestamp())
        assert versions(room / "v2") == (seconds, seconds, seconds)
        shutil.rmtree(www)
        shutil.copytree(room / "v2" / "mirror", www)
        updater = client(ng, url, None)
        updater.refresh()
        assert updater._trusted_set.timestamp.version == seconds
        assert updater._trusted_set.targets.version == 2
        assert rekor_urls(updater) == [
            "https://rekor.example.internal", "https://rekor2.example.internal"]


def test_an_update_trust_after_the_timestamp_expired_is_taken(room, tmp_path):
    """8 days after the bootstrap its 7-day timestamp has expired: preflight says the
    ceremony signs it again, and a client of the bootstrap takes the new mirror."""
    at = NOW + timedelta(days=8)
    script = update_trust(room, "v2")
    result = preflight(load_script(script, now=at), now=at)
    assert not result.failures, [str(c) for c in result.failures]
    (line,) = [c.detail for c in result.checks if c.check == "current timestamp"]
    assert line.startswith("the bundle's timestamp expired at ")
    assert line.endswith("; the online signer re-signs it, and this ceremony signs it again")
    assert not [c for c in result.checks if c.check == "current snapshot"]  # 180 days
    # no mirror-signer: online by the expiries, and no mirror-signer/ written: said so
    (line,) = [c.detail for c in result.checks if c.check == "mirror-signer timestamp"]
    assert line.endswith(": online, as its expiry implies (no mirror-signer:); its key is "
                         "stored encrypted (keys/online/), but no mirror-signer/ is written for "
                         "the server: write mirror-signer: online for one; a server must "
                         "re-sign timestamp before then, or clients stop updating"), line
    run(script, at)
    assert not (room / "v2" / "mirror-signer").exists()
    seconds = int(at.timestamp())
    assert versions(room / "v2") == (seconds, seconds, seconds)
    # `ceremony next` writes the quarterly rotation from that bundle too
    rotation = room / "rotate.yaml"
    assert main(["next", str(room / "v1"), "--kind", "rotate-root", "--at",
                 f"{at:%Y-%m-%d}", "-o", str(rotation)]) == 0
    assert "HAS EXPIRED" not in rotation.read_text()
    with served(room / "v2" / "mirror") as url:
        updater = client(tmp_path / "ng", url, (room / "v1" / "client" / "root.json").read_bytes())
        updater.refresh()
        assert "https://rekor2.example.internal" in rekor_urls(updater)


def offline_update_trust(folder: Path, current: str, output: str) -> Path:
    """An update-trust with mirror-signer: offline (its expiries 100 days and more)."""
    offline = TRUST.replace("trust:\n", "trust:\n  mirror-signer: offline\n")
    script = update_trust(folder, output, offline)
    script.write_text(script.read_text()
                      .replace("current: v1\n", f"current: {current}\n")
                      .replace("snapshot-expires: 30d", "snapshot-expires: 120d")
                      .replace("timestamp-expires: 7d", "timestamp-expires: 100d")
                      .replace("targets-expires: 90d", "targets-expires: 150d"))
    return script


def test_leaving_an_implied_online_signer_signs_above_the_server(room, tmp_path):
    """The bootstrap said no mirror-signer:, but its 7-day timestamp implied an online
    signer (and it has no mirror-signer/): a server may have re-signed it, here at 2
    and 3. An update-trust with mirror-signer: offline signs above by its clock (at the
    bundle's + 1 the client refused it: New timestamp version 2 must be >= 3), and a
    client that followed the server takes it, 8 days on (the bundle's timestamp expired,
    which the server re-signed and the ceremony signs again); from that offline bundle
    the next offline ceremony signs at its versions + 1, and once its own timestamp
    has expired it is refused: no server refreshed it."""
    www, ng = tmp_path / "www", tmp_path / "ng"
    assert not (room / "v1" / "mirror-signer").exists()
    shutil.copytree(room / "v1" / "mirror", www)
    with served(www) as url:
        client(ng, url, (room / "v1" / "client" / "root.json").read_bytes()).refresh()
        for served_version in (2, 3):
            assert resign_timestamp(room / "v1", www) == served_version
            client(ng, url, None).refresh()
    at = NOW + timedelta(days=8)
    script = offline_update_trust(room, "v1", "v2")
    result = preflight(load_script(script, now=at), now=at)
    assert not result.failures, [str(c) for c in result.failures]
    (line,) = [c.detail for c in result.checks if c.check == "current timestamp"]
    assert line.endswith("; the online signer that served the bundle re-signs it, and this "
                         "ceremony signs it again"), line
    run(script, at)
    seconds = int(at.timestamp())
    assert versions(room / "v2") == (seconds, seconds, seconds)
    shutil.rmtree(www)
    shutil.copytree(room / "v2" / "mirror", www)
    with served(www) as url:
        updater = client(ng, url, None)
        updater.refresh()
        assert updater._trusted_set.timestamp.version == seconds
    later = at + timedelta(days=1)
    run(offline_update_trust(room, "v2", "v3"), later)
    assert versions(room / "v3") == (seconds + 1, seconds + 1, seconds + 1)
    # an expired timestamp is the offline bundle's fault: no server refreshed it
    late = at + timedelta(days=102)
    script = offline_update_trust(room, "v3", "v4")
    failures = [str(c) for c in preflight(load_script(script, now=late), now=late).failures]
    assert any("the current bundle has expired: mirror/timestamp.json: expired " in line
               and "renew it first" in line for line in failures), failures


def test_an_expired_root_still_needs_a_renew(room):
    online = TRUST.replace("trust:\n", "trust:\n  mirror-signer: online\n")
    at = NOW + timedelta(days=400)  # the root's year is over
    failures = [c for c in preflight(load_script(update_trust(room, "v2", online), now=at),
                                     now=at).failures if c.check == "current bundle"]
    (line,) = [c.detail for c in failures]
    assert ": the current bundle has expired: metadata/1.root.json: expired " in line
    assert "mirror/timestamp.json" not in line  # the online signer's; the root is not
    assert "renew it first" in line and "--kind renew" in line


def test_a_sitting_reads_a_bundle_whose_timestamp_expired_between_sittings(room):
    """A keyholder's sitting 8 days after the bootstrap: its 7-day timestamp has
    expired, which the seal signs again; its root has not, and is still refused."""
    adapter = flavor_named("sigstore").sittings()
    state = adapter.read_current(room / "v1", NOW + timedelta(days=8))
    assert adapter.base(state)["root version"] == 1
    with pytest.raises(CeremonyError, match="the current bundle has expired: metadata/1.root"):
        adapter.read_current(room / "v1", NOW + timedelta(days=400))


def test_the_current_bundles_timestamp_key_on_a_token_is_refused_online(tmp_path, capsys):
    """A bootstrap (no mirror-signer:) made the timestamp key on a token; an update-trust
    saying mirror-signer: online passed validate, and its mirror-signer/ would leave
    that key out (only keys in files are exported), so the server had nothing to
    re-sign with. Refused as a key made on a token is: one check for both."""
    softhsm()  # every token made before anything loads the module
    write_standins(tmp_path / "trust", NOW)
    on_token = (f"{{name: timestamp, holder: ops, algorithm: ecdsa-p256, backend: pkcs11, "
                f"module: {MODULE}, token-label: ceremony-main, object-label: ts-{tmp_path.name}}}")
    bootstrap = sigstore_script(tmp_path, "v1")
    bootstrap.write_text(
        bootstrap.read_text()
        .replace("flavor: sigstore\n", "flavor: sigstore\nrehearsal: true\n")
        .replace("{name: timestamp, holder: ops, algorithm: ecdsa-p256}", on_token)
        .replace("  timestamp: {env: SIG_ONLINE}\n", "")
        .replace("passphrases:\n", "pins:\n  ceremony-main: {env: HSM_PIN}\npassphrases:\n"))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HSM_PIN", USER_PIN)
        for name, value in PASS.items():
            patch.setenv(name, value)
        assert main(witnessed(["run", str(bootstrap), "--yes"])) == 0
        online = TRUST.replace("trust:\n", "trust:\n  mirror-signer: online\n")
        script = update_trust_script(tmp_path, "v1", "v2", online)
        script.write_text(script.read_text()
                          .replace("flavor: sigstore\n", "flavor: sigstore\nrehearsal: true\n")
                          .replace("  timestamp: {env: SIG_ONLINE}\n", "")
                          .replace("passphrases:\n",
                                   "pins:\n  ceremony-main: {env: HSM_PIN}\npassphrases:\n"))
        capsys.readouterr()
        code = main(["validate", str(script)])
    output = "".join(capsys.readouterr())
    assert code != 0
    assert (
        "[FAIL] mirror-signer timestamp: the timestamp key timestamp is the current bundle's, "
        "kept on a token, where it stays, but mirror-signer is online: mirror-signer/ exports "
        "only keys kept in files, so the server could not re-sign timestamp and clients would "
        "stop updating when it expires; first give timestamp a key made in software (a "
        "rotate-root), or give snapshot and timestamp 90 days or more and write "
        "mirror-signer: offline"
    ) in output
    assert output.count("[FAIL]") == 1, output
