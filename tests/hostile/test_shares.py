"""Shares brought to a recovery by someone who wants it to go wrong.

A custodian's sheet can be photographed, a text file edited, a share forged
to claim this ceremony's set, or one from another set slipped in between
good ones. Each case goes through the readers and the collector a recovery
uses (``ceremony run recover.yaml --share FILE`` reads files this way) and
must be refused with a message naming the share by its number and source,
never a traceback, and never holding a share word. The typed-share cases
(changed, swapped, unknown words) are in tests/test_custody_shares.py.
"""

from __future__ import annotations

import io
import os
import struct
import zlib
from collections.abc import Callable

import pytest
import qrcode
from custody_helpers import another_set, make, runs_of_words
from shamir_mnemonic.shamir import EncryptedMasterSecret, split_ems

from ceremony.custody import (
    DuplicateShareError,
    ForeignShareError,
    ShareCollector,
    ShareError,
    ShareFormatError,
)
from ceremony.custody.errors import SharesDoNotCombineError

# the 100-million-pixel image is meant to be one: Pillow's warning about it is expected
pytestmark = pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")


@pytest.fixture(scope="module")
def custody():
    return make()


@pytest.fixture(scope="module")
def other(custody):
    return another_set(custody)


def forged(custody, member: int) -> str:
    """A share with this set's id, plan and member number, but another secret:
    what an attacker who saw one sheet's first words can make."""
    facts = custody.shares.facts
    secret = EncryptedMasterSecret(facts.identifier, facts.extendable, facts.iteration_exponent,
                                   os.urandom(32))
    (group,) = split_ems(1, [(3, 5)], secret)
    return group[member - 1].mnemonic()


def words(custody, number: int) -> str:
    return " ".join(custody.shares.shares[number - 1].words)


def png(width: int, height: int) -> bytes:
    """A valid PNG header claiming ``width`` x ``height`` pixels, in 70 bytes."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(
            ">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\0" * 16)) + chunk(b"IEND", b""))


def qr_png(payload: str | bytes) -> bytes:
    image = qrcode.make(payload)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def two_qr_png(first: str, second: str) -> bytes:
    from PIL import Image

    left, right = (qrcode.make(text).get_image().convert("L") for text in (first, second))
    both = Image.new("L", (left.width + right.width, max(left.height, right.height)), 255)
    both.paste(left, (0, 0))
    both.paste(right, (left.width, 0))
    out = io.BytesIO()
    both.save(out, format="PNG")
    return out.getvalue()


def blank_png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("L", (300, 300), 255).save(out, format="PNG")
    return out.getvalue()


def sheet_text(custody, number: int, change: Callable[[list[str]], list[str]]) -> bytes:
    numbered = [f"{i:02d} {word}" for i, word in
                enumerate(change(list(custody.shares.shares[number - 1].words)), 1)]
    return ("--- share words ---\n" + "\n".join(numbered) + "\n--- end of share words ---\n"
            ).encode()


# (id, the file's name, its bytes from the custody, the error, the message after the source)
FILES: list[tuple[str, str, Callable, type[ShareError], str]] = [
    ("a binary file", "share.txt", lambda c: os.urandom(400), ShareFormatError,
     "{p} is not a text file. give a text file or an image"),
    ("a UTF-16 text file", "share.txt", lambda c: words(c, 1).encode("utf-16"),
     ShareFormatError, "{p} is not a text file"),
    ("a file far larger than a share", "share.txt",
     lambda c: (words(c, 1) + "\n").encode() * 400, ShareFormatError,
     "{p} is far larger than a share. give the share's own file"),
    ("an empty file", "share.txt", lambda c: b"", ShareFormatError,
     "it has 0 words; a custody share has 33"),
    ("a sheet with its last word cut off", "share.txt",
     lambda c: sheet_text(c, 1, lambda w: w[:-1]), ShareFormatError,
     "it has 32 words; a custody share has 33"),
    ("a sheet with one word added", "share.txt",
     lambda c: sheet_text(c, 1, lambda w: w + ["academic"]), ShareFormatError,
     "it has 34 words; a custody share has 33"),
    ("a sheet whose word numbers repeat", "share.txt",
     lambda c: sheet_text(c, 1, lambda w: w).replace(b"\n02 ", b"\n01 "), ShareFormatError,
     "the word numbers do not run 1, 2, 3... without gaps or repeats"),
    ("a sheet with one word changed", "share.txt",
     lambda c: sheet_text(c, 2, lambda w: w[:9] + [w[10]] + w[10:]), ShareError,
     "the checksum fails: "),
    ("a sheet with words from outside the list", "share.txt",
     lambda c: sheet_text(c, 2, lambda w: w[:5] + ["bitcoin"] + w[6:]), ShareError,
     "word 6 is not in the SLIP-39 word list"),
    ("a sheet with terminal escapes for words", "share.txt",
     lambda c: sheet_text(c, 2, lambda w: w[:5] + ["\x1b[2j"] + w[6:]), ShareError,
     "word 6 is not in the SLIP-39 word list"),
    ("a file that is not an image", "share.png", lambda c: b"not a picture\n",
     ShareFormatError, "{p} is not an image that can be read"),
    ("an image claiming ten billion pixels", "share.png", lambda c: png(100_000, 100_000),
     ShareFormatError, "{p} is not an image that can be read"),
    ("an image claiming 400 million pixels", "share.png", lambda c: png(20_000, 20_000),
     ShareFormatError, "{p} is not an image that can be read"),
    ("an image claiming 100 million pixels", "share.png", lambda c: png(10_000, 10_000),
     ShareFormatError, "{p} is 10000 x 10000 pixels, far larger than a scan of a share sheet"),
    ("an image with no QR code", "share.png", lambda c: blank_png(), ShareFormatError,
     "no QR code found in {p}"),
    ("an image with two different shares", "share.png",
     lambda c: two_qr_png(words(c, 1), words(c, 2)), ShareFormatError,
     "{p} holds 2 different QR codes. give an image of one share sheet at a time"),
    ("a QR code holding other text", "share.png", lambda c: qr_png("https://example.com/x"),
     ShareError, "is not in the SLIP-39 word list"),
]


@pytest.mark.parametrize("name, data, error, message", [f[1:] for f in FILES],
                         ids=[f[0] for f in FILES])
def test_a_hostile_share_file_is_refused(tmp_path, custody, name, data, error, message):
    path = tmp_path / name
    path.write_bytes(data(custody))
    collector = ShareCollector(custody.record)
    add = collector.add_image if name.endswith(".png") else collector.add_file
    with pytest.raises(error) as refused:
        add(path)
    text = str(refused.value)
    assert text.startswith(f"share 1 ({path}): ")
    assert message.format(p=path) in text
    assert collector.count == 0
    for share in custody.shares.shares:
        assert not any(run in text for run in runs_of_words(share.words))
    assert "\x1b" not in text


def test_a_folder_given_as_a_share(tmp_path, custody):
    with pytest.raises(ShareFormatError) as refused:
        ShareCollector(custody.record).add_file(tmp_path)
    assert str(refused.value) == (
        f"share 1 ({tmp_path}): {tmp_path} is not a plain file (a pipe, device or socket). "
        "give the share's file itself, a plain file")


def test_a_share_file_that_does_not_exist(tmp_path, custody):
    with pytest.raises(ShareFormatError) as refused:
        ShareCollector(custody.record).add_file(tmp_path / "nothing.txt")
    assert str(refused.value) == (
        f"share 1 ({tmp_path / 'nothing.txt'}): {tmp_path / 'nothing.txt'} does not exist. "
        "check the file name")


# whole shares that are real, but wrong here ------------------------------------------


def test_a_forged_share_claiming_this_set_does_not_combine(custody):
    collector = ShareCollector(custody.record)
    collector.add(words(custody, 1), source="erin")
    collector.add(words(custody, 2), source="frank")
    collector.add(forged(custody, 3), source="mallory")  # its header matches the record
    with pytest.raises(SharesDoNotCombineError) as refused:
        collector.recover()
    assert "Traceback" not in str(refused.value)
    for share in custody.shares.shares:
        assert not any(run in str(refused.value) for run in runs_of_words(share.words))


def test_a_forged_share_for_a_place_already_given(custody):
    collector = ShareCollector(custody.record)
    collector.add(words(custody, 3), source="grace")
    with pytest.raises(ShareError) as refused:
        collector.add(forged(custody, 3), source="mallory")
    assert str(refused.value).startswith("share 2 (mallory): ")
    assert collector.count == 1


def test_the_same_sheet_twice_from_two_files(tmp_path, custody):
    (tmp_path / "a.txt").write_text(words(custody, 4))
    (tmp_path / "b.txt").write_bytes(sheet_text(custody, 4, lambda w: w))
    collector = ShareCollector(custody.record)
    collector.add_file(tmp_path / "a.txt")
    with pytest.raises(DuplicateShareError) as refused:
        collector.add_file(tmp_path / "b.txt")
    assert str(refused.value) == (
        f'share 2 ({tmp_path / "b.txt"}): it is the sheet "Share 4 of 5" again, already given '
        "as share 1. each share counts once: ask another custodian for theirs")


@pytest.mark.parametrize("position", [1, 2, 3], ids=["first", "second", "third"])
def test_a_share_of_another_set_anywhere_in_the_sequence(custody, other, position):
    collector = ShareCollector(custody.record)
    for number in range(1, position):
        collector.add(words(custody, number))
    with pytest.raises(ForeignShareError) as refused:
        collector.add(words(other, 5), source="sheet of mallory")
    assert str(refused.value).startswith(
        f"share {position} (sheet of mallory): it belongs to another share set (set id "
        f"{other.shares.facts.identifier}), not ceremony 20261126T173000Z-bootstrap-3f2a9c1e")
    assert collector.count == position - 1


def test_a_qr_code_of_another_set(tmp_path, custody, other):
    path = tmp_path / "scan.png"
    path.write_bytes(qr_png(words(other, 1)))
    with pytest.raises(ForeignShareError) as refused:
        ShareCollector(custody.record).add_image(path)
    assert str(refused.value).startswith(f"share 1 ({path}): it belongs to another share set")


def test_a_qr_code_that_is_not_utf8(tmp_path, custody):
    path = tmp_path / "scan.png"
    path.write_bytes(qr_png(b"\xff\xfe\x00\x1b[2J"))
    with pytest.raises(ShareError) as refused:
        ShareCollector(custody.record).add_image(path)
    assert str(refused.value).startswith(f"share 1 ({path}): ")
    assert "\x1b" not in str(refused.value)


def test_shares_of_two_sets_never_mix_without_a_record(custody, other):
    # with no record (a recovery of copies that vouch for themselves), the
    # first share sets the expectations and a share of another set is refused
    collector = ShareCollector()
    collector.add(words(custody, 2))
    with pytest.raises(ForeignShareError):
        collector.add(words(other, 3))
    assert collector.count == 1


def test_a_share_file_behind_a_long_path(tmp_path, custody):
    folder = tmp_path / ("d" * 200) / ("e" * 200)
    folder.mkdir(parents=True)
    path = folder / "share.txt"
    path.write_bytes(b"\xff\xfe")
    with pytest.raises(ShareFormatError) as refused:
        ShareCollector(custody.record).add_file(path)
    assert str(refused.value) == f"share 1 ({path}): {path} is not a text file. give a text " \
        "file or an image"
