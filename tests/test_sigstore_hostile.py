"""Hostile trust material for a Sigstore bootstrap: refused cleanly, before any key.

Each case changes one file (or one line of ``trust:``) of a good script and
runs ``ceremony validate``: the exact words of the refusal are held here,
and nothing is written. Certificates are built with the stand-in maker's
builder; keys the clients refuse are real keys of other types.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from softhsm_support import MODULE, USER_PIN, softhsm

from ceremony.cli import main
from ceremony.errors import CeremonyError
from ceremony.flavors.sigstore.policies import (
    ScopedKey,
    kyverno_policy,
    policy_controller_policies,
)
from ceremony.flavors.sigstore.standins import certificate, write_standins
from ceremony.flavors.sigstore.verify.policies import check_policies
from ceremony.verify.contents import BundleContents
from tests.sigstore_instance import PASS, TRUST, sigstore_script

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


def public_pem(key) -> bytes:
    return key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
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
    for name, value in PASS.items():
        monkeypatch.setenv(name, value)
    write_standins(tmp_path / "trust", NOW)
    return tmp_path


def validate(script: Path, capsys) -> tuple[int, str]:
    code = main(["validate", str(script)])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


@pytest.mark.parametrize(("spoil", "message"), CASES)
def test_hostile_material_is_refused_before_any_key(folder, capsys, spoil, message):
    spoil(folder)
    code, output = validate(sigstore_script(folder), capsys)
    assert code != 0
    assert message.replace("TRUST", str(folder / "trust")) in output
    assert not (folder / "out").exists()
    assert "Traceback" not in output


TRUST_CASES = [
    pytest.param(
        ("https://rekor.example.internal", "http://rekor.example.internal"),
        "out.yaml:31: trust.rekor[0].url: 'http://rekor.example.internal' is not an https URL "
        "with a host; Sigstore clients reach every service over https. Write it as "
        "https://HOST[:PORT][/PATH]",
        id="http-url",
    ),
    pytest.param(
        ("https://fulcio.example.internal", "https://user:pw@fulcio.example.internal"),
        "out.yaml:29: trust.fulcio[0].url: 'https://user:pw@fulcio.example.internal' carries a "
        "user name, password, query or fragment, which clients would publish to everyone. "
        "Write it as https://HOST[:PORT][/PATH]",
        id="credentials-in-url",
    ),
    pytest.param(
        ("https://ctfe.example.internal", "https://ctfe.example.internal:99999"),
        "out.yaml:33: trust.ctlog[0].url: 'https://ctfe.example.internal:99999' is not a URL. "
        "Write it as https://HOST[:PORT][/PATH]",
        id="bad-port",
    ),
    pytest.param(
        ("https://oidc.example.internal", '"https://oidc.example.internal/\\e[2J"'),
        "out.yaml:37: trust.oidc[0].url: 'https://oidc.example.internal/\\x1b[2J' is not a URL. "
        "Write it as https://HOST[:PORT][/PATH]",
        id="terminal-escape-in-url",
    ),
    pytest.param(
        ("key: trust/ctfe.pub}", "key: trust/ctfe.pub, valid-until: 2020-01-01}"),
        "out.yaml:33: trust.ctlog[0] (TRUST/ctfe.pub): CT log https://ctfe.example.internal: "
        "its valid-until (2020-01-01 00:00) is not after its start (",
        id="window-ends-before-it-starts",
    ),
    pytest.param(
        (
            "key: trust/ctfe.pub}",
            "key: trust/ctfe.pub, valid-from: 2019-01-01, valid-until: 2020-01-01}",
        ),
        "[FAIL] trust: no CT log is in use on {today}: clients need at least one of "
        "each to sign and verify; add one, or correct its valid-from and valid-until",
        id="no-ct-log-in-use",
    ),
    pytest.param(
        ("chain: trust/fulcio-chain.pem}", "chain: trust/missing.pem}"),
        "out.yaml:29: trust.fulcio[0] (TRUST/missing.pem): Fulcio CA "
        "https://fulcio.example.internal: the file does not exist. bring the file on the media "
        "named in the script",
        id="missing-file",
    ),
    pytest.param(
        ("  legacy-targets: true\n", "  legacy-targets: true\n  mirror-signer: offline\n"),
        "[FAIL] mirror-signer timestamp: timestamp expires "
        "{week} (in 6 days), but mirror-signer is offline: no "
        "server re-signs it, so clients stop updating then; give snapshot and timestamp 90 "
        "days or more, or write mirror-signer: online",
        id="offline-signer-short-timestamp",
    ),
    pytest.param(
        ("  legacy-targets: true\n", "  legacy-targets: true\n  mirror-signer: sometimes\n"),
        "trust.mirror-signer: expected one of online, offline, got 'sometimes'. Write "
        "mirror-signer: online (a server re-signs snapshot and timestamp) or offline (only "
        "ceremonies do)",
        id="mirror-signer-unknown",
    ),
    pytest.param(
        ("  ctlog:\n    - {url: https://ctfe.example.internal, key: trust/ctfe.pub}\n", ""),
        "out.yaml:26: trust.ctlog: this required field is missing. Add ctlog: "
        "[{url: ..., key: ctfe.pub}]",
        id="no-ctlog",
    ),
]


@pytest.mark.parametrize(("change", "message"), TRUST_CASES)
def test_hostile_trust_fields_are_refused(folder, capsys, change, message):
    old, new = change
    assert old in TRUST
    before = datetime.now(UTC)
    code, output = validate(sigstore_script(folder, trust=TRUST.replace(old, new)), capsys)
    after = datetime.now(UTC)
    assert code != 0
    # The tool reads the clock itself: a run across midnight may see either day.
    expected = {
        message.replace("TRUST", str(folder / "trust"))
        .replace("{today}", f"{day:%Y-%m-%d}")
        .replace("{week}", f"{day + timedelta(days=7):%Y-%m-%d}")
        for day in (before, after)
    }
    assert any(text in output for text in expected), output
    assert "Traceback" not in output


def test_an_imported_timestamp_key_is_refused(folder, capsys):
    key = ec.generate_private_key(ec.SECP256R1())
    (folder / "timestamp.pub").write_bytes(public_pem(key))
    script = sigstore_script(folder)
    text = (
        script.read_text()
        .replace(
            "{name: timestamp, holder: ops, algorithm: ecdsa-p256}",
            "{name: timestamp, import: timestamp.pub}",
        )
        .replace("  timestamp: {env: SIG_ONLINE}\n", "")
    )
    script.write_text(text)
    code, output = validate(script, capsys)
    assert code != 0
    assert (
        "roles.timestamp: timestamp is imported, but a Sigstore bootstrap signs timestamp "
        "version 1 of the mirror here; make the key in this ceremony" in output
    )


def two_rekor_logs(second_from: str) -> str:
    """Two Rekor logs: the first valid until 2030-01-01, the second from ``second_from``."""
    old = "    - {url: https://rekor.example.internal, key: trust/rekor.pub}\n"
    new = (
        "    - {url: https://rekor.example.internal, key: trust/rekor.pub, "
        "valid-from: 2026-01-01, valid-until: 2030-01-01}\n"
        "    - {url: https://rekor2.example.internal, key: trust/ctfe.pub, "
        f"valid-from: {second_from}}}\n"
    )
    return TRUST.replace(old, new)


def test_rekor_windows_with_a_gap_are_refused(folder, capsys):
    code, output = validate(sigstore_script(folder, trust=two_rekor_logs("2030-02-01")), capsys)
    assert code != 0
    assert (
        "[FAIL] trust windows: the Rekor log windows leave a gap from 2030-01-01 00:00 to "
        "2030-02-01 00:00 UTC, when none is valid; during a rotation the new one must be in use "
        "before the old one's window closes: start its valid-from earlier, or end the old "
        "one's valid-until later"
    ) in output


def test_overlapping_rekor_windows_pass(folder, capsys):
    code, output = validate(sigstore_script(folder, trust=two_rekor_logs("2029-12-01")), capsys)
    assert code == 0, output
    assert (
        "[ok] trust windows: each kind of service has a valid one from its first start on" in output
    )


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


def test_an_online_signer_s_timestamp_key_on_a_token_is_refused(folder, capsys, monkeypatch):
    """Validate passed; the ceremony made the key on the token and wrote mirror-signer/
    without it, so the server had nothing to re-sign timestamp with."""
    softhsm()  # every token made before anything loads the module
    monkeypatch.setenv("HSM_PIN", USER_PIN)
    online = TRUST.replace("trust:\n", "trust:\n  mirror-signer: online\n")
    script = sigstore_script(folder, trust=online)
    script.write_text(
        script.read_text()
        .replace("flavor: sigstore\n", "flavor: sigstore\nrehearsal: true\n")
        .replace(
            "{name: timestamp, holder: ops, algorithm: ecdsa-p256}",
            f"{{name: timestamp, holder: ops, algorithm: ecdsa-p256, backend: pkcs11, "
            f"module: {MODULE}, token-label: ceremony-main, object-label: online-timestamp}}",
        )
        .replace("  timestamp: {env: SIG_ONLINE}\n", "")
        .replace("passphrases:\n", "pins:\n  ceremony-main: {env: HSM_PIN}\npassphrases:\n")
    )
    code, output = validate(script, capsys)
    assert code != 0
    assert (
        "[FAIL] mirror-signer timestamp: the timestamp key timestamp is made on a token, where "
        "it stays, but mirror-signer is online: mirror-signer/ exports only keys kept in files, "
        "so the server could not re-sign timestamp and clients would stop updating when it "
        "expires; make timestamp in software (stored encrypted for the server), or give "
        "snapshot and timestamp 90 days or more and write mirror-signer: offline"
    ) in output
    assert output.count("[FAIL]") == 1, output


def test_a_cosign_key_name_too_long_for_a_file_is_refused_before_any_key(folder, capsys):
    """Validate passed; the ceremony made every root and online key, asked their
    passphrases, and stopped writing cosign/NAME.key: File name too long."""
    script = sigstore_script(folder)
    script.write_text(script.read_text() + f"cosign-keys:\n  - {{name: {'c' * 260}}}\n")
    code, output = validate(script, capsys)
    assert code != 0
    assert (
        "out.yaml:40: cosign-keys[0].name: the name 'cccccccccccccccc'... is 260 characters "
        "long: files are named after it (NAME.age, NAME.pem, cosign/NAME.key) and a file name "
        "holds at most 255, so the ceremony could not write them. Use a name of at most 250 "
        "characters"
    ) in output
