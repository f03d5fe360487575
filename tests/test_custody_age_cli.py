"""docs/runbooks/recovery-without-ceremony.md, followed to the letter with standard tools.

Split with this tool, then recover as the document tells a person to: check the
bundle with sha256sum, recover the master secret with SLIP-39 (the `shamir`
CLI of python-shamir-mnemonic, or the library), make the identity file with the
program printed in the document, check it with `age-keygen -y`, decrypt with
Debian's `age`, untar, and match every key's fingerprint with openssl. This is
the one test that writes an identity file, in its tmp dir, as the document does.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import shamir_mnemonic
from custody_helpers import make, need, written

from ceremony.custody import SharePlan

DOC = Path(__file__).resolve().parent.parent / "docs" / "runbooks" / "recovery-without-ceremony.md"
AGE = "/usr/bin/age"
AGE_KEYGEN = "/usr/bin/age-keygen"


def program_from_doc() -> str:
    """The age-identity.py program exactly as the document prints it."""
    text = DOC.read_text()
    after = text.split("<!-- age-identity.py -->", 1)[1]
    match = re.match(r"\s*```python\n(.*?)```", after, re.S)
    assert match, "the document must print age-identity.py right after its marker"
    return match.group(1)


def run(args, cwd, stdin=None) -> str:
    result = subprocess.run(
        args, cwd=cwd, input=stdin, capture_output=True, text=True,
        env={**os.environ, "LC_ALL": "C"},
    )
    assert result.returncode == 0, f"{args[0]} failed: {result.stderr}"
    return result.stdout


def shamir_cli() -> str | None:
    path = Path(sys.executable).parent / "shamir"
    # the CLI needs click: pip install "shamir-mnemonic[cli]"
    if importlib.util.find_spec("click") is None or not path.exists():
        return None
    return str(path)


def recover_by_the_document(workdir: Path, copy: Path, record: dict, secret_hex: str) -> dict:
    """Steps 1, 4, 5 and 6 of the document; returns key name -> fingerprint."""
    for name in ("bundle.age", "custody.json"):
        (workdir / name).write_bytes((copy / name).read_bytes())
    # 1. check the bundle copy
    assert run(["sha256sum", "bundle.age"], workdir).split()[0] == record["bundle"]["sha256"]
    # 4. make the identity and check it against the recorded recipient
    (workdir / "age-identity.py").write_text(program_from_doc())
    identity = run(["python3", "age-identity.py"], workdir,
                   stdin=f"Your master secret is: {secret_hex}\n")
    fd = os.open(workdir / "identity.txt", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as file:  # as `umask 077` makes it for a person
        file.write(identity)
    recipient = run([AGE_KEYGEN, "-y", "identity.txt"], workdir).strip()
    if recipient != record["recipient"]:
        return {}
    # 5. decrypt and unpack
    run([AGE, "-d", "-i", "identity.txt", "-o", "keys.tar", "bundle.age"], workdir)
    (workdir / "keys-out").mkdir()
    run(["tar", "-x", "-f", "keys.tar", "-C", "keys-out"], workdir)
    # 6. fingerprint of every key
    found = {}
    for pem in sorted((workdir / "keys-out" / "keys").glob("*.pem")):
        der = subprocess.run(
            ["openssl", "pkey", "-in", str(pem), "-pubout", "-outform", "DER"],
            capture_output=True, check=True,
        ).stdout
        found[pem.stem] = subprocess.run(
            ["sha256sum"], input=der, capture_output=True, check=True
        ).stdout.split()[0].decode()
    return found


@pytest.fixture
def tools():
    need(AGE, AGE_KEYGEN, "openssl", "sha256sum", "tar", "python3")


def test_recover_with_the_shamir_cli_and_age(tools, tmp_path):
    cli = shamir_cli()
    if cli is None:
        pytest.skip('the shamir CLI needs click: pip install "shamir-mnemonic[cli]"')
    custody = make(SharePlan.of(3, 5), passphrase="a long custody passphrase")
    copy = written(custody, tmp_path / "media")[1]
    record = json.loads((copy / "custody.json").read_text())
    shares = [custody.shares.shares[n].mnemonic for n in (0, 2, 4)]
    # 3. `shamir recover -p`: one share per prompt, then the passphrase twice
    typed = "\n".join(shares + ["a long custody passphrase"] * 2) + "\n"
    out = run([cli, "recover", "-p"], tmp_path, stdin=typed)
    master_secret = re.search(r"Your master secret is: ([0-9a-f]{64})", out).group(1)
    work = tmp_path / "recovery"
    work.mkdir()
    found = recover_by_the_document(work, copy, record, master_secret)
    assert found == {name: key["fingerprint"] for name, key in record["keys"].items()}
    index = json.loads((work / "keys-out" / "keys.json").read_text())
    assert index["keys"]["root-alice"]["roles"] == ["root"]


def test_recover_with_the_slip39_library_and_age_groups(tools, tmp_path):
    custody = make(SharePlan(((2, 3), (2, 3), (2, 3)), group_threshold=2))
    copy = written(custody, tmp_path / "media")[0]
    record = json.loads((copy / "custody.json").read_text())
    shares = [s.mnemonic for s in custody.shares.group(1)[1:] + custody.shares.group(3)[:2]]
    master_secret = shamir_mnemonic.combine_mnemonics(shares).hex()
    work = tmp_path / "recovery"
    work.mkdir()
    found = recover_by_the_document(work, copy, record, master_secret)
    assert found == {name: key["fingerprint"] for name, key in record["keys"].items()}


def test_a_wrong_passphrase_is_caught_at_step_4(tools, tmp_path):
    custody = make(SharePlan.of(2, 3), passphrase="right")
    copy = written(custody, tmp_path / "media")[0]
    record = json.loads((copy / "custody.json").read_text())
    shares = [s.mnemonic for s in custody.shares.shares[:2]]
    wrong = shamir_mnemonic.combine_mnemonics(shares, b"wrong").hex()
    work = tmp_path / "recovery"
    work.mkdir()
    assert recover_by_the_document(work, copy, record, wrong) == {}
    # and age itself refuses the wrong identity
    result = subprocess.run([AGE, "-d", "-i", "identity.txt", "bundle.age"], cwd=work,
                            capture_output=True)
    assert result.returncode != 0 and b"no identity matched" in result.stderr.lower()
