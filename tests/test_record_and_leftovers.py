"""The paper record catches a cut transcript; leftovers are named and removed.

``verify`` prints the transcript head grouped for reading against the paper
record and checks it (``--head``), with the MANIFEST.json digest
(``--manifest``); the manifest records the transcript's line count, so lines
cut off are named even when the head is re-pointed. A folder carrying the
INCOMPLETE mark is never a bundle. ``ceremony clean`` removes only what a
stopped ceremony left, after a typed ``remove``, overwriting key files first;
``run`` finds such leftovers and offers the same.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
from pathlib import Path

import pytest
from test_run_headless import PASS, small_bootstrap
from witness import witnessed

from ceremony.cli import main
from ceremony.cli.clean import clean_command
from ceremony.describe import grouped
from ceremony.errors import CeremonyError
from ceremony.verify import verify_bundle


@pytest.fixture(scope="module")
def sealed(tmp_path_factory, headless_bootstrap) -> Path:
    """One small production bootstrap, sealed (made once for the session,
    conftest.py: this module's copy; the tests copy it again before changing it)."""
    folder = tmp_path_factory.mktemp("sealed")
    shutil.copytree(headless_bootstrap, folder, symlinks=True, dirs_exist_ok=True)
    return folder / "out"


def copy_of(bundle: Path, folder: Path) -> Path:
    target = folder / "copy"
    shutil.copytree(bundle, target)
    return target


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def cut_transcript(bundle: Path, lines: int, *, also_the_count: bool) -> None:
    """What an attacker with the media does: drop the last lines of the
    transcript and re-point the manifest at what is left."""
    transcript = bundle / "transcript.jsonl"
    kept = transcript.read_bytes().splitlines(keepends=True)[:-lines]
    transcript.write_bytes(b"".join(kept))
    manifest_path = bundle / "MANIFEST.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["transcript_head"] = hashlib.sha256(kept[-1].rstrip(b"\n")).hexdigest()
    manifest["files"]["transcript.jsonl"] = {
        "sha256": sha256(transcript), "size": transcript.stat().st_size
    }
    if also_the_count:
        manifest["transcript_lines"] = len(kept)
    manifest_path.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")


def test_verify_prints_the_head_and_the_manifest_digest_grouped_and_checks_them(
    sealed, capsys
):
    manifest = json.loads((sealed / "MANIFEST.json").read_text())
    head, count = manifest["transcript_head"], manifest["transcript_lines"]
    assert count == len((sealed / "transcript.jsonl").read_bytes().splitlines())
    digest = sha256(sealed / "MANIFEST.json")
    assert main(["verify", str(sealed), "--head", grouped(head), "--manifest", digest]) == 0
    assert capsys.readouterr().out == (
        f"{sealed}: every check holds\n"
        f"  transcript head {grouped(head)} ({count} lines): compare it with the paper "
        "record, or give it with --head\n"
        f"  manifest sha256 {grouped(digest)}\n"
    )


def test_a_cut_transcript_is_named_by_its_line_count(sealed, tmp_path, capsys):
    bundle = copy_of(sealed, tmp_path)
    cut_transcript(bundle, 2, also_the_count=False)
    count = json.loads((bundle / "MANIFEST.json").read_text())["transcript_lines"]
    assert main(["verify", str(bundle)]) == 1
    out = capsys.readouterr().out
    assert (
        f"transcript.jsonl: it has {count - 2} lines, and MANIFEST.json says the ceremony "
        f"recorded {count}: lines were added or cut off\n"
    ) in out


def test_a_cut_transcript_with_a_rewritten_manifest_fails_against_the_paper_record(
    sealed, tmp_path, capsys
):
    paper_head = json.loads((sealed / "MANIFEST.json").read_text())["transcript_head"]
    paper_manifest = sha256(sealed / "MANIFEST.json")
    bundle = copy_of(sealed, tmp_path)
    cut_transcript(bundle, 2, also_the_count=True)
    assert verify_bundle(bundle).ok  # inside itself it holds together...
    assert main(["verify", str(bundle), "--head", paper_head]) == 1  # ...not against paper
    out = capsys.readouterr().out
    assert out.startswith(
        "transcript.jsonl: its head "
        + json.loads((bundle / "MANIFEST.json").read_text())["transcript_head"]
        + " is not the head written on the paper record: the record on the media is not the "
        "one read aloud\n"
    )
    assert main(["verify", str(bundle), "--manifest", grouped(paper_manifest)]) == 1
    assert capsys.readouterr().out.startswith(
        "MANIFEST.json: its sha256 is not the one written on the paper record\n"
    )


@pytest.mark.parametrize(("given", "said"), [
    ("", "is empty: give it as written in the CLOSE box of the paper log"),
    ("   ", "is empty: give it as written in the CLOSE box of the paper log"),
    ("0f" * 31 + "0o", "'o' is not a hex digit"),
    ("0f0f " * 15, "has 60 hex digits, not 64"),
])
@pytest.mark.parametrize("option", ["--head", "--manifest"])
def test_a_paper_digest_that_is_empty_or_mistyped_is_the_operators_to_fix(
    sealed, capsys, option, given, said
):
    """A runbook's ``"$MANIFEST"`` never set is an empty --manifest: it used to be
    skipped, and the bundle said to hold against a paper nobody gave; an empty --head
    was said to differ from the paper. Either is now named as the operator's to
    fix, as is a digest mistyped from the paper, and nothing is checked."""
    with pytest.raises(SystemExit) as stopped:
        main(["verify", str(sealed), option, given])
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert f"argument {option}: " in err and said in err, err
    assert "every check holds" not in err


def test_verify_stops_listing_after_forty_problems(sealed, tmp_path, capsys):
    bundle = copy_of(sealed, tmp_path)
    for number in range(45):
        (bundle / f"planted-{number:02d}.txt").write_text("not in the manifest\n")
    report = verify_bundle(bundle)
    assert len(report.problems) >= 45
    assert main(["verify", str(bundle)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[40] == f"... and {len(report.problems) - 40} more"
    assert len([line for line in lines[:40] if line.startswith("planted-")]) <= 40


def test_a_folder_with_the_incomplete_mark_is_never_a_bundle(sealed, tmp_path, capsys):
    bundle = copy_of(sealed, tmp_path)
    (bundle / "INCOMPLETE").write_text("being written\n")
    assert main(["verify", str(bundle)]) == 1
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith("INCOMPLETE: ")
    assert "ceremony clean" in out.splitlines()[0]


# -- ceremony clean -------------------------------------------------------------


def staging_leftover(folder: Path) -> tuple[Path, io.BufferedReader]:
    """A staging folder as a kill leaves it, and its key file held open (the
    open file shows whether the key's bytes were overwritten before removal)."""
    staging = folder / ".out.incomplete-0123abcd"
    (staging / "keys" / "offline").mkdir(parents=True)
    (staging / "INCOMPLETE").write_text("being written\n")
    key = staging / "keys" / "offline" / "root-a.age"
    key.write_bytes(b"age-encryption.org/v1\n" + os.urandom(300))
    return staging, open(key, "rb")  # noqa: SIM115 - read after the removal


def test_clean_overwrites_the_key_files_then_removes_the_leftover(tmp_path, monkeypatch, capsys):
    staging, witness = staging_leftover(tmp_path)
    size = os.fstat(witness.fileno()).st_size
    monkeypatch.setattr("sys.stdin", io.StringIO("remove\n"))
    assert clean_command(staging, interactive=True) == 0
    assert not staging.exists()
    with witness:
        assert witness.read() == b"\0" * size  # the key's bytes were overwritten in place
    out = capsys.readouterr().out
    assert out.startswith(f"{staging}: the staging folder of a ceremony that never ended.\n")
    assert out.endswith(f"{staging} was removed.\n")


def test_clean_keeps_the_leftover_unless_remove_is_typed(tmp_path, monkeypatch, capsys):
    staging, witness = staging_leftover(tmp_path)
    with witness:
        before = witness.read()
    monkeypatch.setattr("sys.stdin", io.StringIO("yes\n"))
    assert clean_command(staging, interactive=True) == 0
    assert staging.is_dir()
    assert (staging / "keys" / "offline" / "root-a.age").read_bytes() == before
    assert capsys.readouterr().out.endswith("Nothing was removed.\n")


def test_clean_asks_at_a_terminal_only(tmp_path):
    staging, witness = staging_leftover(tmp_path)
    witness.close()
    with pytest.raises(CeremonyError) as caught:
        clean_command(staging, interactive=False)
    assert caught.value.message() == (
        f"{staging}: nobody is at a terminal to confirm the removal. run `ceremony clean` at "
        "a terminal and type remove"
    )
    assert staging.is_dir()


def test_clean_refuses_a_sealed_bundle_and_anything_else(sealed, tmp_path, capsys):
    before = sorted(p.name for p in sealed.rglob("*"))
    for path in (sealed, tmp_path, tmp_path / "missing"):
        assert main(["clean", str(path)]) == 3
        assert capsys.readouterr().err == (
            f"ceremony: {path}: is not something a stopped ceremony left (no staging or "
            ".partial- name, no INCOMPLETE mark). ceremony clean removes only the leftovers "
            "validate and run name; a sealed bundle is never removed by this tool\n"
        )
    assert sorted(p.name for p in sealed.rglob("*")) == before


def test_clean_does_not_follow_a_link_to_a_leftover(tmp_path, capsys):
    staging, witness = staging_leftover(tmp_path)
    witness.close()
    link = tmp_path / ".out.incomplete-feedbeef"
    link.symlink_to(staging)
    assert main(["clean", str(link)]) == 3
    assert staging.is_dir() and link.is_symlink()


# -- run finds leftovers ---------------------------------------------------------


def test_run_offers_to_remove_a_leftover_and_removes_it_when_told(
    tmp_path, monkeypatch, capsys
):
    monkeypatch.setenv("ROOT_A_PASS", PASS["ROOT_A_PASS"])
    monkeypatch.setenv("ROOT_B_PASS", PASS["ROOT_B_PASS"])
    script = small_bootstrap(tmp_path)
    staging, witness = staging_leftover(tmp_path)
    assert main(witnessed(["run", str(script), "--yes"])) == 0
    out = capsys.readouterr().out
    assert (
        f"   removed {staging}: the staging folder of a ceremony that never ended (key files "
        "overwritten first)\n"
    ) in out
    assert not staging.exists()
    with witness:
        assert set(witness.read()) == {0}
    assert verify_bundle(tmp_path / "out").ok


def test_run_leaves_a_leftover_when_told_not_to_remove_it(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("ROOT_A_PASS", PASS["ROOT_A_PASS"])
    monkeypatch.setenv("ROOT_B_PASS", PASS["ROOT_B_PASS"])
    script = small_bootstrap(tmp_path)
    staging, witness = staging_leftover(tmp_path)
    witness.close()
    answers = tmp_path / "answers.yaml"
    answers.write_text(
        "confirm/script: yes\nconfirm/remove-leftover: no\nconfirm/write: write\n"
    )
    answers.chmod(0o600)
    assert main(witnessed(["run", str(script), "--answers", str(answers)])) == 0
    out = capsys.readouterr().out
    assert (
        f"   WARNING: {staging} is left as it was; `ceremony clean {staging}` removes it\n"
    ) in out
    assert staging.is_dir()
    assert verify_bundle(tmp_path / "out").ok
