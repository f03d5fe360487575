"""Keys a stopped attempt put on tokens: destroyed at a typed word, or named.

Against a real SoftHSM2 token (python-pkcs11 in the tool, OpenSC's
pkcs11-tool as the independent reader): a bootstrap that makes its root key
on a token and is stopped at the write confirmation destroys that key when
the operator types ``destroy`` (and the copy of a software key in a backup
token with it), records each destruction in the attempt's transcript, and
the same script then runs again to a sealed bundle. Without that answer the
key stays, the next attempt finds its label taken, and the transcript names
it with the pkcs11-tool commands that remove it, which are run here and do.
A run stopped by SIGTERM at a prompt names the key and asks nothing. An
abandoned rotation destroys the key it made, never the current bundle's
token key that signed it.
SoftHSM is refused outside a rehearsal, so the scripts say ``rehearsal:
true``; nothing else in them is rehearsal-only.
"""

from __future__ import annotations

import json
import os
import pty
import re
import shlex
import signal
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path

import pytest
from pty_reading import drain, read_until
from softhsm_support import MODULE, USER_PIN, softhsm
from witness import WITNESS, witnessed

from ceremony.cli import main
from ceremony.verify import verify_bundle
from hsm.algorithms import ALGORITHMS
from hsm.software import SoftwareKey

MAIN, BACKUP = "ceremony-main", "ceremony-backup"
TARGETS_PASS = "correct horse battery staple"
TOP = Path(__file__).resolve().parent.parent


def token_script(folder: Path, tag: str, *, backup: bool = False) -> Path:
    """A bootstrap whose one root key is made on the token ``ceremony-main``;
    with ``backup``, the targets key is made in software and copied into
    ``ceremony-backup`` (else it is imported, which costs no scrypt)."""
    for role in ("targets", "snapshot", "timestamp"):
        key = SoftwareKey.generate(ALGORITHMS["ed25519"])
        (folder / f"{role}.pem").write_text(key.facts().public_pem)
    targets = (
        textwrap.indent(
            textwrap.dedent(
                f"""\
                - name: targets
                  holder: a
                  algorithm: ed25519
                  backup-tokens:
                    - {{module: {MODULE}, token-label: {BACKUP}, object-label: targets-{tag}}}
                """
            ),
            "  ",
        )
        if backup
        else "  - {name: targets, import: targets.pem}\n"
    )
    script = folder / "bootstrap.yaml"
    script.write_text(
        textwrap.dedent(
            f"""\
            format: 1
            ceremony: bootstrap
            flavor: tuf
            title: a root key on a token
            rehearsal: true
            network: allowed
            output: out
            keyholders: [{{name: a}}]
            keys:
              - {{name: root-a, holder: a, algorithm: ecdsa-p256, backend: pkcs11,
                 module: {MODULE}, token-label: {MAIN}, object-label: root-a-{tag}}}
            """
        )
        + targets
        + textwrap.dedent(
            f"""\
              - {{name: snapshot, import: snapshot.pem}}
              - {{name: timestamp, import: timestamp.pem}}
            roles:
              root: {{keys: [root-a], threshold: 1, expires: 1y}}
              targets: {{keys: [targets], threshold: 1, expires: 90d}}
              snapshot: {{keys: [snapshot], threshold: 1, expires: 30d}}
              timestamp: {{keys: [timestamp], threshold: 1, expires: 7d}}
            spare-keys: none
            accept-risk: every root key must sign (a test root)
            pins:
              {MAIN}: {{env: TOKEN_PIN}}
            """
        )
        + (f"  {BACKUP}: {{env: TOKEN_PIN}}\npassphrases:\n  targets: {{env: TARGETS_PASS}}\n"
           if backup else "")
    )
    return script


def answers(folder: Path, text: str) -> Path:
    path = folder / "answers.yaml"
    path.write_text(text)
    return path


def attempt(folder: Path) -> list[dict]:
    """The events of the one attempt transcript beside the output."""
    (path,) = folder.glob("out.abandoned-*.jsonl")
    return [json.loads(line) for line in path.read_text().splitlines()]


def of(lines: list[dict], name: str) -> list[dict]:
    return [line for line in lines if line["event"] == name]


def objects_on(token: str, tag: str) -> list[str]:
    """What pkcs11-tool, logged in, lists on ``token`` with ``tag`` in its
    label: ``"privkey root-a-TAG"``, ``"pubkey root-a-TAG"``..."""
    listed = subprocess.run(
        ["pkcs11-tool", "--module", MODULE, "--token-label", token, "--login",
         "--pin", USER_PIN, "--list-objects"],
        env=os.environ, capture_output=True, text=True, check=True,
    ).stdout
    found, kind = [], ""
    for line in listed.splitlines():
        if line.startswith(("Private Key Object", "Public Key Object")):
            kind = "privkey" if line.startswith("Private") else "pubkey"
        match = re.match(r"\s+label:\s+(\S+)$", line)
        if match and tag in match.group(1):
            found.append(f"{kind} {match.group(1)}")
    return sorted(found)


def token_name(lines: list[dict], label: str) -> str:
    (login,) = [e for e in of(lines, "token-logged-in") if e["token"] == label]
    return f"token {label!r} (serial {login['serial']})"


def removal_commands(cka_id: str) -> str:
    base = (f"pkcs11-tool --module {MODULE} --token-label {MAIN} --login --delete-object "
            f"--id {cka_id} --type")
    return f"`{base} privkey` and `{base} pubkey`"


@pytest.fixture
def token_env(monkeypatch):
    softhsm()  # before anything loads the module
    monkeypatch.setenv("TOKEN_PIN", USER_PIN)
    monkeypatch.setenv("TARGETS_PASS", TARGETS_PASS)
    return uuid.uuid4().hex[:8]


def test_a_declined_write_destroys_the_token_key_and_the_script_runs_again(
    tmp_path, token_env, capsys
):
    tag = token_env
    script = token_script(tmp_path, tag)
    stop = answers(tmp_path, "confirm/script: yes\nconfirm/write: no\n"
                   "confirm/destroy-token-keys: destroy\n")
    assert main(witnessed(["run", str(script), "--answers", str(stop)])) == 3
    out, err = capsys.readouterr()
    assert err.strip() == (
        f"ceremony: the operator declined: Write the bundle to {tmp_path / 'out'}?. nothing "
        "was sealed; run the ceremony again when ready"
    )
    assert objects_on(MAIN, tag) == []  # pkcs11-tool, logged in, finds nothing left
    lines = attempt(tmp_path)
    (made,) = of(lines, "key-generated")
    name = token_name(lines, MAIN)
    (destroyed,) = of(lines, "key-destroyed")
    assert (destroyed["key"], destroyed["keyid"], destroyed["token"]) == (
        "root-a", made["keyid"], name
    )
    assert not [w for w in of(lines, "warning") if "stays on" in w["message"]]
    assert f"key root-a destroyed on {name}; read back: it is gone" in out
    events = [line["event"] for line in lines]
    assert events[-3:] == ["step-failed", "key-destroyed", "ceremony-abandoned"]
    assert not (tmp_path / "out").exists()

    # The label is free again: the same script now seals a bundle.
    assert main(witnessed(["run", str(script), "--yes"])) == 0
    capsys.readouterr()
    assert verify_bundle(tmp_path / "out").ok
    assert objects_on(MAIN, tag) == [f"privkey root-a-{tag}", f"pubkey root-a-{tag}"]


def test_without_the_destroy_answer_the_key_is_named_with_commands_that_remove_it(
    tmp_path, token_env, capsys
):
    tag = token_env
    script = token_script(tmp_path, tag)
    stop = answers(tmp_path, "confirm/script: yes\nconfirm/write: no\n")
    # stdin is no terminal
    assert main(witnessed(["run", str(script), "--answers", str(stop)])) == 3
    out = capsys.readouterr().out
    assert "Destroy the" not in out
    assert objects_on(MAIN, tag) == [f"privkey root-a-{tag}", f"pubkey root-a-{tag}"]
    lines = attempt(tmp_path)
    (made,) = of(lines, "key-generated")
    assert of(lines, "key-destroyed") == []
    warning = next(w["message"] for w in of(lines, "warning") if "root-a" in w["message"])
    commands = removal_commands(made["facts"]["cka_id"])
    assert warning == (
        f"key root-a stays on {token_name(lines, MAIN)} ({made['location']}); nothing sealed "
        f"uses it. Remove it with: {commands}"
    )
    assert USER_PIN not in warning

    # What a next attempt meets while the key stays: its label is taken.
    assert main(["validate", str(script)]) == 1
    out = capsys.readouterr().out
    assert f"already holds a key labelled 'root-a-{tag}'" in out, out
    # ... and says how to clear it: the same commands the warning named
    assert f"NOT RECORDED when no bundle uses it, e.g. one a stopped attempt left) with: " \
        f"{commands}" in out, out

    # The named commands, run as they are (only the PIN added), remove it.
    for command in re.findall(r"`([^`]+)`", warning):
        subprocess.run(shlex.split(command) + ["--pin", USER_PIN], env=os.environ,
                       capture_output=True, check=True)
    assert objects_on(MAIN, tag) == []
    assert main(["validate", str(script)]) == 0
    assert f"root-a-{tag} free" in capsys.readouterr().out


def test_a_copy_in_a_backup_token_is_destroyed_too(tmp_path, token_env, capsys):
    tag = token_env
    script = token_script(tmp_path, tag, backup=True)
    stop = answers(tmp_path, "confirm/script: yes\nconfirm/write: no\n"
                   "confirm/destroy-token-keys: destroy\n")
    assert main(witnessed(["run", str(script), "--answers", str(stop)])) == 3
    capsys.readouterr()
    assert objects_on(MAIN, tag) == []
    assert objects_on(BACKUP, tag) == []
    lines = attempt(tmp_path)
    (copied,) = of(lines, "key-backed-up")
    assert copied["key"] == "targets" and copied["token"] == BACKUP
    destroyed = [(e["key"], e["token"]) for e in of(lines, "key-destroyed")]
    assert destroyed == [
        ("root-a", token_name(lines, MAIN)),
        ("targets (backup)", token_name(lines, BACKUP)),
    ]


def test_an_abandoned_rotation_destroys_only_the_key_it_made(tmp_path, token_env, capsys):
    """The current bundle's token key signs the rotation and is never destroyed."""
    tag = token_env
    assert main(witnessed(["run", str(token_script(tmp_path, tag)), "--yes"])) == 0
    rotation = tmp_path / "rotate.yaml"
    rotation.write_text(textwrap.dedent(f"""\
        format: 1
        ceremony: rotate-root
        flavor: tuf
        title: a second root key on the token
        rehearsal: true
        network: allowed
        current: out
        output: out2
        sign-with: [root-a]
        keyholders: [{{name: c}}]
        keys:
          - {{name: root-c, holder: c, algorithm: ecdsa-p256, backend: pkcs11,
             module: {MODULE}, token-label: {MAIN}, object-label: root-c-{tag}}}
        roles:
          root: {{keys: [root-a, root-c], threshold: 1, expires: 200d}}
        pins:
          {MAIN}: {{env: TOKEN_PIN}}
        """))
    stop = answers(tmp_path, "confirm/script: yes\nconfirm/write: no\n"
                   "confirm/destroy-token-keys: destroy\n")
    assert main(witnessed(["run", str(rotation), "--answers", str(stop)])) == 3
    capsys.readouterr()
    (path,) = tmp_path.glob("out2.abandoned-*.jsonl")
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert [e["key"] for e in of(lines, "key-loaded")] == ["root-a"]  # it signed today
    assert [(e["key"], e["token"]) for e in of(lines, "key-destroyed")] == [
        ("root-c", token_name(lines, MAIN))
    ]
    assert objects_on(MAIN, tag) == [f"privkey root-a-{tag}", f"pubkey root-a-{tag}"]
    assert verify_bundle(tmp_path / "out").ok


def test_sigterm_at_a_prompt_names_the_token_key_and_asks_nothing(tmp_path, token_env):
    tag = token_env
    script = token_script(tmp_path, tag)
    only_script = answers(tmp_path, f"confirm/script: yes\nwitness: {WITNESS}\n")
    controller, terminal = pty.openpty()  # a terminal: the tool would ask if it meant to
    child = subprocess.Popen(
        [sys.executable, "-m", "ceremony", "run", str(script), "--answers", str(only_script)],
        stdin=terminal, stdout=terminal, stderr=terminal, cwd=TOP, env=os.environ,
    )
    os.close(terminal)
    seen = bytearray()
    try:
        read_until(controller, b"Type 'write' to go on: ", seen)
        child.send_signal(signal.SIGTERM)
        assert child.wait(timeout=60) == 143
        drain(controller, seen)
    finally:
        if child.poll() is None:
            child.kill()
        os.close(controller)
    said = seen.decode(errors="replace")
    assert "Destroy the" not in said and "'destroy'" not in said
    lines = attempt(tmp_path)
    (made,) = of(lines, "key-generated")
    assert of(lines, "key-destroyed") == []
    (warning,) = [w["message"] for w in of(lines, "warning") if "root-a" in w["message"]]
    assert warning == (
        f"key root-a stays on {token_name(lines, MAIN)} ({made['location']}); nothing sealed "
        f"uses it. Remove it with: {removal_commands(made['facts']['cka_id'])}"
    )
    (abandoned,) = of(lines, "ceremony-abandoned")
    assert (abandoned["how"], abandoned["reason"]) == ("stopped", "stopped by SIGTERM")
    # on the screen too, as when-a-step-fails.md says: the key left with the command
    # that removes it, the attempt's transcript, then why (the first two were once in
    # the transcript only, and the screen did not say where that was)
    (path,) = tmp_path.glob("out.abandoned-*.jsonl")
    shown = " ".join(said.split())  # the terminal wraps long lines
    assert " ".join(warning.split()) in shown, said
    assert (f"Ceremony stopped, nothing sealed; transcript of the attempt: {path} "
            "ceremony: stopped by SIGTERM; nothing was sealed") in shown, said
    assert objects_on(MAIN, tag) == [f"privkey root-a-{tag}", f"pubkey root-a-{tag}"]
    for command in re.findall(r"`([^`]+)`", warning):  # leave the shared token tidy
        subprocess.run(shlex.split(command) + ["--pin", USER_PIN], env=os.environ,
                       capture_output=True, check=True)
    assert objects_on(MAIN, tag) == []
