"""cosign-keys: CI signing keys kept as cosign.key, checked by an independent reader.

The reader here (hashlib.scrypt, PyNaCl's secretbox, cryptography) is
written from cosign's format, not from the tool's code: it opens cosign's
own published test key (pkg/cosign/keys_test.go, password "hello") and the
keys a bootstrap with ``cosign-keys:`` writes. A blob signed with the
opened key verifies against ``cosign.pub`` as ``cosign verify-blob --key``
checks it (ECDSA P-256, SHA-256, base64 DER). The tool's own reader refuses
scrypt parameters cosign does not accept, and a wrong passphrase.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import textwrap
from datetime import UTC, datetime

import nacl.secret
import pytest
import yaml
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from witness import witnessed

from ceremony.cli import main
from ceremony.errors import CeremonyError
from ceremony.flavors.sigstore.cosign_key import decrypt_pkcs8, encrypt_pkcs8
from ceremony.flavors.sigstore.standins import write_standins
from ceremony.verify import verify_bundle
from hsm.errors import WrongPassphraseError
from tests.sigstore_instance import PASS, sigstore_script

# cosign's pkg/cosign/keys_test.go, "SIGSTORE labeled key" (password "hello")
COSIGN_TEST_KEY = b"""\
-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----
eyJrZGYiOnsibmFtZSI6InNjcnlwdCIsInBhcmFtcyI6eyJOIjozMjc2OCwiciI6
OCwicCI6MX0sInNhbHQiOiI3T3VGd2VsbWZZNXVId2NoaURSc210anNwZ2ZlZjFG
Mk5lOGFDTjVLYVpZPSJ9LCJjaXBoZXIiOnsibmFtZSI6Im5hY2wvc2VjcmV0Ym94
Iiwibm9uY2UiOiJQNHk4OGhCb3ZTa09MbXN0bFVBaGJwdDJ0K2xTNUxQSCJ9LCJj
aXBoZXJ0ZXh0IjoiMnB1QzdyZldJOWh3bnJlQ2s4aUZDRlVwQlRrSzRJNlIvbFBF
cnBDekpXUGpJWXl4eGVIL1A2VW52cFJHdVhla1NNb3JMdGhLamdoQ1JlNy82NDVH
QWtoVm1LRC92eEF0S2EvbE1abENSQ3FlekJGUFd1dzNpeFRtZ2xhb2J1ZFVSbUVs
bmNGOGlZbzBTMVl6Y1ZOMVFwY2J2c0dNcUlYRzVlbmdteGp5dCtBcXlyZTF0Q0Y0
V01tU1BlaEljNlBqd2h1Q2xHaVpJUWRvTGc9PSJ9
-----END ENCRYPTED SIGSTORE PRIVATE KEY-----
"""


def independent_open(pem: bytes, password: bytes) -> tuple[dict, bytes]:
    """cosign's format read from its description: PEM body -> JSON -> scrypt -> secretbox."""
    lines = pem.decode().strip().splitlines()
    assert lines[0] == "-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----"
    assert lines[-1] == "-----END ENCRYPTED SIGSTORE PRIVATE KEY-----"
    document = json.loads(base64.b64decode("".join(lines[1:-1])))
    params = document["kdf"]["params"]
    key = hashlib.scrypt(
        password,
        salt=base64.b64decode(document["kdf"]["salt"]),
        n=params["N"],
        r=params["r"],
        p=params["p"],
        maxmem=256 * 1024 * 1024,
        dklen=32,
    )
    der = nacl.secret.SecretBox(key).decrypt(
        base64.b64decode(document["ciphertext"]),
        base64.b64decode(document["cipher"]["nonce"]),
    )
    return document, der


def test_cosign_s_own_test_key_opens_with_both_readers():
    _, der = independent_open(COSIGN_TEST_KEY, b"hello")
    assert decrypt_pkcs8(COSIGN_TEST_KEY, "hello", "keys_test.go") == der
    key = serialization.load_der_private_key(der, password=None)
    assert key.public_key() is not None


@pytest.fixture(scope="module")
def with_cosign_keys(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sigstore-cosign")
    write_standins(folder / "trust", datetime.now(UTC))
    script = sigstore_script(folder)
    script.write_text(
        script.read_text().replace(
            "keyholders: [{name: a}, {name: b}, {name: ops}]",
            "keyholders: [{name: a}, {name: b}, {name: ops}, {name: ci}]",
        )
        + textwrap.dedent(
            """\
            cosign-keys:
              - {name: ci-release, holder: ci,
                 repositories: [registry.example.internal/release/**]}
              - {name: ci-nightly}
            """
        )
    )
    secrets = folder / "secrets.yaml"
    secrets.write_text("ci-release: release passphrase 1\nci-nightly: nightly passphrase 2\n")
    os.chmod(secrets, 0o600)
    with pytest.MonkeyPatch.context() as patch:
        for name, value in PASS.items():
            patch.setenv(name, value)
        assert main(witnessed(["run", str(script), "--yes", "--secrets", str(secrets)])) == 0
    return folder / "out"


def test_the_bundle_holds_each_cosign_key_and_verifies(with_cosign_keys):
    assert verify_bundle(with_cosign_keys).ok
    for name in ("ci-release", "ci-nightly"):
        assert (with_cosign_keys / "cosign" / f"{name}.key").stat().st_mode & 0o077 == 0
        assert (with_cosign_keys / "cosign" / f"{name}.pub").is_file()
    transcript = (with_cosign_keys / "transcript.jsonl").read_text()
    assert "cosign-scrypt-secretbox" in transcript
    assert "release passphrase 1" not in transcript


def test_the_bundle_holds_the_cluster_policies_for_the_keys_that_name_repositories(
    with_cosign_keys,
):
    pub = (with_cosign_keys / "cosign" / "ci-release.pub").read_text().strip()
    kyverno = (with_cosign_keys / "policies" / "kyverno-clusterpolicy.yaml").read_text()
    (policy,) = yaml.safe_load_all(kyverno)
    (rule,) = policy["spec"]["rules"]  # ci-nightly names no repositories: no rule
    assert rule["name"] == "cosign-ci-release"
    (verify,) = rule["verifyImages"]
    assert verify["imageReferences"] == ["registry.example.internal/release/**"]
    assert verify["attestors"][0]["entries"][0]["keys"]["publicKeys"] == pub
    cips = (with_cosign_keys / "policies" / "clusterimagepolicy.yaml").read_text()
    (cip,) = yaml.safe_load_all(cips)
    assert cip["spec"]["images"] == [{"glob": "registry.example.internal/release/**"}]
    assert cip["spec"]["authorities"][0]["key"]["data"] == pub
    page = (with_cosign_keys / "CLIENTS.md").read_text()
    assert "    kubectl apply -f policies/kyverno-clusterpolicy.yaml\n" in page
    assert "    kubectl apply -f policies/clusterimagepolicy.yaml\n" in page


def test_written_keys_open_independently_and_sign_as_cosign_verifies(with_cosign_keys):
    pem = (with_cosign_keys / "cosign" / "ci-release.key").read_bytes()
    document, der = independent_open(pem, b"release passphrase 1")
    assert document["kdf"]["params"] == {"N": 32768, "r": 8, "p": 1}
    assert len(base64.b64decode(document["kdf"]["salt"])) == 32
    assert document["cipher"] == {"name": "nacl/secretbox", "nonce": document["cipher"]["nonce"]}
    private_key = serialization.load_der_private_key(der, password=None)
    assert isinstance(private_key, ec.EllipticCurvePrivateKey)
    assert private_key.curve.name == "secp256r1"
    public = serialization.load_pem_public_key(
        (with_cosign_keys / "cosign" / "ci-release.pub").read_bytes()
    )
    blob = b"an artifact CI signs"
    signature = base64.b64encode(private_key.sign(blob, ec.ECDSA(hashes.SHA256())))
    public.verify(base64.b64decode(signature), blob, ec.ECDSA(hashes.SHA256()))


def test_a_wrong_passphrase_is_refused(with_cosign_keys):
    pem = (with_cosign_keys / "cosign" / "ci-nightly.key").read_bytes()
    with pytest.raises(WrongPassphraseError, match="the passphrase does not open this cosign key"):
        decrypt_pkcs8(pem, "not the passphrase", "cosign/ci-nightly.key")


def with_params(pem: bytes, **params: int) -> bytes:
    lines = pem.decode().strip().splitlines()
    document = json.loads(base64.b64decode("".join(lines[1:-1])))
    document["kdf"]["params"].update(params)
    body = base64.b64encode(json.dumps(document).encode()).decode()
    return "\n".join([lines[0], body, lines[-1], ""]).encode()


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({"N": 2**14}, "N=16384, r=8, p=1"),
        ({"N": 2**18}, "N=262144, r=8, p=1"),
        ({"r": 16}, "N=32768, r=16, p=1"),
        ({"p": 2}, "N=32768, r=8, p=2"),
    ],
)
def test_scrypt_parameters_cosign_refuses_are_refused(params, words):
    pem = with_params(encrypt_pkcs8(b"not a key", "passphrase"), **params)
    with pytest.raises(CeremonyError) as refused:
        decrypt_pkcs8(pem, "passphrase", "ci.key")
    assert refused.value.message() == (
        f"ci.key: has scrypt parameters {words}; cosign accepts only N of 2^15, 2^16 "
        "or 2^17 with r=8 and p=1. use a cosign.key written by cosign or by this tool"
    )


def test_the_largest_n_cosign_accepts_opens():
    pem = encrypt_pkcs8(b"a key", "passphrase", n=2**17)
    assert decrypt_pkcs8(pem, "passphrase", "ci.key") == b"a key"
    assert independent_open(pem, b"passphrase")[1] == b"a key"


def test_verify_judges_the_cosign_keys_without_their_passphrases(with_cosign_keys, tmp_path):
    bundle = tmp_path / "bundle"
    shutil.copytree(with_cosign_keys, bundle)
    key = bundle / "cosign" / "ci-release.key"
    key.write_bytes(with_params(key.read_bytes(), N=2**14))
    (bundle / "cosign" / "ci-nightly.pub").unlink()
    lines = verify_bundle(bundle).lines()
    assert (
        "cosign/ci-release.key: has scrypt parameters N=16384, r=8, p=1; cosign accepts only "
        "N of 2^15, 2^16 or 2^17 with r=8 and p=1"
    ) in lines
    assert "cosign/ci-nightly.pub: missing: a cosign key comes as a pair" in lines
