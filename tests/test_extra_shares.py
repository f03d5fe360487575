"""Shares beyond the threshold are checked as fully as the rest, and reported.

A share given once enough are in is not used, but it is not passed over
either: its words, its set, and that it combines with the shares already
in into the same secret are all checked. A share of another set, or one
forged to name this set, given fourth is refused with its reason; a good
one is accepted as "beyond the threshold". ``ceremony run --share`` gives
every file it was handed; at a terminal the operator is asked "More
shares?" once the threshold is in, and asked for words only on a yes.
"""

from __future__ import annotations

import io
import os
import re
from contextlib import redirect_stdout

import pytest
import shamir_mnemonic
from custody_helpers import holds_share_words, make
from shamir_mnemonic.shamir import EncryptedMasterSecret, split_ems
from test_recover import recover_script, room  # noqa: F401 - the fixture

from ceremony.cli import main
from ceremony.cli.shares import share_at_terminal
from ceremony.custody import ForeignShareError, ShareCollector, SharePlan
from ceremony.operator import ShareRequest
from ceremony.verify import verify_bundle


@pytest.fixture(scope="module")
def custody():
    return make(SharePlan.of(3, 5))


def forged_set(real: str, groups: list[tuple[int, int]]) -> list:
    """A whole share set naming the same set id as ``real`` (a share's words),
    of another secret: every header word the same, the values not."""
    share = shamir_mnemonic.Share.from_mnemonic(real)
    secret = os.urandom(len(share.value))
    ems = EncryptedMasterSecret.from_master_secret(
        secret, b"", share.identifier, share.extendable, share.iteration_exponent
    )
    return split_ems(share.group_threshold, groups, ems)


def test_a_good_share_beyond_the_threshold_is_accepted_and_not_used(custody):
    collector = ShareCollector(custody.record)
    for number in (1, 2, 3):
        collector.add(custody.shares.shares[number - 1].words)
    progress = collector.add(custody.shares.shares[3].words, source="sheet 4")
    assert progress.complete and collector.count == 4 and collector.beyond_threshold == 1
    assert collector.recover().recipient == custody.record.recipient


def test_a_share_of_another_set_given_fourth_is_refused(custody):
    while True:  # set ids are 15 random bits: make sure the two differ
        other = make(SharePlan.of(3, 5), ceremony_id="20261201T090000Z-bootstrap-0badc0de")
        if other.shares.facts.identifier != custody.shares.facts.identifier:
            break
    collector = ShareCollector(custody.record)
    for number in (1, 2, 3):
        collector.add(custody.shares.shares[number - 1].words)
    with pytest.raises(ForeignShareError) as caught:
        collector.add(other.shares.shares[3].words, source="sheet of eve")
    assert str(caught.value) == (
        f"share 4 (sheet of eve): it belongs to another share set (set id "
        f"{other.shares.facts.identifier}), not ceremony 20261126T173000Z-bootstrap-3f2a9c1e "
        f"(set id {custody.shares.facts.identifier}). this sheet is from another ceremony or "
        "bundle: ask for this ceremony's share"
    )
    assert collector.count == 3 and collector.beyond_threshold == 0


FORGED = (
    "share 4 (forged): its words pass their checksum and name this set, but it does not "
    "combine with the shares already given into the same secret: it is not a share of this "
    "set. the threshold is already in and this share is not used; set this sheet aside and "
    "find out where it came from"
)


def test_a_share_forged_to_name_this_set_given_fourth_is_refused(custody):
    forged = forged_set(custody.shares.shares[0].mnemonic, [(3, 5)])[0][3].mnemonic()
    collector = ShareCollector(custody.record)
    for number in (1, 2, 3):
        collector.add(custody.shares.shares[number - 1].words)
    with pytest.raises(ForeignShareError) as caught:
        collector.add(forged, source="forged")
    assert str(caught.value) == FORGED
    assert collector.count == 3
    collector.add(custody.shares.shares[4].words)  # the real fifth still fits
    assert collector.beyond_threshold == 1
    assert collector.recover().recipient == custody.record.recipient


def test_extras_in_groups_are_checked_in_a_used_group_and_in_one_that_completes():
    plan = SharePlan(((2, 3), (2, 3), (2, 3)), group_threshold=2)
    custody = make(plan)
    group = custody.shares.group
    forged = forged_set(group(1)[0].mnemonic, [(2, 3)] * 3)
    collector = ShareCollector(custody.record)
    for first, member in ((1, 0), (1, 1), (2, 0), (2, 1)):
        collector.add(group(first)[member].words)
    with pytest.raises(ForeignShareError, match="does not combine"):
        collector.add(forged[0][2].mnemonic(), source="forged")  # in used group 1
    collector.add(group(1)[2].words)  # the real one fits
    collector.add(group(3)[0].words)  # group 3 is not complete: words and set checked
    assert not collector.combines(collector.count) and collector.combines(collector.count - 1)
    with pytest.raises(ForeignShareError, match="does not combine"):
        collector.add(forged[2][1].mnemonic(), source="forged")  # would complete group 3
    collector.add(group(3)[1].words)  # completes group 3 with the real one
    assert collector.beyond_threshold == 3
    assert collector.recover().recipient == custody.record.recipient


# -- the terminal -----------------------------------------------------------------

def beyond(problem: str = "") -> ShareRequest:
    return ShareRequest(
        id="share/4", ceremony_id="c", set_id=1, number=4,
        progress="enough shares are collected to recover", problem=problem,
        beyond_threshold=True,
    )


def test_at_a_terminal_words_are_asked_only_after_a_yes(monkeypatch, capsys):
    asked: list[str] = []
    monkeypatch.setattr("ceremony.cli.shares.ask", lambda prompt: asked.append(prompt) or "")
    monkeypatch.setattr(
        "ceremony.cli.shares.ask_hidden", lambda prompt: pytest.fail("words were asked")
    )
    assert share_at_terminal(beyond(), interactive=True) is None
    assert asked == ["  More shares? (yes/no, Enter: no) "]
    assert capsys.readouterr().err == (
        "Threshold reached: enough shares are collected to recover.\n"
    )
    monkeypatch.setattr("ceremony.cli.shares.ask", lambda prompt: "yes")
    monkeypatch.setattr("ceremony.cli.shares.ask_hidden", lambda prompt: "academic acid")
    answer = share_at_terminal(beyond("share 4: refused"), interactive=True)
    assert answer is not None and answer.how == "typed"
    assert answer.words is not None and answer.words.reveal() == "academic acid"
    assert capsys.readouterr().err == (  # the refusal is the engine's REFUSED line, once
        "Threshold reached: enough shares are collected to recover.\n"
        "Share 4 (checked and reported, not used).\n"
    )


def test_a_refused_share_is_named_once_at_a_terminal(monkeypatch, capsys):
    """The engine's `REFUSED share 1 (typed): ...` line names why; the prompt asking
    again once said it a second time, word for word."""
    monkeypatch.setattr("ceremony.cli.shares.ask_hidden", lambda prompt: "")
    again = ShareRequest(id="share/1", ceremony_id="c", set_id=1, number=1,
                         progress="0 of 3 shares collected; 3 more shares needed",
                         problem="share 1 (typed): word 5 is not in the SLIP-39 word list",
                         attempt=2)
    assert share_at_terminal(again, interactive=True) is None  # nothing typed: stop
    assert "word 5" not in capsys.readouterr().err


def test_away_from_a_terminal_no_more_shares_are_asked(monkeypatch, capsys):
    monkeypatch.setattr("ceremony.cli.shares.ask", lambda prompt: pytest.fail("asked"))
    assert share_at_terminal(beyond(), interactive=False) is None
    assert capsys.readouterr().err == ""


# -- ceremony run --share ------------------------------------------------------------

def test_every_share_file_given_is_checked_and_the_extras_reported(room, tmp_path):  # noqa: F811
    sheets = sorted(room.sheets.glob("share-*-of-05.txt"))
    forged_words = forged_set(room.shares[1], [(3, 5)])[0][4].words()
    forged = tmp_path / "forged.txt"
    forged.write_text(" ".join(forged_words) + "\n")
    given = [*sheets[:3], forged, sheets[3]]
    script = recover_script(
        room.folder, "extra-recover", "media-a, media-b",
        tail="passphrases:\n  targets-2: {env: TARGETS_2_PASS}\n",
    )
    out = io.StringIO()
    os.environ["TARGETS_2_PASS"] = "a passphrase for targets-2"
    try:
        with redirect_stdout(out):
            code = main(["run", str(script), "--yes", *(f"--share={p}" for p in given)])
    finally:
        del os.environ["TARGETS_2_PASS"]
    log = out.getvalue()
    assert code == 0, log
    lines = [line for line in log.splitlines() if re.match(r"   (share \d|REFUSED)", line)]
    assert lines == [
        f"   share 1 accepted (file {sheets[0]}): 1 of 3 shares collected; 2 more shares needed",
        f"   share 2 accepted (file {sheets[1]}): 2 of 3 shares collected; 1 more share needed",
        f"   share 3 accepted (file {sheets[2]}): enough shares are collected to recover",
        f"   REFUSED share 4 ({forged}): its words pass their checksum and name this set, but "
        "it does not combine with the shares already given into the same secret: it is not a "
        "share of this set. the threshold is already in and this share is not used; set this "
        "sheet aside and find out where it came from",
        f"   share 4 accepted (file {sheets[3]}): beyond the threshold, so not used; checked: "
        "it is of this set and combines with the others into the same secret",
    ]
    assert verify_bundle(room.folder / "extra-recover").ok
    transcript = (room.folder / "extra-recover" / "transcript.jsonl").read_text()
    assert not holds_share_words(forged_words, transcript)

