"""The files of signing in sittings, made hostile: a request folder, signature files, QR images.

A request folder and signature files cross between machines on media, so
each may be a link (to a real file, or to /dev/zero), a pipe, a file far
larger than any the tool writes, a folder, bytes that are no UTF-8, JSON
nested beyond any parser's stack or with a key twice. ``ceremony inspect``,
``sign`` and ``seal`` must each refuse it with a message naming the file,
print no traceback, write nothing, and return (tests/hostile/helpers.py runs
each under an alarm). One real request (a rehearsal root rotation of a small
bootstrap, threshold 1) and one keyholder's signature file, with its QR
codes, are made once for the module; each case spoils a copy of them.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from test_run_headless import PASS, small_bootstrap

from ceremony.sittings.request_file import LIMIT as REQUEST_LIMIT
from ceremony.sittings.request_file import read_request, write_request
from ceremony.sittings.signature_file import LIMIT as SIGNATURE_LIMIT
from hostile.helpers import Ran, cli, refused

ROTATE = """\
    format: 1
    ceremony: rotate-root
    flavor: tuf
    title: hostile sittings
    rehearsal: true
    network: allowed
    output-media: any-device
    current: out
    output: rotated
    request-expires: 7d
    sign-with: [root-a]
    roles:
      root: {keys: [root-a, root-b], threshold: 1, expires: 200d}
    passphrases:
      root-a: {env: ROOT_A_PASS}
    """


@pytest.fixture(scope="module")
def made(tmp_path_factory) -> Path:
    """A bootstrap (``out``), a request to rotate its root (``request``) and
    root-a's signature file for it (``a.sig.json``, and its QR codes)."""
    top = tmp_path_factory.mktemp("sittings")
    with pytest.MonkeyPatch.context() as patch:
        for name, value in PASS.items():
            patch.setenv(name, value)
        assert cli("run", small_bootstrap(top), "--yes").code == 0
        (top / "rotate.yaml").write_text(textwrap.dedent(ROTATE))
        assert cli("request", top / "rotate.yaml", "-o", top / "request").code == 0
        assert cli("sign", top / "request", "--current", top / "out", "--key", "root-a",
                   "-o", top / "a.sig.json", "--qr").code == 0
    return top


@pytest.fixture
def media(made, tmp_path, passphrases) -> Path:
    """A medium holding a copy of the request and of the signature file and its codes."""
    medium = tmp_path / "media"
    shutil.copytree(made / "request", medium / "request")
    for path in made.glob("a.sig.json*"):
        shutil.copy(path, medium / path.name)
    return medium


def inspect(media: Path, made: Path) -> Ran:
    return cli("inspect", media / "request")


def sign(media: Path, made: Path) -> Ran:
    return cli("sign", media / "request", "--current", made / "out", "--key", "root-a",
               "-o", media / "new.sig.json")


def seal(media: Path, made: Path, *signatures: Path) -> Ran:
    return cli("seal", media / "request", *(signatures or [media / "a.sig.json"]),
               "--current", made / "out", "-o", media / "rotated")


# what replaces a file on the medium: (id, how, the words that say what is wrong)
def linked_to_a_copy(path: Path) -> None:
    """``path`` a link to a copy of itself off the medium (the same bytes)."""
    elsewhere = Path(f"{path}.elsewhere")
    shutil.move(path, elsewhere)
    path.symlink_to(elsewhere)


def linked_to_dev_zero(path: Path) -> None:
    path.unlink()
    path.symlink_to("/dev/zero")


def a_fifo(path: Path) -> None:
    path.unlink()
    os.mkfifo(path)


def huge(limit: int) -> Callable[[Path], None]:
    def spoil(path: Path) -> None:
        with open(path, "r+b") as file:
            file.truncate(limit + 1)  # sparse: costs no disk
    return spoil


def a_folder(path: Path) -> None:
    path.unlink()
    path.mkdir()
    (path / "inside").write_text("{}")


LINK = "is a symbolic link"
NOT_PLAIN = "is not a plain file (a pipe, device or socket)"

REQUEST_SPOILS = [
    ("a link to a real file", linked_to_a_copy, LINK),
    ("a link to /dev/zero", linked_to_dev_zero, LINK),
    ("a FIFO", a_fifo, NOT_PLAIN),
    ("a huge file", huge(REQUEST_LIMIT), f"is larger than the {REQUEST_LIMIT:,} bytes allowed"),
    ("a folder", a_folder, NOT_PLAIN),
]
REQUEST_FILES = ["request.json", "payloads/2.root.json", "transcript.jsonl", "ceremony.yaml"]
COMMANDS = {"inspect": inspect, "sign": sign, "seal": seal}


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("name", REQUEST_FILES)
@pytest.mark.parametrize(("spoil", "words"), [s[1:] for s in REQUEST_SPOILS],
                         ids=[s[0] for s in REQUEST_SPOILS])
def test_a_request_file_that_is_no_plain_file_is_refused(
        made, media, command, name, spoil, words):
    path = media / "request" / name
    spoil(path)
    ran = refused(media.parent, lambda: COMMANDS[command](media, made), str(path), words)
    assert "do not use this request" in ran.err or "copy the whole request" in ran.err, ran.err


SIGNED = "give the signature file a sitting wrote"
DAMAGED = "this is no signature file of this tool, or it is damaged"


def written(data: bytes | Callable[[bytes], bytes]) -> Callable[[Path], None]:
    """A spoil that writes ``data`` (or ``data(the file's bytes)``) over the file."""
    def spoil(path: Path) -> None:
        path.write_bytes(data(path.read_bytes()) if callable(data) else data)
    return spoil


SIGNATURE_SPOILS = [
    ("a link to a real file", linked_to_a_copy, f"{LINK}. {SIGNED}"),
    ("a link to /dev/zero", linked_to_dev_zero, f"{LINK}. {SIGNED}"),
    ("a FIFO", a_fifo, f"{NOT_PLAIN}. {SIGNED}"),
    ("a huge file", huge(SIGNATURE_LIMIT),
     f"is larger than the {SIGNATURE_LIMIT:,} bytes allowed. {SIGNED}"),
    ("bytes that are no UTF-8", written(lambda b: b.replace(b'"root-a"', b'"root-\xff"')),
     f"not UTF-8 text (byte 116). {DAMAGED}"),
    ("JSON nested 100,000 deep", written(b"[" * 100_000 + b"]" * 100_000),
     f"not JSON this tool accepts: RecursionError. {DAMAGED}"),
    ("a key given twice", written(lambda b: b.replace(b'{"format":1,', b'{"format":1,"format":1,',
                                                      1)),
     f"the field 'format' appears twice in one object. {DAMAGED}"),
    ("a field of the wrong type", written(lambda b: b.replace(b'"key":"root-a"', b'"key":7')),
     f"signatures[0] is missing a field or has one of the wrong type. {DAMAGED}"),
    ("the signatures a string", written(
        b'{"format":1,"request":"x","sitting":"s","signatures":"all","transcript":[]}'),
     f"request, sitting, signatures or transcript is missing or of the wrong type. {DAMAGED}"),
    ("a list, not an object", written(b"[1]"), f"not a format-1 signature file. {DAMAGED}"),
]


@pytest.mark.parametrize(("spoil", "words"), [s[1:] for s in SIGNATURE_SPOILS],
                         ids=[s[0] for s in SIGNATURE_SPOILS])
def test_a_hostile_signature_file_is_refused_and_nothing_is_sealed(made, media, spoil, words):
    path = media / "a.sig.json"
    spoil(path)
    refused(media.parent, lambda: seal(media, made, path), str(path), words)


@pytest.mark.parametrize(("spoil", "words"), [
    (linked_to_a_copy, LINK), (linked_to_dev_zero, LINK), (a_fifo, NOT_PLAIN),
], ids=["a link to a real file", "a link to /dev/zero", "a FIFO"])
def test_a_folder_of_signatures_holding_no_plain_file_is_refused_by_name(
        made, media, spoil, words):
    """The folder's good file would meet the threshold alone: the other is still
    named, never passed over as if it were not there."""
    folder = media / "signatures"
    folder.mkdir()
    shutil.copy(media / "a.sig.json", folder / "a.sig.json")
    shutil.copy(media / "a.sig.json", folder / "b.sig.json")
    spoil(folder / "b.sig.json")
    refused(media.parent, lambda: seal(media, made, folder), str(folder / "b.sig.json"), words)


@pytest.mark.parametrize(("spoil", "words"), [
    (huge(32 * 1024 * 1024), "is larger than the 33,554,432 bytes allowed. give the images "
     "of the QR codes"),
    (written(b"\x89PNG\r\n\x1a\n but no image after it"), "no QR code can be read in"),
    (written(b"%PDF-1.7 a document"), "no QR code can be read in"),
    (a_fifo, f"{NOT_PLAIN}. give the images of the QR codes"),
    (linked_to_dev_zero, f"{LINK}. give the images of the QR codes"),
], ids=["a huge file", "a PNG's signature and nothing else", "no image", "a FIFO",
        "a link to /dev/zero"])
def test_a_qr_image_that_is_no_image_is_refused_by_name(made, media, spoil, words):
    images = sorted(media.glob("a.sig.json.qr-*.png"))
    spoil(images[0])
    refused(media.parent, lambda: seal(media, made, *images), str(images[0]), words)


# a screen cleared, the window retitled, a CSI by its one-byte C1 form, text reversed
ESCAPES = "\x1b[2J\x1b[H", "\x1b]0;signed by everyone\x07", "\x9b31m", "\u202egnp.\u202c"
SHOWN = "\\x1b[2J\\x1b[H", "\\x1b]0;signed by everyone\\x07", "\\x9b31m", "\\u202egnp.\\u202c"


@pytest.fixture
def escaping(made, tmp_path) -> Path:
    """A request whose title, summary, keyholders and a key's name carry terminal
    control sequences, written by the tool's own writer: its digest covers them,
    so a keyholder is shown exactly these words."""
    request = read_request(made / "request")
    keys = tuple(dataclasses.replace(key, holder=f"{key.holder}{ESCAPES[1]}") for key in
                 request.keys)
    keys = (*keys[:-1], dataclasses.replace(keys[-1], name=f"{keys[-1].name}{ESCAPES[2]}"))
    spoilt = dataclasses.replace(
        request, title=f"{request.title}{ESCAPES[0]}", keys=keys,
        summary=(*request.summary, *(f"note {escape}" for escape in ESCAPES)))
    write_request(spoilt, tmp_path / "request")
    return tmp_path / "request"


def shown_safe(ran: Ran) -> None:
    for raw, shown in zip(ESCAPES, SHOWN, strict=True):
        assert raw not in ran.said, f"{raw!r} reached the terminal"
        assert shown in ran.out, f"{shown} not shown in:\n{ran.out}"
    assert not any(ch in ran.said for ch in "\x1b\x9b\x07\u202e"), ran.said


def test_inspect_shows_a_request_s_control_sequences_escaped(escaping):
    ran = cli("inspect", escaping)
    assert ran.code == 0, ran
    shown_safe(ran)
    assert f"Signing request: hostile sittings{SHOWN[0]} (tuf rotate-root)" in ran.out


def test_sign_shows_a_request_s_control_sequences_escaped_before_it_asks(
        made, escaping, passphrases, tmp_path):
    ran = cli("sign", escaping, "--current", made / "out", "--key", "root-a",
              "-o", tmp_path / "a.sig.json")
    assert ran.code == 0, ran  # the words are the keyholder's to judge; only shown safe
    shown_safe(ran)
    assert "root-b\\x9b31m (keyholder b\\x1b]0;signed by everyone\\x07)" in ran.out


def test_seal_names_a_signature_file_with_control_sequences_escaped(made, media):
    path = media / f"a{ESCAPES[0]}.sig.json"
    path.write_bytes(b"[1]")
    ran = refused(media.parent, lambda: seal(media, made, path), f"a{SHOWN[0]}.sig.json")
    assert "\x1b" not in ran.said, ran.said
