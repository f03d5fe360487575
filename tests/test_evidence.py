"""`ceremony evidence`: the auditor's folder, indexed by CA/B Forum BR 6.1.1.1."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
from pdf_reading import pdf_qr_codes, pdf_text, squeezed
from test_run_headless import bootstrapped  # noqa: F401 - the fixture bundle uses

from ceremony.cli import main
from ceremony.records.evidence import REQUIREMENTS, _attestations
from ceremony.verify import verify_bundle


@pytest.fixture(scope="module")
def bundle(bootstrapped: Path) -> Path:  # noqa: F811
    return bootstrapped / "out"


def test_the_pack_holds_every_item_indexed_and_hashed(bundle: Path, tmp_path: Path) -> None:
    pack = tmp_path / "evidence"
    assert main(["evidence", str(bundle), "-o", str(pack)]) == 0
    names = {p.name for p in pack.iterdir()}
    assert names == {"INDEX.txt", "ceremony.yaml", "runsheet.pdf", "runsheet.txt", "record.pdf",
                     "record.txt", "transcript.jsonl", "MANIFEST.json", "verify.txt"}
    for name in ("transcript.jsonl", "MANIFEST.json", "ceremony.yaml"):
        assert (pack / name).read_bytes() == (bundle / name).read_bytes()
    index = (pack / "INDEX.txt").read_text()
    for name in names - {"INDEX.txt", "runsheet.txt", "record.txt"}:
        digest = hashlib.sha256((pack / name).read_bytes()).hexdigest()
        assert f"{digest}  {name}" in index
    for _, requirement in REQUIREMENTS:
        assert requirement in index
    script_line = index.index("prepare and follow a Key Generation Script")
    assert "ceremony.yaml, runsheet.pdf" in index[script_line:script_line + 200]
    report = verify_bundle(bundle)
    started = json.loads((bundle / "transcript.jsonl").read_text().splitlines()[0])
    assert report.transcript_head and report.transcript_head in squeezed(
        pdf_text(pack / "record.pdf"))
    sheet = pdf_text(pack / "runsheet.pdf")
    assert started["script_sha256"] in squeezed(sheet)
    for title in started["step_titles"]:
        assert squeezed(title) in squeezed(sheet)  # a long title wraps
    assert started["software_digest"] in pdf_qr_codes(pack / "runsheet.pdf", tmp_path / "p")
    verify = (pack / "verify.txt").read_text()
    assert "every check holds" in verify and report.transcript_head[:4] in verify


def test_a_pack_is_never_written_over_or_made_of_a_bad_bundle(
    bundle: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "taken").mkdir()
    assert main(["evidence", str(bundle), "-o", str(tmp_path / "taken")]) == 3
    assert "already exists" in capsys.readouterr().err
    copy = tmp_path / "copy"
    shutil.copytree(bundle, copy)
    (copy / "MANIFEST.json").write_text("{}")
    assert main(["evidence", str(copy), "-o", str(tmp_path / "pack")]) == 3
    assert "does not verify" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["copy", "taken"]


def test_token_attestations_in_the_transcript_are_written_out(tmp_path: Path) -> None:
    certificate = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
    intermediate = "-----BEGIN CERTIFICATE-----\nMIIC\n-----END CERTIFICATE-----"
    events = [
        {"event": "key-generated", "key": "root-y", "facts": {
            "attestation_certificate": certificate,
            "attestation_intermediates": [intermediate],
            "attestation_root": "CN=Yubico PIV Root CA", "token_serial": "123"}},
        {"event": "key-generated", "key": "root-soft", "facts": {}},
    ]
    items = _attestations(tmp_path, events)
    assert [item.name for item in items] == ["attestations/root-y.pem",
                                             "attestations/root-y.json"]
    assert (tmp_path / "attestations/root-y.pem").read_text() == certificate + intermediate + "\n"
    facts = json.loads((tmp_path / "attestations/root-y.json").read_text())
    assert facts["attestation_root"] == "CN=Yubico PIV Root CA" and "token_serial" not in facts
