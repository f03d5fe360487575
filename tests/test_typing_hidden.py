"""Nothing typed ahead at the terminal is shown, or taken for another answer.

``ceremony run`` at a real pseudo-terminal: the keyholders type their
passphrases, and a secret typed while the tool is busy after one (scrypt, the
key written and read back) never appears on the screen, nor is it taken for
the next keyholder's passphrase. The answer a question shows (``write``) is
shown. Stopped by Ctrl-Z and brought back by ``fg`` (the shell turning the echo
on meanwhile), it hides typing again. However the run ends, normally or stopped
by SIGTERM, the terminal shows what is typed again afterwards.
"""

from __future__ import annotations

import os
import pty
import signal
import subprocess
import sys
import termios
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pty_reading import drain, echo_off, read_until
from test_run_headless import small_bootstrap

TOP = Path(__file__).resolve().parent.parent
PASSPHRASE = b"a passphrase long enough"
TYPED_AHEAD = b"snapshot2 passphrase"


@contextmanager
def running(folder: Path) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    """`ceremony run` of a bootstrap whose two root keys' passphrases are asked
    at the terminal, and that terminal's controller side."""
    script = small_bootstrap(folder)
    script.write_text(script.read_text().replace("{env: ROOT_A_PASS}", "prompt")
                      .replace("{env: ROOT_B_PASS}", "prompt"))
    answers = folder / "answers.yaml"
    answers.write_text("confirm/script: yes\nwitness: Wendy Witness\n")
    controller, terminal = pty.openpty()
    child = subprocess.Popen(
        [sys.executable, "-m", "ceremony", "run", str(script), "--answers", str(answers)],
        stdin=terminal, stdout=terminal, stderr=terminal, cwd=TOP, env=os.environ,
    )
    os.close(terminal)
    try:
        yield child, controller
    finally:
        if child.poll() is None:
            child.kill()
        os.close(controller)


def not_shown(said: str) -> bool:
    return TYPED_AHEAD.decode() not in said and PASSPHRASE.decode() not in said


def new_passphrase_then_type_ahead(controller: int, key: str, seen: bytearray) -> bytes:
    """The keyholder of ``key`` types the passphrase twice, and at once more
    text, while the tool is busy making the key file; what the screen showed
    until then (taken out of ``seen``, where the next prompts are looked for)."""
    read_until(controller, f"New passphrase for key {key}".encode(), seen)
    os.write(controller, PASSPHRASE + b"\n")
    read_until(controller, b"Type it again: ", seen)
    os.write(controller, PASSPHRASE + b"\n" + TYPED_AHEAD + b"\n")
    shown = bytes(seen[:seen.index(b"Type it again: ") + len(b"Type it again: ")])
    del seen[:len(shown)]
    return shown


def echo_is_on(controller: int) -> bool:
    return bool(termios.tcgetattr(controller)[3] & termios.ECHO)


def test_a_secret_typed_ahead_is_never_shown_nor_taken_for_the_next_answer(tmp_path):
    seen, shown = bytearray(), bytearray()
    with running(tmp_path) as (child, controller):
        assert echo_is_on(controller)
        shown += new_passphrase_then_type_ahead(controller, "root-a", seen)
        shown += new_passphrase_then_type_ahead(controller, "root-b", seen)
        read_until(controller, b"Type 'write' to go on: ", seen)
        os.write(controller, b"write\n")
        read_until(controller, b"Type 'write' to go on: write", seen)  # a shown answer is shown
        assert child.wait(timeout=120) == 0
        drain(controller, seen)
        assert echo_is_on(controller)
    said = (shown + seen).decode(errors="replace")
    assert not_shown(said), said
    assert "did not match" not in said, said  # root-b's passphrase was the one typed for it
    assert (tmp_path / "out" / "keys" / "offline" / "root-b.age").is_file()


def test_a_run_stopped_by_sigterm_leaves_the_terminal_showing_typing(tmp_path):
    seen = bytearray()
    with running(tmp_path) as (child, controller):
        shown = new_passphrase_then_type_ahead(controller, "root-a", seen)
        child.send_signal(signal.SIGTERM)  # while it is busy with the key
        assert child.wait(timeout=120) == 128 + signal.SIGTERM
        drain(controller, seen)
        assert echo_is_on(controller)
    said = (shown + seen).decode(errors="replace")
    assert "stopped by SIGTERM" in said, said
    assert not_shown(said), said


def stopped_then_brought_back(child: subprocess.Popen[bytes], controller: int) -> None:
    """Ctrl-Z, then ``fg``: the process is stopped, the shell turns the terminal's
    echo back on for its own command line, then continues the process. Stopped by
    SIGSTOP, not Ctrl-Z's SIGTSTP: the tool acts on neither, only on SIGCONT, and a
    SIGTSTP sent to a process group with no shell above it (a CI job's, an xdist
    worker's) is dropped by the kernel, so the child would never stop."""
    child.send_signal(signal.SIGSTOP)
    _, status = os.waitpid(child.pid, os.WUNTRACED)
    assert os.WIFSTOPPED(status)
    settings = termios.tcgetattr(controller)
    settings[3] |= termios.ECHO
    termios.tcsetattr(controller, termios.TCSANOW, settings)
    child.send_signal(signal.SIGCONT)


def test_after_ctrl_z_and_fg_a_passphrase_typed_is_still_not_shown(tmp_path):
    seen = bytearray()
    with running(tmp_path) as (child, controller):
        read_until(controller, b"New passphrase for key root-a", seen)
        echo_off(controller)
        stopped_then_brought_back(child, controller)  # at the passphrase's own question
        echo_off(controller, timeout=10)
        os.write(controller, PASSPHRASE + b"\n")
        read_until(controller, b"Type it again: ", seen)
        os.write(controller, PASSPHRASE + b"\n")
        read_until(controller, b"New passphrase for key root-b", seen)
        stopped_then_brought_back(child, controller)  # and again, at the next keyholder's
        echo_off(controller, timeout=10)
        os.write(controller, TYPED_AHEAD + b"\n")
        child.send_signal(signal.SIGTERM)
        assert child.wait(timeout=120) == 128 + signal.SIGTERM
        drain(controller, seen)
        assert echo_is_on(controller)  # set back as it was at the end
    said = seen.decode(errors="replace")
    assert not_shown(said), said
