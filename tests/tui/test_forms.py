"""Ceremonies built from the forms and run in the UI, checked on disk.

A bootstrap with one root key (and three public keys imported, to keep it
quick) is built, judged by the loader while it is filled in, reviewed,
saved, run and verified; then a root rotation is built on top of it, which
opens that key with its passphrase and shows both threshold meters.

Last, key destruction, with the keyboard only: the kind list turns the form
into a decommission, Ctrl+L fills in the key that signs and the root's
expiry from the rotated bundle, the other root key is named to destroy and
its key file to wipe, and a tamper-evident bag is typed into the bags table
(a second row added with Ctrl+N and removed with Ctrl+O). The saved script
runs headless: root version 3 without the key verifies, the key file is
gone, and the transcript holds the destruction and the bag's serial, which
Ctrl+L from that bundle would fill in as a bag to open.

Then a rotation of that root signed in several sittings: "signed in several
sittings" switched on with Space, the request's expiry typed, the new root
key imported (a key made here is refused on its algorithm, in the loader's
words); the review says Ctrl+T, not Ctrl+R, and Ctrl+T then Enter writes the
signing request with the core's own calls, which reads back whole.
"""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519
from destruction_lines import destruction

from ceremony.engine import run_ceremony
from ceremony.lifecycle.next import next_script_text
from ceremony.operator import Secret
from ceremony.rehearsal.operator import RehearsalOperator
from ceremony.script.load import load_script
from ceremony.sittings.request_file import read_request
from ceremony.tui.app import make_app
from ceremony.tui.drafts.from_next import draft_from_next
from ceremony.tui.forms.bags import BagRowForm
from ceremony.tui.modals.confirm import ConfirmModal
from ceremony.tui.modals.secret import SecretModal
from ceremony.tui.room import Room
from ceremony.tui.screens.build import BuildScreen, KeyRowForm
from ceremony.tui.screens.request import RequestScreen
from ceremony.tui.screens.review import ReviewScreen
from ceremony.tui.screens.run import RunScreen
from ceremony.tui.screens.summary import SummaryScreen
from ceremony.tui.screens.verify import VerifyScreen
from ceremony.verify import verify_bundle

from .conftest import wait_for
from .keyboard import switch_on, tab_to, type_in

pytestmark = pytest.mark.slow

PASSPHRASE = "correct horse battery staple"


def public_key_file(path):
    key = ed25519.Ed25519PrivateKey.generate().public_key()
    path.write_bytes(
        key.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    return path


def fill(screen, **values) -> None:
    for field_id, value in values.items():
        widget = screen.query_one(f"#{field_id}")
        widget.value = value


async def answer_confirm(pilot, typed: str = "") -> None:
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConfirmModal), "a confirmation")
    if typed:
        await pilot.press(*typed)
    await pilot.press("enter")
    await pilot.pause()


async def answer_new_passphrase(pilot) -> None:
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, SecretModal), "a passphrase prompt")
    modal = pilot.app.screen
    assert modal.request.new
    await pilot.press(*PASSPHRASE, "enter")
    await pilot.press(*PASSPHRASE, "enter")
    await pilot.pause()


def test_bootstrap_then_rotation_from_forms(tmp_path):
    for name in ("targets", "snapshot", "timestamp"):
        public_key_file(tmp_path / f"{name}.pub.pem")
    (tmp_path / "media").mkdir()
    asyncio.run(bootstrap_from_forms(tmp_path))
    report = verify_bundle(tmp_path / "media" / "boot")
    assert report.ok, report.problems
    assert report.root_versions == [1]
    asyncio.run(rotation_from_forms(tmp_path))  # then, in the same session, the decommission


def run_the_decommission(tmp_path, kept: str, destroyed: str) -> None:
    """The script saved from the form, run headless: one root key fewer, its file wiped."""
    key_file = tmp_path / "media" / "rotate" / "keys" / "offline" / f"{destroyed}.age"
    plan = load_script(tmp_path / "destroy.yaml")  # as ceremony validate reads it
    assert plan.kind == "decommission" and plan.destroy == (destroyed,)
    assert plan.wipe.key_files == (key_file,)
    list(run_ceremony(plan, KnowsThePassphrase()))
    bundle = tmp_path / "media" / "rotate-decommission-v3"
    report = verify_bundle(bundle)
    assert report.ok, report.problems
    assert report.root_versions == [1, 2, 3]
    assert not key_file.exists()
    root = json.loads((bundle / "metadata" / "3.root.json").read_text())["signed"]
    assert len(root["roles"]["root"]["keyids"]) == 1
    events = [json.loads(line) for line in (bundle / "transcript.jsonl").read_text().split("\n")
              if line]
    (gone,) = [e for e in destruction(bundle) if e["event"] == "key-destroyed" and e["proof"]]
    assert gone["key"] == destroyed and "were wiped" in gone["proof"]
    (bag,) = [e for e in events if e["event"] == "bag-sealed"]
    assert bag["bag"] == "log-1" and bag["serial"].startswith("REH-")
    assert kept in json.loads((bundle / "keys" / "index.json").read_text())["keys"]
    # the next script opens the bag this one sealed, and Ctrl+L fills it in the form
    following = next_script_text(bundle, "renew", tmp_path / "renew.yaml")
    assert "bags:\n  open: [log-1]\n" in following
    assert draft_from_next(following).bags.opened == "log-1"


class KnowsThePassphrase(RehearsalOperator):
    """The keyholder of the keys made in the UI above; bag serials made up."""

    def secret(self, request):
        return Secret(PASSPHRASE)


async def bootstrap_from_forms(tmp_path):
    app = make_app(workdir=tmp_path, room=Room(), still=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("enter")  # New root (bootstrap), the first choice
        await wait_for(pilot, lambda: isinstance(app.screen, BuildScreen), "the form")
        await pilot.pause()
        form = app.screen
        fill(form, title="Bootstrap from the forms", script="boot.yaml", output="media/boot")
        form.query_one("#network").value = True
        form.query_one("#output-media").value = True
        # one root key: drop bob's and carol's rows with the keyboard
        for _ in range(2):
            rows = list(form.query(KeyRowForm))
            rows[1].query_one("Input").focus()
            await pilot.press("ctrl+o")
            await pilot.pause()
        rows = list(form.query(KeyRowForm))
        assert len(rows) == 4
        for row, name in zip(rows[1:], ("targets", "snapshot", "timestamp"), strict=True):
            tag = row.tag
            form.query_one(f"#key-{tag}-algorithm").value = "import"
            fill(form, **{f"key-{tag}-import": f"{name}.pub.pem"})
        fill(form, keyholders="alice",
             **{"role-root-keys": "root-alice", "role-root-threshold": "1"})
        await pilot.pause()
        # The loader's own verdict, next to the field it is about.
        error = str(form.query_one("#role-root-error").render())
        assert "losing any one root key would lock the root" in error
        assert form.check_action("review", ()) is None
        form.query_one("#spare-keys").value = True
        await pilot.pause()
        assert form.valid, form.problem
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: isinstance(app.screen, ReviewScreen), "the review")
        review = app.screen
        # one root key, one keyholder: the review's table says a lost keyholder locks it
        await wait_for(pilot, lambda: "one loss" in str(review.query_one("#preflight").render()),
                       "the recoverability check")
        shown = str(review.query_one("#preflight").render())
        assert "keyholder alice -> ROOT LOCKED" in shown
        assert not review.preflight_ok
        await pilot.press("escape")  # back to the form, to say why in words
        await wait_for(pilot, lambda: isinstance(app.screen, BuildScreen), "the form")
        fill(app.screen, **{"accept-risk": "a test root: alice alone holds it"})
        await pilot.pause()
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: isinstance(app.screen, ReviewScreen), "the review")
        review = app.screen
        await wait_for(pilot, lambda: review.preflight_ok, "preflight to pass")
        assert "accepted risk: a test root: alice alone holds it" in str(
            review.query_one("#preflight").render())
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert (tmp_path / "boot.yaml").exists()
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: isinstance(app.screen, (RunScreen, ConfirmModal)), "the run")
        await answer_confirm(pilot)  # the script's sha256
        await answer_new_passphrase(pilot)  # root-alice
        await answer_confirm(pilot, typed="write")  # write the bundle
        await wait_for(pilot, lambda: isinstance(app.screen, SummaryScreen), "the summary")
        summary = app.screen
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert summary.records[0].verified, summary.records[0].problems
        text = str(summary.query_one("#record-0-top").render())
        assert "every check holds" in text
        head = summary.query_one(".head-box")
        assert head.border_title == "Transcript head"
        assert verify_bundle(tmp_path / "media" / "boot").transcript_head[:4] in str(head.render())
        # Home, then inspect and verify the media just written.
        await pilot.press("h", "v")
        await wait_for(pilot, lambda: isinstance(app.screen, VerifyScreen), "the verify screen")
        await pilot.pause()
        fill(app.screen, **{"bundle-path": "media/boot"})
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        report = str(app.screen.query_one("#report").render())
        assert "every check holds" in report, report


async def rotation_from_forms(tmp_path):
    app = make_app(workdir=tmp_path, room=Room(), still=True)
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_choice("rotate-root")
        await wait_for(pilot, lambda: isinstance(app.screen, BuildScreen), "the form")
        await pilot.pause()
        form = app.screen
        fill(
            form,
            title="Rotation from the forms",
            script="rotate.yaml",
            output="media/rotate",
            current="media/boot",
            **{"sign-with": "root-alice", "keyholders": "dave"},
        )
        form.query_one("#network").value = True
        form.query_one("#output-media").value = True
        row = form.query_one(KeyRowForm)
        fill(form, **{f"key-{row.tag}-name": "root-dave", f"key-{row.tag}-holder": "dave"})
        fill(form, **{"role-root-keys": "root-alice, root-dave", "role-root-threshold": "1"})
        await pilot.pause()
        assert form.valid, form.problem
        await wait_for(
            pilot, lambda: "root-alice" in str(form.query_one("#current-hint").render()), "the hint"
        )
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: isinstance(app.screen, ReviewScreen), "the review")
        review = app.screen
        await wait_for(pilot, lambda: review.preflight_ok, "preflight to pass")
        await pilot.press("ctrl+s", "ctrl+r")
        await answer_confirm(pilot)  # sha256
        await wait_for(
            pilot, lambda: isinstance(app.screen, SecretModal), "root-alice's passphrase"
        )
        assert not app.screen.request.new
        await pilot.press(*PASSPHRASE, "enter")
        await answer_new_passphrase(pilot)  # root-dave
        await answer_confirm(pilot, typed="write")
        await wait_for(pilot, lambda: isinstance(app.screen, SummaryScreen), "the summary")
        run = app.screen_stack[1]
        assert isinstance(run, RunScreen)
        meters = {group: (m.have, m.need) for group, m in run._meters.items()}
        assert meters == {"old": (1, 1), "new": (2, 1)}
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.screen.records[0].verified
        report = verify_bundle(tmp_path / "media" / "rotate")
        assert report.ok, report.problems
        assert report.root_versions == [1, 2]
        kept = await decommission_from_forms(app, pilot, tmp_path)
        await request_from_forms(app, pilot, tmp_path, kept)


async def decommission_from_forms(app, pilot, tmp_path) -> str:
    """Destroy one of the rotated root's two keys, from the renew form's kind list."""
    app.go_home()
    app.open_choice("renew")
    await wait_for(pilot, lambda: isinstance(app.screen, BuildScreen), "the form")
    await tab_to(pilot, "kind")
    await pilot.press("enter", *["down"] * 3, "enter")  # renew, delegate, recover, decomm.
    await wait_for(pilot, lambda: isinstance(app.screen, BuildScreen)
                   and app.screen.kind == "decommission", "the decommission form")
    first = app.screen
    fill(first, script="destroy.yaml", current="media/rotate")
    await pilot.press("ctrl+l")
    await wait_for(pilot, lambda: app.screen is not first and app.screen.query("#destroy"),
                   "the form filled in from the last bundle")
    form = app.screen
    assert form.query_one("#title").value == "Key destruction to root version 3"
    assert form.query_one("#root-expires").value == "1y"
    kept = form.query_one("#sign-with").value
    (destroyed,) = {"root-alice", "root-dave"} - {kept}
    await type_in(pilot, "destroy", destroyed)
    fill(form, **{"wipe-key-files": f"media/rotate/keys/offline/{destroyed}.age"})
    tag = form.query_one(BagRowForm).tag
    await type_in(pilot, f"bag-{tag}-name", "log-1")
    await type_in(pilot, f"bag-{tag}-holds", "the paper log of this destruction")
    await pilot.press("ctrl+n")  # in the bags table: a second row, then gone again
    await wait_for(pilot, lambda: len(form.query(BagRowForm)) == 2, "a second bag row")
    assert form.focused.id == f"bag-{form.query(BagRowForm).last().tag}-name"
    await pilot.press("ctrl+o")
    await wait_for(pilot, lambda: len(form.query(BagRowForm)) == 1, "the row removed")
    await wait_for(pilot, lambda: form.valid and "log-1" in form.rendered.text,
                   f"the script to load ({form.problem})")
    text = form.rendered.text
    assert f"destroy: [{destroyed}]\n" in text and "ceremony: decommission\n" in text
    assert "bags:\n  seal:\n    - {name: log-1, holds: the paper log of this destruction}\n" \
        in text
    await pilot.press("ctrl+r")
    await wait_for(pilot, lambda: isinstance(app.screen, ReviewScreen), "the review")
    review = app.screen
    await wait_for(pilot, lambda: review.result is not None, "the preflight")
    assert review.preflight_ok, str(review.query_one("#preflight").render())
    await pilot.press("ctrl+s")
    await wait_for(pilot, lambda: review.saved, "the script saved")
    run_the_decommission(tmp_path, kept, destroyed)
    return kept


async def request_from_forms(app, pilot, tmp_path, kept: str) -> None:
    """A rotation signed in several sittings: erin's new root key imported (she made it
    at her own sitting), saved, and written as a signing request from the review
    (Ctrl+T), with the core's own calls, as `ceremony request` writes one. What is new
    on the form is done with the keyboard: the switch, the expiry, the key row."""
    public_key_file(tmp_path / "erin.pub.pem")
    app.go_home()
    await pilot.pause()
    await pilot.press("home", "down", "enter")  # Rotate the root, the second choice
    await wait_for(pilot, lambda: isinstance(app.screen, BuildScreen), "the form")
    form = app.screen
    fill(form, script="request.yaml", output="media/v4", current="media/rotate-decommission-v3",
         **{"sign-with": kept, "keyholders": "erin", "role-root-keys": f"{kept}, root-erin",
            "accept-risk": "every new root key must sign"})
    for switch in ("network", "output-media", "spare-keys"):
        form.query_one(f"#{switch}").value = True
    assert form.query_one("#request-expires").disabled  # one sitting: no expiry to type
    await switch_on(pilot, "sittings")
    tag = form.query_one(KeyRowForm).tag
    await wait_for(pilot, lambda: form.query_one(f"#key-{tag}-algorithm").value == "import",
                   "the key row turned to an import")
    await type_in(pilot, "request-expires", "21d")
    await type_in(pilot, f"key-{tag}-name", "root-erin")
    await type_in(pilot, f"key-{tag}-holder", "erin")
    # a key made here: the loader's words, as validate says them, on the key's algorithm
    await tab_to(pilot, f"key-{tag}-algorithm")
    await pilot.press("enter", "up", "enter")  # the last algorithm before import
    await wait_for(pilot, lambda: "holds no private key" in str(
        form.query_one(f"#key-{tag}-error").render()), "the key refused")
    assert "-invalid-field" in form.query_one(f"#key-{tag}-algorithm").classes
    await pilot.press("enter", "down", "enter")
    await type_in(pilot, f"key-{tag}-import", "erin.pub.pem")
    await wait_for(pilot, lambda: form.valid, f"the script to load ({form.problem})")
    text = form.rendered.text
    assert "request-expires: 21d\n" in text
    assert "  - {name: root-erin, holder: erin, import: erin.pub.pem}\n" in text
    await pilot.press("ctrl+r")
    await wait_for(pilot, lambda: isinstance(app.screen, ReviewScreen), "the review")
    review = app.screen
    await wait_for(pilot, lambda: review.result is not None, "the preflight")
    assert review.preflight_ok, str(review.query_one("#preflight").render())
    assert "Ctrl+S saves the script, then Ctrl+T writes its signing request" in str(
        review.query_one("#preflight").render())
    await pilot.press("ctrl+s", "ctrl+r")  # saved; never run in one sitting
    await wait_for(pilot, lambda: review.saved, "the script saved")
    assert "never run in one: Ctrl+T writes its signing request" in str(
        review.query_one("#review-saved").render())
    await pilot.press("ctrl+t")
    await wait_for(pilot, lambda: isinstance(app.screen, RequestScreen), "the request screen")
    await pilot.press("enter")  # the folder offered: media/v4-request
    await wait_for(pilot, lambda: app.screen.written is not None, "the request written")
    request = read_request(tmp_path / "media" / "v4-request")
    assert request.script_sha256 == load_script(tmp_path / "request.yaml").script_sha256
    assert {kept, "root-erin"} <= {key.name for key in request.keys}
    # 21 days from when the saved script was read (the request is written moments later)
    assert abs(request.expires - request.created - timedelta(days=21)) < timedelta(minutes=5)
