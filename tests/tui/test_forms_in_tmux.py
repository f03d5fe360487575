"""A custody bootstrap with a SoftHSM root key, built entirely from the forms
in a real terminal (tmux), run, and its bundle verified.

`ceremony` runs in a tmux window over a throwaway SoftHSM token; the home
screen sees the token; every field is reached with Tab and typed as an
operator would: rehearsal, network and any-device on, keyholders alice and
bob, root-alice made on the token (its label and module offered from what
the home screen saw), root-bob in software, root-carol's row cleared, the
root role 1 of 2, and custody on two media with shares 2 of 2 for erin and
frank. The review saves the script; the run answers the token's PIN, the
new passphrases, and each custodian's read-back (the checksum words, read
from the sheet the ceremony printed). The bundle verifies, and the custody
copies are on both media.
"""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path

import pytest
from softhsm_support import USER_PIN, make_token

from ceremony.custody.share_input import read_text_file
from ceremony.verify import verify_bundle

from .terminal import Terminal

pytestmark = [pytest.mark.slow]

PASSPHRASE = "a long rehearsal passphrase"
REASON = "a rehearsal: root keys on a throwaway token"


LOOK = 0.05  # between two looks at the screen
STILL_LOOKS = 3  # looks in a row that show the same screen: it has settled
SHOWN_WITHIN = 3.0  # a key that shows nothing by then (a field already empty) is taken as done
STYLE = re.compile(r"\x1b\[([0-9;]*)m")
UNSET = {22: 1, 23: 3, 24: 4, 25: 5, 27: 7, 28: 8, 29: 9}  # attribute off: the one it ends


def cells(line: str) -> list[tuple[str, tuple[object, ...]]]:
    """A styled line of the screen as its cells, each with the style it is drawn in."""
    fg: object = None
    bg: object = None
    attrs: set[int] = set()
    found = []
    at = 0
    for match in [*STYLE.finditer(line), None]:
        text = line[at:match.start() if match else len(line)]
        found += [(char, (fg, bg, frozenset(attrs))) for char in text]
        if match is None:
            break
        at = match.end()
        codes = [int(c) for c in match.group(1).split(";") if c] or [0]
        while codes:
            code = codes.pop(0)
            if code in (38, 48):  # a colour: 5;N or 2;R;G;B
                size = 1 if codes[:1] == [5] else 3
                colour = tuple(codes[1:1 + size])
                codes = codes[1 + size:]
                fg, bg = (colour, bg) if code == 38 else (fg, colour)
            elif code == 0:
                fg, bg, attrs = None, None, set()
            elif code == 39 or 30 <= code <= 37 or 90 <= code <= 97:
                fg = None if code == 39 else code
            elif code == 49 or 40 <= code <= 47 or 100 <= code <= 107:
                bg = None if code == 49 else code
            elif code in UNSET:
                attrs.discard(UNSET[code])
            else:
                attrs.add(code)
    return found


def without_blink(styled: str, x: int, y: int) -> str:
    """The styled screen as cells, less the style of the cursor's cell (the terminal's
    cursor sits just right of the one Textual draws, at (x - 1, y)): the cursor's
    blink changes nothing else."""
    rows = [cells(line) for line in styled.split("\n")]
    for column in (x - 1, x):
        if y < len(rows) and 0 <= column < len(rows[y]):
            rows[y][column] = (rows[y][column][0], ())
    return "\n".join(map(repr, rows))


class Operator:
    """Keys into the terminal as an operator would.

    Each key is sent when the screen shows the last one's effect: it changed (its
    colours too, which show the field with the cursor, but not the cursor's blink)
    and then settled. Answering a question waits for the screen to leave it (never
    for a time), so a slow machine cannot make the same question be answered twice.
    """

    def __init__(self, terminal: Terminal) -> None:
        self.terminal = terminal

    def look(self) -> str:
        """The screen with its colours and where the cursor is, less its blink."""
        seen = self.terminal.tmux(
            "capture-pane", "-p", "-e", "-t", "ceremony", ";",
            "display-message", "-p", "-t", "ceremony", "#{cursor_x} #{cursor_y}")
        styled, _, cursor = seen.rstrip("\n").rpartition("\n")
        x, y = (int(n) for n in cursor.split())
        return f"{cursor}\n{without_blink(styled, x, y)}"

    def settled(self, before: str | None = None) -> str:
        """The screen once it has changed from ``before`` (when given) and settled."""
        screen = self.look()
        deadline = time.monotonic() + SHOWN_WITHIN
        while screen == before and time.monotonic() < deadline:
            time.sleep(LOOK)
            screen = self.look()
        same = 0
        while same < STILL_LOOKS:
            time.sleep(LOOK)
            again = self.look()
            same = same + 1 if again == screen else 0
            screen = again
        return screen

    def still(self) -> str:
        """The screen's text once it has settled."""
        self.settled()
        return self.terminal.screen()

    def keys(self, *keys: str) -> None:
        for key in keys:  # one at a time: a field's change may move the focus
            before = self.look()
            self.terminal.keys(key)
            self.settled(before)

    def tabs(self, count: int) -> None:
        self.keys(*["Tab"] * count)

    def type(self, text: str) -> None:
        """Type ``text`` as it is (never read as a key name)."""
        before = self.look()
        self.terminal.tmux("send-keys", "-t", "ceremony", "-l", text)
        self.settled(before)

    def replace(self, text: str) -> None:
        self.keys("C-e", "C-u")  # to the end, then delete it all: control keys, no escapes
        self.type(text)

    def answer(self, key: str = "Enter", timeout: float = 120) -> None:
        """Press ``key`` on a question and wait until the screen has left it."""
        before = self.still()
        self.terminal.keys(key)
        deadline = time.monotonic() + timeout
        while self.terminal.screen() == before:
            if time.monotonic() > deadline:
                raise AssertionError(f"the screen did not move on:\n{before}")
            time.sleep(LOOK)
        self.still()

    def cursor_on(self, label: str, timeout: float = 30) -> None:
        """Wait until the cursor is in the field named ``label`` (on its line)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            row = self.terminal.tmux("display-message", "-p", "-t", "ceremony", "#{cursor_y}")
            lines = self.terminal.screen().splitlines()
            if row.strip().isdigit() and int(row) < len(lines) \
                    and lines[int(row)].strip().startswith(label):
                return
            time.sleep(LOOK)
        raise AssertionError(f"the cursor never reached {label}:\n{self.terminal.screen()}")


def fill_the_form(op: Operator) -> None:
    op.tabs(2)
    op.replace("out")  # output
    op.terminal.wait_for("Output folder   out", timeout=60)
    op.keys("Tab", "Space", "Tab", "Space", "Tab", "Space")  # rehearsal, network, any device
    op.keys("Tab")
    op.replace("alice, bob")  # keyholders
    op.tabs(4)  # root-alice's "made in"
    op.keys("Enter")
    op.terminal.wait_for("yubikey", timeout=60)  # the list is open
    op.keys("Down", "Enter")  # pkcs11: the token the home screen saw is offered
    op.terminal.wait_for("▼  tui-root", timeout=60)  # its label and module filled in
    op.tabs(5 + 6)  # past the token fields (label, serial, key label, module) and root-bob's row
    op.keys("C-e", "C-u", "Tab", "C-e", "C-u")  # no root-carol
    op.tabs(5 + 18)  # past targets, snapshot, timestamp: the root role's threshold
    op.replace("1")
    op.tabs(2)
    op.replace("root-alice, root-bob")
    op.tabs(13)  # past the other roles, spare-keys, accepted risk and custody mode: media
    op.type("custody-a, custody-b")
    op.terminal.wait_for("custody.sheets: this required field is missing", timeout=60)
    op.keys("Tab")
    op.type("sheets")
    op.keys("Tab", "Tab")  # past the paper (A4)
    op.replace("2")
    op.keys("Tab")
    op.replace("2")
    op.tabs(4)  # past groups needed and the group row (no groups)
    op.type("erin, frank")


def run_the_ceremony(op: Operator, folder: Path) -> str:
    """Answer every question until the summary; returns the last screen."""
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        screen = op.still()
        if "Ceremony finished" in screen or "bundle(s) written" in screen:
            return screen
        if "Stopped" in screen or "FAILED" in screen:
            raise AssertionError(screen)
        if "PIN for token" in screen:
            op.type(USER_PIN)
            op.answer()
        elif "New passphrase for key" in screen:
            op.type(PASSPHRASE)
            op.keys("Tab")
            op.type(PASSPHRASE)
            op.answer()
        elif "Passphrase for key" in screen:
            op.type(PASSPHRASE)
            op.answer()
        elif (words := read_back(screen, folder)) is not None:
            op.type(" ".join(words))
            op.answer()
        elif "Type write" in screen:
            op.type("write")
            op.answer()
        elif "Saved as" in screen and "^r Run" in screen:
            op.keys("C-r")  # again: it runs once preflight has passed
        elif "Yes, go on" in screen or "⏎ Continue" in screen:
            op.answer()
        else:
            time.sleep(0.5)
    raise AssertionError(f"no summary; the screen shows:\n{op.terminal.screen()}")


def read_back(screen: str, folder: Path) -> list[str] | None:
    """The words a custodian reads back from the sheet the screen names."""
    share = re.search(r"Hand share ([0-9]+) of ([0-9]+)", screen)
    asked = re.search(r"read words ([0-9]+) to ([0-9]+) of your sheet", screen)
    if share is None or asked is None:
        return None
    number, total = int(share.group(1)), int(share.group(2))
    (sheet,) = folder.glob(f"sheets/shares-*/share-{number:02d}-of-{total:02d}.txt")
    words = read_text_file(sheet)
    return words[int(asked.group(1)) - 1:int(asked.group(2))]


def test_a_custody_bootstrap_with_a_softhsm_root_key_from_the_forms(tmp_path, monkeypatch):
    folder = tmp_path / "room"
    folder.mkdir()
    exported = make_token(tmp_path / "hsm", "tui-root")
    for medium in ("custody-a", "custody-b", "sheets"):
        (folder / medium).mkdir()
    terminal = Terminal(folder, 100, 30)
    monkeypatch.setenv("SOFTHSM2_CONF", exported["SOFTHSM2_CONF"])  # for tmux's child only
    try:
        terminal.start(str(Path(sys.executable).parent / "ceremony"))
        op = Operator(terminal)
        terminal.wait_for("tui-root", timeout=60)  # the home screen sees the token
        op.keys("Enter")  # New root (bootstrap)
        terminal.wait_for("The script loads", timeout=30)
        op.cursor_on("Title")  # the form has the cursor: keys go to it
        fill_the_form(op)
        op.keys(*["BTab"] * 10)  # back past the custody fields: accepted risk
        op.type(REASON)
        terminal.wait_for("The script loads", timeout=30)
        op.keys("C-r")
        terminal.wait_for("Review the script", timeout=30)
        op.keys("C-s")
        terminal.wait_for("Saved.", timeout=30)
        saved = [path.read_text() for path in folder.rglob("*.yaml")]
        assert any(f'accept-risk: "{REASON}"' in text for text in saved), saved
        op.keys("C-r")
        last = run_the_ceremony(op, folder)
        assert "FAILED" not in last
        report = verify_bundle(folder / "out")
        assert report.ok, report.problems
        script = next(folder.glob("*-bootstrap.yaml")).read_text()
        assert "backend: pkcs11, module: /usr/lib/softhsm/libsofthsm2.so, token-label: tui-root"\
            in script
        assert "custodians: [erin, frank]" in script
        for medium in ("custody-a", "custody-b"):
            assert list((folder / medium).glob("custody-*")), medium
    finally:
        terminal.close()
