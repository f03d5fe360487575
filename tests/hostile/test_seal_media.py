"""A seal onto a medium that cannot take the bundle: said before any file is read,
with what to do, and nothing left on the medium (the bundle appears whole or not at
all). The request and signature file are test_sittings_files.py's."""

from __future__ import annotations

from pathlib import Path

import pytest
from media_devices import tmpfs
from test_media_faults import fill

import hostile.test_sittings_files as sittings
from hostile.helpers import Ran, cli, refused

made, media = sittings.made, sittings.media  # its fixtures: a request and a signature file

NEW_OUTPUT = ("name a new folder for the sealed bundle, on a medium mounted read-write; "
              "nothing was sealed")


def seal_onto(media: Path, made: Path, output: Path) -> Ran:
    return cli("seal", media / "request", media / "a.sig.json", "--current", made / "out",
               "-o", output)


def test_a_seal_onto_a_read_only_medium_says_so_and_leaves_nothing(made, media, tmp_path):
    with tmpfs(tmp_path / "usb", size="1m", options="ro") as usb:
        ran = refused(usb, lambda: seal_onto(media, made, usb / "rotated"),
                      f"ceremony: the folder {usb} is not writable: check the media is mounted "
                      f"read-write. {NEW_OUTPUT}")
        assert ran.out == ""  # refused before a signature file was read and counted
        assert list(usb.iterdir()) == []


@pytest.mark.parametrize(("size", "words"), [
    ("64k", "cannot write in {usb}: No space left on device. check the media is mounted "
            "read-write and has room"),
    ("24k", "to {usb} failed: No space left on device. check the media has room and is not "
            "failing; nothing was kept"),
], ids=["full", "room for some files"])
def test_a_seal_onto_a_full_medium_says_so_and_leaves_nothing(
        made, media, tmp_path, size, words):
    with tmpfs(tmp_path / "usb", size=size) as usb:
        if size == "64k":
            fill(usb)
        ran = refused(usb, lambda: seal_onto(media, made, usb / "rotated"),
                      words.format(usb=usb))
        assert "Traceback" not in ran.said
        assert [p.name for p in usb.iterdir()] in ([], ["filler"]), ran
