"""The runbooks cannot drift from the tool.

Every shell block of docs/runbooks/ marked ```` ```sh runnable ```` runs, with bash
(``-euo pipefail``: an unset variable fails too), against one rehearsal made per
module by the preparation runbook's own rehearsal block; each runbook's variables
(``SCRIPT``, ``BUNDLE``, ``CURRENT``, ``HEAD``...) are set to the rehearsal's
matching paths, each only once the page has told the operator to set it (a
``NAME=`` line in a shell block before), the scripts being copies of the
rehearsal's with a new output so that ``validate`` has something to check (the
leaving-dct runbook gets the session's DCT rehearsal and a migrate-dct of its GUNs,
made when its test runs). Every ``ceremony`` command line anywhere in the runbooks,
runnable or not, must parse with the tool's own command line. Each job's runbook has
the parts the people in the room need.
"""

from __future__ import annotations

import hashlib
import json
import os
import pty
import re
import shlex
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from pty_reading import echo_off

from ceremony.cli.main import build_parser
from ceremony.engine import run_ceremony
from ceremony.flavors.sigstore.rehearsal import MIGRATE
from ceremony.rehearsal.operator import RehearsalOperator
from ceremony.script.load import load_script
from ceremony.verify import verify_bundle

ROOT = Path(__file__).resolve().parent.parent
RUNBOOKS = ROOT / "docs" / "runbooks"
JOBS = (
    "prepare-room-and-tokens.md", "first-bootstrap.md", "delegating.md",
    "quarterly-rotation.md", "disaster-recovery.md", "key-destruction.md",
    "when-a-step-fails.md", "signing-in-several-places.md", "leaving-dct.md",
)
FENCE = re.compile(r"^(?P<indent> *)```(?P<info>[^\n]*)\n(?P<body>.*?)^(?P=indent)```", re.M | re.S)
REHEARSE = "ceremony rehearse"
COMMAND = re.compile(r"\s*(sudo\s+)?(\S*/)?ceremony(\s|$)")


def blocks(page: Path) -> list[tuple[str, str]]:
    """(info string, body dedented) of every fenced block of ``page``."""
    found = []
    for match in FENCE.finditer(page.read_text()):
        indent = len(match["indent"])
        body = "".join(line[indent:] for line in match["body"].splitlines(keepends=True))
        found.append((match["info"].strip(), body))
    return found


def runnable(page: Path) -> list[str]:
    return [body for info, body in blocks(page) if info == "sh runnable"]


ASSIGNED = re.compile(r"(?m)^([A-Za-z_][A-Za-z0-9_]*)=")


def runnable_as_told(page: Path) -> list[tuple[str, frozenset[str]]]:
    """Each runnable block of ``page`` (but the rehearsal's) with the variables the
    page has told the operator to set before it: a ``NAME=`` line in its shell blocks
    so far. A variable a block uses and the page never sets is one the operator
    cannot give (bash -u then stops at it, as it would in the room)."""
    told: set[str] = set()
    found = []
    for info, body in blocks(page):
        if not info.startswith("sh"):
            continue
        if info == "sh runnable" and REHEARSE not in body:
            found.append((body, frozenset(told)))
        told.update(ASSIGNED.findall(body))
    return found


def run_block(body: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "-euo", "pipefail", "-c", body], env=env, cwd=cwd,
        capture_output=True, text=True, timeout=300,
    )


def shell_env(room: Path, **variables: Path | str) -> dict[str, str]:
    """The runbook's variables; the tool on PATH; and ``room``'s own SoftHSM, with
    no token in it but the ones made there (not the other tests' tokens)."""
    tool = str(Path(sys.executable).parent)  # the venv's bin: its `ceremony`
    env = {k: v for k, v in os.environ.items()
           if k not in ("SCRIPT", "BUNDLE", "CURRENT", "CEREMONY_PKCS11_MODULE")}
    env["PATH"] = f"{tool}:{env.get('PATH', '')}"
    env["SOFTHSM2_CONF"] = str(room / "softhsm2.conf")
    return env | {name: str(value) for name, value in variables.items()}


@pytest.fixture(scope="module")
def rehearsal(tmp_path_factory) -> Path:
    """The preparation runbook's rehearsal block, run once: it makes the rehearsal.
    The room's SoftHSM holds no token yet (other tests' tokens are not in it)."""
    [block] = [b for b in runnable(RUNBOOKS / "prepare-room-and-tokens.md") if REHEARSE in b]
    folder = tmp_path_factory.mktemp("runbooks") / "rehearsal"
    (folder.parent / "tokens").mkdir()
    (folder.parent / "softhsm2.conf").write_text(
        f"directories.tokendir = {folder.parent / 'tokens'}\n"
    )
    done = run_block(block, shell_env(folder.parent, REHEARSAL=folder), folder.parent)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return folder


def fresh_script(rehearsal: Path, name: str) -> Path:
    """The rehearsal's script ``name`` again, writing to a new output, for validate."""
    text = (rehearsal / f"{name}.yaml").read_text()
    copy = rehearsal / f"again-{name}.yaml"
    copy.write_text(re.sub(r"(?m)^output: .*$", f"output: again-{name}", text))
    return copy


def paper(bundle: Path) -> dict[str, str]:
    """HEAD and MANIFEST as the paper log has them: in groups of four."""
    head = verify_bundle(bundle).transcript_head
    manifest = hashlib.sha256((bundle / "MANIFEST.json").read_bytes()).hexdigest()
    grouped = [" ".join(h[i:i + 4] for i in range(0, len(h), 4)) for h in (head, manifest)]
    return {"HEAD": grouped[0], "MANIFEST": grouped[1]}


def leaving_dct(rehearsal: Path, dct: Path) -> dict[str, Path | str]:
    """The newest bundle of the session's DCT rehearsal ``dct``, and the sigstore
    rehearsal's migrate-dct run on its GUNs (written beside the runbooks' rehearsal)."""
    folder = rehearsal / "leaving-dct"
    folder.mkdir()
    newest = dct / "4-decommission"
    (folder / "5-migrate-dct.yaml").write_text(
        MIGRATE.replace("dct/4-decommission", str(newest)))
    list(run_ceremony(load_script(folder / "5-migrate-dct.yaml"), RehearsalOperator()))
    bundle = folder / "5-migrate-dct"
    return {"DCT": newest, "DCT_HEAD": paper(newest)["HEAD"],
            "SCRIPT": fresh_script(folder, "5-migrate-dct"), "BUNDLE": bundle, **paper(bundle)}


def variables(rehearsal: Path, page: str, dct: Callable[[], Path]) -> dict[str, Path | str]:
    """The paths the runbook ``page``'s blocks are given: the rehearsal's (``dct``: the
    session's DCT rehearsal, made when first asked)."""
    bundles = {n: rehearsal / n for n in ("1-bootstrap", "2-delegate", "3-rotate-root",
                                          "4-recover")}
    custody = {"CUSTODY_A": rehearsal / "custody-a", "CUSTODY_B": rehearsal / "custody-b"}
    [sheets] = (rehearsal / "custody-sheets").iterdir()

    def job(name: str, current: str | None, **more: Path | str) -> dict[str, Path | str]:
        found: dict[str, Path | str] = {"SCRIPT": fresh_script(rehearsal, name),
                                        "BUNDLE": bundles[name], **paper(bundles[name]), **more}
        if current:
            found["CURRENT"] = bundles[current]
        return found

    return {
        "prepare-room-and-tokens.md": lambda: {"SCRIPT": fresh_script(rehearsal, "1-bootstrap"),
                                               "REHEARSAL": rehearsal},
        "first-bootstrap.md": lambda: job("1-bootstrap", None, SHEETS=sheets, **custody),
        "delegating.md": lambda: job("2-delegate", "1-bootstrap"),
        "quarterly-rotation.md": lambda: job("3-rotate-root", "2-delegate"),
        "disaster-recovery.md": lambda: job("4-recover", "3-rotate-root", **custody),
        "key-destruction.md": lambda: {"BUNDLE": bundles["4-recover"]},
        "when-a-step-fails.md": lambda: {"BUNDLE": bundles["4-recover"]},
        "signing-in-several-places.md": lambda: {"CURRENT": bundles["4-recover"]},
        "leaving-dct.md": lambda: leaving_dct(rehearsal, dct()),
    }[page]()


@pytest.mark.parametrize("page", JOBS)
def test_every_runnable_block_runs_against_a_rehearsal(rehearsal, page, request):
    found = runnable_as_told(RUNBOOKS / page)
    assert found, f"{page} has no runnable block"
    given = variables(rehearsal, page, lambda: request.getfixturevalue("dct_rehearsal")[0])
    env = shell_env(rehearsal.parent, **given)
    for body, told in found:
        # only the variables the page said to set by then: HEAD and MANIFEST were
        # once used and never set (an empty --manifest was then not checked)
        done = run_block(body, {k: v for k, v in env.items() if k not in given or k in told},
                         rehearsal)
        assert done.returncode == 0, f"{page}:\n{body}\n{done.stdout[-1500:]}{done.stderr[-1500:]}"
        assert done.stdout.strip(), f"{page}: printed nothing:\n{body}"


#: the variables holding a digest copied from the paper log, as the operator sets them
PAPER = {f"${name}": "0f0f " * 16 for name in ("HEAD", "MANIFEST", "DCT_HEAD")}


def command_lines(page: Path) -> list[str]:
    """Every ``ceremony`` command in ``page``: in shell blocks (continuations joined,
    comments dropped) and in inline code."""
    lines = []
    for info, body in blocks(page):
        if not info.startswith("sh"):
            continue
        for line in body.replace("\\\n", " ").splitlines():
            if not COMMAND.match(line):
                continue
            words = shlex.split(line, comments=True)
            if words and words[0] == "sudo":
                words = words[1:]
            if words and words[0].split("/")[-1] == "ceremony":
                lines.append(shlex.join(words))
    prose = FENCE.sub("", page.read_text())
    lines += [" ".join(span.split()) for span in re.findall(r"`(ceremony [^`]+)`", prose)]
    return lines


@pytest.mark.parametrize("page", sorted(p.name for p in RUNBOOKS.glob("*.md")))
def test_every_ceremony_command_in_the_runbooks_is_one_the_tool_has(page, capsys):
    for line in command_lines(RUNBOOKS / page):
        # a digest from the paper log is checked as the command line is read
        words = [PAPER.get(word, word) for word in shlex.split(line)[1:]]
        try:
            build_parser().parse_args(words)
        except SystemExit:
            pytest.fail(f"{page}: `{line}` is not a command the tool has: "
                        f"{capsys.readouterr().err.strip()}")


@pytest.mark.parametrize("page", JOBS)
def test_each_runbook_has_what_the_room_needs(page):
    text = (RUNBOOKS / page).read_text()
    for part in ("## Roles", "## Materials", "## Steps", "## Exception procedure",
                 "## If this fails"):
        assert part in text, f"{page} has no {part!r}"
    assert text.count("**Witness initials") >= 3, page
    assert "*Check by eye*" in text, page
    assert re.search(r"(?m)^1\. \*\*", text), f"{page}: the steps are not numbered"


def test_every_runbook_is_listed_in_the_index():
    index = (RUNBOOKS / "README.md").read_text()
    for page in RUNBOOKS.glob("*.md"):
        if page.name != "README.md":
            assert f"]({page.name})" in index, page.name


def test_a_key_rotated_away_before_a_recovery_is_what_its_runbook_expects(rehearsal):
    """The rehearsal's recovery opens custody made before a rotation, so root-carol,
    rotated away, comes back in no role of the current root. The runbook once sent the
    operator away for a newer custody at that line, and the tool's own check by eye
    said every recovered key matches: both now say it is expected."""
    from ceremony.custody_events import KeyRecovered
    from ceremony.describe import describe

    root = json.loads((rehearsal / "3-rotate-root" / "metadata" / "root.json").read_text())
    counted = {keyid for role in root["signed"]["roles"].values() for keyid in role["keyids"]}
    lines = [json.loads(line) for line in
             (rehearsal / "4-recover" / "transcript.jsonl").read_text().splitlines()]
    away = [line for line in lines
            if line["event"] == "key-recovered" and line["keyid"] not in counted]
    assert [line["key"] for line in away] == ["root-carol"]
    said = describe(KeyRecovered(key="root-carol", keyid=away[0]["keyid"], current_roles=()))
    page = " ".join((RUNBOOKS / "disaster-recovery.md").read_text().split())
    assert f"`matches: {said.split(', matches: ')[1]}`: expected" in page, said
    [step] = [line for line in lines
              if line["event"] == "step-started" and line["step"] == "open-custody"]
    assert "rotated away since the custody was made" in step["check_by_eye"]


def test_a_new_root_key_made_as_its_runbook_says_is_one_the_tool_opens(tmp_path):
    """A new keyholder of a rotation signed in sittings makes their key at their own
    sitting: the runbook once only said they had, not how. Its commands run here as
    written, at a terminal (age asks the passphrase there), and the tool opens the
    key file they made and finds in it the public key they send."""
    from cryptography.hazmat.primitives import serialization

    from hsm.software import SoftwareKey

    [body] = [body for info, body in blocks(RUNBOOKS / "signing-in-several-places.md")
              if info == "sh" and "age -p" in body]
    passphrase = "dave's new passphrase"
    pid, terminal = pty.fork()  # age reads the passphrase from its terminal only
    if pid == 0:
        os.execvp("bash", ["bash", "-euo", "pipefail", "-c",
                           body.replace("/media/dave", str(tmp_path))])
    said = b""
    while True:
        try:
            chunk = os.read(terminal, 4096)
        except OSError:  # EIO: the commands are done
            break
        if not chunk:
            break
        said += chunk
        if said.rstrip().endswith(b":"):  # each of age's passphrase prompts
            echo_off(terminal)  # age reads it hidden: typed sooner, it would be shown
            os.write(terminal, passphrase.encode() + b"\n")
            said += b"\n"
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, said.decode(errors="replace")
    assert said.count(b"passphrase") == 3, said  # new, confirmed, then opened again
    key = SoftwareKey.decrypt((tmp_path / "root-dave.age").read_bytes(), passphrase)
    public = key.private_key_for_custody().public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    assert (tmp_path / "root-dave.pem").read_bytes() == public


def test_the_rotations_check_of_its_signers_is_a_line_validate_prints(rehearsal, capsys):
    """quarterly-rotation.md has the witness check, before any key is opened, that the
    keys signing today meet the current root's threshold: validate printed that line
    only when they did not."""
    from ceremony.cli import main

    script = fresh_script(rehearsal, "3-rotate-root")
    assert main(["validate", str(script)]) == 0
    page = " ".join((RUNBOOKS / "quarterly-rotation.md").read_text().split())
    assert "its `sign-with` line shows the keys that sign today meeting the current" in page
    assert ("   [ok] sign-with: the current root keys that sign today give root version 1: "
            "2 signatures, threshold 2 (met)") in capsys.readouterr().out.splitlines()
