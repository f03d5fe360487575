"""A dct rotate-root whose token key returns a bad signature publishes nothing.

Two root keys, threshold 1: one on a real SoftHSM token, one in software.
The rotation is signed by both, and the token's signature over each new
root.json comes back spoiled (its PKCS#11 signer flips a bit of ``s``), as
a faulty token would return it. The software key alone meets both
thresholds, so only a check of every signature can stop the bad one from
being published: the ceremony must stop at the GUN's metadata, name the
token key by the id the root knows it by, and leave no bundle behind.

Test fixture note: the token PIN and the passphrases are throwaway test
values (tests/softhsm_support.py).
"""

from __future__ import annotations

import json
import textwrap
import uuid
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)
from softhsm_support import MODULE, USER_PIN, softhsm

from ceremony.engine import run_ceremony
from ceremony.events import StepFailed
from ceremony.flavors.dct.notary.errors import DctError
from ceremony.flavors.dct.rehearsal import GUNS, made_up_server_keys
from ceremony.operator import Secret
from ceremony.script.load import load_script
from hsm.pkcs11.signer import Pkcs11Signer

GUN = GUNS[0]
TOKEN = "ceremony-main"
# both root keys sign version 2, and bob's new key joins them
ROTATE = """\
    format: 1
    ceremony: rotate-root
    flavor: dct
    title: the token key and alice's sign; bob's key joins them
    rehearsal: true
    network: allowed
    output-media: any-device
    current: 1-bootstrap
    output: 2-rotate
    sign-with: [root-hsm, root-alice]
    keyholders: [{name: bob}]
    keys:
      - {name: root-bob, holder: bob, algorithm: ecdsa-p256}
    roles:
      root: {keys: [root-hsm, root-alice, root-bob], threshold: 1}
    """


class Operator:
    """A keyholder who knows the PIN and the passphrases."""

    can_retry = False

    def secret(self, request):
        return Secret(USER_PIN if request.id.startswith("pin/") else "a test passphrase")

    def confirm(self, request):
        return True

    def choose(self, request):
        return request.options[0]


def run(folder: Path, name: str, text: str) -> list:
    script = folder / f"{name}.yaml"
    script.write_text(textwrap.dedent(text))
    return list(run_ceremony(load_script(script), Operator()))


@pytest.fixture
def bootstrapped(tmp_path) -> Path:
    softhsm()  # every token made before anything loads the module
    made_up_server_keys(tmp_path / "server-keys")
    run(tmp_path, "1-bootstrap", f"""\
        format: 1
        ceremony: bootstrap
        flavor: dct
        title: a root key on a token and one in software
        rehearsal: true
        network: allowed
        output-media: any-device
        output: 1-bootstrap
        guns: [{GUN}]
        server-keys: server-keys
        keyholders: [{{name: alice}}, {{name: ci}}]
        keys:
          - {{name: root-hsm, holder: alice, algorithm: ecdsa-p256, backend: pkcs11,
              module: {MODULE}, token-label: {TOKEN},
              object-label: faulty-{uuid.uuid4().hex[:12]}}}
          - {{name: root-alice, holder: alice, algorithm: ecdsa-p256}}
          - {{name: repo, holder: ci, algorithm: ecdsa-p256}}
        roles:
          root: {{keys: [root-hsm, root-alice], threshold: 1}}
          targets: {{keys: [repo]}}
        """)
    return tmp_path


def test_a_token_that_spoils_its_root_signature_stops_the_rotation(bootstrapped, monkeypatch):
    folder = bootstrapped
    keys = json.loads((folder / "1-bootstrap" / "keys" / "index.json").read_text())["keys"]
    token_keyid = keys["root-hsm"]["guns"][GUN]  # the id of its certificate for this GUN
    real_sign_raw = Pkcs11Signer.sign_raw
    spoiled = []

    def sign_raw_spoiling_roots(signer, payload):
        raw = real_sign_raw(signer, payload)
        if payload.startswith(b'{"_type":"Root"'):
            r, s = decode_dss_signature(raw)
            raw = encode_dss_signature(r, s ^ 1)
            spoiled.append(payload)
        return raw

    monkeypatch.setattr(Pkcs11Signer, "sign_raw", sign_raw_spoiling_roots)
    with pytest.raises(DctError) as error:
        run(folder, "2-rotate", ROTATE)
    assert len(spoiled) == 1  # the token signed the new root once, and the check stopped there
    message = str(error.value)
    assert message.startswith(f"{GUN}: the root metadata's signature by key ")
    assert "does not verify. That key or its token returned a bad signature" in message
    named = message.split("signature by key ")[1].split()[0]
    assert named == token_keyid[:12]  # the token key, by the id this GUN's root knows it by
    assert not (folder / "2-rotate").exists()
    assert list(folder.glob("2-rotate.abandoned-*.jsonl"))  # the attempt is on record


def test_the_same_rotation_with_a_sound_token_is_signed_by_it(bootstrapped):
    events = run(bootstrapped, "2-rotate", ROTATE)
    assert not [event for event in events if isinstance(event, StepFailed)]
    root = json.loads((bootstrapped / "2-rotate" / "metadata" / GUN / "root.json").read_bytes())
    assert root["signed"]["version"] == 2
    assert len(root["signatures"]) == 3  # the token, alice, and bob's new key
