"""Tamper-evident bags: serials typed at sealing, checked at the next ceremony.

A bootstrap seals two bags (serials from the answers file); the run sheet
lists them and the record prints both serials. The rotation that opens them
stops when a serial differs from that record; with the witness's exception
naming the bag it goes on, and its record shows the serials, the difference
and the exception. `ceremony questions` lists the bag questions, validate
refuses a bag the last record never sealed.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pdf_reading import pdf_text, squeezed
from test_run_headless import passphrases, rotation, small_bootstrap  # noqa: F401
from test_witness_exceptions import events

from ceremony.cli import main

SEAL = """rehearsal: true
bags:
  seal:
    - {name: root-a-bag, holds: "custody USB stick 1"}
    - {name: sheet-bag, holds: "share sheet 1 (alice)"}
"""
OPEN = "bags:\n  open: [root-a-bag, sheet-bag]\nrehearsal: true\n"


def answers(folder: Path, name: str, lines: dict[str, str]) -> Path:
    path = folder / name
    path.write_text("".join(f"{k}: {json.dumps(v)}\n" for k, v in lines.items()))
    path.chmod(0o600)
    return path


def test_bags_sealed_are_printed_and_checked_at_the_next_ceremony(
    tmp_path: Path, passphrases: None, capsys: pytest.CaptureFixture[str]  # noqa: F811
) -> None:
    script = small_bootstrap(tmp_path, output="boot", extra=SEAL)
    assert main(["questions", str(script)]) == 0
    asked = capsys.readouterr().out
    assert "bag/seal/root-a-bag" in asked and "bag/seal/sheet-bag" in asked

    sheet = tmp_path / "runsheet.pdf"
    assert main(["runsheet", str(script), "-o", str(sheet)]) == 0
    for words in (pdf_text(sheet), sheet.with_suffix(".txt").read_text()):
        for text in ("Bag root-a-bag", "custody USB stick 1", "Bag sheet-bag",
                     "share sheet 1 (alice)"):
            assert squeezed(text) in squeezed(words)

    sealed = answers(tmp_path, "boot-answers.yaml", {
        "bag/seal/root-a-bag": "TE-0001 234", "bag/seal/sheet-bag": "TE-0005678"})
    assert main(["run", str(script), "--yes", "--answers", str(sealed)]) == 0
    bundle = tmp_path / "boot"
    assert [(e["bag"], e["serial"]) for e in events(bundle, "bag-sealed")] == [
        ("root-a-bag", "TE-0001 234"), ("sheet-bag", "TE-0005678")]
    record = tmp_path / "boot-record.pdf"
    assert main(["record", str(bundle), "-o", str(record)]) == 0
    for words in (pdf_text(record), record.with_suffix(".txt").read_text()):
        assert "Tamper-evident bags" in words
        for text in ("bag root-a-bag sealed, serial TE-0001 234", "custody USB stick 1",
                     "bag sheet-bag sealed, serial TE-0005678"):
            assert squeezed(text) in squeezed(words)

    # the rotation opens both: a bag its record never sealed is refused by validate
    rotate = rotation(tmp_path, current="boot", output="rot")
    base = rotate.read_text()
    rotate.write_text(base + "bags:\n  open: [root-a-bag, lost-bag]\nrehearsal: true\n")
    assert main(["validate", str(rotate)]) != 0
    assert "seals no bag named 'lost-bag'" in capsys.readouterr().out
    rotate.write_text(base + OPEN)
    capsys.readouterr()

    # one serial differs (the bag was replaced): the ceremony stops, nothing written
    swapped = {"bag/open/root-a-bag": "te0001-234",  # the same serial, typed otherwise
               "bag/open/sheet-bag": "TE-9999999"}
    assert main(["run", str(rotate), "--yes", "--answers",
                 str(answers(tmp_path, "rot-answers.yaml", swapped))]) != 0
    err = capsys.readouterr().err
    assert "bag sheet-bag (share sheet 1 (alice)) has serial TE-9999999" in err
    assert "sealed it with serial TE-0005678" in err and "exception naming bag sheet-bag" in err
    assert not (tmp_path / "rot").exists()

    # with the witness's exception naming the bag it goes on, and the record shows it
    why = "bag sheet-bag serial differs: alice's bag tore in storage; resealed in TE-9999999"
    assert main(["run", str(rotate), "--yes", "--answers",
                 str(answers(tmp_path, "rot-answers-2.yaml", swapped)),
                 "--exception", why, "--witness", "Wendy Witness"]) == 0
    out = capsys.readouterr().out
    assert "DIFFERS from the record (TE-0005678)" in out
    checked = events(tmp_path / "rot", "bag-checked")
    assert [(e["bag"], e["matches"]) for e in checked] == [("root-a-bag", True),
                                                         ("sheet-bag", False)]
    record = tmp_path / "rot-record.pdf"
    assert main(["record", str(tmp_path / "rot"), "-o", str(record)]) == 0
    for words in (pdf_text(record), record.with_suffix(".txt").read_text()):
        for text in ("bag root-a-bag brought in, serial te0001-234 as sealed by ceremony",
                     "bag sheet-bag brought in with serial TE-9999999: DIFFERS from serial "
                     "TE-0005678", "alice's bag tore in storage", "Wendy Witness",
                     "going on under the witness's exception"):
            assert squeezed(text) in squeezed(words)


def test_a_bag_opened_needs_a_current_bundle(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    script = small_bootstrap(tmp_path, extra="bags: {open: [hsm-a]}\n")
    assert main(["validate", str(script)]) != 0
    err = capsys.readouterr().err
    assert "bags.open" in err and "Add current:" in err


@pytest.mark.parametrize("extra, where", [
    ("bags:\n  seal:\n    - {name: hsm-a, holds: token}\n    - {name: sheet, holds: sheet}\n"
     "    - {name: hsm-a, holds: another token}\n", "bags.seal[2]"),
    ("bags: {open: [hsm-a, hsm-b, hsm-b]}\n", "bags.open[2]"),
], ids=["sealed", "opened"])
def test_a_bag_named_twice_is_reported_where_it_is_named_again(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], extra: str, where: str) -> None:
    script = small_bootstrap(tmp_path, extra=extra)
    assert main(["validate", str(script)]) != 0
    err = capsys.readouterr().err
    assert where in err and "is named twice" in err and "Give every bag a name" in err
