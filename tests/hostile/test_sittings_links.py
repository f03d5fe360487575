"""What the sittings write, never through a symbolic link, nor read back from the medium.

A folder on the media may be a link planted to send what is written into it
somewhere else. ``ceremony request``, ``sign`` (with its QR codes), ``certify``
and ``seal`` each refuse an output with a link anywhere in its path, with the
one rule and words of a bundle's output (ceremony/bundle/writer.py's
``link_problem``): the link named, what to do, nothing written, here or where
the link points. A link that appears while a key signs is refused when the
signature file is written; one that appears while a seal writes, in the seal's
words, as the writer's own check is. The sitting the UI runs hashes the bytes it wrote:
a file swapped for a pipe once written is never opened. The request, the
signature file and the bootstrap are tests/hostile/test_sittings_files.py's.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from ceremony.bundle import files
from ceremony.bundle.writer import BundleWriter
from ceremony.cli.operator import HeadlessOperator
from ceremony.engine import utc_now
from ceremony.errors import MediaError
from ceremony.events import FileWritten, KeyLoaded, SittingFinished
from ceremony.sittings.request_file import read_request
from ceremony.sittings.seal import NEW_OUTPUT, SEALED, YOU_SAY
from ceremony.sittings.sign import KeyChoice, sign_sitting, write_signature_file
from ceremony.sittings.signature_file import read_signature_file
from hostile import test_sittings_files as sittings_files
from hostile.helpers import REAL_WORK, cli, refused, within

# the request, the signature file and the medium of the module next door (fixtures)
made, media, medium = sittings_files.made, sittings_files.media, sittings_files.medium
sign_onto = sittings_files.sign_onto

THROUGH = ("is written only where you say, never through a link (one planted on the media "
           "would send it elsewhere); name the real folder")


@pytest.fixture
def linked(medium) -> Path:
    """``linkdir`` on the medium: a link to the medium's (empty) folder ``real``."""
    (medium / "real").mkdir()
    (medium / "linkdir").symlink_to(medium / "real")
    return medium / "linkdir"


@pytest.mark.parametrize("qr", [False, True], ids=["file", "file and QR codes"])
def test_sign_into_a_folder_through_a_link_is_refused_before_any_key_is_opened(
        medium, linked, qr):
    ran = refused(medium.parent, lambda: sign_onto(medium, linked / "x.sig.json",
                                                   *(["--qr"] if qr else [])),
                  f"ceremony: {linked} is a symbolic link: a signature file {THROUGH}. "
                  "nothing was written")
    assert "signed" not in ran.out and not ran.err.count("Passphrase"), ran
    assert list((medium / "real").iterdir()) == []


@pytest.mark.parametrize("qr", [False, True], ids=["file", "file and QR codes"])
def test_a_link_made_while_keys_sign_is_refused_when_the_file_is_written(made, linked, qr):
    """What a sitting signed is written through no link that appeared since it began."""
    signed = read_signature_file(made / "a.sig.json")
    before = sorted(os.listdir(linked.parent))
    with pytest.raises(MediaError) as caught:
        write_signature_file(signed, linked / "x.sig.json", qr=qr)
    assert str(caught.value) == (f"{linked} is a symbolic link: a signature file {THROUGH}. "
                                 "nothing was written")
    assert sorted(os.listdir(linked.parent)) == before
    assert list((linked.parent / "real").iterdir()) == []


def test_a_request_into_a_folder_through_a_link_is_refused(made, linked):
    refused(linked.parent.parent,
            lambda: cli("request", made / "rotate.yaml", "-o", linked / "request"),
            f"ceremony: {linked} is a symbolic link: a request {THROUGH}. give a folder that "
            "does not exist yet")


def test_a_seal_into_a_folder_through_a_link_is_refused_before_any_file_is_read(
        medium, linked):
    refused(medium.parent, lambda: cli(
        "seal", medium / "request", medium / "a.sig.json", "--current", medium / "current",
        "-o", linked / "rotated"),
        f"ceremony: {linked} is a symbolic link: the sealed bundle {THROUGH}. name a new "
        "folder for the sealed bundle")


def test_certify_into_a_folder_through_a_link_is_refused_before_the_key_is_opened(
        medium, linked):
    refused(medium.parent, lambda: cli(
        "certify", "--key", "root-a", "--public", medium / "no.pem", "--current",
        medium / "current", "-o", linked / "root-a.crt"),
        f"ceremony: {linked} is a symbolic link: a certificate file {THROUGH}. nothing was "
        "written")


def test_the_sign_screen_s_sitting_hashes_what_it_wrote_never_reading_it_back(
        medium, monkeypatch):
    """The signature file swapped for a pipe the moment it takes its name (the last
    write point of the sitting): the sitting ends, telling the bytes it wrote."""
    output = medium / "b.sig.json"
    swapped: dict[str, bytes] = {}

    def swap(where: str) -> None:
        if where == f"rename {output}":
            swapped["data"] = output.read_bytes()
            output.unlink()
            os.mkfifo(output)

    monkeypatch.setattr(files, "write_point", swap)
    request = read_request(medium / "request")
    sitting = sign_sitting(
        request, medium / "request", output=output, current=medium / "current",
        keys=[KeyChoice("root-a")], operator=HeadlessOperator(production=False,
                                                              interactive=False),
        clock=utc_now, sitting="alice", qr=True)
    with within("opening the key", REAL_WORK):
        events = [next(sitting)]
        while not isinstance(events[-1], KeyLoaded):
            events.append(next(sitting))
    with within("signing and writing"):  # a read of the pipe would wait for ever
        events += list(sitting)
    written = [event for event in events if isinstance(event, FileWritten)]
    data = swapped["data"]
    assert written[0] == FileWritten(str(output), hashlib.sha256(data).hexdigest(), len(data))
    codes = sorted(medium.glob("b.sig.json.qr-*.png"))
    assert codes and [event.path for event in written[1:]] == [str(code) for code in codes]
    assert [event.sha256 for event in written[1:]] == [
        hashlib.sha256(code.read_bytes()).hexdigest() for code in codes]
    assert isinstance(events[-1], SittingFinished)


def test_a_link_made_while_a_seal_writes_is_refused_in_the_seal_s_words(
        medium, monkeypatch):
    """The output becomes a link once the sealed bundle is written in staging: nothing
    goes through it, and the refusal speaks of the sealed bundle and of a new folder
    for it, not of a bundle a script names."""
    (medium / "real").mkdir()
    planted: list[str] = []

    def point(where: str) -> None:
        if "MANIFEST.json" in where and not planted:
            planted.append(where)
            (medium / "rotated").symlink_to(medium / "real")

    monkeypatch.setattr(files, "write_point", point)
    ran = refused(medium / "real", lambda: cli(
        "seal", medium / "request", medium / "a.sig.json", "--current", medium / "current",
        "-o", medium / "rotated"),
        f"ceremony: {medium / 'rotated'} became a symbolic link while the sealed bundle was "
        "being written; nothing was written through it. find out who made it, then name a "
        "new folder for the sealed bundle, on a medium mounted read-write; nothing was sealed")
    assert planted and "script" not in ran.said
    assert list(medium.glob(".rotated.incomplete-*")) == []


def test_a_bundle_writer_for_a_seal_words_a_link_as_the_seal_s(tmp_path):
    """The writer's own check, made again as it starts, in the words of what it writes."""
    (tmp_path / "real").mkdir()
    (tmp_path / "linkdir").symlink_to(tmp_path / "real")
    with pytest.raises(MediaError) as caught:
        BundleWriter(tmp_path / "linkdir" / "rotated", what=SEALED, named=YOU_SAY,
                     todo=NEW_OUTPUT)
    assert str(caught.value) == (
        f"{tmp_path / 'linkdir'} is a symbolic link: the sealed bundle {THROUGH}. name a new "
        "folder for the sealed bundle, on a medium mounted read-write; nothing was sealed")
    assert list((tmp_path / "real").iterdir()) == []
