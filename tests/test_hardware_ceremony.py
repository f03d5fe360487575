"""Ceremonies with keys on real SoftHSM2 tokens, run as an operator would.

A bootstrap makes its root keys on a token and copies the targets key into a
backup token; a rotation is signed by a token key of that bundle; a wrong
PIN stops the ceremony with the token's plain sentence and nothing sealed;
a production ceremony refuses SoftHSM; ``ceremony tokens`` lists what the
ceremonies left on the token; ``ceremony rehearse --backend softhsm`` runs
the whole rehearsal on a throwaway token of its own. OpenSC's pkcs11-tool,
an independent reader, sees the keys.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path
from types import SimpleNamespace

import pytest
from destruction_lines import destruction
from pdf_reading import pdf_text
from softhsm_support import MODULE, USER_PIN, softhsm
from witness import witnessed

from ceremony.cli import main
from ceremony.engine import run_ceremony
from ceremony.engine.preflight import preflight
from ceremony.engine.tokens import before_signing
from ceremony.events import TouchRequested
from ceremony.operator import Secret
from ceremony.script.load import load_script
from ceremony.verify import verify_bundle
from hsm.algorithms import ALGORITHMS
from hsm.software import SoftwareKey

MAIN, BACKUP = "ceremony-main", "ceremony-backup"
PASSPHRASE = "correct horse battery staple"


class Operator:
    """Answers like a keyholder who knows the PIN; records what was asked."""

    can_retry = False

    def __init__(self, pin: str = USER_PIN) -> None:
        self.pin = pin
        self.asked: list[str] = []

    def secret(self, request):
        self.asked.append(request.id)
        return Secret(self.pin if request.id.startswith("pin/") else PASSPHRASE)

    def confirm(self, request):
        return True

    def choose(self, request):
        return request.options[0]


def transcript(bundle: Path) -> list[dict]:
    return [json.loads(line) for line in (bundle / "transcript.jsonl").read_text().splitlines()]


def index(bundle: Path) -> dict:
    return json.loads((bundle / "keys" / "index.json").read_text())["keys"]


def run(script: Path, operator: Operator) -> list:
    return list(run_ceremony(load_script(script), operator))


def token_key(name: str, tag: str, algorithm: str, module: str = MODULE) -> str:
    return (
        f"{{name: {name}, holder: a, algorithm: {algorithm}, backend: pkcs11, "
        f"module: {module}, token-label: {MAIN}, object-label: {name}-{tag}}}"
    )


def bootstrap_script(folder: Path, tag: str, *, header: str = "rehearsal: true\n",
                     module: str = MODULE) -> Path:
    for role in ("snapshot", "timestamp"):
        key = SoftwareKey.generate(ALGORITHMS["ed25519"])
        (folder / f"{role}.pem").write_text(key.facts().public_pem)
    script = folder / "bootstrap.yaml"
    script.write_text(
        "format: 1\nceremony: bootstrap\nflavor: tuf\ntitle: root keys on a token\n"
        + header
        + textwrap.dedent(
            f"""\
            network: allowed
            output-media: any-device
            output: out
            keyholders: [{{name: a}}]
            keys:
              - {token_key("root-a", tag, "ecdsa-p256", module)}
              - {token_key("root-b", tag, "ed25519", module)}
              - name: targets
                holder: a
                algorithm: ed25519
                backup-tokens:
                  - {{module: {module}, token-label: {BACKUP}, object-label: targets-{tag}}}
              - {{name: snapshot, import: snapshot.pem}}
              - {{name: timestamp, import: timestamp.pem}}
            roles:
              root: {{keys: [root-a, root-b], threshold: 1, expires: 1y}}
              targets: {{keys: [targets], threshold: 1, expires: 90d}}
              snapshot: {{keys: [snapshot], threshold: 1, expires: 30d}}
              timestamp: {{keys: [timestamp], threshold: 1, expires: 7d}}
            """
        )
    )
    return script


@pytest.fixture(scope="module")
def bootstrapped(tmp_path_factory):
    softhsm()
    folder = tmp_path_factory.mktemp("hw-boot")
    tag = uuid.uuid4().hex[:8]
    operator = Operator()
    events = run(bootstrap_script(folder, tag), operator)
    return SimpleNamespace(folder=folder, bundle=folder / "out", tag=tag, operator=operator,
                           events=events)


@pytest.fixture(scope="module")
def rotated(bootstrapped):
    folder = bootstrapped.folder
    script = folder / "rotate.yaml"
    script.write_text(
        "format: 1\nceremony: rotate-root\nflavor: tuf\ntitle: signed on the token\n"
        "rehearsal: true\nnetwork: allowed\ncurrent: out\noutput: out2\n"
        "sign-with: [root-a]\nkeyholders: [{name: a}]\n"
        f"keys:\n  - {token_key('root-c', bootstrapped.tag, 'ecdsa-p384')}\n"
        "roles:\n  root: {keys: [root-a, root-c], threshold: 1, expires: 200d}\n"
    )
    operator = Operator()
    events = run(script, operator)
    return SimpleNamespace(bundle=folder / "out2", operator=operator, events=events)


def test_bootstrap_on_a_token_verifies_and_records_the_token(bootstrapped):
    bundle = bootstrapped.bundle
    assert verify_bundle(bundle).ok, verify_bundle(bundle).problems
    keys = index(bundle)
    for name in ("root-a", "root-b"):
        assert keys[name]["backend"] == "pkcs11"
        location = keys[name]["location"]
        assert location.startswith(f"pkcs11:token={MAIN};serial=")
        assert f"object={name}-{bootstrapped.tag};id=%" in location
        assert location.endswith(f"type=private?module-path={MODULE}")
    assert keys["targets"]["location"] == "age-file:keys/online/targets.age"
    (backup,) = keys["targets"]["backups"]
    assert backup.startswith(f"pkcs11:token={BACKUP};")

    lines = transcript(bundle)
    made = {e["key"]: e for e in lines if e["event"] == "key-generated"}
    facts = made["root-a"]["facts"]
    assert facts["token_label"] == MAIN and facts["token_model"] == "SoftHSM v2"
    assert facts["token_serial"] and facts["token_firmware"] and len(facts["cka_id"]) == 32
    assert facts["generated_on_device"] is True and facts["origin"] == "generated on the token"
    assert facts["protection"]["never_extractable"] is True
    (copied,) = [e for e in lines if e["event"] == "key-backed-up"]
    assert copied["token"] == BACKUP and copied["location"] == backup
    assert copied["facts"]["origin"] == "imported into the token (not generated there)"
    assert copied["facts"]["generated_on_device"] is False
    unlocked = [e["token"] for e in lines if e["event"] == "token-logged-in"]
    assert unlocked == [MAIN, BACKUP]
    closed = {e["token"]: e["keys"] for e in lines if e["event"] == "token-closed"}
    assert closed == {MAIN: ["root-a", "root-b"], BACKUP: ["targets (backup)"]}
    destroyed = [e["key"] for e in lines if e["event"] == "key-destroyed"]
    assert destroyed == ["targets"]  # the token keys stay on their token


def test_one_pin_entry_per_token_and_no_pin_on_media(bootstrapped):
    asked = bootstrapped.operator.asked
    assert asked.count(f"pin/{MAIN}") == 1  # two keys generated, two signatures
    assert asked.count(f"pin/{BACKUP}") == 1
    for path in bootstrapped.folder.rglob("*"):
        if path.is_file():
            assert USER_PIN.encode() not in path.read_bytes()


def test_pkcs11_tool_sees_the_keys_the_ceremony_made(bootstrapped):
    tool = shutil.which("pkcs11-tool")
    assert tool, "OpenSC's pkcs11-tool is not installed: run scripts/install-test-tools"
    listed = subprocess.run(
        [tool, "--module", MODULE, "--token-label", MAIN, "--list-objects"],
        env=os.environ, capture_output=True, text=True, check=True,
    ).stdout
    for name in ("root-a", "root-b"):
        assert f"label:      {name}-{bootstrapped.tag}" in listed


def test_rotation_is_signed_by_a_token_key_of_the_previous_bundle(rotated):
    assert verify_bundle(rotated.bundle).ok, verify_bundle(rotated.bundle).problems
    lines = transcript(rotated.bundle)
    (loaded,) = [e for e in lines if e["event"] == "key-loaded"]
    assert loaded["key"] == "root-a" and loaded["location"].startswith("pkcs11:")
    signed = [(e["key"], e["version"]) for e in lines if e["event"] == "signature-added"]
    assert signed == [("root-a", 2), ("root-c", 2)]
    assert rotated.operator.asked == [f"pin/{MAIN}"]  # one token, one PIN, three uses
    keys = index(rotated.bundle)
    assert keys["root-c"]["location"].startswith(f"pkcs11:token={MAIN};")
    assert keys["targets"]["backups"] == index(rotated.bundle.parent / "out")["targets"]["backups"]


def test_a_wrong_pin_stops_with_the_tokens_sentence_and_seals_nothing(
    bootstrapped, tmp_path, capsys
):
    secrets = tmp_path / "secrets.yaml"
    secrets.write_text(f"pin/{MAIN}: not-the-pin-4417\n")
    secrets.chmod(0o600)
    script = bootstrap_script(tmp_path, uuid.uuid4().hex[:8])
    assert main(witnessed(["run", str(script), "--yes", "--secrets", str(secrets)])) == 3
    serial = next(e["serial"] for e in transcript(bootstrapped.bundle)
                  if e["event"] == "token-logged-in" and e["token"] == MAIN)
    said = capsys.readouterr().err.strip()
    # The library's sentence; SoftHSM flags "count low" after a wrong PIN.
    assert said in (
        f"ceremony: the PIN for token {MAIN!r} (serial {serial}) was wrong. ask its keyholder "
        "to type it again, slowly; nothing was changed",
        f"ceremony: the PIN for token {MAIN!r} (serial {serial}) was wrong; few tries are left "
        "before it locks. check the PIN record, then type it again slowly",
    )
    assert not (tmp_path / "out").exists()
    (record,) = tmp_path.glob("out.abandoned-*.jsonl")
    assert b"not-the-pin-4417" not in record.read_bytes()
    assert b'"event": "step-failed"' in record.read_bytes()


def test_a_production_ceremony_refuses_softhsm(tmp_path):
    softhsm()
    from ceremony.errors import ScriptError

    with pytest.raises(ScriptError, match="is SoftHSM, which keeps keys in files"):
        load_script(bootstrap_script(tmp_path, "p", header=""))
    # A module path that does not say SoftHSM: the token's model does.
    disguised = tmp_path / "libvendor-pkcs11.so"
    disguised.symlink_to(MODULE)
    plan = load_script(bootstrap_script(tmp_path, "p", header="", module=str(disguised)))
    failures = {c.check: c.detail for c in preflight(plan).failures}
    assert f"token {MAIN!r}" in failures
    assert "is a SoftHSM token: its keys are files on this computer" in failures[f"token {MAIN!r}"]


def test_ceremony_tokens_lists_keys_and_flags_those_no_bundle_recorded(
    bootstrapped, rotated, tmp_path, capsys
):
    secrets = tmp_path / "secrets.yaml"
    secrets.write_text(f"pin/{MAIN}: {USER_PIN}\n")
    secrets.chmod(0o600)
    code = main(["tokens", "--module", MODULE, "--token", MAIN, "--login",
                 "--secrets", str(secrets), "--bundle", str(bootstrapped.bundle)])
    out, err = capsys.readouterr()
    assert code == 1 and "flagged on the tokens" in err
    lines = out.splitlines()
    tag = bootstrapped.tag
    row = next(i for i, line in enumerate(lines) if line.strip().startswith(f"root-a-{tag} "))
    assert "ecdsa-p256  private + public" in lines[row]
    assert "sensitive" in lines[row + 1] and "never-extractable" in lines[row + 1]
    assert lines[row + 2].strip() == f"recorded: root-a in {bootstrapped.bundle}"
    row = next(i for i, line in enumerate(lines) if line.strip().startswith(f"root-c-{tag} "))
    assert "NOT RECORDED by any bundle given" in lines[row + 2]  # made by the rotation
    assert USER_PIN not in out + err
    # Without the PIN: public objects only, and still no PIN asked or shown.
    assert main(["tokens", "--module", MODULE, "--token", MAIN]) == 0
    out = capsys.readouterr().out
    assert "(public objects only: private keys show after --login)" in out
    assert f"root-a-{tag}" in out and "public only" in out


def test_a_touch_is_announced_before_a_yubikey_signs():
    info = SimpleNamespace(label="YubiKey PIV #123", serial="123")
    signer = SimpleNamespace(needs_touch=True, token=SimpleNamespace(info=info))
    record = SimpleNamespace(name="root-y", signer=signer)
    (event,) = before_signing(record)
    assert isinstance(event, TouchRequested)
    assert event.message == "touch the YubiKey 'YubiKey PIV #123' (serial 123) now: key root-y " \
        "is signing"
    record.signer = SimpleNamespace(needs_touch=False)
    assert list(before_signing(record)) == []


def test_rehearse_on_softhsm_end_to_end(tmp_path):
    private_tmp = tmp_path / "tmp"  # where the throwaway SoftHSM directory goes
    private_tmp.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOFTHSM")}
    env["TMPDIR"] = str(private_tmp)
    done = subprocess.run(
        [sys.executable, "-m", "ceremony", "rehearse", "--backend", "softhsm",
         "--out", str(tmp_path / "r")],
        env=env, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr
    assert "every bundle verifies" in done.stdout
    for name in ("1-bootstrap", "2-delegate", "3-rotate-root"):
        assert verify_bundle(tmp_path / "r" / name).ok
    keys = index(tmp_path / "r" / "3-rotate-root")
    assert all(keys[k]["location"].startswith("pkcs11:token=rehearsal-root;")
               for k in ("root-alice", "root-bob", "root-dave"))
    lines = transcript(tmp_path / "r" / "3-rotate-root")
    assert [e["token"] for e in lines if e["event"] == "token-logged-in"] == ["rehearsal-root"]
    assert list(private_tmp.iterdir()) == []  # the tokens and their PINs are gone
    # the decommission destroyed bob's key on the token and printed its certificate
    (gone,) = [e for e in destruction(tmp_path / "r" / "4-decommission")
               if e["event"] == "key-destroyed"]
    assert gone["key"] == "root-bob" and "C_DestroyObject on token 'rehearsal-root'" in \
        gone["proof"]
    certificate = pdf_text(tmp_path / "r" / "4-decommission-record.pdf")
    assert "Certificate of key destruction" in certificate and "root-bob" in certificate
    # the run sheet names the tokens to bag; the record, the tokens used and each key's home
    sheet = pdf_text(tmp_path / "r" / "1-bootstrap-runsheet.pdf")
    assert "Hardware: token 'rehearsal-root'" in sheet
    record = pdf_text(tmp_path / "r" / "1-bootstrap-record.pdf")
    for e in transcript(tmp_path / "r" / "1-bootstrap"):
        if e["event"] == "token-logged-in":
            assert f"{e['token']}: SoftHSM project SoftHSM v2" in record and e["serial"] in record
        if e["event"] == "key-generated" and e["backend"] == "pkcs11":
            assert f"id {e['keyid'][:8]}" in record and e["facts"]["cka_id"] in record


def test_token_modules_stay_headless():
    code = (
        "import sys, ceremony.cli.tokens, ceremony.engine.tokens, "
        "ceremony.flavors.tuf.rehearsal_softhsm\n"
        "print(','.join(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('textual', 'rich'))))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


# -- a YubiKey, played by stand-ins (no YubiKey is attached here) ------------------


class StandInToken:
    """What the engine reads of a ykcs11 token."""

    def __init__(self) -> None:
        self.info = SimpleNamespace(
            label="YubiKey PIV #7654321", serial="7654321", model="YubiKey YK5",
            manufacturer="Yubico (www.yubico.com)", firmware="5.4", module_path="/ykcs11.so",
            name="token 'YubiKey PIV #7654321' (serial 7654321)",
        )
        self.logged_in = False
        self.pin_entries = 0
        self.closed = False
        self.key = None

    def close(self) -> None:
        self.closed = True

    def list_keys(self):
        return []


class StandInSigner(SoftwareKey):
    backend = "yubikey"
    needs_touch = True

    def __init__(self, private_key, token) -> None:
        super().__init__(private_key, "pkcs11:token=YubiKey%20PIV%20%237654321;id=%02")
        self.token = token

    def facts(self):
        facts = super().facts()
        extra = {"token_label": self.token.info.label, "token_serial": "7654321",
                 "cka_id": "02", "piv_slot": "9c", "origin": "generated on the YubiKey "
                 "(attested)", "pin_policy": "always", "touch_policy": "always"}
        return type(facts)(facts.keyid, facts.algorithm, self.backend, self.location,
                           facts.public_pem, True, extra)


def stand_in_yubikey(calls: list):
    class StandInYubiKey:
        def __init__(self, token, *, production=True) -> None:
            self.token = token

        def generate(self, slot, algorithm, *, management_key, pin_policy, touch_policy):
            calls.append(("generate", slot, management_key, touch_policy))
            self.token.key = SoftwareKey.generate(ALGORITHMS[algorithm])
            return SimpleNamespace(public_key=self.token.key.crypto_public_key)

        def attest(self, slot, public_key):
            calls.append(("attest", slot))
            return "attested"

        def login(self, ask) -> None:
            calls.append(("login", ask(SimpleNamespace(token=self.token.info, warning=None))))
            self.token.logged_in, self.token.pin_entries = True, 1

        def open_slot_key(self, slot, public_key, *, attestation=None, on_touch=None):
            calls.append(("open", slot, attestation))
            return StandInSigner(self.token.key.private_key_for_custody(), self.token)

    return StandInYubiKey


def test_a_yubikey_key_is_made_attested_unlocked_once_and_touched(tmp_path, monkeypatch):
    import hsm.pkcs11
    import hsm.yubikey

    token, calls = StandInToken(), []
    monkeypatch.setattr(hsm.pkcs11, "open_token", lambda *a, **k: token)
    monkeypatch.setattr(hsm.pkcs11, "check_token", lambda *a, **k: [])
    monkeypatch.setattr(hsm.yubikey, "YubiKey", stand_in_yubikey(calls))
    for role in ("targets", "snapshot", "timestamp"):
        key = SoftwareKey.generate(ALGORITHMS["ed25519"])
        (tmp_path / f"{role}.pem").write_text(key.facts().public_pem)
    script = tmp_path / "bootstrap.yaml"
    script.write_text(textwrap.dedent("""\
        format: 1
        ceremony: bootstrap
        flavor: tuf
        title: a root key on a YubiKey
        rehearsal: true
        network: allowed
        output-media: any-device
        output: out
        keyholders: [{name: a}]
        keys:
          - {name: root-a, holder: a, algorithm: ecdsa-p256, backend: yubikey,
             serial: 7654321, touch-policy: always, driver: ykcs11}
          - {name: targets, import: targets.pem}
          - {name: snapshot, import: snapshot.pem}
          - {name: timestamp, import: timestamp.pem}
        roles:
          root: {keys: [root-a], threshold: 1, expires: 1y}
          targets: {keys: [targets], threshold: 1, expires: 90d}
          snapshot: {keys: [snapshot], threshold: 1, expires: 30d}
          timestamp: {keys: [timestamp], threshold: 1, expires: 7d}
        spare-keys: none
        accept-risk: every root key must sign (a test root)
        """))

    class Keyholder(Operator):
        def secret(self, request):
            if request.id.startswith("management-key/"):
                self.asked.append(request.id)
                return Secret("a1" * 24)
            return super().secret(request)

    operator = Keyholder(pin="5551-2368")
    events = run(script, operator)
    assert [c[0] for c in calls] == ["generate", "attest", "login", "open"]
    assert calls[0] == ("generate", None, "a1" * 24, "always") and calls[3][2] == "attested"
    assert operator.asked.count("management-key/7654321") == 1
    assert operator.asked.count("pin/YubiKey PIV #7654321") == 1
    names = [type(e).__name__ for e in events]
    touch = names.index("TouchRequested")
    assert names[touch + 1] == "SignatureAdded" and events[touch + 1].key == "root-a"
    assert token.closed
    lines = transcript(tmp_path / "out")
    (made,) = [e for e in lines if e["event"] == "key-generated" and e["key"] == "root-a"]
    assert made["backend"] == "yubikey" and made["facts"]["piv_slot"] == "9c"
    assert any(e["event"] == "touch-requested" for e in lines)
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert b"5551-2368" not in path.read_bytes() and b"a1a1a1a1" not in path.read_bytes()


def test_ceremony_questions_lists_the_pins_in_the_order_asked(bootstrapped, rotated):
    from ceremony.cli.questions import script_questions

    for ran, name in ((bootstrapped, "bootstrap.yaml"), (rotated, "rotate.yaml")):
        script = bootstrapped.folder / name
        listed = script_questions(load_script(script))
        secrets = [q.id for q in listed if not q.id.startswith("confirm/") and not q.when]
        assert ran.operator.asked == secrets, script.name
