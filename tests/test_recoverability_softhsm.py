"""A surviving design, proved on SoftHSM: lose one token and sign the root from what is left.

The "spare keys" design of docs/reference/scripts.md ("Recoverability"): three root keys,
each made on its own token with its own keyholder, threshold 2, no custody.
The bootstrap's preflight shows that it survives any one loss; then one token
is deleted (softhsm2-util, as a token lost or broken), and a root rotation
signs the next root with the two tokens left, replacing the lost key with one
made on a spare token. `ceremony verify` checks the result, as a client would.
Every ceremony runs in a process of its own (SoftHSM reads its tokens once per
process), as the operator would run it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from softhsm_support import MODULE, SO_PIN, USER_PIN, make_token

TOKENS = ("root-hsm-a", "root-hsm-b", "root-hsm-c", "root-hsm-d")
PASSPHRASE = "correct horse battery staple"
HEAD = "format: 1\nflavor: tuf\nrehearsal: true\nnetwork: allowed\noutput-media: any-device\n"


def key(name: str, holder: str, label: str) -> str:
    return (f"  - {{name: {name}, holder: {holder}, algorithm: ecdsa-p256, backend: pkcs11, "
            f"module: {MODULE}, token-label: {label}}}\n")


def ceremony(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "ceremony", *args], env=env,
                          capture_output=True, text=True, check=False)


def tokens_and_secrets(
    tmp_path: Path, labels: tuple[str, ...], keys: tuple[str, ...]
) -> tuple[dict[str, str], Path]:
    """Throwaway tokens made up front, and a secrets file of their PINs and the
    software keys' passphrases."""
    exported: dict[str, str] = {}
    for label in labels:
        exported = make_token(tmp_path / "softhsm", label)
    secrets = tmp_path / "secrets.yaml"
    secrets.write_text("".join(f"pin/{label}: {USER_PIN}\n" for label in labels)
                       + "".join(f"{name}: {PASSPHRASE}\n" for name in keys))
    secrets.chmod(0o600)
    return {**os.environ, "SOFTHSM2_CONF": exported["SOFTHSM2_CONF"]}, secrets


def test_losing_one_token_leaves_enough_to_sign_the_next_root(tmp_path):
    env, secrets = tokens_and_secrets(tmp_path, TOKENS, ("targets", "snapshot", "timestamp"))
    bootstrap = tmp_path / "bootstrap.yaml"
    bootstrap.write_text(
        HEAD + "ceremony: bootstrap\ntitle: spare keys on three tokens\noutput: boot\n"
        "keyholders: [{name: alice}, {name: bob}, {name: carol}]\nkeys:\n"
        + key("root-a", "alice", "root-hsm-a") + key("root-b", "bob", "root-hsm-b")
        + key("root-c", "carol", "root-hsm-c")
        + "  - {name: targets, holder: alice, algorithm: ed25519}\n"
        "  - {name: snapshot, holder: alice, algorithm: ed25519}\n"
        "  - {name: timestamp, holder: alice, algorithm: ed25519}\n"
        "roles:\n  root: {keys: [root-a, root-b, root-c], threshold: 2, expires: 1y}\n"
        "  targets: {keys: [targets], threshold: 1, expires: 180d}\n"
        "  snapshot: {keys: [snapshot], threshold: 1, expires: 30d}\n"
        "  timestamp: {keys: [timestamp], threshold: 1, expires: 7d}\n"
    )
    made = ceremony(env, "run", str(bootstrap), "--yes", "--secrets", str(secrets))
    assert made.returncode == 0, made.stderr
    assert ("[ok] one loss: the root can still be signed after losing any one token or "
            "keyholder") in made.stdout
    assert ("token 'root-hsm-c' -> survives: a rotation can sign with 2 (root-a (on token "
            "'root-hsm-a'), root-b (on token 'root-hsm-b'))") in made.stdout

    # The token holding root-c is lost.
    lost = subprocess.run(["softhsm2-util", "--delete-token", "--token", "root-hsm-c"],
                          env=env, capture_output=True, text=True, check=False)
    assert lost.returncode == 0, lost.stderr
    listed = subprocess.run(["pkcs11-tool", "--module", MODULE, "--list-token-slots"],
                            env=env, capture_output=True, text=True, check=True).stdout
    assert "root-hsm-c" not in listed and "root-hsm-a" in listed

    rotate = tmp_path / "rotate.yaml"
    rotate.write_text(
        HEAD + "ceremony: rotate-root\ntitle: root-c's token is lost\ncurrent: boot\n"
        "output: rotated\nsign-with: [root-a, root-b]\n"
        "keyholders: [{name: alice}, {name: bob}, {name: dave}]\nkeys:\n"
        + key("root-d", "dave", "root-hsm-d")
        + "roles:\n  root: {keys: [root-a, root-b, root-d], threshold: 2, expires: 1y}\n"
    )
    signed = ceremony(env, "run", str(rotate), "--yes", "--secrets", str(secrets))
    assert signed.returncode == 0, signed.stdout + signed.stderr
    verified = ceremony(env, "verify", str(tmp_path / "rotated"))
    assert verified.returncode == 0, verified.stdout
    root = json.loads((tmp_path / "rotated" / "metadata" / "root.json").read_text())
    assert root["signed"]["version"] == 2
    assert len(root["signatures"]) >= 2
    keys = json.loads((tmp_path / "rotated" / "keys" / "index.json").read_text())["keys"]
    assert "root-c" not in keys and keys["root-d"]["location"].startswith(
        "pkcs11:token=root-hsm-d;")
    assert SO_PIN not in (tmp_path / "rotated" / "transcript.jsonl").read_text()




def test_the_issue_design_is_told_at_bootstrap_and_at_recovery(tmp_path):
    """Issue 18's room: two root keys on tokens, one in software, threshold 2, custody.
    The bootstrap (a rehearsal: told, not stopped) says custody will hold 1 of 2; the
    recovery's preflight says which keys are missing and why."""
    env, secrets = tokens_and_secrets(tmp_path, TOKENS[:2],
                                      ("root-carol", "targets", "snapshot", "timestamp"))
    for name in ("media-a", "media-b", "sheets"):
        (tmp_path / name).mkdir()
    bootstrap = tmp_path / "bootstrap.yaml"
    bootstrap.write_text(
        HEAD + "ceremony: bootstrap\ntitle: two token keys, one software\noutput: boot\n"
        "keyholders: [{name: alice}, {name: bob}, {name: carol}]\nkeys:\n"
        + key("root-alice", "alice", "root-hsm-a") + key("root-bob", "bob", "root-hsm-b")
        + "  - {name: root-carol, holder: carol, algorithm: ed25519}\n"
        "  - {name: targets, holder: carol, algorithm: ed25519}\n"
        "  - {name: snapshot, holder: carol, algorithm: ed25519}\n"
        "  - {name: timestamp, holder: carol, algorithm: ed25519}\n"
        "roles:\n  root: {keys: [root-alice, root-bob, root-carol], threshold: 2, "
        "expires: 1y}\n"
        "  targets: {keys: [targets], threshold: 1, expires: 180d}\n"
        "  snapshot: {keys: [snapshot], threshold: 1, expires: 30d}\n"
        "  timestamp: {keys: [timestamp], threshold: 1, expires: 7d}\n"
        "custody:\n  media: [media-a, media-b]\n  sheets: sheets\n"
        "  shares: {threshold: 2, of: 3}\n"
    )
    made = ceremony(env, "run", str(bootstrap), "--yes", "--secrets", str(secrets))
    assert made.returncode == 0, made.stdout + made.stderr
    assert ("[ok] one loss: a rehearsal, so not refused: custody will hold 1 of the 2 root "
            "keys needed, so a recovery from custody can never sign this root (root-alice is "
            "made on token 'root-hsm-a' and cannot go into custody; root-bob is made on token "
            "'root-hsm-b' and cannot go into custody)") in made.stdout
    custody_id = json.loads(next((tmp_path / "media-a").glob("custody-*/custody.json"))
                            .read_text())["ceremony_id"]

    recover = tmp_path / "recover.yaml"
    recover.write_text(
        HEAD + "ceremony: recover\ntitle: carol's passphrase is lost\ncurrent: boot\n"
        "output: recovered\nrecover-from: {copies: [media-a, media-b]}\n"
        "keyholders: [{name: carol}]\n"
        "keys:\n  - {name: targets-2, holder: carol, algorithm: ed25519}\n"
        "replace:\n  targets: {keys: [targets-2], threshold: 1, expires: 60d}\n"
    )
    checked = ceremony(env, "validate", str(recover))
    assert checked.returncode == 1
    assert (
        f"[FAIL] custody keys: the custody bundle of ceremony {custody_id} holds 1 of the 2 "
        "root keys that the current root (version 1) needs (root-alice was made on a token "
        "and is not in custody; root-bob was made on a token and is not in custody): a "
        "recovery from custody alone cannot sign it. Sign with the root keys still at hand in a "
        "rotate-root (sign-with) instead, or bring the custody bundle of a later ceremony "
        "that holds enough of them"
    ) in checked.stdout, checked.stdout
