"""`ceremony record`: the printed record of a sealed bundle, read back with poppler and zbar."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pdf_reading import pdf_qr_codes, pdf_text, squeezed
from test_run_headless import bootstrapped  # noqa: F401 - the fixture bundle uses

from ceremony.cli import main
from ceremony.verify import verify_bundle
from ceremony.verify.limits import MANIFEST


@pytest.fixture(scope="module")
def bundle(bootstrapped: Path) -> Path:  # noqa: F811
    return bootstrapped / "out"


def transcript(bundle: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in (bundle / "transcript.jsonl").read_text().splitlines()]


@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_record_holds_head_manifest_keys_steps_and_sign_off(
    bundle: Path, tmp_path: Path, paper: str
) -> None:
    out = tmp_path / "record.pdf"
    assert main(["record", str(bundle), "-o", str(out), "--paper", paper]) == 0
    report = verify_bundle(bundle)
    assert report.contents is not None and report.transcript_head
    manifest = report.contents.files[MANIFEST].sha256
    events = transcript(bundle)
    keyids = {str(e["keyid"])[:8] for e in events if e["event"] in ("key-generated",
                                                                     "key-imported")}
    assert len(keyids) == 5
    text, plain = pdf_text(out), out.with_suffix(".txt").read_text()
    for words in (text, plain):
        assert report.transcript_head in squeezed(words)
        assert str(manifest) in squeezed(words)
        for keyid in keyids:
            assert f"id {keyid}" in words
        for e in events:
            if e["event"] == "step-started":
                assert str(e["title"]) in words
        assert "root version 1 built" in words and "threshold met" in words
        assert "root-a: made, ed25519 (software), held by a" in words
        for field in ("Printed name", "Signature", "Date", "Time zone", "Exceptions"):
            assert field in words
    codes = pdf_qr_codes(out, tmp_path / "pages")
    assert {report.transcript_head, manifest} <= codes
    started = events[0]
    assert codes == {report.transcript_head, manifest, started["script_sha256"],
                     started["software_digest"]}


def test_a_bundle_that_does_not_verify_gets_no_record(
    bundle: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(bundle, copy)
    lines = (copy / "transcript.jsonl").read_text().splitlines()
    lines[1] = lines[1].replace("Check", "Skip")
    (copy / "transcript.jsonl").write_text("\n".join(lines) + "\n")
    out = tmp_path / "record.pdf"
    assert main(["record", str(copy), "-o", str(out)]) == 3
    err = capsys.readouterr().err
    assert "does not verify" in err and f"ceremony verify {copy}" in err
    assert not out.exists() and not out.with_suffix(".txt").exists()


def test_no_bundle_is_one_clear_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["record", str(tmp_path / "nothing"), "-o", str(tmp_path / "r.pdf")]) == 3
    err = capsys.readouterr().err
    assert err.startswith("ceremony: ") and "Traceback" not in err


def test_a_record_is_never_written_into_the_bundle(
    bundle: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["record", str(bundle), "-o", str(bundle / "record.pdf")]) == 3
    assert "is inside the bundle" in capsys.readouterr().err
    assert not (bundle / "record.pdf").exists()
    assert main(["evidence", str(bundle), "-o", str(bundle / "pack")]) == 3
    assert "is inside the bundle" in capsys.readouterr().err
    assert verify_bundle(bundle).ok
