"""Witness exceptions from the CLI: `--exception` for headless runs, `!` at any question.

Each goes into the transcript as a witness-exception event with the time it
was typed, and `ceremony record` prints it.
"""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest
from pdf_reading import pdf_text, squeezed
from pty_reading import drain, read_until
from test_run_headless import PASS, passphrases, small_bootstrap  # noqa: F401
from test_token_cleanup import TOP

from ceremony.cli import main

# practice runs: what is tested here does not hang on production's other rules
PRACTICE = "rehearsal: true\n"
TORN = "bag 1234 seal torn: replaced with bag 5678 before the keys went in"


def events(bundle: Path, name: str) -> list[dict[str, object]]:
    lines = [json.loads(line) for line in (bundle / "transcript.jsonl").read_text().splitlines()]
    return [line for line in lines if line["event"] == name]


def test_exceptions_given_on_the_command_line_are_recorded_and_printed(
    tmp_path: Path, passphrases: None, capsys: pytest.CaptureFixture[str]  # noqa: F811
) -> None:
    script = small_bootstrap(tmp_path, extra=PRACTICE)
    assert main(["run", str(script), "--yes", "--exception", TORN,
                 "--exception", "auditor late: started at 10:20 instead of 10:00",
                 "--witness", "Wendy Witness"]) == 0
    assert "EXCEPTION recorded (witness Wendy Witness): bag 1234" in capsys.readouterr().out
    bundle = tmp_path / "out"
    lines = [json.loads(line)["event"] for line in
             (bundle / "transcript.jsonl").read_text().splitlines()]
    assert lines[:3] == ["ceremony-started", "witness-exception", "witness-exception"]
    first, second = events(bundle, "witness-exception")
    assert (first["what"], first["why"], first["witness"]) == (
        "bag 1234 seal torn", "replaced with bag 5678 before the keys went in", "Wendy Witness")
    assert second["what"] == "auditor late" and str(first["at"]).endswith("Z")
    out = tmp_path / "record.pdf"
    assert main(["record", str(bundle), "-o", str(out)]) == 0
    for words in (pdf_text(out), out.with_suffix(".txt").read_text()):
        for text in ("bag 1234 seal torn", "replaced with bag 5678", "Wendy Witness",
                     "auditor late", str(first["at"])):
            assert squeezed(text) in squeezed(words)  # table cells wrap on paper
        assert "(none recorded by the tool)" not in words


def test_a_production_run_s_exceptions_carry_the_witness_its_answers_file_names(
    tmp_path: Path, passphrases: None, capsys: pytest.CaptureFixture[str]  # noqa: F811
) -> None:
    script = small_bootstrap(tmp_path)  # production: --yes needs the answers file's witness
    answers = tmp_path / "answers.yaml"
    answers.write_text("witness: Wendy Witness\n")
    assert main(["run", str(script), "--yes", "--answers", str(answers),
                 "--exception", TORN]) == 0
    (recorded,) = events(tmp_path / "out", "witness-exception")
    assert recorded["witness"] == "Wendy Witness"  # one internal witness, named once


def test_an_exception_without_a_reason_is_refused_before_anything_runs(
    tmp_path: Path, passphrases: None, capsys: pytest.CaptureFixture[str]  # noqa: F811
) -> None:
    script = small_bootstrap(tmp_path, extra=PRACTICE)
    assert main(["run", str(script), "--yes", "--exception", "bag torn"]) == 3
    err = capsys.readouterr().err
    assert "does not say what happened and why" in err and '"WHAT: WHY"' in err
    assert not (tmp_path / "out").exists() and not list(tmp_path.glob("out.*"))


def test_bang_at_a_terminal_question_records_an_exception_then_asks_again(
    tmp_path: Path, passphrases: None  # noqa: F811
) -> None:
    script = small_bootstrap(tmp_path, extra=PRACTICE)
    controller, terminal = pty.openpty()  # `!` is for a person at a terminal
    child = subprocess.Popen(
        [sys.executable, "-m", "ceremony", "run", str(script), "--witness", "Wendy"],
        stdin=terminal, stdout=terminal, stderr=terminal, cwd=TOP, env=os.environ,
    )
    os.close(terminal)
    seen = bytearray()

    def answer(prompt: bytes, text: str) -> None:
        read_until(controller, prompt, seen)
        del seen[: seen.index(prompt) + len(prompt)]
        os.write(controller, text.encode() + b"\n")

    try:
        answer(b"to go on: ", "!")
        answer(b"What happened? ", "script copy on the table differs in its title line")
        answer(b"Why (and what was done about it)? ", "old printout; the sha256 matches")
        answer(b"(Enter: Wendy): ", "")
        answer(b"to go on: ", "yes")  # the same question again
        while child.poll() is None:
            try:
                read_until(controller, b"to go on: ", seen, timeout=60)
            except AssertionError:
                break  # the run ended
            word = "write" if b"'write'" in seen else "yes"
            del seen[:]
            os.write(controller, word.encode() + b"\n")
        assert child.wait(timeout=60) == 0
        drain(controller, seen)
    finally:
        if child.poll() is None:
            child.kill()
        os.close(controller)
    (exception,) = events(tmp_path / "out", "witness-exception")
    assert exception["what"] == "script copy on the table differs in its title line"
    assert exception["why"] == "old printout; the sha256 matches"
    assert exception["witness"] == "Wendy"
