"""The transcript's last guard: whole secrets, decoded values, never a crash.

A field whose value is a secret the ceremony has seen, or holds one as a
whole token, is written "[redacted]" and named under "redacted" on the same
line; the line is always written. A secret that is only part of a hex digest
or of a longer word in a path is not a secret there. Secrets with quotes,
backslashes and tabs are recognised in the decoded value, where the old
guard looked for them in the JSON-escaped line and missed them. The guard
keeps keyed digests, never the secrets.
"""

from __future__ import annotations

import gc
import hashlib
import json
from datetime import UTC, datetime

import pytest
from limited import run_limited

from ceremony.bundle.transcript import REDACTED, SecretGuard, Transcript
from ceremony.verify import verify_bundle

NOW = datetime(2026, 11, 26, 17, 30, tzinfo=UTC)
ODD = 'say "hi"\\there\tnow'  # a quote, a backslash, a tab


def transcript(*secrets: str) -> Transcript:
    record = Transcript(lambda: NOW)
    for secret in secrets:
        record.guard.remember(secret)
    return record


def last(record: Transcript) -> dict:
    return json.loads(record.lines[-1])


def test_a_short_secret_inside_a_digest_or_a_longer_path_word_is_not_redacted():
    record = transcript("abc")
    digest = hashlib.sha256(b"x").hexdigest()[:20] + "3abc9" + "0" * 39
    event = {"event": "file-written", "sha256": digest, "path": "/tmp/abcdef/x.json",
             "note": "cabc, abcd and xabcx are words, not the secret"}
    record.append(event)
    assert last(record) == {**event, "seq": 0, "prev": "0" * 64, "time": "2026-11-26T17:30:00Z"}


def test_a_secret_as_a_whole_value_or_token_is_redacted_and_the_line_kept():
    record = transcript("abc")
    record.append({"event": "file-written", "path": "/media/abc/x.json", "name": "abc",
                   "size": 3})
    line = last(record)
    assert line["path"] == REDACTED and line["name"] == REDACTED and line["size"] == 3
    assert line["redacted"] == ["path", "name"]
    assert len(record.lines) == 1 and b"abc" not in record.lines[0]


@pytest.mark.parametrize("where", ["whole", "inside"])
def test_quotes_backslashes_and_tabs_are_seen_in_the_decoded_value(where):
    record = transcript(ODD)
    value = ODD if where == "whole" else f"the passphrase was {ODD}, typed twice"
    record.append({"event": "warning", "message": value})
    line = record.lines[-1]
    assert json.loads(line)["message"] == REDACTED
    escaped = json.dumps(ODD, ensure_ascii=False)[1:-1].encode()
    assert ODD.encode() not in line and escaped not in line


def test_nested_values_keys_and_numbers_are_guarded():
    record = transcript("123456", "s3cret-share words here")
    record.append({
        "event": "summary",
        "keys": ["root-a", "s3cret-share words here"],
        "by": {"s3cret-share words here": 1, "ok": {"pin": 123456, "port": 1234567}},
        "flags": {"x", "y"},
    })
    line = last(record)
    assert line["keys"] == ["root-a", REDACTED]
    assert line["by"]["ok"] == {"pin": REDACTED, "port": 1234567}
    assert line["flags"] == ["x", "y"]
    assert sorted(line["redacted"]) == sorted(["keys[1]", "by.(a field name)", "by.ok.pin"])
    assert b"s3cret-share" not in record.lines[-1]


def test_the_guard_never_raises():
    class Hostile:
        def __str__(self) -> str:
            raise RuntimeError("boom")

    record = transcript("whatever secret")
    record.append({"event": "odd", "value": Hostile()})
    assert last(record)["guard_fault"] == "RuntimeError"
    assert last(record)["event"] == "odd"
    record.append({"event": "next"})  # the chain goes on
    assert last(record)["prev"] == hashlib.sha256(record.lines[0]).hexdigest()


def test_the_guard_keeps_digests_not_secrets():
    share = "academic acid acne acquire acrobat activity actress adapt adequate"
    guard = SecretGuard()
    guard.remember(share)
    kept = [o for o in gc.get_referents(guard) if isinstance(o, dict)]
    flat = repr(kept).encode() + b"".join(d for v in guard._digests.values() for d in v)
    assert share.encode() not in flat and share not in repr(kept)
    assert guard.holds_secret(f"words: {share}.")
    guard.forget()
    assert not guard.holds_secret(share)


def test_a_long_line_of_digests_holds_no_secret_of_many():
    guard = SecretGuard()
    for n in range(40):  # many secrets of many lengths
        guard.remember(f"secret number {n} " + "x" * n)
    long_value = " ".join(hashlib.sha256(bytes([n])).hexdigest() for n in range(200))
    assert not guard.holds_secret(long_value)


# -- whole ceremonies, in a child under a memory limit and a timeout -----------------

RUN = """\
import os
from ceremony.cli import main
attempt(lambda: exit(main(["run", "bootstrap.yaml", "--yes", "--answers", "witness.yaml"])))
"""


def run_bootstrap(folder, output: str, passphrase: str):
    from test_run_headless import small_bootstrap
    from witness import WITNESS

    script = small_bootstrap(folder, output=json.dumps(output))
    (folder / "witness.yaml").write_text(f"witness: {WITNESS}\n")  # a production run
    env = {"ROOT_A_PASS": passphrase, "ROOT_B_PASS": "another long passphrase"}
    return run_limited(RUN, cwd=folder, env=env), script


def test_a_passphrase_inside_a_word_of_the_output_path_crashes_nothing(tmp_path):
    # the old guard died at ceremony-finished: the passphrase is in the output path
    passphrase = "batterystaple2026"
    outcome, _ = run_bootstrap(tmp_path, f"out-correcthorse{passphrase}x", passphrase)
    assert (outcome.error, outcome.message) == ("SystemExit", "0")
    bundle = tmp_path / f"out-correcthorse{passphrase}x"
    assert verify_bundle(bundle).ok
    lines = (bundle / "transcript.jsonl").read_bytes().splitlines()
    assert all("redacted" not in json.loads(line) for line in lines)


def test_a_passphrase_with_quotes_backslashes_and_tabs_is_redacted_not_leaked(tmp_path):
    outcome, _ = run_bootstrap(tmp_path, f"out {ODD}", ODD)
    assert (outcome.error, outcome.message) == ("SystemExit", "0")
    bundle = tmp_path / f"out {ODD}"
    assert verify_bundle(bundle).ok
    lines = (bundle / "transcript.jsonl").read_bytes().splitlines()
    # preflight named the output before anyone typed a passphrase; from the
    # first key stored on, the passphrase is known and never written
    stored = next(n for n, line in enumerate(lines) if json.loads(line)["event"] == "key-stored")
    after = b"\n".join(lines[stored:])
    finished = [json.loads(line) for line in lines
                if json.loads(line)["event"] == "ceremony-finished"]
    assert finished[0]["output"] == REDACTED and finished[0]["redacted"] == ["output"]
    escaped = json.dumps(ODD, ensure_ascii=False)[1:-1].encode()
    assert ODD.encode() not in after and escaped not in after


def test_the_attempts_transcript_is_kept_when_its_last_lines_hold_a_secret(tmp_path):
    # a wrong passphrase that is the very path the error names: the old guard
    # refused the failure's line, and the attempt's transcript was lost
    outcome, _ = run_bootstrap(tmp_path, "out", "correct horse battery 1")
    assert (outcome.error, outcome.message) == ("SystemExit", "0")
    from test_run_headless import rotation

    rotation(tmp_path, "out", "out2")
    wrong = "keys/offline/root-a.age"
    rotate = RUN.replace("bootstrap.yaml", "rotate.yaml")
    outcome = run_limited(rotate, cwd=tmp_path, env={"ROOT_A_PASS": wrong})
    assert (outcome.error, outcome.message) == ("SystemExit", "3")
    (kept,) = tmp_path.glob("out2.abandoned-*.jsonl")
    lines = [json.loads(line) for line in kept.read_bytes().splitlines()]
    failed = next(line for line in lines if line["event"] == "step-failed")
    assert failed["error"] == REDACTED and failed["redacted"] == ["error"]
    assert lines[-1]["event"] == "ceremony-abandoned" and lines[-1]["reason"] == REDACTED
    assert not (tmp_path / "out2").exists()
