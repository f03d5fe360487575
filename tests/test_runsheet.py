"""`ceremony runsheet`: the printed run sheet, read back with poppler and zbar."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from pdf_reading import pdf_qr_codes, pdf_text, squeezed
from sample_scripts import BOOTSTRAP
from test_run_headless import public_pem_file

from ceremony.cli import main
from ceremony.flavor import flavor_named
from ceremony.installed import installed_digest
from ceremony.script.load import load_script

CUSTODY = """\
custody:
  media: [custody-a, custody-b]
  sheets: custody-sheets
  shares: {threshold: 2, of: 3}
  custodians: [erin, frank, grace]
"""


@pytest.fixture
def script(tmp_path: Path) -> Path:
    (tmp_path / "online").mkdir()
    public_pem_file(tmp_path / "online" / "timestamp.pub.pem")
    path = tmp_path / "bootstrap.yaml"
    path.write_text(BOOTSTRAP + CUSTODY)
    return path


@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_run_sheet_holds_every_step_digest_role_and_sign_off(
    script: Path, tmp_path: Path, paper: str, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "runsheet.pdf"
    assert main(["runsheet", str(script), "-o", str(out), "--paper", paper]) == 0
    plan = load_script(script)
    text = pdf_text(out)
    plain = out.with_suffix(".txt").read_text()
    software = installed_digest().digest
    for words in (text, plain):
        assert plan.title in words and "bootstrap (TUF)" in words
        assert plan.script_sha256 in squeezed(words)
        assert software in squeezed(words)
        for step in flavor_named("tuf").steps(plan):
            assert squeezed(step.title) in squeezed(words)  # a long title wraps
        for role in ("Ceremony administrator", "Internal witness", "Auditor"):
            assert role in words
        for person in ("alice", "bob", "carol", "erin", "frank", "grace"):
            assert person in words
        for field in ("Printed name", "Signature", "Date", "Time zone", "Initial"):
            assert field in words
        assert "Exceptions" in words
        assert "Custody copy medium" in words and "Share sheet 3 of 3 for grace" in words
    at = [squeezed(text).index(squeezed(f"{n}. {step.title}"))  # every step, in order
          for n, step in enumerate(flavor_named("tuf").steps(plan), start=1)]
    assert at == sorted(at) and len(at) == 10
    assert pdf_qr_codes(out, tmp_path / "pages") == {plan.script_sha256, software}
    assert plan.script_sha256[:4] in capsys.readouterr().out
    info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True).stdout
    assert ("595.28 x 841.89" if paper == "a4" else "612 x 792") in info


def test_an_existing_output_is_refused_and_nothing_written(
    script: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "runsheet.pdf"
    out.with_suffix(".txt").write_text("keep me")
    assert main(["runsheet", str(script), "-o", str(out)]) == 3
    assert "runsheet.txt already exists" in capsys.readouterr().err
    assert not out.exists() and out.with_suffix(".txt").read_text() == "keep me"


def test_a_bad_script_is_refused_with_its_line(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("format: 1\nceremony: bootstrap\nflavor: tuf\n")
    assert main(["runsheet", str(bad), "-o", str(tmp_path / "r.pdf")]) == 3
    err = capsys.readouterr().err
    assert err.startswith("ceremony: ") and "Traceback" not in err
    assert not (tmp_path / "r.pdf").exists() and not list(tmp_path.glob(".*partial"))


def test_names_beyond_latin_1_print_and_stay_whole_in_the_text(
    script: Path, tmp_path: Path
) -> None:
    text = script.read_text().replace("Bootstrap of the example repository",
                                      "Bootstrap für Zürich — Київ, Αθήνα office")
    script.write_text(text)
    out = tmp_path / "sheet.pdf"
    assert main(["runsheet", str(script), "-o", str(out), "--paper", "letter"]) == 0
    printed, plain = pdf_text(out), out.with_suffix(".txt").read_text()
    # DejaVu (fonts-dejavu-core) is embedded: Cyrillic, Greek and the dash print whole
    assert "Bootstrap für Zürich — Київ, Αθήνα office" in printed
    assert "Bootstrap für Zürich — Київ, Αθήνα office" in plain
    fonts = subprocess.run(["pdffonts", str(out)], capture_output=True, text=True,
                           check=True).stdout
    assert "DejaVuSans" in fonts and "?" not in printed.split("\n")[0]
