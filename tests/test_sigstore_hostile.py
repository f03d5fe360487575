"""Hostile trust material for a Sigstore bootstrap: refused cleanly, before any key.

Each case changes one trust file of a good script (a chain, a log key, a link
or a pipe in their place, or a file swapped after preflight) and runs
``ceremony validate``: the exact words of the refusal are held here, and
nothing is written. Certificates are built with the stand-in maker's builder;
keys the clients refuse are real keys of other types. Hostile files the tool
reads later (a client's trusted_root.json, a bundle's policies) are named
without a traceback. The script's own fields: test_sigstore_hostile_script.py.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from ceremony.cli import main
from ceremony.errors import CeremonyError
from ceremony.flavors.sigstore.policies import (
    ScopedKey,
    kyverno_policy,
    policy_controller_policies,
)
from ceremony.flavors.sigstore.standins import certificate
from ceremony.flavors.sigstore.verify.policies import check_policies
from ceremony.verify.contents import BundleContents
from tests.sigstore_instance import TRUST, public_pem, sigstore_script, standin_folder, validate

NOW = datetime.now(UTC)


def pem(*certs) -> bytes:
    return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certs)


def non_ca_chain(folder: Path) -> None:
    root_key, leaf_key = (
        ec.generate_private_key(ec.SECP384R1()),
        ec.generate_private_key(ec.SECP256R1()),
    )
    root = certificate("hostile root", root_key, None, NOW)
    leaf = certificate("hostile leaf", leaf_key, (root.subject, root_key), NOW, ca=False)
    (folder / "trust" / "fulcio-chain.pem").write_bytes(pem(leaf, root))


def expired_chain(folder: Path) -> None:
    key = ec.generate_private_key(ec.SECP384R1())
    old = certificate("old fulcio root", key, None, NOW - timedelta(days=400), days=30)
    (folder / "trust" / "fulcio-chain.pem").write_bytes(pem(old))


def out_of_order_chain(folder: Path) -> None:
    chain = (folder / "trust" / "fulcio-chain.pem").read_bytes()
    first, second = chain.split(b"-----END CERTIFICATE-----\n")[:2]
    (folder / "trust" / "fulcio-chain.pem").write_bytes(
        second + b"-----END CERTIFICATE-----\n" + first + b"-----END CERTIFICATE-----\n"
    )


def secp256k1_rekor_key(folder: Path) -> None:
    (folder / "trust" / "rekor.pub").write_bytes(
        public_pem(ec.generate_private_key(ec.SECP256K1()))
    )


def rsa_1024_ct_key(folder: Path) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    (folder / "trust" / "ctfe.pub").write_bytes(public_pem(key))


def private_key_as_rekor_key(folder: Path) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    (folder / "trust" / "rekor.pub").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )


def not_a_key(folder: Path) -> None:
    (folder / "trust" / "ctfe.pub").write_text("hello\n")


def tsa_leaf_without_timestamping(folder: Path) -> None:
    chain = (folder / "trust" / "fulcio-chain.pem").read_bytes()
    (folder / "trust" / "tsa-chain.pem").write_bytes(chain)


CASES = [
    pytest.param(
        non_ca_chain,
        "out.yaml:29: trust.fulcio[0] (TRUST/fulcio-chain.pem): Fulcio CA "
        "https://fulcio.example.internal: certificate 1 of 2 (hostile leaf) is not a CA "
        "certificate (no basicConstraints CA:TRUE). bring the CA chain that issues the "
        "certificates, not a leaf",
        id="non-ca",
    ),
    pytest.param(
        expired_chain,
        "out.yaml:29: trust.fulcio[0] (TRUST/fulcio-chain.pem): Fulcio CA "
        "https://fulcio.example.internal: certificate 1 of 1 (old fulcio root) expired on "
        f"{(NOW - timedelta(days=370)):%Y-%m-%d}. bring the service's current chain",
        id="expired",
    ),
    pytest.param(
        out_of_order_chain,
        "out.yaml:29: trust.fulcio[0] (TRUST/fulcio-chain.pem): Fulcio CA "
        "https://fulcio.example.internal: certificate 1 of 2 (rehearsal fulcio root) is not "
        "signed by the certificate after it. put the chain in order, leaf first, root last, "
        "with every certificate up to the root",
        id="out-of-order",
    ),
    pytest.param(
        secp256k1_rekor_key,
        "out.yaml:31: trust.rekor[0] (TRUST/rekor.pub): Rekor log https://rekor.example.internal: "
        "its public key is ECDSA secp256k1, a key type Sigstore clients do not accept. use "
        "ECDSA P-256, P-384 or P-521, Ed25519, or RSA 2048, 3072 or 4096",
        id="secp256k1",
    ),
    pytest.param(
        rsa_1024_ct_key,
        "out.yaml:33: trust.ctlog[0] (TRUST/ctfe.pub): CT log https://ctfe.example.internal: "
        "its public key is RSA 1024, a key type Sigstore clients do not accept. use ECDSA "
        "P-256, P-384 or P-521, Ed25519, or RSA 2048, 3072 or 4096",
        id="rsa-1024",
    ),
    pytest.param(
        private_key_as_rekor_key,
        "out.yaml:31: trust.rekor[0] (TRUST/rekor.pub): Rekor log https://rekor.example.internal: "
        "the file holds a private key; trust material is public only. bring only the "
        "certificate chain or public key, and treat that private key as exposed",
        id="private-key",
    ),
    pytest.param(
        not_a_key,
        "out.yaml:33: trust.ctlog[0] (TRUST/ctfe.pub): CT log https://ctfe.example.internal: "
        "the file holds no PEM public key. export the log's public key as PEM "
        "(-----BEGIN PUBLIC KEY-----)",
        id="not-a-key",
    ),
    pytest.param(
        tsa_leaf_without_timestamping,
        "out.yaml:35: trust.tsa[0] (TRUST/tsa-chain.pem): timestamp authority "
        "https://tsa.example.internal/api/v1/timestamp: certificate 1 of 2 (rehearsal fulcio "
        "intermediate) is not a timestamping certificate (extendedKeyUsage lacks "
        "timeStamping). bring the TSA's chain with its signing certificate first",
        id="tsa-not-timestamping",
    ),
]


@pytest.fixture
def folder(tmp_path, monkeypatch):
    return standin_folder(tmp_path, monkeypatch, NOW)


@pytest.mark.parametrize(("spoil", "message"), CASES)
def test_hostile_material_is_refused_before_any_key(folder, capsys, spoil, message):
    spoil(folder)
    code, output = validate(sigstore_script(folder), capsys)
    assert code != 0
    assert message.replace("TRUST", str(folder / "trust")) in output
    assert not (folder / "out").exists()
    assert "Traceback" not in output


def test_a_trust_file_that_is_a_link_or_a_pipe_is_refused(folder, capsys):
    rekor = folder / "trust" / "rekor.pub"
    rekor.rename(folder / "elsewhere.pub")
    rekor.symlink_to(folder / "elsewhere.pub")
    os.mkfifo(folder / "trust" / "ctfe.fifo")
    trust = TRUST.replace("key: trust/ctfe.pub", "key: trust/ctfe.fifo")
    code, output = validate(sigstore_script(folder, trust=trust), capsys)
    assert code != 0
    where = folder / "trust"
    assert (
        f"out.yaml:31: trust.rekor[0] ({where}/rekor.pub): Rekor log "
        "https://rekor.example.internal: the file is a symbolic link. bring the file on the "
        "media named in the script"
    ) in output
    assert (
        f"out.yaml:33: trust.ctlog[0] ({where}/ctfe.fifo): CT log https://ctfe.example.internal: "
        "the file is not a plain file (a pipe, device or socket). bring the file on the media "
        "named in the script"
    ) in output


def test_material_changed_after_preflight_stops_the_ceremony_before_any_key(folder):
    """Preflight read good files; the step that uses them reads them again and refuses."""
    from ceremony.engine import run_ceremony
    from ceremony.events import KeyGenerated, StepFailed
    from ceremony.rehearsal.operator import RehearsalOperator
    from ceremony.script.load import load_script

    class SwapAfterPreflight(RehearsalOperator):
        def confirm(self, request):
            if request.id == "confirm/script":  # the last question of preflight
                secp256k1_rekor_key(folder)
            return super().confirm(request)

    plan = load_script(sigstore_script(folder))
    events = []
    with pytest.raises(CeremonyError):
        for event in run_ceremony(plan, SwapAfterPreflight()):
            events.append(event)
    failed = [e for e in events if isinstance(e, StepFailed)]
    assert [e.step for e in failed] == ["trust-material"]
    assert "its public key is ECDSA secp256k1" in failed[0].error
    assert not any(isinstance(e, KeyGenerated) for e in events)
    assert not (folder / "out").exists()


def hostile_trusted_root(folder: Path, log: dict) -> Path:
    """A client's trusted_root.json (its TUF cache is theirs to tamper with), one log."""
    root = {
        "mediaType": "application/vnd.dev.sigstore.trustedroot+json;version=0.1",
        "tlogs": [log],
        "certificateAuthorities": [{"uri": "https://fulcio.example.internal", "validFor": []}],
        "ctlogs": [],
        "timestampAuthorities": [],
    }
    path = folder / "trusted_root.json"
    path.write_text(json.dumps(root))
    return path


def rekor(valid_for: object) -> dict:
    key = {"rawBytes": "AA==", "keyDetails": "PKIX_ED25519", "validFor": valid_for}
    return {"baseUrl": "https://rekor.example.internal", "publicKey": key, "logId": {"keyId": "x"}}


@pytest.mark.parametrize(
    ("log", "words"),
    [
        (rekor("2026-01-01"), "tlogs[0] cannot be read"),
        (rekor({"start": "0001-01-01T00:00:00+01:00"}), "Rekor log  'https://rekor.example"),
    ],
    ids=["window-not-an-object", "time-before-year-1-in-utc"],
)
def test_inspect_and_status_of_a_hostile_trusted_root_name_it_without_a_traceback(
    tmp_path, capsys, log, words
):
    """Both ended in an AttributeError or OverflowError traceback; status, which cannot
    tell when the unreadable CA's window ends, exits 3 naming it (not 0, all in order)."""
    path = hostile_trusted_root(tmp_path, log)
    assert main(["inspect", str(path)]) == 0
    output = capsys.readouterr().out
    assert words in output
    assert "certificateAuthorities[0] cannot be read" in output
    assert main(["status", str(path)]) == 3
    unreadable = (
        "certificateAuthorities[0] cannot be read; tlogs[0] cannot be read: status cannot "
        "tell when their windows end"
        if "tlogs" in words
        else "certificateAuthorities[0] cannot be read: status cannot tell when its window ends"
    )
    assert (
        f"{path}: {unreadable}. refresh the client's copy from the mirror, or inspect the file"
        in capsys.readouterr().err
    )


def test_policies_with_yaml_aliases_are_refused_before_they_are_walked():
    """879 bytes of aliases named 2,560,000 keys: verify took a minute and printed each."""
    n = 40
    kyverno = "\n".join([
        "apiVersion: kyverno.io/v1",
        "x-e: &e {keys: {publicKeys: k}}",
        "x-es: &es [" + ", ".join(["*e"] * n) + "]",
        "x-a: &a {entries: *es}",
        "x-as: &as [" + ", ".join(["*a"] * n) + "]",
        "x-v: &v {attestors: *as}",
        "x-vs: &vs [" + ", ".join(["*v"] * n) + "]",
        "x-r: &r {name: cosign-x, verifyImages: *vs}",
        "spec: {rules: [" + ", ".join(["*r"] * n) + "]}",
    ])
    pub = public_pem(ec.generate_private_key(ec.SECP256R1()))
    scoped = [ScopedKey("x", pub.decode(), ("r.example/a/**",))]
    contents = BundleContents.from_bytes({
        "policies/kyverno-clusterpolicy.yaml": kyverno.encode(),
        "policies/clusterimagepolicy.yaml": policy_controller_policies(scoped),
        "cosign/x.pub": pub,
    })
    problems: list = []
    check_policies(contents, problems)
    assert [str(p) for p in problems] == [
        "policies/kyverno-clusterpolicy.yaml: holds a YAML alias (*name), which the tool "
        "never writes: each one repeats a part, and a few hundred bytes of them name "
        "millions of keys; it was changed after the ceremony"
    ]
    written = kyverno_policy(scoped * 2)
    assert b"*id" not in written and b"&id" not in written  # the same key twice: no alias
