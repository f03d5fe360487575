"""Bundles on media as an attacker leaves them, given to ``verify`` and ``inspect``.

Whoever holds the media can plant links, pipes and devices, swap in huge or
malformed files, rename files to climb out of the bundle, re-sign nothing yet
rewrite the manifest and re-chain the transcript to match. Each case starts
from a real bundle the tool sealed (a bootstrap and its rotation, conftest.py)
or, where only signing keys could make it, from tests/bundle_factory.py, and
must be refused with its exact problem line, never a traceback, a hang or a
read of a file outside the bundle.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import stat
from collections.abc import Callable
from pathlib import Path

import pytest
from bundle_factory import BundleMaker, in_days
from limited import tree
from test_record_and_leftovers import cut_transcript

from ceremony.verify.limits import MAX_DEPTH
from hostile.helpers import cli, manifest_of, rechain, refused, reseal, sha256, write_manifest

# a short id helper for messages that name keys --------------------------------------


def keyid_of(bundle: Path, name: str) -> str:
    return json.loads((bundle / "keys/index.json").read_bytes())["keys"][name]["keyid"]


def root(bundle: Path, version: int) -> dict:
    return json.loads((bundle / f"metadata/{version}.root.json").read_bytes())


def rewrite_root(bundle: Path, version: int, text: Callable[[str], str]) -> None:
    """Change root version ``version`` (and root.json when it is the newest) as text."""
    for name in (f"{version}.root.json",) + (("root.json",) if version == 2 else ()):
        path = bundle / "metadata" / name
        path.write_text(text(path.read_text()))


# the media themselves: links, pipes, devices, sockets -------------------------------


def link_to_laptop_file(bundle: Path) -> None:
    target = bundle / "keys/public/root-a.pem"
    target.unlink()
    target.symlink_to("/etc/passwd")


def link_root_to_older(bundle: Path) -> None:
    target = bundle / "metadata/root.json"
    target.unlink()
    target.symlink_to("1.root.json")


def linked_metadata_folder(bundle: Path) -> None:
    elsewhere = bundle.parent / "elsewhere"
    (bundle / "metadata").rename(elsewhere)
    (bundle / "metadata").symlink_to(elsewhere, target_is_directory=True)


def pipe(name: str) -> Callable[[Path], None]:
    def plant(bundle: Path) -> None:
        (bundle / name).unlink()
        os.mkfifo(bundle / name)
    return plant


def device(name: str) -> Callable[[Path], None]:
    def plant(bundle: Path) -> None:  # /dev/zero's own numbers, made on the medium
        (bundle / name).unlink()
        os.mknod(bundle / name, 0o644 | stat.S_IFCHR, os.makedev(1, 5))
    return plant


def unix_socket(bundle: Path) -> None:
    with socket.socket(socket.AF_UNIX) as listening:
        listening.bind(str(bundle / "keys/helper.sock"))


def sparse(name: str, size: int) -> Callable[[Path], None]:
    def grow(bundle: Path) -> None:
        with open(bundle / name, "r+b") as file:
            file.truncate(size)
    return grow


def padded_root(size: int) -> Callable[[Path], None]:
    """Root version 2 padded with spaces to ``size`` bytes: still the same
    signed JSON, listed in the manifest as it now is."""
    def pad(bundle: Path) -> None:
        for name in ("2.root.json", "root.json"):
            path = bundle / "metadata" / name
            data = path.read_bytes().rstrip(b"\n")
            path.write_bytes(data + b" " * (size - len(data)))
        reseal(bundle)
    return pad


def hard_link_to_laptop_file(bundle: Path) -> None:
    """A hard link is a plain file: it is hashed like any other, never shown."""
    laptop = bundle.parent / "laptop-secret.txt"
    laptop.write_text("root:x:0:0 a file of this machine\n")
    os.link(laptop, bundle / "keys/offline/notes.age")


#: folders one deeper than a bundle may nest, and the first folder too deep
TOO_DEEP = [f"f{depth}" for depth in range(1, MAX_DEPTH + 2)]


def deep_folders(bundle: Path) -> None:
    bundle.joinpath(*TOO_DEEP).mkdir(parents=True)


def planted(name: str, data: bytes) -> Callable[[Path], None]:
    def plant(bundle: Path) -> None:
        path = bundle / os.fsdecode(name) if isinstance(name, bytes) else bundle / name
        path.write_bytes(data)
    return plant


def listed(path: str) -> Callable[[Path], None]:
    def add(bundle: Path) -> None:
        manifest = manifest_of(bundle)
        manifest["files"][path] = {"sha256": "0" * 64, "size": 1}
        write_manifest(bundle, manifest)
    return add


def resealed(change: Callable[[Path], None]) -> Callable[[Path], None]:
    def both(bundle: Path) -> None:
        change(bundle)
        reseal(bundle)
    return both


def replace_bytes(name: str, old: bytes, new: bytes) -> Callable[[Path], None]:
    def edit(bundle: Path) -> None:
        path = bundle / name
        data = path.read_bytes()
        assert old in data, (name, old)
        path.write_bytes(data.replace(old, new, 1))
    return edit


def manifest_field(name: str, value: object) -> Callable[[Path], None]:
    def edit(bundle: Path) -> None:
        manifest = manifest_of(bundle)
        manifest[name] = value
        write_manifest(bundle, manifest)
    return edit


def remove(name: str) -> Callable[[Path], None]:
    return lambda bundle: (bundle / name).unlink()


def flip_last_byte(name: str) -> Callable[[Path], None]:
    def flip(bundle: Path) -> None:
        data = bytearray((bundle / name).read_bytes())
        data[-2] ^= 1
        (bundle / name).write_bytes(bytes(data))
    return flip


def deep_json(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


def transcript_lines(change: Callable[[list[bytes]], list[bytes]]) -> Callable[[Path], None]:
    """Change the transcript's raw lines, chain untouched (then reseal)."""
    def edit(bundle: Path) -> None:
        path = bundle / "transcript.jsonl"
        lines = path.read_bytes().split(b"\n")[:-1]
        path.write_bytes(b"".join(line + b"\n" for line in change(lines)))
        reseal(bundle)
    return edit


def drop_event(kind: str) -> Callable[[Path], None]:
    return lambda bundle: rechain(
        bundle, lambda events: [e for e in events if e.get("event") != kind], count=True
    )


def roll_back_newest(bundle: Path) -> None:
    """What a forger does to hide the rotation: version 2 gone, root.json the
    first version again, manifest resealed."""
    (bundle / "metadata/2.root.json").unlink()
    (bundle / "metadata/root.json").write_bytes((bundle / "metadata/1.root.json").read_bytes())
    reseal(bundle)


def version_one_as_two(bundle: Path) -> None:
    """The first version, properly signed, put back as the second."""
    first = (bundle / "metadata/1.root.json").read_bytes()
    for name in ("2.root.json", "root.json"):
        (bundle / "metadata" / name).write_bytes(first)
    reseal(bundle)


LINK = "a symbolic link; a bundle holds only plain files"
NOT_PLAIN = "not a plain file (a device, socket or pipe)"

# (id, what the attacker does to the rotated bundle, the problem lines verify prints)
CASES: list[tuple[str, Callable[[Path], None], list[str]]] = [
    ("a public key file linked to /etc/passwd", link_to_laptop_file,
     [f"keys/public/root-a.pem: {LINK}",
      "keys/index.json: key 'root-a': keys/public/root-a.pem is missing"]),
    ("root.json linked to the first version", link_root_to_older, [f"metadata/root.json: {LINK}"]),
    ("the metadata folder a link to a copy elsewhere", linked_metadata_folder,
     [f"metadata: {LINK}", "metadata/: no root versions: a bundle holds every root from "
      "1.root.json"]),
    ("keys/index.json a pipe", pipe("keys/index.json"), [f"keys/index.json: {NOT_PLAIN}"]),
    ("MANIFEST.json a pipe", pipe("MANIFEST.json"), [f"MANIFEST.json: {NOT_PLAIN}"]),
    ("the newest root a pipe", pipe("metadata/2.root.json"),
     [f"metadata/2.root.json: {NOT_PLAIN}"]),
    ("the transcript a pipe", pipe("transcript.jsonl"), [f"transcript.jsonl: {NOT_PLAIN}"]),
    ("a key file a /dev/zero device", device("keys/offline/root-a.age"),
     [f"keys/offline/root-a.age: {NOT_PLAIN}"]),
    ("root.json a /dev/zero device", device("metadata/root.json"),
     [f"metadata/root.json: {NOT_PLAIN}"]),
    ("a socket among the keys", unix_socket,
     [f"keys/helper.sock: {NOT_PLAIN}"]),
    ("a root version over 512,000 bytes", padded_root(512_001),
     ["metadata/2.root.json: 512,001 bytes, more than the 512,000 a root file may have",
      "metadata/root.json: 512,001 bytes, more than the 512,000 a root file may have"]),
    ("a key file of 3 GiB (sparse)", sparse("keys/offline/root-a.age", 3 * 2**30),
     ["keys/offline/root-a.age: 3,221,225,472 bytes, more than any bundle file may have; "
      "not read"]),
    ("a transcript over 60 MB (sparse)", sparse("transcript.jsonl", 60_000_001),
     ["transcript.jsonl: 60,000,001 bytes, more than the 60,000,000 a transcript may have"]),
    ("a key index over 16 MB (sparse)", sparse("keys/index.json", 16_000_001),
     ["keys/index.json: 16,000,001 bytes, more than the 16,000,000 a key index may have"]),
    ("a public key file over 64 kB (sparse)", sparse("keys/public/root-a.pem", 64_001),
     ["keys/public/root-a.pem: 64,001 bytes, more than the 64,000 a public key file may have"]),
    ("a manifest over 16 MB (sparse)", sparse("MANIFEST.json", 16_000_001),
     ["MANIFEST.json: 16,000,001 bytes, more than the 16,000,000 a manifest may have"]),
    ("folders nested deeper than a bundle's", deep_folders,
     ["/".join(TOO_DEEP[:MAX_DEPTH]) + ": folders nested too deep for a bundle"]),
    ("invalid UTF-8 in a key name of keys/index.json",
     resealed(replace_bytes("keys/index.json", b'"root-a": {', b'"root-\xff": {')),
     ["keys/index.json: not UTF-8 text (byte "]),
    ("invalid UTF-8 in the manifest",
     replace_bytes("MANIFEST.json", b'"format": 1', b'"format\xc0\xaf": 1'),
     ["MANIFEST.json: not UTF-8 text (byte "]),
    ("invalid UTF-8 in a transcript line",
     transcript_lines(lambda lines: [lines[0].replace(b'"tuf"', b'"t\xe9f"'), *lines[1:]]),
     ["transcript.jsonl line 1: not UTF-8 text (byte "]),
    ("invalid UTF-8 in the newest root",
     resealed(lambda b: rewrite_root(b, 2, lambda t: t) or replace_bytes(
         "metadata/2.root.json", b'"_type": "root"', b'"_type": "r\xffot"')(b)),
     ["metadata/2.root.json: not UTF-8 text (byte "]),
    ("a byte-order mark before the key index",
     resealed(lambda b: (b / "keys/index.json").write_bytes(
         b"\xef\xbb\xbf" + (b / "keys/index.json").read_bytes())),
     ["keys/index.json: starts with a byte-order mark"]),
    ("a duplicate threshold in the newest root (two readers, two roots)",
     resealed(lambda b: rewrite_root(b, 2, lambda t: t.replace(
         '"threshold": 1', '"threshold": 1, "threshold": 2', 1))),
     ["metadata/2.root.json: the field 'threshold' appears twice in one object"]),
    ("a duplicate field in the manifest",
     replace_bytes("MANIFEST.json", b'"format": 1', b'"format": 1, "format": 1'),
     ["MANIFEST.json: the field 'format' appears twice in one object"]),
    ("a duplicate key name in keys/index.json",
     resealed(replace_bytes("keys/index.json", b'"keys": {', b'"keys": {"root-a": {}, ')),
     ["keys/index.json: the field 'root-a' appears twice in one object"]),
    ("a duplicate field in a transcript line",
     transcript_lines(lambda lines: [lines[0][:-1] + b',"seq":7}', *lines[1:]]),
     ["transcript.jsonl line 1: the field 'seq' appears twice in one object"]),
    ("a float threshold in the newest root",
     resealed(lambda b: rewrite_root(b, 2, lambda t: t.replace(
         '"threshold": 1', '"threshold": 1.0', 1))),
     ["metadata/2.root.json: the number 1.0 is not a whole number"]),
    ("NaN in the key index",
     resealed(replace_bytes("keys/index.json", b'"format": 1', b'"format": NaN')),
     ["keys/index.json: NaN is not allowed in JSON"]),
    ("a 5,000-digit number in the manifest",
     replace_bytes("MANIFEST.json", b'"format": 1', b'"format": ' + b"9" * 5000),
     ["MANIFEST.json: not JSON this tool accepts: ValueError"]),
    ("JSON nested 100,000 deep in the key index",
     resealed(lambda b: (b / "keys/index.json").write_bytes(deep_json(100_000))),
     ["keys/index.json: not JSON this tool accepts: RecursionError"]),
    ("the manifest names '../escape'", listed("../escape"),
     ["MANIFEST.json: lists '../escape', which is not a path inside a bundle"]),
    ("the manifest names an absolute path", listed("/etc/shadow"),
     ["MANIFEST.json: lists '/etc/shadow', which is not a path inside a bundle"]),
    ("the manifest names a Windows path", listed("keys\\..\\..\\boot.ini"),
     ["MANIFEST.json: lists 'keys\\\\..\\\\..\\\\boot.ini', which is not a path inside a "
      "bundle"]),
    ("the manifest lists itself", listed("MANIFEST.json"),
     ["MANIFEST.json: lists itself; it lists every other file"]),
    ("the manifest names a file that is not there", listed("keys/offline/root-z.age"),
     ["keys/offline/root-z.age: listed in MANIFEST.json but missing from the media"]),
    ("an extra file the manifest does not list", planted("notes.txt", b"run me\n"),
     ["notes.txt: on the media but not listed in MANIFEST.json"]),
    ("an extra hidden file", planted(".autorun.sh", b"#!/bin/sh\n"),
     [".autorun.sh: on the media but not listed in MANIFEST.json"]),
    ("a file name with terminal escapes", planted("\x1b[2J\x1b[31mOK.txt", b""),
     ["\\x1b[2J\\x1b[31mOK.txt: on the media but not listed in MANIFEST.json"]),
    ("a file name with a newline", planted("fake\nmetadata-2.root.json: ok", b""),
     ["fake\\nmetadata-2.root.json: ok: on the media but not listed in MANIFEST.json"]),
    ("a file name that is not UTF-8", planted(b"key-\xff.age", b""),
     ["key-\\udcff.age: on the media but not listed in MANIFEST.json"]),
    ("a key file changed by one byte", flip_last_byte("keys/offline/root-a.age"),
     ["keys/offline/root-a.age: sha256 "]),
    ("a key file removed", remove("keys/offline/root-b.age"),
     ["keys/offline/root-b.age: listed in MANIFEST.json but missing from the media"]),
    ("the manifest in another format", manifest_field("format", 2),
     ["MANIFEST.json: format is 2; this tool reads format 1"]),
    ("the manifest naming an unknown flavor", manifest_field("flavor", "x\x1b[0m"),
     ["MANIFEST.json: flavor 'x\\x1b[0m' is not one this tool knows (tuf, dct", "judged as tuf"]),
    ("the manifest's head not a sha256", manifest_field("transcript_head", "../../etc"),
     ["MANIFEST.json: transcript_head is '../../etc', not a sha256 in lowercase hex"]),
    ("the manifest's line count not a number", manifest_field("transcript_lines", True),
     ["MANIFEST.json: transcript_lines is true, not a number of lines"]),
    ("a REHEARSAL mark planted on a production bundle",
     planted("REHEARSAL", b"practice\n"),
     ["REHEARSAL: on the media but not listed in MANIFEST.json"]),
    ("a REHEARSAL mark planted and resealed",
     resealed(planted("REHEARSAL", b"practice\n")),
     ["REHEARSAL: present, but MANIFEST.json says rehearsal is false"]),
    ("a transcript line changed", transcript_lines(
        lambda lines: [lines[0], lines[1].replace(b'"tuf"', b'"dct"'), *lines[2:]]
        if b'"tuf"' in lines[1] else [lines[0], lines[1] + b" ", *lines[2:]]),
     ["transcript.jsonl line 3: prev is not the sha256 of line 2"]),
    ("a transcript line removed", transcript_lines(lambda lines: [lines[0], *lines[2:]]),
     ["transcript.jsonl line 2: prev is not the sha256 of line 1"]),
    ("the transcript's last newline cut", resealed(lambda b: (b / "transcript.jsonl")
                                                    .write_bytes((b / "transcript.jsonl")
                                                                 .read_bytes()[:-1])),
     ["transcript.jsonl: the last line has no newline: the record may be cut short"]),
    ("the transcript empty", resealed(lambda b: (b / "transcript.jsonl").write_bytes(b"")),
     ["transcript.jsonl: empty"]),
    ("a transcript line that is a list", transcript_lines(lambda lines: [b"[]", *lines[1:]]),
     ["transcript.jsonl line 1: not a JSON object"]),
    ("the first version put back as the second", version_one_as_two,
     ["metadata/2.root.json: signed.version is 1, but its name says 2"]),
    ("root.json left at the first version", resealed(lambda b: (b / "metadata/root.json")
                                                     .write_bytes((b / "metadata/1.root.json")
                                                                  .read_bytes())),
     ["metadata/root.json: not the same bytes as metadata/2.root.json, the newest root "
      "version"]),
    ("a root version named 0", resealed(lambda b: (b / "metadata/0.root.json").write_bytes(
        (b / "metadata/1.root.json").read_bytes())),
     ["metadata/0.root.json: not a root version name (N.root.json, N from 1)"]),
    ("a root version named 01", resealed(lambda b: (b / "metadata/01.root.json").write_bytes(
        (b / "metadata/1.root.json").read_bytes())),
     ["metadata/01.root.json: not a root version name (N.root.json, N from 1)"]),
    ("the first root version removed", resealed(remove("metadata/1.root.json")),
     ["metadata/1.root.json: missing"]),
    ("a public key swapped for another key's", resealed(
        lambda b: (b / "keys/public/root-a.pem").write_bytes(
            (b / "keys/public/snapshot.pem").read_bytes())),
     ["keys/index.json: key 'root-a': keys/public/root-a.pem is not the key "]),
    ("a key index entry pointing out of the keys", resealed(replace_bytes(
        "keys/index.json", b'"public": "keys/public/root-a.pem"',
        b'"public": "../../../etc/passwd"')),
     ["keys/index.json: key 'root-a': public is '../../../etc/passwd', not a file under "
      "keys/public/",
      "keys/public/root-a.pem: not the public file of any key in keys/index.json"]),
    ("a key index entry pointing at a private key path", resealed(replace_bytes(
        "keys/index.json", b'"public": "keys/public/root-a.pem"',
        b'"public": "keys/public/../offline/root-a.age"')),
     ["keys/index.json: key 'root-a': keys/public/../offline/root-a.age is missing"]),
    ("a key file location climbing out of the bundle", resealed(replace_bytes(
        "keys/index.json", b'"location": "age-file:keys/offline/root-a.age"',
        b'"location": "age-file:../../../etc/shadow"')),
     ["keys/index.json: key 'root-a': location 'age-file:../../../etc/shadow' is not a key "
      "file inside this bundle"]),
    ("a key file location outside keys/", resealed(replace_bytes(
        "keys/index.json", b'"location": "age-file:keys/offline/root-b.age"',
        b'"location": "age-file:MANIFEST.json"')),
     ["keys/index.json: key 'root-b': location 'age-file:MANIFEST.json' is not a key file "
      "inside this bundle"]),
    ("a hard link to a file of this machine", hard_link_to_laptop_file,
     ["keys/offline/notes.age: on the media but not listed in MANIFEST.json"]),
    ("a public key file that holds no key", resealed(
        lambda b: (b / "keys/public/root-b.pem").write_bytes(b"-----BEGIN PUBLIC KEY-----\n")),
     ["keys/index.json: key 'root-b': keys/public/root-b.pem holds no PEM public key"]),
]


@pytest.mark.parametrize("attack, lines", [(c[1], c[2]) for c in CASES],
                         ids=[c[0] for c in CASES])
def test_verify_names_what_the_attacker_did(bundle, attack, lines):
    attack(bundle)
    ran = refused(bundle.parent, lambda: cli("verify", bundle), *lines)
    assert "every check holds" not in ran.out
    assert "/etc/passwd" not in ran.out or "../../../etc/passwd" in ran.out
    assert "root:x:0:0" not in ran.said  # no file outside the bundle was read
    for line in ran.out.splitlines():  # what was refused is not called missing as well
        if line.endswith((LINK, NOT_PLAIN)):
            where = line.split(": ")[0]
            assert f"{where}: listed in MANIFEST.json but missing" not in ran.out
            assert f"{where}: missing" not in ran.out


def test_a_flood_of_broken_transcript_lines_is_named_up_to_a_point_then_only_counted(bundle):
    """Each broken line costs a problem or two: past the first MOST_LINES_NAMED lines
    with problems the record is past repair, and the lines after them are counted,
    not checked, so millions of them cost neither memory nor time. The count and the
    head still take in every line."""
    from ceremony.verify import verify_bundle
    from ceremony.verify.transcript import MOST_LINES_NAMED

    recorded = manifest_of(bundle)["transcript_lines"]
    kept = len((bundle / "transcript.jsonl").read_bytes().splitlines())
    transcript_lines(lambda lines: [*lines, *[b"{}"] * (MOST_LINES_NAMED + 500)])(bundle)
    refused(bundle.parent, lambda: cli("verify", bundle),
            f"transcript.jsonl line {kept + 1}: prev is not the sha256 of line {kept}")
    said = [str(problem) for problem in verify_bundle(bundle).problems]
    named = {p.split(":")[0] for p in said if p.startswith("transcript.jsonl line ")}
    assert named == {f"transcript.jsonl line {kept + n}" for n in range(1, MOST_LINES_NAMED + 1)}
    assert (f"transcript.jsonl: the 500 lines after line {kept + MOST_LINES_NAMED:,} were not "
            "checked: 1,000 lines before them have problems, and the record is past repair"
            ) in said
    total = kept + MOST_LINES_NAMED + 500
    assert (f"transcript.jsonl: it has {total} lines, and MANIFEST.json says the ceremony "
            f"recorded {recorded}: lines were added or cut off") in said


def test_a_flood_that_ends_at_its_last_line_leaves_nothing_uncounted(bundle):
    from ceremony.verify import verify_bundle
    from ceremony.verify.transcript import MOST_LINES_NAMED

    transcript_lines(lambda lines: [*lines, *[b"{}"] * MOST_LINES_NAMED])(bundle)
    said = [str(problem) for problem in verify_bundle(bundle).problems]
    assert not [p for p in said if "were not checked" in p]
    assert len([p for p in said if p.startswith("transcript.jsonl line ")]) >= MOST_LINES_NAMED


def test_a_cut_transcript_with_its_head_re_pointed(bundle):
    recorded = manifest_of(bundle)["transcript_lines"]
    cut_transcript(bundle, 3, also_the_count=False)
    refused(bundle.parent, lambda: cli("verify", bundle),
            f"transcript.jsonl: it has {recorded - 3} lines, and MANIFEST.json says the ceremony "
            f"recorded {recorded}: lines were added or cut off")


def test_a_root_at_the_size_limit_verifies(bundle):
    padded_root(512_000)(bundle)
    ran = cli("verify", bundle)
    assert ran.code == 0, ran.said
    assert f"{bundle}: every check holds" in ran.out


def test_a_rolled_back_bundle_holds_together_but_not_against_the_paper_record(bundle):
    # the forger removes the rotation and reseals: alone it verifies, as a
    # bundle of one version; the paper record's manifest digest catches it
    written = sha256((bundle / "MANIFEST.json").read_bytes())
    roll_back_newest(bundle)
    refused(bundle.parent, lambda: cli("verify", bundle, "--manifest", written),
            "MANIFEST.json: its sha256 is not the one written on the paper record")


def test_a_cut_and_recounted_transcript_fails_against_the_paper_record(bundle):
    head = manifest_of(bundle)["transcript_head"]
    cut_transcript(bundle, 3, also_the_count=True)
    refused(bundle.parent, lambda: cli("verify", bundle, "--head", head),
            "transcript.jsonl: its head ", "is not the head written on the paper record")


def test_a_rechained_transcript_without_the_root_signing_fails_against_the_paper_record(bundle):
    head = manifest_of(bundle)["transcript_head"]
    drop_event("root-signed")(bundle)
    refused(bundle.parent, lambda: cli("verify", bundle, "--head", " ".join(
        head[i:i + 4] for i in range(0, 64, 4))),
            "is not the head written on the paper record")


def test_a_bundle_flooded_with_files_is_not_read_further(bundle):
    flood = bundle / "flood"
    flood.mkdir()
    for number in range(100_001):
        os.close(os.open(flood / str(number), os.O_CREAT | os.O_WRONLY, 0o644))
    ran = refused(bundle.parent, lambda: cli("verify", bundle),
                  f"{bundle}: more than 100,000 files and folders: not a bundle; stopped reading")
    assert "missing" not in ran.out  # what was never read is not called missing
    assert ran.err == f"ceremony: 1 problem(s) in {bundle}\n"


@pytest.mark.parametrize("target", ["/dev/zero", "/proc/self/environ", "/nonexistent/bundle"])
def test_verify_of_what_is_not_a_folder(tmp_path, target):
    ran = refused(tmp_path, lambda: cli("verify", target))
    expected = "does not exist" if target.startswith("/nonexistent") else \
        "not a directory: not a bundle"
    assert f"{target}: {expected}" in ran.out


# bundles signed in ways the tool never signs ----------------------------------------


def signed_bundle(tmp_path: Path, build: Callable[[BundleMaker], None]) -> Path:
    maker = BundleMaker()
    build(maker)
    return maker.write(tmp_path / "signed")


SIGNED: list[tuple[str, Callable[[BundleMaker], None], str]] = [
    ("a new root signed by one old key of two", lambda m: m.rotate(signers=["root-1", "root-4"]),
     "metadata/2.root.json: root keys of version 1: 1 valid signature, threshold 2 "
     "(1 more needed)"),
    ("a new root signed by one of its own keys", lambda m: m.rotate(
        threshold=3, signers=["root-1", "root-2", "root-4"]),
     "metadata/2.root.json: root keys of version 2: 2 valid signatures, threshold 3 "
     "(1 more needed)"),
    ("a new root signed by the retired keys alone", lambda m: (m.rotate(), m.rotate(
        replace=2, signers=["root-1", "root-2"])),
     "metadata/3.root.json: root keys of version 2: 1 valid signature, threshold 2"),
    ("one key under two keyids to meet the threshold", lambda m: m.rotate(
        edit=lambda r: r.add_key(m.alias("root-2"), "root"),
        signers=["root-2", ("root-2", m.alias("root-2").keyid), "root-3", "root-4"]),
     "are the same public key; it counts once"),
    ("a signature under a keyid that is not its key's hash", lambda m: m.rotate(
        edit=lambda r: r.add_key(m.mislabeled("root-2", "ab" * 32), "root")),
     "keyid abababab is not the sha256 of its key"),
    ("a root threshold of 0", lambda m: m.rotate(threshold=0),
     "metadata/2.root.json: signed.roles.root.threshold is 0, not a whole number from 1"),
    ("a root threshold the keys cannot meet", lambda m: m.rotate(threshold=4),
     "metadata/2.root.json: signed.roles.root needs 4 signatures but lists only 3 keys"),
    ("a newest root already expired", lambda m: m.rotate(expires=in_days(-1)),
     "metadata/2.root.json: expired "),
    ("a version skipped", lambda m: m.rotate(edit=lambda r: setattr(r, "version", 3)),
     "metadata/2.root.json: missing"),
]


@pytest.mark.parametrize("build, line", [(c[1], c[2]) for c in SIGNED],
                         ids=[c[0] for c in SIGNED])
def test_verify_refuses_roots_signed_to_deceive(tmp_path, build, line):
    signed = signed_bundle(tmp_path, build)
    refused(tmp_path, lambda: cli("verify", signed), line)


# inspect: one file, or a bundle's newest root ---------------------------------------

INSPECT: list[tuple[str, Callable[[Path], None], str, str]] = [
    ("a root.json that is a pipe", pipe("metadata/root.json"), "metadata/root.json",
     "metadata/root.json: not a plain file"),
    ("a root.json that is a /dev/zero device", device("metadata/root.json"),
     "metadata/root.json", "metadata/root.json: not a plain file"),
    ("a root.json linked to /etc/passwd", lambda b: (
        (b / "metadata/root.json").unlink(), (b / "metadata/root.json").symlink_to("/etc/passwd")),
     "metadata/root.json", f"metadata/root.json: {LINK}"),
    ("a root.json over the limit", padded_root(512_001), "metadata/2.root.json",
     "metadata/2.root.json: 512,001 bytes, more than the 512,000 a root file may have"),
    ("a metadata file of 3 GiB (sparse)", sparse("metadata/2.root.json", 3 * 2**30),
     "metadata/2.root.json", "metadata/2.root.json: more than the 5,000,000 bytes a metadata "
     "file may have"),
    ("a root.json that is not UTF-8", replace_bytes(
        "metadata/root.json", b'"_type": "root"', b'"_type": "r\xffot"'), "metadata/root.json",
     "metadata/root.json: not UTF-8 text (byte "),
    ("a root.json with a duplicate threshold", lambda b: rewrite_root(b, 2, lambda t: t.replace(
        '"threshold": 1', '"threshold": 1, "threshold": 2', 1)), "metadata/2.root.json",
     "the field 'threshold' appears twice in one object"),
    ("a root.json nested 100,000 deep", lambda b: (b / "metadata/root.json").write_bytes(
        deep_json(100_000)), "metadata/root.json",
     "metadata/root.json: not JSON this tool accepts: RecursionError"),
    ("a folder with no metadata", lambda b: None, "keys",
     "keys: no root metadata here (metadata/N.root.json)"),
]


@pytest.mark.parametrize("attack, inside, phrase", [c[1:] for c in INSPECT],
                         ids=[c[0] for c in INSPECT])
def test_inspect_refuses_what_verify_refuses(bundle, attack, inside, phrase):
    attack(bundle)
    ran = refused(bundle.parent, lambda: cli("inspect", bundle / inside), phrase)
    assert "root:x:0:0" not in ran.said


@pytest.mark.parametrize("target", ["/dev/zero", "/proc/self/status"])
def test_inspect_of_a_device_or_kernel_file(tmp_path, target):
    refused(tmp_path, lambda: cli("inspect", target), target)


@pytest.mark.parametrize("attack, why", [
    (replace_bytes("keys/index.json", b'"keys": {', b'"keys": {"root-a": {}, '),
     "the field 'root-a' appears twice in one object"),
    (pipe("keys/index.json"), "not a plain file"),
    (device("keys/index.json"), "not a plain file"),
    (sparse("keys/index.json", 16_000_001),
     "more than the 16,000,000 bytes a key index may have"),
], ids=["duplicate name", "pipe", "device", "oversized"])
def test_inspect_says_why_a_hostile_key_index_leaves_names_unknown(bundle, attack, why):
    attack(bundle)
    before = tree(bundle.parent)
    ran = cli("inspect", bundle)
    assert ran.code == 0, ran.said  # inspect shows; verify is the one that judges
    assert f"problems\n  keys/index.json: {why}; the keys' names and places are unknown" \
        in ran.out
    assert "root-a" not in ran.out.split("problems")[0]
    assert tree(bundle.parent) == before


# a hostile bundle as the current bundle of a ceremony --------------------------------

CURRENT: list[tuple[str, Callable[[Path], None], str]] = [
    ("a root changed by one byte", flip_last_byte("metadata/root.json"),
     "metadata/root.json: sha256 "),
    ("a folder marked INCOMPLETE", planted("INCOMPLETE", b""),
     "INCOMPLETE: this folder was never sealed"),
    ("a key file that is a link", lambda b: (
        (b / "keys/offline/root-a.age").unlink(),
        (b / "keys/offline/root-a.age").symlink_to(b.parent / "elsewhere.age")),
     f"keys/offline/root-a.age: {LINK}"),
    ("a key file that is a pipe", pipe("keys/offline/root-a.age"),
     f"keys/offline/root-a.age: {NOT_PLAIN}"),
    ("a key file location climbing out", resealed(replace_bytes(
        "keys/index.json", b'"location": "age-file:keys/offline/root-a.age"',
        b'"location": "age-file:../../../etc/shadow"')),
     "location 'age-file:../../../etc/shadow' is not a key file inside this bundle"),
]


@pytest.mark.parametrize("attack, phrase", [c[1:] for c in CURRENT], ids=[c[0] for c in CURRENT])
def test_a_ceremony_refuses_a_hostile_current_bundle_in_preflight(sealed, tmp_path, passphrases,
                                                                 attack, phrase):
    from test_run_headless import rotation

    current = Path(shutil.copytree(sealed / "out", tmp_path / "current"))
    attack(current)
    script = rotation(tmp_path, "current", "next")
    ran = refused(tmp_path, lambda: cli("run", script, "--yes"),
                  f"current bundle: {current}: the current bundle does not verify", phrase,
                  "nothing was done")
    assert "passphrase" not in ran.out.lower().split("current bundle")[0]


# Docker Content Trust bundles: what dct-publish would upload ------------------------


def edited_json(path: str, change: Callable[[dict], None]) -> Callable[[Path], None]:
    def edit(bundle: Path) -> None:
        value = json.loads((bundle / path).read_bytes())
        change(value)
        (bundle / path).write_text(json.dumps(value, indent=2, sort_keys=True) + "\n")
        reseal(bundle)
    return edit


def first_publish_file(key: str, value: str) -> Callable[[dict], None]:
    return lambda manifest: manifest["guns"][0]["files"][0].__setitem__(key, value)


DCT: list[tuple[str, Callable[[Path], None], list[str]]] = [
    ("the publish manifest uploading /etc/passwd through ..", edited_json(
        "publish/dct-publish.json", first_publish_file("path", "../../../etc/passwd")),
     ["publish/dct-publish.json: not the publish manifest this ceremony wrote"]),
    ("the publish manifest uploading an absolute path", edited_json(
        "publish/dct-publish.json", first_publish_file("path", "/etc/passwd")),
     ["publish/dct-publish.json: not the publish manifest this ceremony wrote"]),
    ("the publish manifest naming a GUN with terminal escapes", edited_json(
        "publish/dct-publish.json", lambda m: m["guns"][0].__setitem__(
            "gun", "registry.example.com/\x1b[2Japp")),
     ["publish/dct-publish.json: not the publish manifest this ceremony wrote"]),
    ("the publish set naming a file outside publish/", edited_json(
        "metadata/dct.json", lambda d: d["publish"]["files"][0].__setitem__(
            "path", "../MANIFEST.json")),
     ["metadata/dct.json: the publish set file '../MANIFEST.json' is missing",
      "publish/registry.example.com/org/app/root.json: in publish/ but not part of the "
      "publish set"]),
    ("the publish manifest moved out of the bundle", edited_json(
        "metadata/dct.json", lambda d: d["publish"].__setitem__("manifest", "../../x.json")),
     ["metadata/dct.json: the publish manifest '../../x.json' is missing"]),
    ("a GUN climbing out with ..", edited_json(
        "metadata/dct.json", lambda d: d["guns"][0].__setitem__(
            "gun", "registry.example.com/../../../etc")),
     ["metadata/dct.json: guns[0]: 'registry.example.com/../../../etc' is not a GUN",
      "metadata/registry.example.com/org/app/root.json: belongs to no GUN listed in "
      "metadata/dct.json"]),
    ("a GUN listed twice", edited_json(
        "metadata/dct.json", lambda d: d["guns"].append(dict(d["guns"][0]))),
     ["metadata/dct.json: guns[2]: registry.example.com/org/app is listed twice"]),
    ("a CI key file that is a pipe", lambda b: pipe(next(
        p.relative_to(b).as_posix() for p in (b / "ci/trust/private").iterdir()))(b),
     [f"{NOT_PLAIN}"]),
]


@pytest.mark.parametrize("attack, lines", [c[1:] for c in DCT], ids=[c[0] for c in DCT])
def test_verify_names_what_the_attacker_did_to_a_dct_bundle(dct_bundle, attack, lines):
    attack(dct_bundle)
    ran = refused(dct_bundle.parent, lambda: cli("verify", dct_bundle), *lines)
    assert "\x1b" not in ran.said.replace("\\x1b", "")


def test_a_key_index_of_a_fleet_of_thousands_of_guns_is_read(tmp_path):
    # about 930 bytes a GUN with one root key: 2,000 GUNs' index (1.9 MB) was refused
    # as over 1,000,000 bytes once, after every key of the ceremony was made
    from ceremony.verify.loader import read_bundle

    (tmp_path / "keys").mkdir()
    index = b'{"format": 1, "keys": {' + b" " * 1_900_000 + b"}}\n"
    (tmp_path / "keys" / "index.json").write_bytes(index)
    contents = read_bundle(tmp_path)
    assert contents.files["keys/index.json"].content == index
    assert not [p for p in contents.problems if "keys/index.json" in str(p)]
