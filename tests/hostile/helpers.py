"""What every hostile case needs: run a command in this process, see what it left.

A case runs ``ceremony`` through its own ``main`` (no child process: the
suite stays fast), with an alarm so that a read that never ends fails the
case instead of hanging the suite, and with stdout and stderr captured. Each
case then checks the exact message, that no traceback was printed, and that
the folder it worked in is as it was (``tree``, from tests/limited.py):
no output folder, no staging leftover, no attempt transcript.

``reseal`` and ``rechain`` are what an attacker with the media does after
changing a file: list the new bytes in MANIFEST.json, re-point the
transcript head, so that only the intended defect is left to find.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import json
import signal
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from limited import tree

from ceremony.cli import main

SECONDS = 20  # any refusal here takes well under a second
#: the hang guard of real work (a ceremony run, a request, a signature: scrypt for each
#: key), which a machine loaded with other work must not trip
REAL_WORK = 600


@dataclass(frozen=True)
class Ran:
    code: int
    out: str
    err: str

    @property
    def said(self) -> str:
        return self.out + self.err


class TookTooLong(Exception):  # noqa: N818 - not an OSError, which the tool may catch
    """A case ran past its time: something waited for ever."""


@contextlib.contextmanager
def within(what: str, seconds: int = SECONDS) -> Iterator[None]:
    """Fail with TookTooLong when the block takes longer (a read or write on
    a pipe that waits for ever), instead of hanging the suite."""
    def too_long(signum, frame):
        raise TookTooLong(f"{what} did not return within {seconds} s")

    previous = signal.signal(signal.SIGALRM, too_long)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@functools.cache
def witness_answers() -> Path:
    """An answers file naming the witness a scripted production run must name
    (tests/witness.py on main does the same), kept outside every case's folder."""
    answers = Path(tempfile.mkdtemp(prefix="hostile-witness-")) / "answers.yaml"
    answers.write_text("witness: Wendy Witness\n")
    return answers


def witnessed(argv: list[str]) -> list[str]:
    """``argv`` with the witness's answers file, for a ``run`` given none."""
    if argv[0] == "run" and "--answers" not in argv:
        return [*argv, "--answers", str(witness_answers())]
    return argv


def cli(*argv: object, seconds: int = SECONDS) -> Ran:
    """``ceremony ARGV`` in this process: its exit code and what it printed."""
    out, err = io.StringIO(), io.StringIO()
    with within(f"ceremony {argv[0]}", seconds), contextlib.redirect_stdout(out), \
            contextlib.redirect_stderr(err):
        try:
            code = main(witnessed([str(arg) for arg in argv]))
        except SystemExit as exit_:  # argparse
            code = int(exit_.code or 0)
    return Ran(code, out.getvalue(), err.getvalue())


def refused(folder: Path, action: Callable[[], Ran], *phrases: str) -> Ran:
    """Run ``action``; it must fail saying every phrase, with no traceback,
    and leave ``folder`` exactly as it was."""
    before = tree(folder)
    ran = action()
    assert ran.code != 0, ran
    assert "Traceback" not in ran.said, ran.said
    for phrase in phrases:
        assert phrase in ran.said, f"{phrase!r} not in:\n{ran.said}"
    assert tree(folder) == before, "the refusal left something behind"
    return ran


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def manifest_of(bundle: Path) -> dict:
    return json.loads((bundle / "MANIFEST.json").read_bytes())


def write_manifest(bundle: Path, manifest: dict) -> None:
    (bundle / "MANIFEST.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")


def reseal(bundle: Path) -> None:
    """List every plain file of ``bundle`` in its manifest with its new bytes,
    as a forger who changed them would."""
    manifest = manifest_of(bundle)
    files = {}
    for path in sorted(bundle.rglob("*")):
        if path.is_file() and not path.is_symlink() and path.name != "MANIFEST.json":
            data = path.read_bytes()
            files[path.relative_to(bundle).as_posix()] = {"sha256": sha256(data), "size": len(data)}
    manifest["files"] = files
    write_manifest(bundle, manifest)


def chained(events: list[dict]) -> tuple[bytes, str]:
    """Transcript lines re-chained from ``events`` (seq and prev rewritten)."""
    lines, prev = [], "0" * 64
    for seq, event in enumerate(events):
        line = json.dumps({**event, "seq": seq, "prev": prev}, sort_keys=True,
                          separators=(",", ":")).encode()
        lines.append(line)
        prev = sha256(line)
    return b"".join(line + b"\n" for line in lines), prev


def rechain(bundle: Path, edit: Callable[[list[dict]], list[dict]], *, count: bool = True) -> None:
    """Rewrite the transcript's events with ``edit``, chain them again, point
    the manifest's head (and, with ``count``, its line count) at the result."""
    transcript = bundle / "transcript.jsonl"
    events = [json.loads(line) for line in transcript.read_bytes().splitlines()]
    data, head = chained(edit(events))
    transcript.write_bytes(data)
    manifest = manifest_of(bundle)
    manifest["transcript_head"] = head
    if count:
        manifest["transcript_lines"] = data.count(b"\n")
    write_manifest(bundle, manifest)
    reseal(bundle)
