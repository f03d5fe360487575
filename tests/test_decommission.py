"""decommission on SoftHSM2: keys removed from the root, destroyed on their token.

A bootstrap makes root-a and root-b on a SoftHSM2 token (root threshold 1).
A decommission that would destroy both is refused by preflight before
anything changes (both keys still listed by OpenSC's pkcs11-tool, nothing
written). The decommission of root-b signs root version 2 without it,
destroys it on the token (pkcs11-tool no longer lists it), records its id and
the proof, and prints a destruction certificate; the bundle verifies, inspect
shows the kind, and python-tuf's ngclient trusting version 1 follows to 2.
Nothing is destroyed before the seal: the bundle names the key to destroy, and
the record beside it what was destroyed. When the token refuses the PIN after
the seal, the key stays, both bundles verify, the run, the record and inspect
name it not destroyed, and the runbook's pkcs11-tool commands remove it.
"""

from __future__ import annotations

import copy
import json
import os
import shutil
import subprocess
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from destruction_lines import destruction
from online_repo import client, publish
from pdf_reading import pdf_text, squeezed
from softhsm_support import MODULE, USER_PIN, softhsm
from test_hardware_ceremony import MAIN, Operator, token_key, transcript
from tuf.api.metadata import Metadata, Targets
from tuf.api.serialization.json import JSONSerializer

from ceremony.cli import main
from ceremony.engine import run_ceremony
from ceremony.errors import CeremonyAbandonedError, CeremonyError, PreflightError
from ceremony.operator import Confirmation, Secret
from ceremony.script.load import load_script
from ceremony.verify import verify_bundle
from hsm.algorithms import ALGORITHMS
from hsm.software import SoftwareKey

HEADER = "format: 1\nflavor: tuf\nrehearsal: true\nnetwork: allowed\noutput-media: any-device\n"


def listed(tag: str) -> str:
    tool = shutil.which("pkcs11-tool")
    assert tool, "OpenSC's pkcs11-tool is not installed: run scripts/install-test-tools"
    return subprocess.run([tool, "--module", MODULE, "--token-label", MAIN, "--list-objects"],
                          env=os.environ, capture_output=True, text=True, check=True).stdout


def decommission(folder: Path, name: str, destroy: str, sign_with: str = "[root-a]") -> Path:
    script = folder / f"{name}.yaml"
    script.write_text(HEADER + f"ceremony: decommission\ntitle: destroy {destroy}\n"
                      f"current: boot\noutput: {name}\nsign-with: {sign_with}\n"
                      f"destroy: {destroy}\nroot-expires: 300d\n")
    return script


def boot_script(folder: Path) -> tuple[str, dict[str, SoftwareKey]]:
    """boot.yaml in ``folder``: root-a and root-b on the SoftHSM2 token (threshold 1),
    the online keys imported; its keys' label tag, and the online keys."""
    softhsm()
    tag = uuid.uuid4().hex[:8]
    online = {role: SoftwareKey.generate(ALGORITHMS["ed25519"]) for role in
              ("targets", "snapshot", "timestamp")}
    for role, key in online.items():
        (folder / f"{role}.pem").write_text(key.facts().public_pem)
    (folder / "boot.yaml").write_text(
        HEADER + "ceremony: bootstrap\ntitle: two root keys on a token\noutput: boot\n"
        "keyholders: [{name: a}]\nkeys:\n"
        f"  - {token_key('root-a', tag, 'ecdsa-p256')}\n"
        f"  - {token_key('root-b', tag, 'ed25519')}\n"
        + "".join(f"  - {{name: {role}, import: {role}.pem}}\n" for role in online)
        + "roles:\n  root: {keys: [root-a, root-b], threshold: 1, expires: 1y}\n"
        + "".join(f"  {role}: {{keys: [{role}], threshold: 1, expires: 30d}}\n"
                  for role in online))
    return tag, online


def test_decommission_destroys_a_key_on_its_token_and_clients_follow(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tag, online = boot_script(tmp_path)
    # custody of root keys that are all on a token: nothing to seal, refused at preflight
    for medium in ("custody-a", "custody-b", "sheets"):
        (tmp_path / medium).mkdir()
    custody = tmp_path / "custody.yaml"
    custody.write_text((tmp_path / "boot.yaml").read_text().replace("output: boot", "output: c")
                       + "custody: {media: [custody-a, custody-b], sheets: sheets, "
                       "shares: {threshold: 2, of: 3}}\n")
    with pytest.raises(PreflightError) as error:
        list(run_ceremony(load_script(custody), Operator()))
    assert "no root key of the new root would go into custody" in str(error.value)
    assert "root-a and root-b are made on a token" in str(error.value)
    assert not (tmp_path / "c").exists() and not any((tmp_path / "custody-a").iterdir())
    list(run_ceremony(load_script(tmp_path / "boot.yaml"), Operator()))
    before = listed(tag)
    assert f"root-a-{tag}" in before and f"root-b-{tag}" in before

    # both keys: the root would have none for its threshold; refused before anything
    refused = decommission(tmp_path, "both", "[root-a, root-b]")
    with pytest.raises(PreflightError) as error:
        list(run_ceremony(load_script(refused), Operator()))
    assert "the current root still needs root-a, root-b for its root threshold" in str(
        error.value)
    assert "0 key(s) for a threshold of 1" in str(error.value)
    assert listed(tag) == before and not (tmp_path / "both").exists()

    script = decommission(tmp_path, "dec", "[root-b]")
    operator = Operator()
    events = list(run_ceremony(load_script(script), operator))
    bundle = tmp_path / "dec"
    after = listed(tag)
    assert f"root-b-{tag}" not in after and f"root-a-{tag}" in after
    keys = {e["key"]: e for e in transcript(tmp_path / "boot") if e["event"] == "key-generated"}
    # the sealed bundle says what is to be destroyed; the record beside it, what was
    (planned,) = [e for e in transcript(bundle) if e["event"] == "key-to-destroy"]
    assert planned["keyid"] == keys["root-b"]["keyid"] and planned["token"] == MAIN
    assert not [e for e in transcript(bundle) if e["event"] == "key-destroyed" and e["proof"]]
    record = destruction(bundle)
    head = json.loads((bundle / "MANIFEST.json").read_text())["transcript_head"]
    assert record[0]["prev"] == head and record[0]["seq"] == len(transcript(bundle))
    assert record[-1]["event"] == "destruction-ended" and record[-1]["not_destroyed"] == []
    (gone,) = [e for e in record if e["event"] == "key-destroyed"]
    assert gone["keyid"] == keys["root-b"]["keyid"] and gone["token"].startswith("token")
    names = [getattr(e, "name", "") for e in events]
    assert names.index("bundle-sealed") < names.index("key-destroyed")  # nothing before
    assert f"no key with CKA_ID {keys['root-b']['facts']['cka_id']} remains" in gone["proof"]
    root = json.loads((bundle / "metadata" / "2.root.json").read_text())["signed"]
    assert keys["root-b"]["keyid"] not in root["keys"]
    assert root["roles"]["root"]["keyids"] == [keys["root-a"]["keyid"]]
    index = json.loads((bundle / "keys" / "index.json").read_text())["keys"]
    assert set(index) == {"root-a", *online}
    assert any(getattr(e, "name", "") == "bundle-sealed" for e in events)

    assert main(["verify", str(bundle)]) == 0
    assert main(["inspect", str(bundle)]) == 0
    out = capsys.readouterr().out
    assert "decommission" in out and f"destroyed  root-b  {gone['keyid'][:8]}" in out
    # a bundle whose index names the destroyed key again is refused, saying so
    spoiled = tmp_path / "spoiled"
    shutil.copytree(bundle, spoiled)
    boot_index = json.loads((tmp_path / "boot" / "keys" / "index.json").read_text())
    spoiled_index = json.loads((spoiled / "keys" / "index.json").read_text())
    spoiled_index["keys"]["root-b"] = boot_index["keys"]["root-b"]
    (spoiled / "keys" / "index.json").write_text(json.dumps(spoiled_index))
    shutil.copy(tmp_path / "boot" / "keys" / "public" / "root-b.pem", spoiled / "keys" / "public")
    assert ("keys/index.json: key 'root-b' was destroyed by this ceremony, yet the index still "
            "lists it") in verify_bundle(spoiled).lines()

    record = tmp_path / "dec-record.pdf"
    assert main(["record", str(bundle), "-o", str(record)]) == 0
    for words in (pdf_text(record), record.with_suffix(".txt").read_text()):
        for text in ("Certificate of key destruction", "root-b", keys["root-b"]["keyid"],
                     gone["proof"]):
            assert squeezed(text) in squeezed(words)

    # the online system signs targets (its key was imported) and publishes the roots
    published = tmp_path / "published" / "metadata"
    shutil.copytree(bundle / "metadata", published)
    targets = Metadata(Targets(expires=datetime.now(UTC) + timedelta(days=7)))
    targets.sign(online["targets"])
    (published / "targets.json").write_bytes(targets.to_bytes(JSONSerializer()))
    repo = publish(published.parent, tmp_path / "repo", online["snapshot"], online["timestamp"])
    updater = client(repo, (tmp_path / "boot" / "metadata" / "1.root.json").read_bytes(),
                     tmp_path / "client")
    updater.refresh()
    assert updater._trusted_set.root.version == 2


def test_decommission_wipes_the_key_files_and_custody_copies_that_held_a_software_key(
    rehearsal, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """From copies of the session's rehearsal (root-alice, root-bob, root-dave in software,
    threshold 2; the bootstrap's custody bundle holds alice, bob and carol): hostile
    entries in wipe: are refused at preflight with nothing changed; then root-bob is
    destroyed, its key files in two bundles and both custody copies wiped, the share set
    retired, and the certificate says what was wiped and what that does not prove."""
    folder, operator, _ = rehearsal
    for name in ("3-rotate-root", "4-recover", "custody-a", "custody-b"):
        shutil.copytree(folder / name, tmp_path / name, symlinks=True)
    copies = [next((tmp_path / medium).glob("custody-*")) for medium in ("custody-a",
                                                                          "custody-b")]
    bob = "keys/offline/root-bob.age"
    victim = tmp_path / "victim.txt"
    victim.write_text("not a key")
    (tmp_path / "planted.age").symlink_to(victim)
    os.mkfifo(tmp_path / "pipe.age")
    os.link(tmp_path / "4-recover" / bob, tmp_path / "hard.age")
    hostile = tmp_path / "custody-c" / copies[0].name
    shutil.copytree(copies[0], hostile)
    (hostile / "extra").symlink_to(victim)

    def script(name: str, key_files: list[str], custody: list[Path]) -> Path:
        path = tmp_path / f"{name}.yaml"
        path.write_text(
            HEADER + f"ceremony: decommission\ntitle: destroy bob's key\ncurrent: 4-recover\n"
            f"output: {name}\nsign-with: [root-alice, root-dave]\ndestroy: [root-bob]\n"
            f"wipe:\n  key-files: [{', '.join(key_files)}]\n"
            f"  custody-copies: [{', '.join(str(c) for c in custody)}]\n")
        return path

    bad = script("bad", ["planted.age", "pipe.age", "hard.age",
                         "4-recover/keys/offline/root-alice.age"], [hostile])
    with pytest.raises(PreflightError) as error:
        list(run_ceremony(load_script(bad), copy.deepcopy(operator)))
    said = str(error.value)
    assert f"{tmp_path / 'planted.age'} is a symbolic link" in said
    assert f"{tmp_path / 'pipe.age'} is a named pipe (FIFO), not a plain file" in said
    assert "root-alice.age is not a copy of the key file of a key destroyed today" in said
    assert f"{tmp_path / 'hard.age'} has 2 names (hard links)" in said
    assert f"{hostile / 'extra'} is a symbolic link, not a plain file" in said
    assert victim.read_text() == "not a key" and (tmp_path / "pipe.age").exists()
    assert not (tmp_path / "bad").exists() and (hostile / "bundle.age").is_file()
    (tmp_path / "hard.age").unlink()

    good = script("dec", [f"4-recover/{bob}", f"3-rotate-root/{bob}"], copies)
    sheet = tmp_path / "dec-runsheet.pdf"
    assert main(["runsheet", str(good), "-o", str(sheet)]) == 0
    assert f"Custody copy to wipe: {copies[1]}" in sheet.with_suffix(".txt").read_text()
    events = list(run_ceremony(load_script(good), copy.deepcopy(operator)))
    assert any(getattr(e, "name", "") == "bundle-sealed" for e in events)
    assert not (tmp_path / "4-recover" / bob).exists()
    assert not (tmp_path / "3-rotate-root" / bob).exists()
    assert not any(copy_.exists() for copy_ in copies) and hostile.is_dir()
    bundle = tmp_path / "dec"
    lines = transcript(bundle)
    assert not [e for e in lines if e["event"] in ("file-wiped", "key-destroyed")
                and e.get("proof")]  # done after the seal: in the destruction record
    lines = destruction(bundle)
    wiped = [e for e in lines if e["event"] == "file-wiped"]
    assert [e["path"] for e in wiped[:2]] == [str(tmp_path / "4-recover" / bob),
                                             str(tmp_path / "3-rotate-root" / bob)]
    assert {e["path"] for e in wiped[2:]} >= {str(c / "bundle.age") for c in copies}
    assert all("Flash media" in e["proof"] for e in wiped)
    (gone,) = [e for e in lines if e["event"] == "key-destroyed" and e["proof"]]
    assert gone["key"] == "root-bob" and "were wiped" in gone["proof"]
    (retired,) = [e for e in transcript(bundle) if e["event"] == "shares-retired"]
    assert retired["set_id"] is not None and f"set {retired['set_id']}" in retired["reason"]
    assert all(str(c) in retired["reason"] for c in copies)
    root = json.loads((bundle / "metadata" / "root.json").read_text())["signed"]
    assert root["version"] == 4 and gone["keyid"] not in root["keys"]
    assert not (bundle / "custody").exists() or not list((bundle / "custody").iterdir())

    assert main(["verify", str(bundle)]) == 0
    record = tmp_path / "dec-record.pdf"
    assert main(["record", str(bundle), "-o", str(record)]) == 0
    capsys.readouterr()
    text = squeezed(record.with_suffix(".txt").read_text())
    for words in (f"Wiped {tmp_path / '4-recover' / bob}", wiped[0]["sha256"],
                  "may keep older copies", f"SLIP-39 share set {retired['set_id']}"):
        assert squeezed(words) in text


class PinRefusedAfterTheSeal(Operator):
    """The keyholder's PIN opens the token to sign; the one typed after the seal, to
    destroy the key, is wrong (the token refuses it; no second try)."""

    def __init__(self) -> None:
        super().__init__()
        self.pins = iter([USER_PIN, "not-the-pin-0"])

    def secret(self, request):
        if request.id.startswith("pin/"):
            self.asked.append(request.id)
            return Secret(next(self.pins))
        return super().secret(request)


def test_a_token_key_not_destroyed_after_the_seal_is_named_and_destroyed_by_hand(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Signing needs root-b's token; its PIN is refused when root-b is to be destroyed,
    after the seal: the new bundle and the current one both verify, the key is still
    on the token, the run, the record beside the bundle and inspect name it NOT
    destroyed, and the runbook's pkcs11-tool commands then remove it."""
    tag, _ = boot_script(tmp_path)
    list(run_ceremony(load_script(tmp_path / "boot.yaml"), Operator()))
    keys = {e["key"]: e for e in transcript(tmp_path / "boot") if e["event"] == "key-generated"}
    # root-b, to be destroyed, signs too: it is destroyed only after the seal
    script = decommission(tmp_path, "dec", "[root-b]", sign_with="[root-a, root-b]")
    operator = PinRefusedAfterTheSeal()
    with pytest.raises(CeremonyError) as error:
        list(run_ceremony(load_script(script), operator))
    bundle = tmp_path / "dec"
    assert str(error.value).startswith(
        f"the bundle {bundle} is sealed, but the destruction is not finished: NOT destroyed: "
        f"key root-b ({keys['root-b']['keyid'][:8]}) on its token: "), str(error.value)
    assert "destroy each one listed as not destroyed by hand" in str(error.value)
    assert operator.asked == [f"pin/{MAIN}", f"pin/{MAIN}"]  # once to sign, once to destroy
    assert f"root-b-{tag}" in listed(tag)
    assert verify_bundle(bundle).ok and verify_bundle(tmp_path / "boot").ok
    ended = destruction(bundle)[-1]
    assert ended["destroyed"] == [] and len(ended["not_destroyed"]) == 1
    capsys.readouterr()
    assert main(["inspect", str(bundle)]) == 0
    assert f"to destroy  root-b  {keys['root-b']['keyid'][:8]}" in capsys.readouterr().out
    # by hand, as docs/runbooks/key-destruction.md says
    cka_id = keys["root-b"]["facts"]["cka_id"]
    for kind in ("privkey", "pubkey"):
        subprocess.run([shutil.which("pkcs11-tool") or "pkcs11-tool", "--module", MODULE,
                        "--token-label", MAIN, "--login", "--pin", USER_PIN,
                        "--delete-object", "--id", cka_id, "--type", kind],
                       env=os.environ, capture_output=True, check=True)
    assert f"root-b-{tag}" not in listed(tag) and f"root-a-{tag}" in listed(tag)


class DecliningWrite:
    """The rehearsal's operator, but the one at the laptop sees the wrong medium
    named and declines `write` (as the write step's check by eye tells them to)."""

    def __init__(self, inner: object) -> None:
        self.inner = inner
        self.asked: list[str] = []

    def __getattr__(self, name: str) -> object:
        return getattr(self.inner, name)

    def confirm(self, request: Confirmation) -> bool:
        self.asked.append(request.id)
        return request.id != "confirm/write" and bool(self.inner.confirm(request))  # type: ignore[attr-defined]


def test_declining_write_in_a_decommission_destroys_nothing(rehearsal, tmp_path: Path) -> None:
    """`write` is asked before anything is destroyed: the key file a decommission
    wipes is the current bundle's, and declining once came after the wipe, leaving
    no bundle that verified while the tool said to run the ceremony again."""
    folder, operator, _ = rehearsal
    for name in ("4-recover", "custody-a"):
        shutil.copytree(folder / name, tmp_path / name, symlinks=True)
    [custody] = (tmp_path / "custody-a").glob("custody-*")
    bob = tmp_path / "4-recover" / "keys" / "offline" / "root-bob.age"
    script = tmp_path / "dec.yaml"
    script.write_text(
        HEADER + "ceremony: decommission\ntitle: destroy bob's key\ncurrent: 4-recover\n"
        "output: dec\nsign-with: [root-alice, root-dave]\ndestroy: [root-bob]\n"
        f"wipe:\n  key-files: [{bob}]\n  custody-copies: [{custody}]\n")
    declining = DecliningWrite(copy.deepcopy(operator))
    with pytest.raises(CeremonyAbandonedError, match="declined: Write the bundle"):
        list(run_ceremony(load_script(script), declining))  # type: ignore[arg-type]
    assert "confirm/destroy" not in declining.asked
    assert bob.is_file() and (custody / "bundle.age").is_file()
    assert verify_bundle(tmp_path / "4-recover").ok  # the ceremony can be run again
    assert not (tmp_path / "dec").exists()
