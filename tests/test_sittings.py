"""Signing in several sittings, each its own process with its own home and SoftHSM token dir.

A TUF root (root-a, root-b, root-c, threshold 2) is bootstrapped; a rotation
to root-a, root-d and root-e (threshold 3) is written as a signing request
and signed at three separate sittings: alice and carol together (root-a,
root-c: 2 of 3 old, and root-a is new too), dave with a key on his own
SoftHSM token, erin with a key file she made herself. Nothing passes between
the sittings but the media folders (the request, each keyholder's copy of
the current bundle, the signature files). The sealed bundle verifies, its
transcript is one chain holding every sitting's segment, and python-tuf's
ngclient trusting root version 1 updates to version 2. Every refusal the
issue lists is made with a clear message and seals nothing.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from online_repo import client, open_online_key, publish
from sittings_helpers import MAKE_KEY_FILE, ceremony, sitting
from softhsm_support import MODULE, USER_PIN, make_token

from ceremony.describe import grouped_lines
from ceremony.engine import utc_now
from ceremony.errors import CeremonyError
from ceremony.sittings.request_file import read_request, write_request
from ceremony.sittings.seal import seal_request

HEAD = "format: 1\nflavor: tuf\nrehearsal: true\nnetwork: allowed\noutput-media: any-device\n"
PASSPHRASES = {
    "PASS_A": "alice passphrase one", "PASS_B": "bob passphrase two",
    "PASS_C": "carol passphrase three", "PASS_E": "erin passphrase five",
    "PASS_T": "targets passphrase", "PASS_S": "snapshot passphrase",
    "PASS_TS": "timestamp passphrase", "DAVE_PIN": USER_PIN,
}

BOOTSTRAP = """\
ceremony: bootstrap
title: sittings bootstrap
output: media/1-boot
keyholders: [{name: alice}, {name: bob}, {name: carol}, {name: online}]
keys:
  - {name: root-a, holder: alice, algorithm: ed25519}
  - {name: root-b, holder: bob, algorithm: ed25519}
  - {name: root-c, holder: carol, algorithm: ecdsa-p256}
  - {name: targets, holder: online, algorithm: ed25519}
  - {name: snapshot, holder: online, algorithm: ed25519}
  - {name: timestamp, holder: online, algorithm: ed25519}
roles:  # the online keys (snapshot, timestamp) publish for the client below
  timestamp: {keys: [timestamp], threshold: 1, expires: 2d}
  snapshot: {keys: [snapshot], threshold: 1, expires: 20d}
  targets: {keys: [targets], threshold: 1, expires: 60d}
  root: {keys: [root-a, root-b, root-c], threshold: 2, expires: 1y}
passphrases:
  root-a: {env: PASS_A}
  root-b: {env: PASS_B}
  root-c: {env: PASS_C}
  targets: {env: PASS_T}
  snapshot: {env: PASS_S}
  timestamp: {env: PASS_TS}
"""

ROTATE = """\
ceremony: rotate-root
title: rotate the root in sittings
current: media/1-boot
output: media/2-rotate
request-expires: 7d
sign-with: [root-a, root-c]
keyholders: [{name: dave}, {name: erin}]
keys:
  - {name: root-d, holder: dave, import: media/root-d.pem}
  - {name: root-e, holder: erin, import: media/root-e.pem}
roles:
  root: {keys: [root-a, root-d, root-e], threshold: 3, expires: 1y}
spare-keys: none
accept-risk: every new root key must sign (a test root)
passphrases:
  root-a: {env: PASS_A}
  root-c: {env: PASS_C}
pins:
  dave-token: {env: DAVE_PIN}
"""

MAKE_DAVES_KEY = """\
import sys
from hsm.pkcs11 import open_token
token = open_token(sys.argv[1], label="dave-token")
token.login(sys.argv[2])
signer = token.generate_key("ecdsa-p256", "root-d")
print(signer.uri)
print(signer.facts().public_pem, end="")
"""

@pytest.fixture(scope="module")
def world(tmp_path_factory):
    top = tmp_path_factory.mktemp("sittings")
    media = top / "media"
    media.mkdir()
    coordinator = top / "coordinator"
    (top / "boot.yaml").write_text(HEAD + BOOTSTRAP)
    ceremony(coordinator, "run", "boot.yaml", "--yes", env=PASSPHRASES)
    boot = media / "1-boot"

    # dave makes his key on his own token, erin hers in a file: only public keys travel
    dave = top / "dave"
    dave_env = make_token(dave / "softhsm", "dave-token")
    made = sitting(dave, "-c", MAKE_DAVES_KEY, MODULE, USER_PIN, env=dave_env).stdout
    dave_uri, dave_pem = made.split("\n", 1)
    (media / "root-d.pem").write_text(dave_pem)
    erin = top / "erin"
    erin.mkdir()
    secrets = erin / "secrets.yaml"  # erin's passphrase: her own file, not the script's
    secrets.write_text(f"root-e: {PASSPHRASES['PASS_E']}\n")
    secrets.chmod(0o600)
    erin_pem = sitting(erin, "-c", MAKE_KEY_FILE, str(erin / "root-e.age"),
                       PASSPHRASES["PASS_E"]).stdout
    (media / "root-e.pem").write_text(erin_pem)

    (top / "rotate.yaml").write_text(HEAD + ROTATE)
    requested = ceremony(coordinator, "request", "rotate.yaml", "-o", "media/request")
    request = media / "request"

    copies = {}
    for who in ("alice", "dave", "erin"):  # each keyholder holds their own copy of the bundle
        copies[who] = top / who / "current"
        shutil.copytree(boot, copies[who])
    signed = {
        "alice": ceremony(top / "alice", "sign", "media/request", "--current",
                          str(copies["alice"]), "--key", "root-a", "--key", "root-c",
                          "--sitting", "alice and carol", "-o", "media/alice-carol.sig.json",
                          env=PASSPHRASES),
        "dave": ceremony(dave, "sign", "media/request", "--current", str(copies["dave"]),
                         "--key", f"root-d={dave_uri}", "-o", "media/dave.sig.json", "--qr",
                         env={**dave_env, "DAVE_PIN": USER_PIN}),
        "erin": ceremony(erin, "sign", "media/request", "--current", str(copies["erin"]),
                         "--key", f"root-e={erin / 'root-e.age'}", "--secrets", str(secrets),
                         "-o", "media/erin.sig.json"),
    }
    files = [media / "erin.sig.json", media / "alice-carol.sig.json", media / "dave.sig.json"]
    qr_codes = sorted(media.glob("dave.sig.json.qr-*.png"), reverse=True)  # any order
    return {"top": top, "media": media, "boot": boot, "request": request, "qr": qr_codes,
            "requested": requested, "signed": signed, "files": files}


@pytest.fixture(scope="module")
def sealed(world):
    top = world["top"]
    # dave's signatures come as QR codes only (PNG, read back with zbar)
    result = ceremony(top / "sealer", "seal", "media/request",
                      *[f"media/{f.name}" for f in [*world["files"][:2], *world["qr"]]],
                      "--current", "media/1-boot", "-o", "media/2-rotate")
    return world["media"] / "2-rotate", result


def test_request_shows_the_change_and_a_digest_to_read_aloud(world):
    out = world["requested"].stdout
    request = read_request(world["request"])
    assert "root version 1 -> 2" in out
    assert "root: keys added: root-d, root-e" in out
    assert "root: keys removed: root-b, root-c" in out
    assert "root: threshold 2 -> 3" in out
    digest = "\n  ".join(grouped_lines(request.digest))  # eight groups a line, to read aloud
    assert digest in out
    assert "█" in out  # the QR code
    assert [g.threshold for g in request.payloads[0].groups] == [2, 3]
    assert sorted((world["request"] / "payloads").iterdir())[0].name == "2.root.json"
    assert "PRIVATE" not in "".join(
        p.read_text() for p in world["request"].rglob("*") if p.is_file())
    # each keyholder saw the same digest before signing
    for result in world["signed"].values():
        assert digest in result.stdout
    inspected = ceremony(world["top"] / "coordinator", "inspect", "media/request").stdout
    assert max(map(len, inspected.splitlines())) <= 78, inspected  # no line wraps at 80x24
    script = grouped_lines(request.script_sha256)
    assert f"  script sha256 {script[0]}\n{' ' * 16}{script[1]}\n" in inspected
    assert "the new root (version 2): 3 of" in inspected
    assert "root-d (keyholder dave)" in inspected
    as_json = ceremony(world["top"] / "coordinator", "inspect", "media/request", "--json")
    assert json.loads(as_json.stdout)["base"]["root version"] == 1
    # a script signed in sittings is never run in one
    ran = ceremony(world["top"] / "coordinator", "run", "rotate.yaml", "--yes", ok=False)
    assert "rotate.yaml:10: request-expires: this script is signed in several sittings. write " \
        "its signing request with `ceremony request SCRIPT -o REQUEST`" in ran.stderr, ran.stderr
    assert not list(world["media"].glob("*2-rotate.abandoned*"))  # stopped before any step


def test_sealed_rotation_verifies_and_ngclient_follows_it(world, sealed):
    bundle, result = sealed
    assert "new 2.root.json: 3 signatures, threshold 3 (met)" in result.stdout
    assert "old 2.root.json: 2 signatures, threshold 2 (met)" in result.stdout
    ceremony(world["top"] / "verifier", "verify", "media/2-rotate")  # exit 0: it verifies
    root = json.loads((bundle / "metadata" / "2.root.json").read_text())
    assert len(root["signatures"]) == 4  # root-a, root-c, root-d, root-e
    # the transcript: the request's lines, then one line per sitting holding its segment
    lines = [json.loads(line) for line in (bundle / "transcript.jsonl").read_text().splitlines()]
    joined = [line for line in lines if line["event"] == "sitting-joined"]
    assert [j["sitting"] for j in joined] == ["root-e", "alice and carol", "root-d"]
    request = read_request(world["request"])
    assert lines[len(request.transcript)] == joined[0]  # right after the request's record
    for j in joined:
        assert json.loads(j["segment"][0])["prev"] == request.transcript_head
        assert json.loads(j["segment"][-1])["event"] == "sitting-finished"
    assert lines[-1]["event"] == "ceremony-finished"
    # the online side publishes; a client trusting root v1 updates to v2
    snapshot = open_online_key(bundle, "snapshot", PASSPHRASES["PASS_S"])
    timestamp = open_online_key(bundle, "timestamp", PASSPHRASES["PASS_TS"])
    repo = publish(bundle, world["top"] / "repo", snapshot, timestamp)
    updater = client(repo, (world["boot"] / "metadata" / "1.root.json").read_bytes(),
                     world["top"] / "client")
    updater.refresh()
    assert updater._trusted_set.root.version == 2  # noqa: SLF001 - what the client trusts


def refused(world, signature_paths, *, output="refused", clock=utc_now, request=None,
            current=None) -> str:
    folder = request or world["request"]
    out = world["media"] / output
    with pytest.raises(CeremonyError) as caught:
        list(seal_request(read_request(folder), folder, signature_paths, output=out,
                          current=current or world["boot"], clock=clock))
    assert not out.exists()
    assert not list(world["media"].glob(f".{output}*"))  # no staging left either
    return str(caught.value)


def tampered(world, name: str, change) -> Path:
    source = world["media"] / "erin.sig.json"
    document = json.loads(source.read_text())
    change(document)
    path = world["media"] / name
    path.write_text(json.dumps(document))
    return path


def test_refusals_seal_nothing(world, sealed):
    files = world["files"]
    media = world["media"]

    def bad_signature(document):
        sig = document["signatures"][0]["signature"]
        document["signatures"][0]["signature"] = ("0" if sig[0] != "0" else "1") + sig[1:]

    message = refused(world, [*files[1:], tampered(world, "bad.sig.json", bad_signature)])
    assert "the signature by root-e does not verify over the request's 2.root.json" in message

    def other_bytes(document):
        document["signatures"][0]["payload_sha256"] = "ab" * 32

    message = refused(world, [tampered(world, "other.sig.json", other_bytes)])
    assert "is over different bytes than the request's 2.root.json" in message

    request = read_request(world["request"])
    root_b = next(k for k in request.keys if k.name == "root-b")

    def uncounted(document):
        document["signatures"][0]["keyid"] = "f" * 64
        document["signatures"][0]["key"] = "stranger"

    message = refused(world, [tampered(world, "stranger.sig.json", uncounted)])
    assert "key stranger (ffffffff) is not one the request counts for 2.root.json" in message

    message = refused(world, [*files, files[0]])
    assert "key root-e signed 2.root.json in" in message
    assert "already: one key counts once" in message

    message = refused(world, [files[0], files[2]])
    assert "not sealed: 2.root.json has 0 of the 2 signatures the current root (version 1) " \
           "needs; still missing: root-a (alice), root-b (bob), root-c (carol)" in message
    assert "the new root (version 2) needs; still missing: root-a (alice)" in message
    assert root_b.holder == "bob"

    message = refused(world, files, clock=lambda: utc_now() + timedelta(days=8))
    assert "the signing request expired at" in message

    _, _ = sealed  # the rotation sealed: the request no longer extends the newest root
    message = refused(world, files, current=media / "2-rotate")
    assert "the request extends root sha256" in message
    assert "a newer request superseded it" in message

    # a second request from the same script: the first request's signatures are not its own
    second = media / "request-2"
    write_request(dataclasses.replace(request, ceremony_id=request.ceremony_id + "-again"), second)
    message = refused(world, files, request=second)
    assert "it is from another request, or the request was changed after it was signed" \
        in message

    # a request altered after signing: its payload, or its request.json
    altered = media / "request-altered"
    shutil.copytree(world["request"], altered)
    payload = altered / "payloads" / "2.root.json"
    payload.write_bytes(payload.read_bytes().replace(b'"threshold":3', b'"threshold":1'))
    with pytest.raises(CeremonyError, match="payloads/2.root.json is not the file request.json"):
        read_request(altered)
    shutil.rmtree(altered)
    shutil.copytree(world["request"], altered)
    document = json.loads((altered / "request.json").read_text())
    document["summary"].append("nothing else changes")
    (altered / "request.json").write_text(json.dumps(document, indent=2, sort_keys=True) + "\n")
    message = refused(world, files, request=altered)
    assert "the request was changed after it was signed" in message

    # a newer request kept beside it replaces it
    newer = media / "request-3"
    write_request(dataclasses.replace(request, ceremony_id=request.ceremony_id + "-3",
                                      replaces=request.digest), newer)
    message = refused(world, files)
    assert f"the request {newer} (written " in message and "replaces this one" in message
    shutil.rmtree(newer)
    shown = ceremony(world["top"] / "coordinator", "request", "rotate.yaml", "-o",
                     "media/request-4", "--replaces", "media/request-2").stdout
    replaced = read_request(second).digest
    assert read_request(media / "request-4").replaces == replaced
    first, second = grouped_lines(replaced)
    assert f"  replaces the request {first}\n{' ' * 23}{second}\n" in shown
    shutil.rmtree(media / "request-4")


def test_the_qr_route_carries_a_signature_file_in_several_codes(world, sealed):
    codes = world["qr"]
    assert len(codes) >= 2  # a short run of codes, not one dense one
    dave = (world["media"] / "dave.sig.json").read_bytes()
    from ceremony.sittings.qr_route import files_from_images

    [(_, data)] = files_from_images(codes)
    assert data == dave
    zbar = subprocess.run(["zbarimg", "--quiet", "--raw", str(codes[0])], capture_output=True,
                          text=True, check=True)
    assert zbar.stdout.startswith("ceremony-signature:1:")
    message = refused(world, [*world["files"][:2], codes[0]])
    assert "is missing QR code(s)" in message


def test_a_sitting_refuses_a_key_the_request_does_not_count_and_a_foreign_bundle(world, sealed):
    top = world["top"]
    result = ceremony(top / "mallory", "sign", "media/request", "--current", "media/1-boot",
                      "--key", "targets", "-o", "media/mallory.sig.json", env=PASSPHRASES,
                      ok=False)
    assert result.returncode != 0
    assert "the request counts no key named targets" in result.stderr
    assert "Traceback" not in result.stderr
    result = ceremony(top / "mallory", "sign", "media/request", "--current", "media/2-rotate",
                      "--key", "root-a", "-o", "media/mallory.sig.json", env=PASSPHRASES,
                      ok=False)
    assert "it does not extend the current state you hold" in result.stderr
    assert not (world["media"] / "mallory.sig.json").exists()


def test_rehearse_sittings_rotates_the_root_in_three_sittings(tmp_path, capsys):
    from ceremony.cli import main

    assert main(["rehearse", "--sittings", "--out", str(tmp_path / "r")]) == 0
    out = capsys.readouterr().out
    assert "== Sitting: alice and bob: wrote" in out
    assert "== Sitting: dave: wrote" in out
    assert "new 2.root.json: 2 signatures, threshold 2 (met)" in out
    assert "Rehearsal complete: 2 ceremonies (a root rotation signed in three sittings), " \
           "every bundle verifies" in out
    assert main(["rehearse", "--sittings", "--flavor", "dct", "--out", str(tmp_path / "d")]) == 2
    assert "--flavor dct is not rehearsed in sittings yet" in capsys.readouterr().err


def test_a_request_refuses_a_script_that_makes_a_key_even_without_request_expires(world):
    """``ceremony request`` holds any script to what a request can carry, with the script
    checks' own words and place: no key made here, nothing in custody."""
    top = world["top"]
    script = (HEAD + ROTATE).replace("request-expires: 7d\n", "").replace(
        "import: media/root-d.pem", "algorithm: ed25519").replace(
        "import: media/root-e.pem", "algorithm: ed25519")
    (top / "makes-a-key.yaml").write_text(script)
    result = ceremony(top / "coordinator", "request", "makes-a-key.yaml", "-o",
                      "media/request-makes", ok=False)
    assert result.returncode != 0 and "Traceback" not in result.stderr
    line = script.splitlines().index("  - {name: root-d, holder: dave, algorithm: ed25519}") + 1
    assert (f"makes-a-key.yaml:{line}: keys[0].algorithm: 'root-d' would be made here, and a "
            "script signed in several sittings holds no private key") in result.stderr
    assert not (world["media"] / "request-makes").exists()


def test_the_next_rotation_knows_the_imported_keys_are_kept_by_their_keyholders(world, sealed):
    """The sealed bundle records root-d and root-e by their public keys only: the next
    rotation signed in sittings names them in sign-with (dave and erin sign at their own
    sittings), and its recoverability table counts them as kept by dave and erin, not
    lost. In one sitting they cannot sign, and validate says how to sign it instead."""
    top = world["top"]
    script = HEAD + (
        "ceremony: rotate-root\ntitle: the next rotation\ncurrent: media/2-rotate\n"
        "output: media/3-next\nrequest-expires: 7d\nsign-with: [root-a, root-d, root-e]\n"
        "roles:\n  root: {keys: [root-a, root-d, root-e], threshold: 2, expires: 1y}\n")
    (top / "next.yaml").write_text(script)
    (top / "next-in-one-sitting.yaml").write_text(script.replace("request-expires: 7d\n", ""))
    one = ceremony(top / "coordinator", "validate", "next-in-one-sitting.yaml", ok=False)
    assert one.returncode != 0 and "Traceback" not in one.stderr
    assert ("[FAIL] sign-with root-d: key root-d is kept by its keyholder dave (the bundle "
            "holds its public key only), so it signs only at a sitting of its own; sign this "
            "script in several sittings: add request-expires:") in one.stdout + one.stderr
    shown = ceremony(top / "coordinator", "validate", "next.yaml").stdout
    assert "root-d: kept by its keyholder, keyholder dave" in shown
    assert "root-e: kept by its keyholder, keyholder erin" in shown
    assert ("keyholder alice -> survives: a rotation can sign with 2 (root-d (kept by its "
            "keyholder), root-e (kept by its keyholder))") in shown
    ceremony(top / "coordinator", "request", "next.yaml", "-o", "media/request-next")
    request = read_request(world["media"] / "request-next")
    assert {key.name for key in request.keys} == {"root-a", "root-d", "root-e"}
    shutil.rmtree(world["media"] / "request-next")


def test_ceremony_next_writes_the_next_rotation_in_sittings_when_keyholders_keep_keys(
        world, sealed):
    """root-d and root-e are kept by dave and erin, and the root needs 3 signatures: the
    next rotation `ceremony next` writes is signed in sittings (request-expires:), its new
    online keys imported; a renewal, signed in one sitting, says what to do instead."""
    top = world["top"]
    ceremony(top / "coordinator", "next", "media/2-rotate", "--kind", "rotate-root",
             "-o", "next-rotation.yaml")
    text = (top / "next-rotation.yaml").read_text()
    assert "request-expires: 14d\n" in text
    assert "sign-with: [root-a, root-d, root-e]\n" in text
    assert "{name: targets-2, import: targets-2.pem}" in text and "algorithm" not in text
    assert "# root-d, root-e are kept by their keyholders: this rotation is signed in several " \
           "sittings (request-expires:)" in text
    ceremony(top / "coordinator", "next", "media/2-rotate", "--kind", "renew",
             "-o", "next-renewal.yaml")
    renewal = (top / "next-renewal.yaml").read_text()
    assert "request-expires" not in renewal
    assert "# root-d, root-e are kept by their keyholders, and a renew is signed in one " \
           "sitting" in renewal
    refused = ceremony(top / "coordinator", "validate", "next-renewal.yaml", ok=False)
    assert "a renew is signed in one sitting; name other keys in sign-with, or make the " \
           "change as a rotate-root signed in several sittings" in refused.stdout
