"""The files of signing in sittings, made hostile: a request folder, signature files, QR images.

A request folder and signature files cross between machines on media, so
each may be a link (to a real file, or to /dev/zero), a pipe, a file far
larger than any the tool writes, a folder, bytes that are no UTF-8, JSON
nested beyond any parser's stack or with a key twice. ``ceremony inspect``,
``sign`` and ``seal`` must each refuse it with a message naming the file,
print no traceback, write nothing, and return (tests/hostile/helpers.py runs
each under an alarm). A request's words carrying terminal control sequences
are shown escaped. ``seal`` and ``sign`` killed or stopped by a signal part-way
(tests/kill_driver.py), and ``sign`` and ``request`` onto a full or read-only
tmpfs, leave no output that looks whole, and the next seal seals. One real
request (a rehearsal root rotation of a small bootstrap, threshold 1) and one
keyholder's signature file, with its QR codes, are made once for the module;
each case spoils a copy of them.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from media_devices import tmpfs
from quick_scrypt.sitecustomize import python_path
from test_kill_points import DRIVER, ROOT
from test_media_faults import fill
from test_run_headless import PASS

from ceremony.bundle.files import PARTIAL_NAME
from ceremony.bundle.leftovers import leftover_kind, leftovers_beside, remove_leftover
from ceremony.sittings.request_file import LIMIT as REQUEST_LIMIT
from ceremony.sittings.request_file import read_request, write_request
from ceremony.sittings.signature_file import LIMIT as SIGNATURE_LIMIT
from ceremony.verify import verify_bundle
from hostile.helpers import REAL_WORK, Ran, cli, refused

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
def made(tmp_path_factory, headless_bootstrap) -> Path:
    """A bootstrap (``out``: small_bootstrap's, made once for the session, copied),
    a request to rotate its root (``request``) and root-a's signature file for it
    (``a.sig.json``, and its QR codes)."""
    top = tmp_path_factory.mktemp("sittings")
    shutil.copytree(headless_bootstrap, top, symlinks=True, dirs_exist_ok=True)
    with pytest.MonkeyPatch.context() as patch:
        for name, value in PASS.items():
            patch.setenv(name, value)
        (top / "rotate.yaml").write_text(textwrap.dedent(ROTATE))
        assert cli("request", top / "rotate.yaml", "-o", top / "request",
                   seconds=REAL_WORK).code == 0
        assert cli("sign", top / "request", "--current", top / "out", "--key", "root-a",
                   "-o", top / "a.sig.json", "--qr", seconds=REAL_WORK).code == 0
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
    ("a huge file", huge(REQUEST_LIMIT),
     f"is {REQUEST_LIMIT + 1:,} bytes, more than the {REQUEST_LIMIT:,} allowed"),
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
     f"is {SIGNATURE_LIMIT + 1:,} bytes, more than the {SIGNATURE_LIMIT:,} allowed. {SIGNED}"),
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


NO_IMAGE = "is no image that can be read (PNG, JPEG, ...). give the images of the QR codes"


@pytest.mark.parametrize(("spoil", "words"), [
    (huge(32 * 1024 * 1024), "is 33,554,433 bytes, more than the 33,554,432 allowed. give the "
     "images of the QR codes"),
    (written(b"\x89PNG\r\n\x1a\n but no image after it"), NO_IMAGE),
    (written(b"%PDF-1.7 a document"), NO_IMAGE),
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


def driven(mode: str, point: int, folder: Path, *argv: str) -> subprocess.Popen[str]:
    """``ceremony ARGV`` in a child (tests/kill_driver.py) in ``folder``, stopped at
    its write point ``point``: killed (``kill``), or paused for a signal (``pause``)."""
    env = dict(os.environ, PYTHONPATH=python_path(ROOT), KILL_DRIVER_READY=str(folder / "ready"),
               **PASS)
    return subprocess.Popen([sys.executable, str(DRIVER), mode, str(point), *argv], cwd=folder,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def signalled(signum: int, folder: Path, point: int, *argv: str) -> tuple[int, str]:
    """Send ``signum`` to ``ceremony ARGV`` paused at its write point ``point``:
    its exit code and what it said on stderr."""
    ready = folder / "ready"
    child = driven("pause", point, folder, *argv)
    try:
        for _ in range(1200):  # up to a minute
            if ready.exists():
                break
            assert child.poll() is None, child.communicate()
            time.sleep(0.05)
        assert ready.exists(), "the write point was never reached"
        ready.unlink()
        child.send_signal(signum)
        _out, err = child.communicate(timeout=60)
    finally:
        if child.poll() is None:
            child.kill()
            child.communicate()
    return child.returncode, err


SEAL = ("seal", "request", "a.sig.json", "--current", "current", "-o", "rotated")
SIGN = ("sign", "request", "--current", "current", "--key", "root-a", "-o", "b.sig.json", "--qr")


@pytest.fixture
def medium(made, media) -> Path:
    """The medium, with the keyholder's (or sealer's) copy of the current bundle."""
    shutil.copytree(made / "out", media / "current")
    return media


def sealed_at_last(medium: Path) -> None:
    """Nothing of the stopped seal is taken for a bundle; the next seal seals."""
    assert not (medium / "rotated").exists()
    for leftover in leftovers_beside(medium / "rotated"):
        report = verify_bundle(leftover.path)
        assert not report.ok and "INCOMPLETE" in str(report.problems), report
        remove_leftover(leftover.path)
    ran = cli("seal", medium / "request", medium / "a.sig.json", "--current",
              medium / "current", "-o", medium / "rotated")
    assert ran.code == 0, ran
    assert verify_bundle(medium / "rotated").ok


def test_a_seal_killed_part_way_leaves_a_marked_staging_and_the_next_seal_seals(medium):
    child = driven("kill", 5, medium, *SEAL)  # a few files into the staging folder
    _out, err = child.communicate(timeout=120)
    assert child.returncode == -signal.SIGKILL, err
    [staging] = medium.glob(".rotated.incomplete-*")
    assert (staging / "INCOMPLETE").exists()
    assert [left.path for left in leftovers_beside(medium / "rotated")] == [staging]
    sealed_at_last(medium)


@pytest.mark.parametrize(("signum", "code", "words"), [
    (signal.SIGTERM, 143, "stopped by SIGTERM"), (signal.SIGHUP, 129, "stopped by SIGHUP"),
], ids=["SIGTERM", "SIGHUP"])
def test_a_seal_stopped_by_a_signal_part_way_leaves_nothing(medium, signum, code, words):
    before = set(medium.iterdir())
    returncode, err = signalled(signum, medium, 5, *SEAL)
    assert returncode == code, err
    assert err.endswith(f"ceremony: {words}; nothing was sealed; seal the signature files "
                        "again when ready\n"), err
    assert "Traceback" not in err
    assert leftovers_beside(medium / "rotated") == []
    assert set(medium.iterdir()) == before
    sealed_at_last(medium)


@pytest.mark.parametrize("point", [1, 3, 4, 5])
def test_a_sign_killed_part_way_leaves_no_signature_file(medium, point):
    """``sign --qr`` writes each code and then the file under hidden names (points
    1-3), renames the codes into place (4, 5), then the file: killed before, it
    leaves no signature file, and nothing half-written under a name a seal takes."""
    child = driven("kill", point, medium, *SIGN)
    _out, err = child.communicate(timeout=120)
    assert child.returncode == -signal.SIGKILL, err
    assert not (medium / "b.sig.json").exists()  # what a seal is given appears last
    left = sorted(p.name for p in medium.glob("*b.sig.json*"))
    hidden = [p for p in left if p.startswith(".")]
    assert all(PARTIAL_NAME.fullmatch(p) for p in hidden), left  # never taken for a file
    assert all(leftover_kind(medium / p) for p in hidden)  # ceremony clean removes each


@pytest.mark.parametrize(("signum", "code", "point"), [
    (signal.SIGTERM, 143, 2), (signal.SIGTERM, 143, 4), (signal.SIGHUP, 129, 4),
], ids=["SIGTERM at a QR code", "SIGTERM at a rename", "SIGHUP at a rename"])
def test_a_sign_stopped_by_a_signal_part_way_leaves_nothing(medium, signum, code, point):
    before = set(medium.iterdir())
    returncode, err = signalled(signum, medium, point, *SIGN)
    assert returncode == code, err
    assert err.endswith(f"ceremony: stopped by {signum.name}; no signature file was written; "
                        "sign the request again when ready\n"), err
    assert set(medium.iterdir()) == before


def sign_onto(medium: Path, output: Path, *more: str) -> Ran:
    return cli("sign", medium / "request", "--current", medium / "current", "--key", "root-a",
               "-o", output, *more)


@pytest.mark.parametrize("room", [0, 4096], ids=["full", "room for one QR code"])
def test_sign_onto_a_full_medium_says_so_and_leaves_nothing(medium, tmp_path, room):
    with tmpfs(tmp_path / "usb", size="256k") as usb:
        fill(usb)
        filler = usb / "filler"
        os.truncate(filler, filler.stat().st_size - room)
        ran = refused(usb, lambda: sign_onto(medium, usb / "b.sig.json", "--qr"),
                      f"ceremony: the signature file could not be written to {usb}/b.sig.json: "
                      "No space left on device. nothing was written; check the medium has "
                      "room and is writable, then run again")
        assert [p.name for p in usb.iterdir()] == ["filler"], ran


def test_sign_onto_a_read_only_medium_says_so_and_leaves_nothing(medium, tmp_path):
    with tmpfs(tmp_path / "usb", size="1m", options="ro") as usb:
        refused(usb, lambda: sign_onto(medium, usb / "b.sig.json"),
                f"ceremony: the signature file could not be written to {usb}/b.sig.json: "
                "Read-only file system. nothing was written")
        assert list(usb.iterdir()) == []


def test_a_request_is_written_past_a_link_or_pipe_planted_where_it_stages(made, tmp_path):
    """What lies beside the output under a staging-like name is never opened,
    followed or removed: the request is staged under a name of its own."""
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / ".request.partial").symlink_to(tmp_path / "elsewhere")
    os.mkfifo(tmp_path / ".request.partial-1")
    ran = cli("request", made / "rotate.yaml", "-o", tmp_path / "request")
    assert ran.code == 0, ran
    assert read_request(tmp_path / "request").title == "hostile sittings"
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        ".request.partial", ".request.partial-1", "elsewhere", "request"]
    assert list((tmp_path / "elsewhere").iterdir()) == []


def test_a_request_onto_a_full_medium_says_so_and_leaves_nothing(made, tmp_path):
    with tmpfs(tmp_path / "usb", size="64k") as usb:
        fill(usb)
        refused(usb, lambda: cli("request", made / "rotate.yaml", "-o", usb / "request"),
                f"ceremony: the request could not be written to {usb}/request: No space left "
                "on device. nothing was written; check the medium and run again")


def edited(edit: Callable[[dict], object]) -> Callable[[Path], None]:
    """A spoil that changes request.json's document with ``edit``."""
    def spoil(path: Path) -> None:
        document = json.loads(path.read_bytes())
        edit(document)
        path.write_text(json.dumps(document, indent=2, sort_keys=True) + "\n")
    return spoil


def first_payload(document: dict) -> dict:
    return document["payloads"][0]


AT = "request.json: payloads[0]"
REQUEST_DOCUMENTS = [
    ("bytes that are no UTF-8", written(lambda b: b.replace(b'"hostile', b'"\xffhostile')),
     "request.json: not UTF-8 text (byte"),
    ("JSON nested 100,000 deep", written(b"[" * 100_000 + b"]" * 100_000),
     "request.json: not JSON this tool accepts: RecursionError"),
    ("a key given twice", written(lambda b: b.replace(b"{", b'{"format": 1,', 1)),
     "request.json: the field 'format' appears twice in one object"),
    ("a list, not an object", written(b"[]\n"), "request.json: not a JSON object"),
    ("the format a string", edited(lambda d: d.update(format="1")),
     "request.json: format: it is missing or of the wrong type"),
    ("the title a number", edited(lambda d: d.update(title=5)),
     "request.json: title: it is missing or of the wrong type"),
    ("no keys", edited(lambda d: d.pop("keys")),
     "request.json: keys: it is missing or of the wrong type"),
    ("a payload named to climb out", edited(lambda d: first_payload(d).update(
        name="../../../etc/passwd")), f"{AT}: name: a payload is a plain file name"),
    ("a payload named as a hidden file", edited(lambda d: first_payload(d).update(
        name=".2.root.json")), f"{AT}: name: a payload is a plain file name"),
    ("a key id a number", edited(lambda d: first_payload(d)["groups"][0].update(keyids=[1])),
     f"{AT}.groups[0]: keyids: key ids are strings"),
    ("a threshold true", edited(lambda d: first_payload(d)["groups"][0].update(
        threshold=True)), f"{AT}.groups[0]: threshold: it is missing or of the wrong type"),
    ("a created time that is none", edited(lambda d: d.update(created="yesterday")),
     "request.json: created: times are written 2026-12-05T16:00:00Z"),
    ("an expiry that is none", edited(lambda d: d.update(expires="next week")),
     "request.json: expires: times are written 2026-12-05T16:00:00Z"),
    ("a summary line a number", edited(lambda d: d["summary"].append(7)),
     "request.json is not in the form this tool writes"),
]


@pytest.mark.parametrize(("spoil", "words"), [s[1:] for s in REQUEST_DOCUMENTS],
                         ids=[s[0] for s in REQUEST_DOCUMENTS])
def test_a_hostile_request_document_is_refused_by_field(made, media, spoil, words):
    spoil(media / "request" / "request.json")
    refused(media.parent, lambda: inspect(media, made), words, "do not use")


@pytest.mark.parametrize("command", COMMANDS)
def test_a_request_folder_given_as_a_link_is_refused(made, media, command):
    real = media / "request"
    shutil.move(real, media / "elsewhere")
    real.symlink_to(media / "elsewhere")
    refused(media.parent, lambda: COMMANDS[command](media, made),
            f"{real} is a symbolic link, not the request folder itself. give the folder "
            "`ceremony request` wrote, not a link to it")


@pytest.mark.parametrize("command", COMMANDS)
def test_a_request_s_payloads_folder_as_a_link_is_refused(made, media, command):
    payloads = media / "request" / "payloads"
    shutil.move(payloads, media / "elsewhere")
    payloads.symlink_to(media / "elsewhere")
    refused(media.parent, lambda: COMMANDS[command](media, made),
            f"{payloads}/2.root.json: is inside payloads, a symbolic link. do not use this "
            "request")


def test_a_qr_image_of_more_pixels_than_any_scan_is_not_decoded(made, media):
    """A small PNG that claims 81 million pixels: refused before it is decoded."""
    from PIL import Image

    bomb = media / "a.sig.json.qr-9.png"
    Image.new("1", (9000, 9000)).save(bomb)
    assert bomb.stat().st_size < 1024 * 1024
    refused(media.parent, lambda: seal(media, made, bomb),
            f"{bomb} is 9000 x 9000 pixels, far larger than a photo or scan of a QR code. "
            "photograph or scan the code again at a usual size; nothing was sealed")


def qr_code(path: Path, text: str) -> Path:
    import qrcode

    qrcode.make(text).save(path)
    return path


def test_a_qr_code_claiming_more_parts_than_the_largest_signature_file_is_refused(made, media):
    """A code that says its file has 10**15 parts: refused before any part is counted."""
    from ceremony.sittings.qr_route import MOST_PARTS

    claims = qr_code(media / "a.sig.json.qr-9.png",
                     f"ceremony-signature:1:1:{10**15}:0123456789abcdef:AAAA")
    assert MOST_PARTS == 13_982  # 16 MiB in parts of 1,200 bytes
    refused(media.parent, lambda: seal(media, made, claims),
            f"{claims}: its QR code says its signature file has 1,000,000,000,000,000 parts, "
            f"and the largest signature file ({SIGNATURE_LIMIT:,} bytes) has 13,982. give the "
            "codes `ceremony sign --qr` wrote; nothing was sealed")


def test_a_qr_code_with_a_part_longer_than_sign_writes_is_no_part(made, media):
    longer = qr_code(media / "a.sig.json.qr-9.png", "ceremony-signature:1:1:2:0123456789abcdef:"
                     + base64.b64encode(b"x" * 1_201).decode())
    refused(media.parent, lambda: seal(media, made, longer),
            f"{longer} holds a QR code that is no part of a signature file. give the codes "
            "`ceremony sign --qr` wrote")


def test_an_image_with_no_qr_code_is_named(made, media):
    from PIL import Image

    blank = media / "a.sig.json.qr-9.png"
    Image.new("L", (200, 200), 255).save(blank)
    refused(media.parent, lambda: seal(media, made, blank),
            f"no QR code can be read in {blank}. scan it again, flat and in focus")


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_a_device_given_as_a_signature_file_is_refused(made, media, device):
    refused(media.parent, lambda: seal(media, made, Path(device)),
            f"ceremony: {device}: {NOT_PLAIN}. {SIGNED}")


def test_sign_into_a_folder_that_does_not_exist_stops_before_any_key_is_opened(medium):
    ran = refused(medium, lambda: sign_onto(medium, medium / "nowhere" / "b.sig.json"),
                  f"ceremony: {medium}/nowhere is not a folder. create it first")
    assert "Signing request" not in ran.out and "signed" not in ran.out, ran.out
