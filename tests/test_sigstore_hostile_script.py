"""Hostile fields of a Sigstore script: refused by ``ceremony validate``, before any key.

Each case changes one line of a good script's ``trust:`` (a URL that is not
https or carries credentials, a log window that ends before it starts or
leaves a gap, ``mirror-signer:`` unknown or offline with a short timestamp,
a service missing) or of its keys (an imported timestamp key, an online
signer's timestamp key on a token, a cosign key name too long for a file):
the exact words of the refusal are held here. The trust files themselves:
test_sigstore_hostile.py.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from softhsm_support import MODULE, USER_PIN, softhsm

from tests.sigstore_instance import TRUST, public_pem, sigstore_script, standin_folder, validate


@pytest.fixture
def folder(tmp_path, monkeypatch):
    return standin_folder(tmp_path, monkeypatch, datetime.now(UTC))


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
        "out.yaml:37: trust.oidc[0].url: the text holds a character that cannot be seen or "
        "that controls the terminal: \\x1b",
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
