"""Leftovers planted on the media, to make ``ceremony clean`` destroy something else.

``clean`` (and ``run``, offering to remove what an earlier attempt left)
overwrites the key files of a leftover before removing it. Whoever has the
media can plant a folder with a leftover's name holding a hard link to a
sealed bundle's key file, a pipe named like a key file, or a link to a
folder of this machine. Removing it must remove only its own names: the
sealed bundle still verifies, the folder elsewhere keeps its files, and
nothing waits for ever on a pipe.
"""

from __future__ import annotations

import io
import os
import shutil
from pathlib import Path

import pytest

from ceremony.cli.clean import clean_command
from hostile.helpers import REAL_WORK, cli, within

STAGING = ".next.incomplete-0a1b2c3d"


def planted_leftover(folder: Path) -> Path:
    leftover = folder / STAGING
    (leftover / "keys" / "offline").mkdir(parents=True)
    (leftover / "INCOMPLETE").write_text("being written\n")
    return leftover


def hard_link_to_sealed_key(leftover: Path, sealed: Path) -> None:
    os.link(sealed / "keys" / "offline" / "root-a.age",
            leftover / "keys" / "offline" / "root-a.age")


def pipe_named_like_a_key(leftover: Path, sealed: Path) -> None:
    os.mkfifo(leftover / "keys" / "offline" / "root-a.age")


def link_to_a_folder_elsewhere(leftover: Path, sealed: Path) -> None:
    (leftover / "keys" / "offline").rmdir()
    (leftover / "keys" / "offline").symlink_to(sealed / "keys" / "offline",
                                               target_is_directory=True)


def link_to_a_key_elsewhere(leftover: Path, sealed: Path) -> None:
    (leftover / "keys" / "offline" / "root-b.age").symlink_to(
        sealed / "keys" / "offline" / "root-b.age")


PLANTS = {
    "a hard link to a sealed bundle's key": hard_link_to_sealed_key,
    "a pipe named like a key file": pipe_named_like_a_key,
    "a link to a sealed bundle's key folder": link_to_a_folder_elsewhere,
    "a link to a sealed bundle's key file": link_to_a_key_elsewhere,
}


@pytest.fixture
def medium(sealed, tmp_path) -> Path:
    """A medium holding a sealed bundle (``out``) and nothing else yet."""
    shutil.copytree(sealed / "out", tmp_path / "out")
    return tmp_path


def key_bytes(bundle: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in (bundle / "keys" / "offline").iterdir()}


@pytest.mark.parametrize("plant", PLANTS.values(), ids=PLANTS.keys())
def test_clean_removes_only_the_planted_leftover(medium, monkeypatch, capsys, plant):
    sealed = medium / "out"
    keys = key_bytes(sealed)
    leftover = planted_leftover(medium)
    plant(leftover, sealed)
    monkeypatch.setattr("sys.stdin", io.StringIO("remove\n"))
    with within("ceremony clean"):
        assert clean_command(leftover, interactive=True) == 0
    assert f"{leftover} was removed." in capsys.readouterr().out
    assert not os.path.lexists(leftover)
    assert key_bytes(sealed) == keys
    assert cli("verify", sealed).code == 0


def test_clean_removes_a_part_written_file_or_folder_and_nothing_like_it(
        medium, monkeypatch, capsys):
    """A signature file, a script or a request folder still under its hidden
    ``.NAME.partial-XXXXXXXX`` name is a leftover ``ceremony clean`` names and removes;
    a hidden file that only looks like one (no eight hex digits, a link) is refused."""
    from ceremony.bundle.files import partial_path

    signature = partial_path(medium / "b.sig.json")
    signature.write_text("{")
    request = partial_path(medium / "request")
    (request / "payloads").mkdir(parents=True)
    (request / "request.json").write_text("{")
    for leftover, was in ((signature, "'b.sig.json'"), (request, "'request'")):
        monkeypatch.setattr("sys.stdin", io.StringIO("remove\n"))
        with within("ceremony clean"):
            assert clean_command(leftover, interactive=True) == 0
        said = capsys.readouterr().out
        assert f"part of {was}, whose writing was stopped before it was whole" in said
        assert not os.path.lexists(leftover)
    lookalike = medium / ".b.sig.json.partial-123"
    lookalike.write_text("{")
    linked = medium / ".c.sig.json.partial-0123abcd"
    linked.symlink_to(medium / "out")
    for path in (lookalike, linked):
        assert cli("clean", path).code != 0 and os.path.lexists(path)
    assert cli("verify", medium / "out").code == 0


def test_runs_offer_to_remove_a_planted_leftover_spares_the_sealed_bundle(medium, passphrases):
    from test_run_headless import rotation

    sealed = medium / "out"
    keys = key_bytes(sealed)
    leftover = planted_leftover(medium)
    hard_link_to_sealed_key(leftover, sealed)
    ran = cli("run", rotation(medium, "out", "next"), "--yes", seconds=REAL_WORK)  # a real run
    assert ran.code == 0, ran.said
    assert f"removed {leftover}: the staging folder of a ceremony that never ended" in ran.out
    assert key_bytes(sealed) == keys
    assert cli("verify", sealed).code == 0
    assert cli("verify", medium / "next").code == 0
