"""`ceremony run` headless: scripted ceremonies, and how they stop.

Every way a ceremony can stop leaves no bundle and no staging folder: only,
past preflight, the transcript of the abandoned attempt beside the output.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest
from witness import witnessed

import ceremony.verify.loader as loader
from ceremony.cli import main
from ceremony.verify import verify_bundle
from hsm.algorithms import ALGORITHMS
from hsm.software import SoftwareKey

PASS = {"ROOT_A_PASS": "correct horse battery 1", "ROOT_B_PASS": "correct horse battery 2"}


def public_pem_file(path: Path) -> Path:
    key = SoftwareKey.generate(ALGORITHMS["ed25519"])
    path.write_text(key.facts().public_pem)
    return path


def small_bootstrap(folder: Path, output: str = "out", extra: str = "") -> Path:
    """Two root keys (threshold 1), online keys imported: cheap to run."""
    online = folder / "online"
    online.mkdir(exist_ok=True)
    for name in ("targets", "snapshot", "timestamp"):
        if not (online / f"{name}.pem").exists():
            public_pem_file(online / f"{name}.pem")
    script = folder / "bootstrap.yaml"
    script.write_text(
        textwrap.dedent(
            f"""\
            format: 1
            ceremony: bootstrap
            flavor: tuf
            title: test bootstrap
            network: allowed
            output-media: any-device
            output: {output}
            keyholders: [{{name: a}}, {{name: b}}]
            keys:
              - {{name: root-a, holder: a, algorithm: ed25519}}
              - {{name: root-b, holder: b, algorithm: ecdsa-p256}}
              - {{name: targets, import: online/targets.pem}}
              - {{name: snapshot, import: online/snapshot.pem}}
              - {{name: timestamp, import: online/timestamp.pem}}
            roles:
              root: {{keys: [root-a, root-b], threshold: 1, expires: 1y}}
              targets: {{keys: [targets], threshold: 1, expires: 90d}}
              snapshot: {{keys: [snapshot], threshold: 1, expires: 30d}}
              timestamp: {{keys: [timestamp], threshold: 1, expires: 7d}}
            passphrases:
              root-a: {{env: ROOT_A_PASS}}
              root-b: {{env: ROOT_B_PASS}}
            """
        )
        + extra
    )
    return script


def rotation(folder: Path, current: str, output: str) -> Path:
    script = folder / "rotate.yaml"
    script.write_text(
        textwrap.dedent(
            f"""\
            format: 1
            ceremony: rotate-root
            flavor: tuf
            title: test rotation
            network: allowed
            output-media: any-device
            current: {current}
            output: {output}
            sign-with: [root-a]
            roles:
              root: {{keys: [root-a, root-b], threshold: 1, expires: 200d}}
            passphrases:
              root-a: {{env: ROOT_A_PASS}}
            """
        )
    )
    return script


@pytest.fixture
def passphrases(monkeypatch):
    for name, value in PASS.items():
        monkeypatch.setenv(name, value)


@pytest.fixture(scope="module")
def bootstrapped(tmp_path_factory, headless_bootstrap):
    """A folder holding ``out``, small_bootstrap's bundle (made once for the session,
    conftest.py): this module's copy, which its tests may write beside."""
    folder = tmp_path_factory.mktemp("boot")
    shutil.copytree(headless_bootstrap, folder, symlinks=True, dirs_exist_ok=True)
    return folder


def read_only_folder(path: Path) -> None:
    """A folder nobody can write, root included: a read-only mount (as a
    write-protected USB stick is), or a 0555 folder for other users."""
    path.mkdir()
    if os.geteuid() != 0:
        path.chmod(0o555)
        return
    subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=64k", "tmpfs", str(path)], check=True)
    MOUNTS.append(path)


MOUNTS: list[Path] = []


@pytest.fixture(autouse=True)
def _unmount():
    yield
    while MOUNTS:
        subprocess.run(["umount", str(MOUNTS.pop())], check=False)


def test_headless_bootstrap_writes_a_bundle_that_verifies(bootstrapped):
    report = verify_bundle(bootstrapped / "out")
    assert report.ok, report.problems
    assert (bootstrapped / "out" / "keys" / "offline" / "root-a.age").is_file()
    assert not (bootstrapped / "out" / "metadata" / "targets.json").exists()
    for value in PASS.values():
        for path in (bootstrapped / "out").rglob("*"):
            if path.is_file():
                assert value.encode() not in path.read_bytes()


def test_rotation_with_env_passphrase(bootstrapped, passphrases, capsys):
    script = rotation(bootstrapped, "out", "out2-ok")
    assert main(witnessed(["run", str(script), "--yes"])) == 0
    assert verify_bundle(bootstrapped / "out2-ok").ok
    assert "old root: 1 signature, threshold 1 (met)" in capsys.readouterr().out


def test_wrong_passphrase_for_a_stored_key_stops_and_writes_nothing(
    bootstrapped, passphrases, monkeypatch, capsys
):
    monkeypatch.setenv("ROOT_A_PASS", "not the passphrase")
    script = rotation(bootstrapped, "out", "out2-wrong")
    assert main(witnessed(["run", str(script), "--yes"])) == 3
    err = capsys.readouterr().err
    assert err.strip() == (
        f"ceremony: {bootstrapped / 'out'}: the passphrase for key root-a does not open "
        "keys/offline/root-a.age. check the environment variable ROOT_A_PASS"
    )
    assert not (bootstrapped / "out2-wrong").exists()
    assert not list(bootstrapped.glob(".out2-wrong.incomplete-*"))
    (record,) = bootstrapped.glob("out2-wrong.abandoned-*.jsonl")
    assert b"ceremony-abandoned" in record.read_bytes()
    assert b"not the passphrase" not in record.read_bytes()


@pytest.mark.parametrize(
    "case, prepare, message",
    [
        (
            "output exists",
            lambda folder: (folder / "out").mkdir(),
            "output: {folder}/out already exists: a bundle is never written over anything; "
            "name a new output in the script (then review it again) or use an empty medium",
        ),
        (
            "output folder missing",
            lambda folder: None,
            "output: the folder {folder}/missing does not exist: "
            "mount the media or create the folder",
        ),
        (
            "output not writable",
            lambda folder: read_only_folder(folder / "ro"),
            "output: the folder {folder}/ro is not writable: check the media is mounted read-write",
        ),
    ],
)
def test_bad_output_stops_in_preflight_and_writes_nothing(
    tmp_path, passphrases, capsys, case, prepare, message
):
    prepare(tmp_path)
    output = {
        "output exists": "out",
        "output folder missing": "missing/out",
        "output not writable": "ro/out",
    }[case]
    script = small_bootstrap(tmp_path, output=output)
    before = sorted(p.name for p in tmp_path.rglob("*"))
    assert main(witnessed(["run", str(script), "--yes"])) == 3
    err = capsys.readouterr().err
    assert message.format(folder=tmp_path) in err
    assert "nothing was done" in err
    assert sorted(p.name for p in tmp_path.rglob("*")) == before


def test_missing_env_passphrase_is_named(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("ROOT_A_PASS", raising=False)
    monkeypatch.setenv("ROOT_B_PASS", "x" * 20)
    assert main(witnessed(["run", str(small_bootstrap(tmp_path)), "--yes"])) == 3
    err = capsys.readouterr().err
    assert "the environment variable ROOT_A_PASS is not set" in err
    assert not (tmp_path / "out").exists()


def test_no_answer_without_a_terminal_stops_cleanly(tmp_path, passphrases, capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin.isatty", lambda: False, raising=False)
    assert main(["run", str(small_bootstrap(tmp_path))]) == 3
    err = capsys.readouterr().err
    assert "no answer for the question 'confirm/script'" in err
    assert "--yes" in err
    assert not (tmp_path / "out").exists()


def test_declining_the_write_abandons_cleanly(tmp_path, passphrases, capsys):
    answers = tmp_path / "answers.yaml"
    answers.write_text("confirm/script: yes\nconfirm/write: no\n")
    assert main(witnessed(["run", str(small_bootstrap(tmp_path)), "--answers", str(answers)])) == 3
    err = capsys.readouterr().err
    assert "the operator declined: Write the bundle" in err
    assert not (tmp_path / "out").exists()
    assert not list(tmp_path.glob(".out.incomplete-*"))
    assert len(list(tmp_path.glob("out.abandoned-*.jsonl"))) == 1


def test_secrets_file_readable_by_others_is_refused(tmp_path, capsys):
    secrets = tmp_path / "secrets.yaml"
    secrets.write_text("root-a: aaaaaaaaaaaaaaaa\n")
    secrets.chmod(0o644)
    script = small_bootstrap(tmp_path)
    assert main(witnessed(["run", str(script), "--secrets", str(secrets), "--yes"])) == 3
    assert "the secrets file can be read by others" in capsys.readouterr().err


def test_validate_changes_nothing(tmp_path, passphrases, capsys):
    script = small_bootstrap(tmp_path)
    before = sorted(p.name for p in tmp_path.rglob("*"))
    assert main(["validate", str(script)]) == 0
    out = capsys.readouterr().out
    assert "sha256" in out and "preflight passes" in out
    assert sorted(p.name for p in tmp_path.rglob("*")) == before


def test_a_file_over_its_limit_at_the_seal_is_named_with_what_to_do(
    tmp_path, passphrases, monkeypatch, capsys
):
    """The seal's verify finds a file larger than it reads (here: the verifier's
    public key limit made smaller than the keys the tool writes): the refusal
    names the file, its size and the limit, and what to do, never a fault in the
    tool or the media."""
    real = loader.kept_limit

    def small(path: str) -> tuple[int, str] | None:
        limit = real(path)
        return (100, limit[1]) if limit and limit[1] == "public key file" else limit

    monkeypatch.setattr(loader, "kept_limit", small)
    monkeypatch.chdir(tmp_path)
    script = small_bootstrap(tmp_path)
    assert main(witnessed(["run", str(script), "--yes"])) == 3
    err = capsys.readouterr().err
    assert "the bundle would not pass `ceremony verify` (5 problem(s): keys/public/" in err
    assert "bytes, more than the 100 a public key file may have" in err
    assert err.rstrip().endswith(
        "nothing was sealed; the bundle would hold a file larger than `ceremony verify` "
        "reads: name fewer keys, paths or GUNs in the script and run it again")
    assert "fault in the tool" not in err
    assert not (tmp_path / "out").exists()

