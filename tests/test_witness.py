"""A scripted production run names a witness for the checks a person makes.

In a production ceremony (not ``rehearsal: true``), ``--yes`` and an answers file
may not compare the script's sha256 or skip a custodian's checksum-word read-back
on their own: the answers file must name a witness (``witness: NAME``). Without
one the run is refused before anything is made; with one, the screen says who
checks each such step and the transcript records the witness.
"""

from __future__ import annotations

import json
from contextlib import ExitStack

import pytest
from media_devices import tmpfs
from test_recover import SHARES, small_room
from test_run_headless import PASS, small_bootstrap
from witness import WITNESS, witnessed

from ceremony.cli.main import main


@pytest.fixture
def passphrases(monkeypatch):
    for name, value in PASS.items():
        monkeypatch.setenv(name, value)


def transcript(bundle):
    return [json.loads(line) for line in (bundle / "transcript.jsonl").read_text().splitlines()]


@pytest.mark.parametrize("how", ["--yes", "answers"])
def test_a_production_run_without_a_witness_is_refused_before_anything_is_made(
    tmp_path, passphrases, capsys, how
):
    script = small_bootstrap(tmp_path)
    argv = ["run", str(script), "--yes"]
    if how == "answers":
        answers = tmp_path / "answers.yaml"
        answers.write_text("confirm/script: yes\nconfirm/write: write\n")
        argv = ["run", str(script), "--answers", str(answers)]
    assert main(argv) == 3
    captured = capsys.readouterr()
    said = "--yes" if how == "--yes" else "the answers file"
    assert captured.err == (
        f"ceremony: {said} would make a person's checks (the script's sha256 compared with "
        "the reviewed copy, the custodians' checksum words read back) in a production "
        "ceremony, and no witness is named. put `witness: NAME` in an answers "
        "file (--answers FILE), naming the person who compares the sha256 with the reviewed "
        "copy and watches each read-back; or run at a terminal without --yes; see "
        "docs/reference/answers.md\n"
    )
    assert captured.out == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["bootstrap.yaml", "online", *(["answers.yaml"] if how == "answers" else [])]
    )


def test_a_witness_is_said_on_screen_and_recorded_in_the_transcript(headless_bootstrap_run):
    # small_bootstrap run with witnessed(["run", SCRIPT, "--yes"]) (conftest.py, once)
    folder, printed = headless_bootstrap_run
    assert (
        "   confirmed: Does this sha256 match the reviewed copy of the script? "
        f"(scripted answer; witness {WITNESS})"
    ) in printed
    confirmed = [e for e in transcript(folder / "out") if e["event"] == "operator-confirmed"]
    assert [(e["question"].split("?")[0], e["witness"], e["scripted"]) for e in confirmed] == [
        ("Does this sha256 match the reviewed copy of the script", WITNESS, True),
        (f"Write the bundle to {folder / 'out'}", "", True),  # not a check the rule covers
    ]
    assert f"   confirmed: Write the bundle to {folder / 'out'}? (scripted answer)" in printed


def test_custody_hand_out_without_read_back_names_the_witness(tmp_path, capsys):
    script = small_room(tmp_path, SHARES)
    script.write_text(script.read_text().replace(
        "rehearsal: true\n", "network: allowed\noutput-media: any-device\n"
    ))
    secrets = tmp_path / "secrets.yaml"
    secrets.write_text("root-alice: a long passphrase for alice\n")
    secrets.chmod(0o600)
    assert main(["run", str(script), "--yes", "--secrets", str(secrets)]) == 3
    assert "no witness is named" in capsys.readouterr().err

    with ExitStack() as media:  # production custody: each copy and the sheets on their own
        for name in ("media-a", "media-b", "sheets"):
            media.enter_context(tmpfs(tmp_path / name))
        assert main(witnessed(["run", str(script), "--yes", "--secrets", str(secrets)])) == 0
    captured = capsys.readouterr()
    for number in (1, 2, 3):
        assert (
            f"   share {number} of 3 handed out (NOT read back; witness {WITNESS})"
        ) in captured.out
    handed = [e for e in transcript(tmp_path / "out") if e["event"] == "share-handed-out"]
    assert [(e["number"], e["read_back"], e["witness"]) for e in handed] == [
        (1, False, WITNESS), (2, False, WITNESS), (3, False, WITNESS),
    ]


def test_a_rehearsal_needs_no_witness(tmp_path, passphrases, capsys):
    script = small_bootstrap(tmp_path, extra="rehearsal: true\n")
    assert main(["run", str(script), "--yes"]) == 0
    confirmed = [e for e in transcript(tmp_path / "out") if e["event"] == "operator-confirmed"]
    assert {(e["witness"], e["scripted"]) for e in confirmed} == {("", True)}
    # the screen says a script answered, even with no witness
    assert (
        "   confirmed: Does this sha256 match the reviewed copy of the script? (scripted answer)"
    ) in capsys.readouterr().out
