"""What the headless commands write: safe for a terminal, with one exit-code table.

- A control character from a script or from media (a title holding ESC
  sequences, a path) never reaches the terminal as itself: it is shown as
  its escape, on stdout and stderr alike.
- ``ceremony inspect ... | head``: when the reader goes away, the command
  stops quietly with 141, as a shell command stopped by SIGPIPE does.
- Every exit code of README.md's table, from a real process.
- A bundle folder that is a symbolic link is named as one.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from test_run_headless import PASS, small_bootstrap
from witness import witnessed

from ceremony.cli import main
from ceremony.cli.exit_codes import ExitCode
from ceremony.safe_text import terminal_safe

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def passphrases(monkeypatch):
    for name, value in PASS.items():
        monkeypatch.setenv(name, value)


def ceremony(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ceremony", *args], capture_output=True, text=True,
        stdin=subprocess.DEVNULL, timeout=120, cwd=ROOT, env={**os.environ, **(env or {})},
    )


@pytest.fixture(scope="module")
def bundle(tmp_path_factory, headless_bootstrap) -> Path:
    """small_bootstrap's bundle (made once for the session, conftest.py): our copy."""
    folder = tmp_path_factory.mktemp("bundle")
    shutil.copytree(headless_bootstrap, folder, symlinks=True, dirs_exist_ok=True)
    return folder / "out"


# -- terminal escapes ------------------------------------------------------------

@pytest.mark.parametrize("text, shown", [
    ("\x1b[2J\x1b]0;owned\x07", "\\x1b[2J\\x1b]0;owned\\x07"),
    ("line\rover", "line\\x0dover"),
    ("csi\x9b31m del\x7f", "csi\\x9b31m del\\x7f"),
    ("bidi \u202eevil\u202c", "bidi \\u202eevil\\u202c"),
    ("kept: é ∀ 😀\ttab\nnewline", "kept: é ∀ 😀\ttab\nnewline"),
])
def test_control_characters_are_shown_escaped(text, shown):
    assert terminal_safe(text) == shown


def test_ascii_text_is_judged_as_unicodedata_judges_it():
    """ASCII text is made safe without unicodedata: the same answer for each character,
    alone and beside a character beyond ASCII (which takes unicodedata's way)."""
    import unicodedata

    from ceremony.safe_text import _KEPT, _REFUSED_CATEGORIES, _escaped

    for ch in map(chr, range(128)):
        refused = ch not in _KEPT and unicodedata.category(ch) in _REFUSED_CATEGORIES
        assert terminal_safe(ch) == (_escaped(ch) if refused else ch)
        assert terminal_safe(ch + "é") == terminal_safe(ch) + "é"


def test_a_title_with_escape_sequences_is_refused_and_shown_escaped(tmp_path, capsys):
    script = small_bootstrap(tmp_path)
    script.write_text(script.read_text().replace(
        "title: test bootstrap", 'title: "clear\\e[2J\\e[1;1Hsha256 0000\\a"'
    ))
    assert main(witnessed(["run", str(script), "--yes"])) == ExitCode.FAILED
    out, err = capsys.readouterr()
    assert "title: the text holds characters that cannot be seen or that control the " \
           "terminal: \\x1b, \\x07. Retype that text without them" in err
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f]", out + err)
    assert not (tmp_path / "out").exists()


def test_done_is_said_of_the_steps_and_the_bundle_is_sealed_after_its_check(
        tmp_path, passphrases, capsys):
    assert main(witnessed(["run", str(small_bootstrap(tmp_path)), "--yes"])) == 0
    out, err = capsys.readouterr()
    assert "Every step is done; the bundle is checked, then sealed.\nBundle sealed at " in out
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f]", out + err)


def test_an_error_naming_a_hostile_path_is_shown_escaped(tmp_path, capsys):
    script = tmp_path / "evil\x1b[2J.yaml"
    assert main(["validate", str(script)]) == 1
    assert capsys.readouterr().err == (
        f"ceremony: {tmp_path}/evil\\x1b[2J.yaml: the script cannot be read: No such file or "
        "directory. Check the path and that the file is readable\n"
    )


def test_a_prompt_naming_a_hostile_key_is_shown_escaped(monkeypatch):
    from ceremony.cli import prompt

    shown: list[str] = []
    monkeypatch.setattr("builtins.input", lambda text: shown.append(text) or "")
    monkeypatch.setattr(prompt.getpass, "getpass", lambda text: shown.append(text) or "")
    prompt.ask("Passphrase for key \x1b[8m: ")
    prompt.ask_hidden("Passphrase for key \x1b]0;x\x07: ")
    assert shown == ["Passphrase for key \\x1b[8m: ", "Passphrase for key \\x1b]0;x\\x07: "]


# -- a reader that goes away -------------------------------------------------------

@pytest.mark.parametrize("command", ["inspect", "verify"])
def test_a_reader_gone_away_stops_the_command_quietly_with_141(bundle, command):
    target = bundle / "metadata" / "root.json" if command == "inspect" else bundle
    read_end, write_end = os.pipe()
    os.close(read_end)  # as `| head` does once it has its lines: every write now fails
    try:
        done = subprocess.run(
            [sys.executable, "-m", "ceremony", command, str(target)], stdout=write_end,
            stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, cwd=ROOT, timeout=60,
        )
    finally:
        os.close(write_end)
    assert (done.returncode, done.stderr) == (141, b"")


# -- the exit-code table ----------------------------------------------------------

def test_readme_shows_every_exit_code_of_the_table():
    readme = (ROOT / "README.md").read_text()
    table = readme[readme.index("Exit codes ("):]
    table = table[: table.index("\n\n")]
    listed = [int(n) for n in re.findall(r"(?<![\w-])(\d{1,3})\s", table)]
    assert sorted(listed) == sorted(code.value for code in ExitCode)


def test_every_exit_code_from_a_real_process(bundle, tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("format: 1\nceremony: bootstrap\n")
    not_json = tmp_path / "root.json"
    not_json.write_text("not json")
    script = small_bootstrap(tmp_path)
    codes = {
        "version": ceremony("version").returncode,
        "verify a good bundle": ceremony("verify", str(bundle)).returncode,
        "inspect a good root": ceremony("inspect", str(bundle / "metadata" / "root.json"))
        .returncode,
        "validate a broken script": ceremony("validate", str(broken)).returncode,
        "validate, preflight fails": ceremony("validate", str(script)).returncode,
        "verify a folder that is no bundle": ceremony("verify", str(tmp_path)).returncode,
        "inspect a file that is no metadata": ceremony("inspect", str(not_json)).returncode,
        "inspect a missing file": ceremony("inspect", str(tmp_path / "none.json")).returncode,
        "an unknown option": ceremony("verify", "--nope", str(bundle)).returncode,
        "run stops: no passphrase": ceremony(*witnessed(["run", str(script), "--yes"])).returncode,
        "clean something not left": ceremony("clean", str(bundle)).returncode,
    }
    assert codes == {
        "version": ExitCode.OK,
        "verify a good bundle": ExitCode.OK,
        "inspect a good root": ExitCode.OK,
        "validate a broken script": ExitCode.PROBLEMS,
        "validate, preflight fails": ExitCode.PROBLEMS,
        "verify a folder that is no bundle": ExitCode.PROBLEMS,
        "inspect a file that is no metadata": ExitCode.PROBLEMS,
        "inspect a missing file": ExitCode.PROBLEMS,
        "an unknown option": ExitCode.USAGE,
        "run stops: no passphrase": ExitCode.FAILED,
        "clean something not left": ExitCode.FAILED,
    }
    assert not (tmp_path / "out").exists()


# -- a linked bundle folder -----------------------------------------------------------

def test_a_bundle_folder_that_is_a_link_is_named_as_one(bundle, tmp_path, capsys):
    link = tmp_path / "linked"
    link.symlink_to(bundle)
    assert main(["verify", str(link)]) == 1
    out, err = capsys.readouterr()
    assert out == (
        f"{link}: a symbolic link: a bundle is checked where it is, never through a link (one "
        "planted on the media would show another bundle); give the real folder\n"
    )
    assert err == f"ceremony: 1 problem(s) in {link}\n"


def test_input_that_ends_at_a_question_stops_with_a_clear_word(tmp_path, monkeypatch, capsys):
    script = small_bootstrap(tmp_path)
    script.write_text(script.read_text().replace("{env: ROOT_A_PASS}", "prompt"))
    monkeypatch.setenv("ROOT_B_PASS", PASS["ROOT_B_PASS"])

    def ended(prompt: str) -> str:
        raise EOFError  # Ctrl-D at the terminal

    monkeypatch.setattr("ceremony.cli.operator.ask", ended)
    monkeypatch.setattr("ceremony.cli.operator.ask_hidden", ended)
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    assert main(["run", str(script)]) == ExitCode.FAILED
    assert capsys.readouterr().err.endswith(
        "\nceremony: the input ended before a question was answered; nothing was sealed\n"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bootstrap.yaml", "online"]


# -- a name too long for the filesystem ----------------------------------------------

@pytest.mark.parametrize("command", ["next-output", "next", "status", "inspect", "verify"])
def test_a_name_too_long_is_named_with_what_to_do(bundle, tmp_path, command, capsys):
    long_name = str(tmp_path / ("x" * 300))
    argv = {
        "next-output": ["next", str(bundle), "--kind", "renew", "-o", long_name + ".yaml"],
        "next": ["next", long_name, "--kind", "renew", "-o", str(tmp_path / "n.yaml")],
        "status": ["status", long_name],
        "inspect": ["inspect", long_name],
        "verify": ["verify", long_name],
    }[command]
    assert main(argv) != 0
    out, err = capsys.readouterr()
    said = out + err
    assert "Traceback" not in said and long_name in said
    assert "too long" in said
    assert os.listdir(tmp_path) == []  # nothing written


def test_a_system_error_about_a_path_is_told_in_words():
    from ceremony.cli.main import os_error_words

    too_long = OSError(36, "File name too long", "/media/x")
    assert os_error_words(too_long) == (
        "/media/x: File name too long. Use a shorter name: a name may have 255 bytes, a whole "
        "path 4,096")
    denied = PermissionError(13, "Permission denied", "/media/y")
    assert os_error_words(denied) == (
        "/media/y: Permission denied. Check the path, its permissions and the media")
    assert os_error_words(OSError("no errno")) == (
        "no errno. Check the path, its permissions and the media")
