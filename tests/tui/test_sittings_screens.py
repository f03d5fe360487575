"""Signing in several sittings from the screens, keyboard only.

The session's rehearsal gives a current bundle (its bootstrap, root-alice,
root-bob and root-carol, threshold 2) and, in its operator's memory, the
keys' passphrases. A rotation that drops root-carol is opened on the script
screen, refused a one-sitting run, and written as a signing request (Ctrl+T;
the review of a built script offers the same once saved). Bob signs it at a
sitting of his own (headless, the core's call) and brings his signature
file back as QR code images only. Alice signs it through the Sign screen:
the request's summary and digest, the check that it extends her bundle (a
newer one is refused, with why), her passphrase typed in the run screen's
masked prompt, the signature file named on the summary. The Seal screen
counts the files as they are added (a file given twice is refused with its
reason and counts nothing; bob's QR codes count once every image of his
file is in); Ctrl+R typed with the last image's Enter seals once both
meters are met, and the summary verifies the bundle as any other.
"""

from __future__ import annotations

import asyncio
import hashlib
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from textual.widgets import Input

from ceremony.engine import utc_now
from ceremony.errors import CeremonyError
from ceremony.operator import SecretRequest
from ceremony.script.load import load_script_text
from ceremony.sittings.adapter import Group, Payload, RequestKey
from ceremony.sittings.request_file import SigningRequest, read_request, write_request
from ceremony.sittings.sign import KeyChoice, sign_request, write_signature_file
from ceremony.tui.app import make_app
from ceremony.tui.modals.secret import SecretModal
from ceremony.tui.room import Room
from ceremony.tui.screens.build import BuildScreen, KeyRowForm
from ceremony.tui.screens.home import HomeScreen
from ceremony.tui.screens.request import RequestScreen
from ceremony.tui.screens.review import ReviewScreen
from ceremony.tui.screens.run import RunScreen
from ceremony.tui.screens.script import OpenScriptScreen
from ceremony.tui.screens.seal import SealScreen
from ceremony.tui.screens.sign import SignScreen
from ceremony.tui.screens.sitting import said
from ceremony.tui.screens.summary import SummaryScreen
from ceremony.verify import verify_bundle
from hsm.signer import public_pem

from .conftest import choose, every_look, form_snapshot, plain_values, shown, wait_for
from .keyboard import switch_on, type_in

ROTATE = """\
format: 1
ceremony: rotate-root
flavor: tuf
title: rotate the rehearsal root in sittings
rehearsal: true
network: allowed
output-media: any-device
current: {current}
output: 2-rotate
request-expires: 7d
sign-with: [root-alice, root-bob]
roles:
  root: {{keys: [root-alice, root-bob], threshold: 2, expires: 1y}}
spare-keys: none
accept-risk: a test root that both keys must sign
"""


async def fill(pilot, fields: dict[str, str]) -> None:
    """The request and alice's bundle, then ``fields`` (field id -> text), typed in."""
    for field, text in {"request-path": "request", "current-path": "alice-current",
                        **fields}.items():
        await type_in(pilot, field, text)


def test_a_request_signed_and_sealed_from_the_screens(rehearsal, tmp_path):
    folder, operator, _ = rehearsal
    current = tmp_path / "alice-current"  # alice's own copy of the current bundle
    shutil.copytree(folder / "1-bootstrap", current)
    script_text = ROTATE.format(current=folder / "1-bootstrap")
    (tmp_path / "rotate.yaml").write_text(script_text)
    # root-alice's passphrase: the rehearsal's, kept in its operator's memory only
    passphrase = operator.secret(SecretRequest("passphrase/root-alice", "root-alice", "")).reveal()

    async def scenario():
        app = make_app(workdir=tmp_path, room=Room(), still=True)
        async with app.run_test(size=(80, 24)) as pilot:
            # Request: the script opened, then written as a signing request -------
            await choose(pilot, "Open a ceremony script", OpenScriptScreen)
            script = app.screen
            await type_in(pilot, "script-path", "rotate.yaml")
            await pilot.press("enter", "ctrl+r")
            assert "Ctrl+T writes its signing request" in shown(script, "#script-problem")
            await pilot.press("ctrl+t")
            await wait_for(pilot, lambda: isinstance(app.screen, RequestScreen), "request")
            assert app.screen.query_one("#request-output", Input).value == str(
                tmp_path / "2-rotate-request")
            await type_in(pilot, "request-output", "request")
            await pilot.press("enter")
            await wait_for(pilot, lambda: app.screen.written is not None, "the request written")
            request = read_request(tmp_path / "request")
            assert f"Wrote the request {tmp_path / 'request'}" in shown(
                app.screen, "#request-written")
            assert "█" in shown(app.screen, "#request-qr")
            await pilot.press("escape", "escape")
            # a script built from the forms goes the same way from its review, once saved
            app.push_screen(ReviewScreen(script_text, tmp_path / "built.yaml"))
            await wait_for(pilot, lambda: isinstance(app.screen, ReviewScreen), "review")
            await pilot.press("ctrl+t")
            assert "Not saved yet" in shown(app.screen, "#review-saved")
            await pilot.press("ctrl+s", "ctrl+t")
            await wait_for(pilot, lambda: isinstance(app.screen, RequestScreen), "its request")
            assert app.screen.plan.script_sha256 == request.script_sha256
            await pilot.press("escape", "escape")
            # bob signs at a sitting of his own (the core's call, as `ceremony sign`)
            bob = sign_request(request, tmp_path / "request", current=folder / "1-bootstrap",
                               keys=[KeyChoice("root-bob")], operator=operator, clock=utc_now,
                               sitting="bob")
            # ... and brings it back as QR codes only, several images
            bob_codes = write_signature_file(bob, tmp_path / "bob.sig.json", qr=True)[1:]
            (tmp_path / "bob.sig.json").unlink()
            assert len(bob_codes) >= 2

            # Sign ---------------------------------------------------------------
            await choose(pilot, "Sign a request from another sitting", SignScreen)
            sign = app.screen
            # first a newer bundle than the one the request extends: refused, with why
            newer = str(folder / "3-rotate-root")
            await fill(pilot, {"current-path": newer, "sign-keys": "root-alice",
                               "sign-output": "alice.sig.json"})
            await pilot.press("ctrl+r")
            assert "Not checked yet" in shown(sign, "#sitting-problem")
            await pilot.press("enter")
            text = shown(sign, "#request-text")
            assert "Signing request: rotate the rehearsal root in sittings" in text
            assert "root: keys removed: root-carol" in text
            digest = request.digest
            assert " ".join(digest[i:i + 4] for i in range(0, 32, 4)) in text
            await wait_for(pilot, lambda: not sign.checking, "the check of the newer bundle")
            assert "does not extend the current state you hold" in shown(sign, "#sitting-extends")
            await pilot.press("ctrl+r")
            assert "Not ready: the request does not extend it" in shown(sign, "#sitting-problem")
            await type_in(pilot, "current-path", "alice-current")
            await pilot.press("enter")
            await wait_for(pilot, lambda: sign.ready, "the check that it extends alice's bundle")
            extends = shown(sign, "#sitting-extends")
            assert "✓ It extends the bundle you hold: root sha256 " in extends
            assert "root version 1" in extends
            await pilot.press("ctrl+r")
            await wait_for(pilot, lambda: isinstance(app.screen, SecretModal),
                           "root-alice's passphrase")
            assert "Passphrase for key root-alice" in shown(app.screen, ".question")
            # typed: its first keys one by one, the rest as a paste (the keyboard helper's way)
            await pilot.press(*passphrase[:6])
            await type_in(pilot, "first", passphrase[6:], clear=False)
            await pilot.press("enter")
            await wait_for(pilot, lambda: isinstance(app.screen, SummaryScreen),
                           "the signing sitting's summary", timeout=60)
            summary = app.screen
            assert "Signature file written" in shown(summary, "#summary-verdict")
            assert str(tmp_path / "alice.sig.json") in shown(summary, "#record-0-top")
            assert "root-alice" in shown(summary, "#record-0-top")
            assert passphrase not in "".join(plain_values(app))
            assert (tmp_path / "alice.sig.json").is_file()

            # Seal ---------------------------------------------------------------
            await pilot.press("h")
            await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen), "home")
            await choose(pilot, "Seal signatures from several sittings", SealScreen)
            seal = app.screen
            await fill(pilot, {"seal-output": "2-rotate"})
            await type_in(pilot, "seal-signatures", "alice.sig.json")
            await pilot.press("enter")
            await wait_for(pilot, lambda: "counted" in shown(seal, "#seal-files"), "alice's file")
            assert not seal.ready
            assert "Current root" in shown(seal, "#seal-meters")
            assert "1 of 2, 1 more needed" in shown(seal, "#seal-meters")
            assert "still missing: root-bob (bob)" in shown(seal, "#seal-files")
            await pilot.press("ctrl+r")
            assert "Not ready: not sealed:" in shown(seal, "#sitting-problem")
            await type_in(pilot, "seal-signatures", "alice.sig.json")  # the same file again
            await pilot.press("enter")
            await wait_for(pilot, lambda: "not counted" in shown(seal, "#seal-files"),
                           "the second copy refused")
            assert "one key counts once" in shown(seal, "#seal-files")
            # bob's QR codes, one image at a time: counted once every code is in
            await type_in(pilot, "seal-signatures", bob_codes[-1].name)
            await pilot.press("enter")
            await wait_for(pilot, lambda: "missing QR code" in shown(seal, "#seal-files"),
                           "a code of bob's refused until the others come")
            for code in bob_codes[:-2]:
                await type_in(pilot, "seal-signatures", code.name)
                await pilot.press("enter")
            # the last code, Enter and Ctrl+R at once: sealing starts once it is counted
            await type_in(pilot, "seal-signatures", bob_codes[-2].name)
            await pilot.press("enter", "ctrl+r")
            await wait_for(pilot, lambda: isinstance(app.screen, SummaryScreen),
                           "the sealed bundle's summary", timeout=60)
            summary = app.screen
            await wait_for(pilot, lambda: "written and verified" in shown(
                summary, "#summary-verdict"), "the bundle verified", timeout=60)
            meters = shown(summary, "#record-0")
            assert "Current root" in meters and "New root" in meters
            assert meters.count("2 of 2, met ✓") == 2, meters
            run = app.screen_stack[1]
            assert isinstance(run, RunScreen) and len(run._meters) == 2  # noqa: SLF001

    asyncio.run(scenario())
    assert verify_bundle(tmp_path / "2-rotate").ok


@pytest.mark.slow  # a real rehearsal bootstrap of MANY GUNs
def test_qr_codes_past_the_bound_are_refused_before_the_run_screen(tmp_path):
    """The Sign screen refuses, at Ctrl+R, QR codes of a signature file that may need
    more than a sitting writes, with `ceremony sign --qr`'s words (tests/test_qr_bound.py)."""
    from test_qr_bound import MANY, signed_world

    from ceremony.rehearsal.operator import RehearsalOperator
    from ceremony.sittings.qr_route import refuse_past_codes

    request = signed_world(tmp_path, MANY, RehearsalOperator())
    with pytest.raises(CeremonyError) as caught:
        refuse_past_codes(request.payloads, request.keys, str(tmp_path / "request"))

    async def scenario():
        app = make_app(workdir=tmp_path, room=Room(), still=True)
        async with app.run_test(size=(80, 24)) as pilot:
            await choose(pilot, "Sign a request from another sitting", SignScreen)
            sign = app.screen
            await switch_on(pilot, "sign-qr")  # first: Enter on it would switch it off
            await fill(pilot, {"current-path": "room/out", "sign-keys": "root-a",
                               "sign-output": "a.sig.json"})
            await pilot.press("enter")
            await wait_for(pilot, lambda: sign.ready, "the check that it extends the bundle")
            await pilot.press("ctrl+r")
            await pilot.pause()
            assert app.screen is sign  # no run screen, no passphrase asked
            problem = " ".join(shown(sign, "#sitting-problem").split())
            assert f"{MANY} payloads would take up to" in problem
            assert "a sitting writes at most 100" in problem
            assert " ".join(said(caught.value).split()) in problem  # the same words

    asyncio.run(scenario())
    assert not list(tmp_path.glob("a.sig.json*"))


# A request made of fixed parts, for a picture that is the same on every run.

SCRIPT = "format: 1\n"
KEYID_A, KEYID_B = "b0b14fd2" + "1" * 56, "d7e02cc5" + "2" * 56
# fixed public keys, as the tool writes them (a request's key must be one to be read)
PUBLIC_A, PUBLIC_B = (public_pem(Ed25519PrivateKey.from_private_bytes(bytes([n]) * 32)
                                 .public_key()) for n in (1, 2))


def fixed_request() -> SigningRequest:
    created = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    groups = (Group("old", "the current root (version 1)", 2, (KEYID_A, KEYID_B)),
              Group("new", "the new root (version 2)", 1, (KEYID_A,)))
    return SigningRequest(
        flavor="tuf", kind="rotate-root", title="Rotation of the example.org root",
        ceremony_id="20261130T090000Z-rotate-root-4da4a8f5", rehearsal=False,
        script_text=SCRIPT, script_sha256=hashlib.sha256(SCRIPT.encode()).hexdigest(),
        created=created,
        expires=created + timedelta(days=7), base={"root version": 1, "root sha256": "ab" * 32},
        payloads=(Payload("2.root.json", b'{"signed": {}}', groups),),
        keys=(RequestKey("root-alice", KEYID_A, "alice", PUBLIC_A),
              RequestKey("root-bob", KEYID_B, "bob", PUBLIC_B)),
        summary=("root version 1 -> 2", "root: keys removed: root-bob", "root: threshold 2 -> 1"),
        transcript=(),
    )


@every_look
@pytest.mark.parametrize("screen_type", [SignScreen, SealScreen], ids=["sign", "seal"])
def test_sitting_screen(snap_compare, still_app, tmp_path, screen_type, size, theme):
    """The Sign and Seal screens with the fixed request read (Enter): its digest
    and summary, and the current bundle still asked for."""
    write_request(fixed_request(), tmp_path / "request")

    async def run_before(pilot):
        pilot.app.theme = theme
        pilot.app.open_choice("sign" if screen_type is SignScreen else "seal")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, screen_type), "the screen")
        await type_in(pilot, "request-path", "request")
        await pilot.press("enter")
        await pilot.pause()

    assert snap_compare(still_app(workdir=tmp_path), terminal_size=size, run_before=run_before)


@every_look
def test_request_screen(snap_compare, still_app, size, theme):
    """The request screen as Ctrl+T opens it for a loaded rotation (its folder not
    written: that verifies the current bundle, which the test above does)."""
    plan = load_script_text(ROTATE.format(current="../media/1-bootstrap"),
                            base_dir=Path("/srv/ceremony"))

    async def run_before(pilot):
        pilot.app.theme = theme
        pilot.app.push_screen(RequestScreen(plan))
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, RequestScreen), "request")

    assert snap_compare(still_app(), terminal_size=size, run_before=run_before)


@every_look
def test_rotation_form_in_sittings(snap_compare, still_app, size, theme):
    """The rotate-root form signed in several sittings: the switch on, the request's
    expiry, the new root key imported (its row has no "made in" line)."""

    async def prepare(pilot):
        pilot.app.push_screen(BuildScreen("rotate-root"))
        await wait_for(pilot, lambda: pilot.app.screen.query("#sittings-form"), "the form")
        screen = pilot.app.screen
        screen.query_one("#sittings").value = True
        await wait_for(pilot, lambda: not screen.query_one("#request-expires").disabled, "on")
        tag = screen.query_one(KeyRowForm).tag
        for field_id, value in {
            "current": "../media/2027-05-rotation", "sign-with": "root-alice, root-bob",
            "keyholders": "dave", f"key-{tag}-name": "root-dave", f"key-{tag}-holder": "dave",
            f"key-{tag}-import": "../media/from-dave/root-dave.pem",
            "role-root-keys": "root-alice, root-bob, root-dave",
        }.items():
            screen.query_one(f"#{field_id}").value = value
        await wait_for(pilot, lambda: screen.valid, f"judged ({screen.problem})")
        return "#request-expires", "#sittings-form"

    assert form_snapshot(snap_compare, still_app(), size, theme, prepare)
