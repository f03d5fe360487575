"""Ceremonies with root keys on YubiKeys through yubikit, run as an operator would.

The YubiKeys are tests/fake_piv_card.py cards answering APDUs to yubikit's own
sessions; their attestation chains lead to a test root, which these tests put in
place of the pinned Yubico roots (the pinned ones are tested in
test_yubikey_pki.py against real published attestations). A bootstrap prepares
one factory-fresh YubiKey (new PIN, PUK, management key) and makes an Ed25519
root key on it with touch always by default, and a P-256 key on a second; the
bundle verifies; a rotation signs with the Ed25519 key by its recorded URI.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from types import SimpleNamespace

import pytest
from fake_piv_card import FakePivCard, FakeReader

import hsm.yubikey.attestation as attestation_module
import hsm.yubikey.device as device_module
from ceremony.engine import run_ceremony
from ceremony.errors import PreflightError
from ceremony.operator import Secret
from ceremony.script.load import load_script
from ceremony.verify import verify_bundle
from hsm.algorithms import ALGORITHMS
from hsm.software import SoftwareKey

NEW_PIN, NEW_PUK, NEW_KEY = "5551-236", "77553311", "c3" * 24
SECOND_PIN, SECOND_KEY = "90127734", "d4" * 24


class Keyholder:
    can_retry = False

    def __init__(self) -> None:
        self.asked: list[str] = []

    def secret(self, request):
        self.asked.append(request.id)
        kind, _, serial = request.id.partition("/")
        first = serial in ("11111111", "YubiKey PIV #11111111")
        return Secret({"new-pin": NEW_PIN, "new-puk": NEW_PUK,
                       "management-key": NEW_KEY if first else SECOND_KEY,
                       "pin": NEW_PIN if first else SECOND_PIN}.get(kind, "passphrase x"))

    def confirm(self, request):
        return True

    def choose(self, request):
        return request.options[0]


@pytest.fixture(scope="module")
def yubikeys():
    fresh = FakePivCard(serial=11111111)
    # Like the two Yubico hierarchies: one root with an intermediate (5.7.4), one without.
    second = FakePivCard(serial=22222222, firmware=(5, 4, 3), form_factor=0x83,
                         with_intermediate=False)
    second.pin, second.puk, second.management_key = SECOND_PIN, "10293847", bytes.fromhex(
        SECOND_KEY)
    second.management_type = 0x03
    patch = pytest.MonkeyPatch()
    patch.setattr(device_module, "READERS", lambda: [FakeReader(fresh), FakeReader(second)])
    patch.setattr(attestation_module, "shipped_roots", lambda: [fresh.root, second.root])
    patch.setattr(attestation_module, "shipped_intermediates", lambda: fresh.intermediates)
    yield SimpleNamespace(fresh=fresh, second=second)
    patch.undo()


def write_bootstrap(folder: Path, keys: str) -> Path:
    for role in ("targets", "snapshot", "timestamp"):
        key = SoftwareKey.generate(ALGORITHMS["ed25519"])
        (folder / f"{role}.pem").write_text(key.facts().public_pem)
    script = folder / "bootstrap.yaml"
    script.write_text(textwrap.dedent("""\
        format: 1
        ceremony: bootstrap
        flavor: tuf
        title: root keys on YubiKeys
        rehearsal: true
        network: allowed
        output-media: any-device
        output: out
        keyholders: [{name: a}, {name: b}]
        keys:
        """) + keys + textwrap.dedent("""\
          - {name: targets, import: targets.pem}
          - {name: snapshot, import: snapshot.pem}
          - {name: timestamp, import: timestamp.pem}
        roles:
          root: {keys: [root-a, root-b], threshold: 2, expires: 1y}
          targets: {keys: [targets], threshold: 1, expires: 90d}
          snapshot: {keys: [snapshot], threshold: 1, expires: 30d}
          timestamp: {keys: [timestamp], threshold: 1, expires: 7d}
        spare-keys: none
        accept-risk: every root key must sign (a test root)
        """))
    return script


KEYS = (
    "  - {name: root-a, holder: a, algorithm: ed25519, backend: yubikey, serial: 11111111,\n"
    "     prepare: true}\n"
    "  - {name: root-b, holder: b, algorithm: ecdsa-p256, backend: yubikey, serial: 22222222,\n"
    "     slot: 9a, pin-policy: once}\n"
)


@pytest.fixture(scope="module")
def bootstrapped(yubikeys, tmp_path_factory):
    folder = tmp_path_factory.mktemp("yubikit")
    keyholder = Keyholder()
    events = list(run_ceremony(load_script(write_bootstrap(folder, KEYS)), keyholder))
    return SimpleNamespace(folder=folder, bundle=folder / "out", events=events,
                           keyholder=keyholder)


def transcript(bundle: Path) -> list[dict]:
    return [json.loads(line) for line in (bundle / "transcript.jsonl").read_text().splitlines()]


def test_a_fresh_yubikey_is_prepared_and_its_key_attested(yubikeys, bootstrapped):
    fresh = yubikeys.fresh
    assert (fresh.pin, fresh.puk, fresh.management_key.hex()) == (NEW_PIN, NEW_PUK, NEW_KEY)
    made = {e["key"]: e for e in transcript(bootstrapped.bundle)
            if e["event"] == "key-generated"}
    root_a = made["root-a"]["facts"]
    assert root_a["piv_driver"] == "yubikit" and root_a["attested_serial"] == 11111111
    assert root_a["touch_policy"] == "always"  # the default for a root key
    assert root_a["pin_policy"] == "always"  # slot 9c's own default
    assert root_a["credentials_replaced_in_ceremony"] == ["management key", "PIN", "PUK"]
    assert root_a["attestation_chain"][-1] == "Test PIV Root CA"
    root_b = made["root-b"]["facts"]
    assert (root_b["piv_slot"], root_b["pin_policy"], root_b["touch_policy"]) == (
        "9a", "once", "always")
    assert root_b["attested_firmware"] == "5.4.3" and root_b["fips_series"] is True
    assert made["root-a"]["algorithm"] == "ed25519"
    asked = bootstrapped.keyholder.asked
    assert asked.count("new-pin/11111111") == 1 and "new-pin/22222222" not in asked
    assert asked.count("pin/YubiKey PIV #11111111") == 1
    assert fresh.touches >= 1 and yubikeys.second.touches >= 1
    touch = [e for e in transcript(bootstrapped.bundle) if e["event"] == "touch-requested"]
    assert {e["key"] for e in touch} == {"root-a", "root-b"}


def test_the_bundle_verifies_and_holds_no_secret(bootstrapped):
    verify_bundle(bootstrapped.bundle)
    for path in bootstrapped.folder.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            for secret in (NEW_PIN, NEW_PUK, NEW_KEY, SECOND_PIN, SECOND_KEY):
                assert secret.encode() not in data, (path, secret)


def test_a_rotation_signs_with_the_yubikey_key_by_its_uri(yubikeys, bootstrapped):
    folder = bootstrapped.folder
    index = json.loads((bootstrapped.bundle / "keys" / "index.json").read_text())["keys"]
    assert "x-piv-driver=yubikit" in index["root-a"]["location"]
    script = folder / "rotate.yaml"
    script.write_text(
        "format: 1\nceremony: rotate-root\nflavor: tuf\ntitle: signed on YubiKeys\n"
        "rehearsal: true\nnetwork: allowed\ncurrent: out\noutput: out2\n"
        "sign-with: [root-a, root-b]\nkeyholders: [{name: a}]\n"
        "roles:\n  root: {keys: [root-a, root-b], threshold: 1, expires: 200d}\n")
    before = yubikeys.fresh.touches
    list(run_ceremony(load_script(script), Keyholder()))
    verify_bundle(folder / "out2")
    assert yubikeys.fresh.touches > before


def test_ed25519_on_a_yubikey_before_5_7_is_refused_in_preflight(yubikeys, tmp_path):
    keys = KEYS.replace("algorithm: ecdsa-p256", "algorithm: ed25519").replace(
        "slot: 9a", "slot: 9e")
    with pytest.raises(PreflightError) as caught:
        list(run_ceremony(load_script(write_bootstrap(tmp_path, keys)), Keyholder()))
    assert ("YubiKey 22222222 has firmware 5.4.3, and ed25519 keys need firmware 5.7 or "
            "later") in str(caught.value)


def test_the_attested_serial_firmware_and_root_are_on_screen(bootstrapped):
    # a witness compares them by eye with the YubiKey in hand (docs/reference/hardware.md)
    from ceremony.describe import describe
    from ceremony.events import KeyGenerated

    lines = {e.key: describe(e) for e in bootstrapped.events if isinstance(e, KeyGenerated)}
    attested = [line for line in lines["root-b"].splitlines() if "attested:" in line]
    facts = next(e.facts for e in bootstrapped.events
                 if isinstance(e, KeyGenerated) and e.key == "root-b")
    digest = str(facts["attestation_root_sha256"])
    assert attested == [
        f"     attested: serial 22222222, firmware 5.4.3, {facts['form_factor']}, FIPS series; "
        f"by {facts['attestation_root']} ({digest[:8]}...{digest[-6:]})"
    ]


def test_ceremony_questions_lists_the_yubikey_secrets_in_the_order_asked(bootstrapped):
    from ceremony.cli.questions import script_questions

    listed = script_questions(load_script(bootstrapped.folder / "bootstrap.yaml"))
    secrets = [q.id for q in listed if not q.id.startswith("confirm/") and not q.when]
    assert bootstrapped.keyholder.asked == secrets


def test_a_rotation_in_sittings_is_signed_on_each_yubikey_at_its_own_sitting(
        yubikeys, bootstrapped):
    """A signing request signed by each YubiKey's root key at a sitting of its own (the key
    opened by the URI its bundle records, its PIN asked, a touch), then sealed: the new
    root counts both, and the bundle verifies."""
    from ceremony.engine import utc_now
    from ceremony.sittings.request import make_request
    from ceremony.sittings.request_file import read_request, write_request
    from ceremony.sittings.seal import seal_request
    from ceremony.sittings.sign import KeyChoice, sign_request, write_signature_file

    folder = bootstrapped.folder
    newcomer = SoftwareKey.generate(ALGORITHMS["ed25519"])
    (folder / "root-c.pem").write_text(newcomer.facts().public_pem)
    script = folder / "rotate-in-sittings.yaml"
    script.write_text(
        "format: 1\nceremony: rotate-root\nflavor: tuf\ntitle: YubiKeys in sittings\n"
        "rehearsal: true\nnetwork: allowed\ncurrent: out\noutput: out-sittings\n"
        "request-expires: 7d\nsign-with: [root-a, root-b]\nkeyholders: [{name: c}]\n"
        "keys:\n  - {name: root-c, holder: c, import: root-c.pem}\n"
        "roles:\n  root: {keys: [root-a, root-b, root-c], threshold: 2, expires: 200d}\n")
    write_request(make_request(load_script(script), utc_now), folder / "request")
    request = read_request(folder / "request")
    touches = (yubikeys.fresh.touches, yubikeys.second.touches)
    signature_files = []
    for name in ("root-a", "root-b"):
        keyholder = Keyholder()
        signed = sign_request(request, folder / "request", current=bootstrapped.bundle,
                              keys=[KeyChoice(name)], operator=keyholder, clock=utc_now,
                              sitting=f"the holder of {name}")
        assert [entry.key for entry in signed.signatures] == [name]
        assert any(asked.startswith("pin/") for asked in keyholder.asked)
        path = folder / f"{name}.sig.json"
        write_signature_file(signed, path, qr=False)
        signature_files.append(path)
    assert yubikeys.fresh.touches > touches[0] and yubikeys.second.touches > touches[1]
    list(seal_request(request, folder / "request", signature_files[::-1],
                      output=folder / "out-sittings", current=bootstrapped.bundle,
                      clock=utc_now))
    verify_bundle(folder / "out-sittings")
    root = json.loads((folder / "out-sittings" / "metadata" / "root.json").read_text())
    assert root["signed"]["version"] == 2 and len(root["signatures"]) == 2
    for path in [*signature_files, *(folder / "request").rglob("*")]:
        if path.is_file():
            assert NEW_PIN.encode() not in path.read_bytes()
            assert SECOND_PIN.encode() not in path.read_bytes()
