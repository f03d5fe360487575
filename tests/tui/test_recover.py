"""Disaster recovery from the UI, on software keys, checked on disk.

A bootstrap with custody runs headless first (one root key, made in
software; the other keys imported, to keep it quick); its custodians'
shares are on the text sheets it wrote. Then, from the home screen's
"Disaster recovery", the recover form is filled in, reviewed, saved and
run, and three custodians type their shares' words into the share modal,
checked word by word: a word that is not in the SLIP-39 list is named by
share and word position at once, Tab completes a word from its first
letters. The recovered root key signs root version 2 with a new targets
key, and the new bundle verifies.
"""

from __future__ import annotations

import asyncio
import json
import textwrap

import pytest

from ceremony.custody.share_input import read_text_file
from ceremony.engine import run_ceremony
from ceremony.events import CustodySealed
from ceremony.rehearsal.operator import RehearsalOperator
from ceremony.script.load import load_script
from ceremony.tui.app import make_app
from ceremony.tui.modals.confirm import ConfirmModal
from ceremony.tui.modals.secret import SecretModal
from ceremony.tui.modals.share import ShareModal
from ceremony.tui.room import Room
from ceremony.tui.screens.build import BuildScreen, KeyRowForm
from ceremony.tui.screens.review import ReviewScreen
from ceremony.tui.screens.summary import SummaryScreen
from ceremony.verify import verify_bundle
from hsm.algorithms import ALGORITHMS
from hsm.software import SoftwareKey

from .conftest import wait_for

pytestmark = pytest.mark.slow

BOOTSTRAP = """\
format: 1
ceremony: bootstrap
flavor: tuf
title: bootstrap with custody, for a recovery in the UI
rehearsal: true
network: allowed
output-media: any-device
output: 1-bootstrap
keyholders: [{name: alice}, {name: online-team}]
keys:
  - {name: root-alice, holder: alice, algorithm: ed25519}
  - {name: targets, import: online/targets.pem}
  - {name: snapshot, import: online/snapshot.pem}
  - {name: timestamp, import: online/timestamp.pem}
roles:
  root: {keys: [root-alice], threshold: 1, expires: 1y}
  targets: {keys: [targets], threshold: 1, expires: 90d}
  snapshot: {keys: [snapshot], threshold: 1, expires: 30d}
  timestamp: {keys: [timestamp], threshold: 1, expires: 7d}
spare-keys: none
accept-risk: every root key must sign (a test root)
custody:
  media: [media-a, media-b]
  sheets: sheets
  shares: {threshold: 3, of: 5}
"""


def bootstrap_with_custody(folder):
    """The headless bootstrap; the words of shares 1, 2 and 5 from its text sheets."""
    for name in ("media-a", "media-b", "sheets", "online"):
        (folder / name).mkdir()
    for name in ("targets", "snapshot", "timestamp", "targets-2"):
        key = SoftwareKey.generate(ALGORITHMS["ed25519"])
        (folder / "online" / f"{name}.pem").write_text(key.facts().public_pem)
    (folder / "bootstrap.yaml").write_text(BOOTSTRAP)
    events = list(run_ceremony(load_script(folder / "bootstrap.yaml"), RehearsalOperator()))
    (sealed,) = [e for e in events if isinstance(e, CustodySealed)]
    sheets = folder / "sheets" / f"shares-{sealed.custody_id}"
    return {n: read_text_file(sheets / f"share-{n:02d}-of-05.txt") for n in (1, 2, 5)}


def test_recovery_from_the_ui_with_typed_shares(tmp_path):
    shares = bootstrap_with_custody(tmp_path)
    assert verify_bundle(tmp_path / "1-bootstrap").ok
    seen = asyncio.run(recover_in_the_ui(tmp_path, [shares[1], shares[2], shares[5]]))
    report = verify_bundle(tmp_path / "2-recovered")
    assert report.ok, report.problems
    assert report.root_versions == [1, 2]
    # the word error named the share and the word; no word of a share on screen
    # before its first four words a share has no sheet number yet; after, its sheet's
    assert "This share, word 4: not in the SLIP-39 word list" in seen["word error"]
    assert "This share, word 1: no SLIP-39 word starts with these letters" in seen["prefix error"]
    assert seen["title before"].startswith("Next share (its sheet's number shows")
    # sheets 1, 2 and 5 were typed: the third is named by its sheet, not as "share 3"
    assert seen["titles"] == [
        "Share 1 of 5 (sheet 1)", "Share 2 of 5 (sheet 2)", "Share 5 of 5 (sheet 5)"
    ]
    assert "All 33 words in, each in the word list" in seen["completed"]
    for words in shares.values():
        for shown in seen["screens"]:
            assert " ".join(words[:3]) not in shown
    lines = [json.loads(line) for line in (tmp_path / "2-recovered" / "transcript.jsonl").open()]
    accepted = [e for e in lines if e["event"] == "share-accepted"]
    assert [(e["number"], e["source"]) for e in accepted] == [
        (1, "typed"), (2, "typed"), (3, "typed")
    ]
    assert [e["key"] for e in lines if e["event"] == "key-recovered"] == ["root-alice"]


def screen_text(app) -> str:
    return "\n".join(str(w.render()) for w in app.screen.query("Static"))


async def recover_in_the_ui(folder, shares):
    seen = {"screens": []}
    app = make_app(workdir=folder, room=Room(), still=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("down", "down", "down", "down")
        assert app.screen.query_one("#choices").highlighted_option.id == "recovery"
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, BuildScreen), "the recover form")
        await pilot.pause()
        form = app.screen
        assert "docs/examples/recover.yaml" in str(form.query_one("#recover-intro").render())
        for field_id, value in {
            "script": "recover.yaml",
            "output": "2-recovered",
            "current": "1-bootstrap",
            "copies": "media-a, media-b",
            "role-targets-expires": "60d",
        }.items():
            form.query_one(f"#{field_id}").value = value
        form.query_one("#rehearsal").value = True
        form.query_one("#network").value = True
        row = form.query_one(KeyRowForm)
        form.query_one(f"#key-{row.tag}-algorithm").value = "import"
        form.query_one(f"#key-{row.tag}-import").value = "online/targets-2.pem"
        await pilot.pause()
        form.validate()
        assert form.valid, form.problem
        text = form.rendered.text
        assert "ceremony: recover" in text and "copies: [media-a, media-b]" in text
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: isinstance(app.screen, ReviewScreen), "the review")
        review = app.screen
        await wait_for(pilot, lambda: review.preflight_ok, "preflight to pass")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert (folder / "recover.yaml").exists()
        await pilot.press("ctrl+r")
        given = 0
        while not isinstance(app.screen, SummaryScreen):
            await wait_for(
                pilot,
                lambda: isinstance(
                    app.screen, (ConfirmModal, ShareModal, SecretModal, SummaryScreen)
                ),
                "a question or the summary",
                timeout=60,
            )
            modal = app.screen
            if isinstance(modal, ConfirmModal):
                if modal.request.typed_word:
                    await pilot.press(*modal.request.typed_word)
                await pilot.press("enter")
            elif isinstance(modal, ShareModal):
                await give_share(pilot, modal, shares[given], given + 1, seen)
                given += 1
            elif isinstance(modal, SecretModal):
                raise AssertionError(f"unexpected secret asked: {modal.request.id}")
            await wait_for(pilot, lambda shown=modal: app.screen is not shown, "the modal to close")
        assert given == 3
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.screen.records[0].verified, app.screen.records[0].problems
    return seen


async def give_share(pilot, modal, words, number, seen):
    """Type a share as a custodian would, checked word by word on screen.

    Real key presses where the modal reacts to them (a typo, Tab); whole
    words go in through the field's own typing path (one Changed per word),
    since a Pilot key press costs tens of milliseconds."""
    assert modal.request.number == number and modal.request.check_words is not None
    entry = modal.query_one("#share-words")

    def state() -> str:
        return str(modal.query_one("#share-words-state").render())

    async def type_words(chunk):
        for word in chunk:
            entry.insert_text_at_cursor(word + " ")
            await pilot.pause()

    if number == 1:  # a typo in word 4, named at once, then fixed
        await type_words(words[:3])
        await pilot.press(*"qqqq", "space")
        seen["word error"] = state()
        for _ in range(5):
            await pilot.press("backspace")
        await type_words(words[3:])
    elif number == 2:  # letters that start no word; then four letters and Tab, each word
        await pilot.press("x", "q")
        seen["prefix error"] = state()
        await pilot.press("backspace", "backspace")
        for word in words:
            entry.insert_text_at_cursor(word[:4])
            await pilot.press("tab")
        seen["completed"] = state()
    else:
        seen["title before"] = str(modal.query_one("#share-title").render())
        await type_words(words)
    seen.setdefault("titles", []).append(str(modal.query_one("#share-title").render()))
    seen["screens"].append(textwrap.dedent(screen_text(pilot.app)))
    await pilot.press("enter")
