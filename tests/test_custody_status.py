"""Custody kept honest past its keys: status, retirement, marks and what a recovery leaves.

A rehearsal bootstrap seals root-a and root-b into custody (2 of 3 shares,
custodians named); a rotation replaces both with root-c and seals new custody.
`ceremony custody status` then calls the bootstrap's copy OBSOLETE against the
new root and the rotation's copy able to restore it; `ceremony custody retire`
records retirement on the medium, which status shows and a recovery refuses.
The sheets carry the rehearsal mark and the custodians' names (pdftotext), two
copies on one medium are named without contradiction, a production recovery
refuses a rehearsal's custody, and a recovery that seals no new custody ends
saying its shares have now been seen.
"""

from __future__ import annotations

import os
import pty
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from types import SimpleNamespace

import pytest
from pty_reading import drain, read_until

from ceremony.cli import main
from ceremony.engine import run_ceremony
from ceremony.engine.preflight import preflight
from ceremony.events import CustodySealed
from ceremony.events import Warning as WarningEvent
from ceremony.rehearsal.operator import RehearsalOperator
from ceremony.script.load import load_script
from hsm.algorithms import ALGORITHMS
from hsm.software import SoftwareKey
from tests.custody_helpers import need


def the_procedure() -> Path:
    """docs/.../recovery-without-ceremony.md, wherever the docs keep it."""
    (found,) = (Path(__file__).parent.parent / "docs").rglob("recovery-without-ceremony.md")
    return found


HEAD = "format: 1\nflavor: tuf\nrehearsal: true\nnetwork: allowed\noutput-media: any-device\n"


def run(folder: Path, name: str, text: str, operator: RehearsalOperator) -> list:
    script = folder / f"{name}.yaml"
    script.write_text(HEAD + textwrap.dedent(text))
    return list(run_ceremony(load_script(script), operator))


@pytest.fixture(scope="module")
def room(tmp_path_factory):
    folder = tmp_path_factory.mktemp("custody-status")
    for name in ("media-a", "media-b", "media-c", "media-d", "sheets", "sheets-2", "online"):
        (folder / name).mkdir()
    for role in ("snapshot", "timestamp"):
        key = SoftwareKey.generate(ALGORITHMS["ed25519"])
        (folder / "online" / f"{role}.pem").write_text(key.facts().public_pem)
    operator = RehearsalOperator(recover_with=(1, 3))
    boot = run(folder, "boot", """\
        ceremony: bootstrap
        title: custody status bootstrap
        output: 1-boot
        keyholders: [{name: alice}, {name: bob}]
        keys:
          - {name: root-a, holder: alice, algorithm: ed25519}
          - {name: root-b, holder: bob, algorithm: ecdsa-p256}
          - {name: targets, holder: alice, algorithm: ed25519}
          - {name: snapshot, import: online/snapshot.pem}
          - {name: timestamp, import: online/timestamp.pem}
        roles:
          root: {keys: [root-a, root-b], threshold: 1, expires: 1y}
          targets: {keys: [targets], threshold: 1, expires: 90d}
          snapshot: {keys: [snapshot], threshold: 1, expires: 30d}
          timestamp: {keys: [timestamp], threshold: 1, expires: 7d}
        custody:
          media: [media-a, media-b]
          sheets: sheets
          shares: {threshold: 2, of: 3}
          custodians: [Erin Vasquez, Frank Li, Grace Obi]
        """, operator)
    rotated = run(folder, "rotate", """\
        ceremony: rotate-root
        title: custody status rotation
        current: 1-boot
        output: 2-rotate
        sign-with: [root-a]
        keyholders: [{name: carol}, {name: dave}]
        keys:
          - {name: root-c, holder: carol, algorithm: ed25519}
          - {name: root-d, holder: dave, algorithm: ed25519}
        roles:
          root: {keys: [root-c, root-d], threshold: 1, expires: 1y}
        custody:
          media: [media-c, media-d]
          sheets: sheets-2
          shares: {threshold: 2, of: 3}
        """, operator)
    first = [e for e in boot if isinstance(e, CustodySealed)][0].custody_id
    second = [e for e in rotated if isinstance(e, CustodySealed)][0].custody_id
    return SimpleNamespace(folder=folder, operator=operator, first=first, second=second)


def test_status_says_which_copy_still_restores_the_root(room, capsys):
    folder = room.folder
    code = main(["custody", "status", str(folder / "media-a"), str(folder / "media-c"),
                 "--root", str(folder / "2-rotate")])
    out = capsys.readouterr().out
    assert code == 1  # an obsolete copy is flagged
    old = folder / "media-a" / f"custody-{room.first}"
    new = folder / "media-c" / f"custody-{room.second}"
    assert (f"{old}: ceremony {room.first}, sealed at root version 1, root keys root-a, "
            "root-b; shares: any 2 of 3 REHEARSAL (practice keys)") in out
    assert ("  OBSOLETE: none of its 2 root key(s) is a key of root version 2; retire it "
            "(`ceremony custody retire`)") in out
    assert (f"{new}: ceremony {room.second}, sealed at root version 2, root keys root-c, "
            "root-d") in out
    assert ("  holds root-c, root-d: 2 root keys, threshold 1 (met) for root version 2: a "
            "recovery from it can sign the next root") in out


def test_the_procedure_ships_inside_the_package():
    """ceremony/custody/recovery-without-ceremony.md links to the doc, so the offline
    kit's wheel carries it onto every custody medium. If the docs move, move the link."""
    from ceremony.custody.recovery_doc import recovery_text

    link = Path(__file__).parent.parent / "ceremony" / "custody" / "recovery-without-ceremony.md"
    assert link.is_symlink() and link.exists(), (
        f"{link} must link to {the_procedure()} (relative): repoint it")
    assert link.resolve() == the_procedure().resolve()
    assert recovery_text() == the_procedure().read_bytes()


def test_status_without_a_root_lists_the_copies(room, capsys):
    assert main(["custody", "status", str(room.folder / "media-b")]) == 0
    out = capsys.readouterr().out
    assert f"ceremony {room.first}" in out and "Give --root" in out


def test_sheets_and_copies_carry_the_rehearsal_mark_and_the_custodians(room):
    need("pdftotext")
    (sheets,) = (room.folder / "sheets").iterdir()
    names = {1: "Erin Vasquez", 2: "Frank Li", 3: "Grace Obi"}
    for number, custodian in names.items():
        pdf = sheets / f"share-{number:02d}-of-03.pdf"
        text = " ".join(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True,
                                       text=True, check=True).stdout.split())
        assert "REHEARSAL - PRACTICE ONLY, NOT A PRODUCTION SHARE" in text
        assert "REHEARSAL QR code" in text and custodian in text
        sheet = (sheets / f"share-{number:02d}-of-03.txt").read_text()
        assert sheet.startswith("REHEARSAL") and f"Custodian name: {custodian}" in sheet
    copy = room.folder / "media-b" / f"custody-{room.first}"
    assert (copy / "REHEARSAL").read_text().startswith("This custody copy was made by a "
                                                       "REHEARSAL")
    assert (copy / "recovery-without-ceremony.txt").read_bytes() == the_procedure().read_bytes()


def recover_text(copies: str, *, rehearsal: bool = True) -> str:
    return textwrap.dedent(f"""\
        ceremony: recover
        title: recovery of a lost targets key
        current: 2-rotate
        output: 3-recover-{copies.replace(", ", "-").replace("/", "-")}
        recover-from: {{copies: [{copies}]}}
        keyholders: [{{name: ops}}]
        keys:
          - {{name: targets-2, holder: ops, algorithm: ed25519}}
        replace:
          targets: {{keys: [targets-2], threshold: 1, expires: 60d}}
        """).replace("rehearsal: true\n", "" if rehearsal else "")


def recovery_checks(folder: Path, name: str, text: str, *, head: str = HEAD) -> dict:
    script = folder / f"{name}.yaml"
    script.write_text(head + text)
    return {c.check: (c.ok, c.detail) for c in preflight(load_script(script)).checks}


def test_a_production_recovery_refuses_a_rehearsals_custody(room):
    production = HEAD.replace("rehearsal: true\n", "")
    found = recovery_checks(room.folder, "prod-recover", recover_text("media-c"), head=production)
    ok, detail = found["custody bundle"]
    assert not ok
    assert detail.endswith("it is a REHEARSAL's custody bundle, whose keys are practice keys: "
                           "a production recovery never uses them; bring the production copies")


def test_two_copies_on_one_medium_are_named(room, tmp_path):
    both = room.folder / "both"
    both.mkdir()
    for medium, custody_id in (("media-b", room.first), ("media-d", room.second)):
        subprocess.run(["cp", "-r", str(room.folder / medium / f"custody-{custody_id}"),
                        str(both)], check=True)
    ok, detail = recovery_checks(room.folder, "both", recover_text("both"))["custody bundle"]
    assert not ok
    assert detail == (
        f"recover-from.copies: which custody copy to recover from is not clear: {both} holds 2 "
        "custody copies, so which one is meant is not clear: name that copy's own folder in "
        f"recover-from.copies (one of {both}/custody-{room.first}, {both}/custody-"
        f"{room.second}). insert the media holding the copies, and check the folders in the "
        "script")


def test_a_copy_left_marked_by_a_killed_ceremony_is_passed_over_or_refused(room):
    medium = room.folder / "killed-beside"
    medium.mkdir()
    subprocess.run(["cp", "-r", str(room.folder / "media-b" / f"custody-{room.first}"),
                    str(room.folder / "media-d" / f"custody-{room.second}"), str(medium)],
                   check=True)
    marked = medium / f"custody-{room.second}"
    (marked / "INCOMPLETE").write_text("NOT A BUNDLE.\n")  # as a kill leaves it
    found = recovery_checks(room.folder, "beside", recover_text("killed-beside"))
    assert found["custody bundle"][0], found["custody bundle"]  # the sealed one is used
    subprocess.run(["rm", "-r", str(medium / f"custody-{room.first}")], check=True)
    ok, detail = recovery_checks(room.folder, "alone", recover_text("killed-beside"))[
        "custody bundle"]
    assert not ok
    assert detail.startswith(
        f"no good copy of the custody bundle: {marked}: is from a ceremony whose bundle was "
        "never sealed (its INCOMPLETE mark is still there); it restores nothing; remove it "
        f"with `ceremony clean {marked}`"), detail


def test_a_retired_copy_is_shown_and_never_used(room, capsys):
    copy = room.folder / "media-a" / f"custody-{room.first}"
    # no terminal to type the word at, and no --yes: nothing is written
    assert main(["custody", "retire", str(copy), "--reason", "root rotated"]) == 3
    assert capsys.readouterr().err.strip().endswith(
        "retiring a custody copy needs the typed word, and no terminal is attached. run it "
        "at a terminal and type retire, or add --yes")
    assert not (copy / "RETIRED.json").exists()
    assert main(["custody", "retire", str(copy), "--reason", "root rotated to version 2",
                 "--yes"]) == 0
    assert "RETIRED on" in capsys.readouterr().out
    assert main(["custody", "status", str(room.folder / "media-a")]) == 0
    assert "  RETIRED on " in capsys.readouterr().out
    assert main(["custody", "retire", str(copy), "--reason", "again", "--yes"]) == 3
    assert "was already retired" in capsys.readouterr().err
    ok, detail = recovery_checks(room.folder, "retired",
                                 recover_text("media-a"))["custody bundle"]
    assert not ok and "RETIRED on" in detail and "a retired copy is never used" in detail


def test_a_recovery_without_new_custody_says_the_shares_were_seen(room):
    script = room.folder / "seen.yaml"
    script.write_text(HEAD + recover_text("media-c, media-d"))
    events = list(run_ceremony(load_script(script), room.operator))
    warnings = [e.message for e in events if isinstance(e, WarningEvent)]
    assert (f"the custody bundle of ceremony {room.second} is a REHEARSAL's: its keys are "
            "practice keys, never to be trusted in production") in warnings
    assert any(w.startswith("the shares given today have now been seen in this room, and no "
                            f"new custody bundle is sealed today: the custody bundle "
                            f"{room.second} is only as safe as everyone present")
               for w in warnings), warnings


def test_a_custodian_name_the_sheet_cannot_print_is_refused_at_load(tmp_path):
    from ceremony.errors import ScriptError
    from ceremony.script.load import load_script_text

    text = (HEAD + "ceremony: bootstrap\ntitle: t\noutput: out\n"
            "keyholders: [{name: alice}]\nkeys:\n"
            "  - {name: root-a, holder: alice, algorithm: ed25519}\n"
            "  - {name: targets, holder: alice, algorithm: ed25519}\n"
            "  - {name: snapshot, holder: alice, algorithm: ed25519}\n"
            "  - {name: timestamp, holder: alice, algorithm: ed25519}\n"
            "roles:\n  root: {keys: [root-a], threshold: 1, expires: 1y}\n"
            "  targets: {keys: [targets], threshold: 1, expires: 90d}\n"
            "  snapshot: {keys: [snapshot], threshold: 1, expires: 30d}\n"
            "  timestamp: {keys: [timestamp], threshold: 1, expires: 7d}\n"
            "spare-keys: none\n"
            "custody:\n  media: [a, b]\n  sheets: s\n  shares: {threshold: 2, of: 2}\n"
            "  custodians: [Łukasz Nowak, Zoë Brandt]\n")
    with pytest.raises(ScriptError) as raised:
        load_script_text(text, path=tmp_path / "names.yaml")
    assert str(raised.value) == (
        "names.yaml:25: custody.custodians[0]: 'Łukasz Nowak' has letters the share sheet's "
        "font cannot print (Latin-1 only). Write the name in Latin letters as it should "
        "appear on the sheet")


def test_the_no_tool_check_matches_recovered_keys_to_root_json(room, tmp_path):
    """docs/runbooks/recovery-without-ceremony.md's check-keys.py, as printed, on keys recovered
    from two text sheets: each key's id is computed from root.json and said root or not."""
    import re

    from cryptography.hazmat.primitives import serialization

    from ceremony.custody import CustodyRecord, ShareCollector, restore

    doc = the_procedure().read_text()
    program = re.search(r"<!-- check-keys.py -->\n```python\n(.*?)```", doc, re.S)
    assert program, "check-keys.py is no longer in the procedure"
    (tmp_path / "check-keys.py").write_text(program.group(1))
    copy = room.folder / "media-b" / f"custody-{room.first}"
    record = CustodyRecord.from_json((copy / "custody.json").read_bytes())
    collector = ShareCollector(record)
    (sheets,) = (room.folder / "sheets").iterdir()
    for number in (1, 3):
        collector.add_file(sheets / f"share-{number:02d}-of-03.txt")
    with collector.recover() as identity:
        keys = restore([copy], identity).keys
    pems = []
    for key in keys:
        pems.append(tmp_path / f"{key.name}.pem")
        pems[-1].write_bytes(key.private_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption()))
    ids = {key.name: key.keyid for key in record.keys}

    def check(bundle: str) -> str:
        return subprocess.run(
            ["python3", str(tmp_path / "check-keys.py"),
             str(room.folder / bundle / "metadata" / "root.json"), *map(str, pems)],
            capture_output=True, text=True, check=True).stdout

    first = check("1-boot")
    assert first.startswith("root version 1: threshold 1\n")
    for name in ("root-a", "root-b"):
        assert f"{name}.pem: key id {ids[name]} (OK; a root key)" in first
    assert f"targets.pem: key id {ids['targets']} (OK; NOT a root key of this version)" in first
    rotated = check("2-rotate")
    assert "root-a.pem: NOT IN root.json: do not use it" in rotated


def test_retire_at_a_terminal_takes_only_the_word_typed_at_its_question(room, tmp_path):
    """`custody retire` asks as every other typed confirmation does (cli/prompt.py):
    `retire` typed ahead, before the question, is thrown away, not taken for the
    answer; the word typed at the question is shown and retires the copy."""
    copy = tmp_path / f"custody-{room.first}"
    shutil.copytree(room.folder / "media-b" / f"custody-{room.first}", copy)

    def retire(typed_ahead: bytes, answer: bytes) -> tuple[int, str]:
        controller, terminal = pty.openpty()
        child = subprocess.Popen(
            [sys.executable, "-m", "ceremony", "custody", "retire", str(copy), "--reason",
             "root rotated"], stdin=terminal, stdout=terminal, stderr=terminal,
            cwd=Path(__file__).resolve().parent.parent, env=os.environ)
        os.close(terminal)
        seen = bytearray()
        try:
            os.write(controller, typed_ahead)  # before the question is up
            read_until(controller, b"must no longer be used: ", seen)
            os.write(controller, answer)
            code = child.wait(timeout=60)
            drain(controller, seen)
        finally:
            if child.poll() is None:
                child.kill()
            os.close(controller)
        return code, seen.decode(errors="replace")

    code, said = retire(b"retire\n", b"no\n")
    assert code == 3 and "not retired; nothing was written" in said, said
    assert not (copy / "RETIRED.json").exists()
    code, said = retire(b"", b"retire\n")
    assert code == 0 and "must no longer be used: retire" in said, said
    assert (copy / "RETIRED.json").is_file()
