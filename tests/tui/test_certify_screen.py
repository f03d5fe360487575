"""A new DCT root key certified from the Certify screen, keyboard only.

The session's DCT rehearsal gives dave his copy of the current bundle; his
new key is an age-encrypted key file beside its public key. From the home
screen: the Certify screen refuses a field left empty on its problem line;
a missing bundle is refused in the error modal, with what to do. Stopped at
the masked passphrase prompt, it says what stopping leaves; a wrong
passphrase, and another key's public key (after dave's passphrase), are
refused in the error modal; none of these writes anything. Then dave's own
public key, with his passphrase: the file is written,
with its sha256 and the next step on screen and no secret in any field;
``ceremony certify`` given the same inputs writes a file that reads the same
(the same key, a certificate for each GUN valid to the same moment: ECDSA
signatures differ run to run), and the request's reader takes both. A key on
a SoftHSM token, named by its pkcs11: URI, is refused after a wrong PIN and
certified with the right one. Snapshots: the screen filled in, refused, and
once written.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from softhsm_support import LABELS, MODULE, USER_PIN, ran_fresh

from ceremony.cli.main import main
from ceremony.flavors.dct.rehearsal import GUNS
from ceremony.flavors.dct.root_certificates import imported_certificates
from ceremony.tui.app import make_app
from ceremony.tui.modals.ask import AskModal
from ceremony.tui.modals.error import RefusalModal
from ceremony.tui.modals.secret import SecretModal
from ceremony.tui.room import Room
from ceremony.tui.screens.certify import CertifyScreen
from hsm.algorithms import ALGORITHMS
from hsm.software import SoftwareKey

from .conftest import choose, every_look, plain_values, shown, wait_for
from .keyboard import type_in

PASSPHRASE = "dave's own passphrase"
SPARE = LABELS[2]
EXPIRES = "2038-01-01"


@pytest.fixture
def dave(dct_rehearsal, tmp_path):
    """Dave's new key (its key file and public key) and alice's public key, in
    ``tmp_path``; his copy of the current bundle is the rehearsal's last."""
    out, _printed = dct_rehearsal
    key = SoftwareKey.generate(ALGORITHMS["ecdsa-p256"])
    (tmp_path / "root-dave.age").write_bytes(key.encrypt(PASSPHRASE))
    (tmp_path / "root-dave.pem").write_text(key.facts().public_pem)
    (tmp_path / "alice.pem").write_bytes(
        (out / "1-bootstrap/keys/public/root-alice.pem").read_bytes())
    yield key, out / "4-decommission"
    key.close()


async def refusal(pilot, words: str) -> None:
    """The error modal says ``words``; Enter goes back to the fields."""
    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, RefusalModal), f"refused: {words}",
                   timeout=60)
    said = " ".join(str(s.render()) for s in app.screen.query("Static"))
    assert words in " ".join(said.split()), said
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(app.screen, CertifyScreen), "back to the fields")


async def passphrase(pilot, typed: str = "") -> None:
    """Enter certifies: dave's passphrase is asked in the secret modal; type
    ``typed`` in it and Enter (nothing typed: leave it open)."""
    app = pilot.app
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(app.screen, SecretModal), "the passphrase",
                   timeout=60)
    assert "Passphrase for key root-dave" in shown(app.screen, ".question")
    if typed:
        await type_in(pilot, "first", typed, clear=False)
        await pilot.press("enter")


def test_a_new_key_certified_from_the_screen(dave, tmp_path):
    key, current = dave
    output = tmp_path / "root-dave.certs.json"

    async def scenario():
        app = make_app(workdir=tmp_path, room=Room(), still=True)
        async with app.run_test(size=(80, 24)) as pilot:
            await choose(pilot, "Certify a new key for a request", CertifyScreen)
            screen = app.screen
            for field, text in {"certify-current": "nowhere", "certify-name": "root-dave",
                                "certify-where": "root-dave.age", "certify-expires": EXPIRES,
                                "certify-output": output.name}.items():
                await type_in(pilot, field, text)
            await pilot.press("enter")  # the public key not given yet
            assert "Give the key's public key file" in shown(screen, "#certify-problem")
            assert screen.focused.id == "certify-public"
            await type_in(pilot, "certify-public", "alice.pem")
            await pilot.press("enter")
            await refusal(pilot, f"{tmp_path / 'nowhere'}: no bundle here What to do next "
                          "give the folder of the current bundle: the last ceremony's, or your "
                          "own copy of it")
            assert "Not certified" in shown(screen, "#certify-problem")
            await type_in(pilot, "certify-current", str(current))
            await type_in(pilot, "certify-public", "root-dave.pem")
            # stopped at the passphrase: the stop says what it leaves, and nothing is written
            await passphrase(pilot)
            await pilot.press("escape")
            await wait_for(pilot, lambda: isinstance(app.screen, AskModal), "stop?")
            assert "Stop certifying?" in " ".join(str(s.render()) for s in
                                                  app.screen.query("Static"))
            await pilot.press("y")
            await wait_for(pilot, lambda: "Stopped: nothing was written" in shown(
                screen, "#certify-problem"), "the stop")
            assert not screen.holding_keys
            await passphrase(pilot, "not dave's passphrase")
            await refusal(pilot, "the passphrase for key root-dave does not open")
            await type_in(pilot, "certify-public", "alice.pem")
            await passphrase(pilot, PASSPHRASE)  # dave's key file, alice's public key
            await refusal(pilot, "holds a different key than the one named root-dave")
            assert not output.exists()
            await type_in(pilot, "certify-public", "root-dave.pem")
            await passphrase(pilot, PASSPHRASE)
            await wait_for(pilot, lambda: screen.written is not None, "the file written",
                           timeout=60)
            written = " ".join(shown(screen, "#certify-written").split())
            assert f"Wrote {output}" in written
            assert ("Next: carry it to the coordinator, whose script imports root-dave from it "
                    "(import: root-dave.certs.json)") in written
            assert PASSPHRASE not in "".join(plain_values(app))
            assert not shown(screen, "#certify-problem").strip()
            made = output.read_bytes()
            await pilot.press("enter")  # again: said, not refused, and the file untouched
            await wait_for(pilot, lambda: "Already written" in shown(
                screen, "#certify-problem"), "already written")
            assert app.screen is screen and output.read_bytes() == made

    asyncio.run(scenario())
    secrets = tmp_path / "secrets.yaml"
    secrets.write_text(f"root-dave: {PASSPHRASE}\n")
    secrets.chmod(0o600)
    by_cli = tmp_path / "cli.certs.json"
    assert main(["certify", "--key", f"root-dave={tmp_path / 'root-dave.age'}", "--public",
                 str(tmp_path / "root-dave.pem"), "--current", str(current), "--expires",
                 EXPIRES, "--secrets", str(secrets), "-o", str(by_cli)]) == 0
    screen_facts, cli_facts = (json.loads(path.read_bytes()) for path in (output, by_cli))
    assert {k: v for k, v in screen_facts.items() if k != "certificates"} == \
        {k: v for k, v in cli_facts.items() if k != "certificates"}
    assert sorted(screen_facts["certificates"]) == sorted(cli_facts["certificates"]) \
        == sorted(GUNS)
    for gun in GUNS:
        made = [x509.load_pem_x509_certificate(facts["certificates"][gun].encode())
                for facts in (screen_facts, cli_facts)]
        assert made[0].not_valid_after_utc == made[1].not_valid_after_utc \
            == datetime(2037, 12, 31, 23, 59, 59, tzinfo=UTC)  # notary's: a second before
        assert made[0].subject == made[1].subject
    now, root_expires = datetime.now(UTC), datetime(2037, 1, 1, tzinfo=UTC)
    for path in (output, by_cli):
        assert sorted(imported_certificates(path, "root-dave", key.crypto_public_key, GUNS,
                                            now, root_expires)) == sorted(GUNS)
    assert PASSPHRASE.encode() not in output.read_bytes()


@every_look
@pytest.mark.parametrize("then", ["filled", "refused", "written"])
def test_certify_screen(snap_compare, still_app, size, theme, then):
    """The Certify screen with its fields filled in; then Enter, refused in the
    error modal (no bundle at the path given: none is on this machine); or what
    it shows once a file of fixed bytes is written (a real file's signatures
    differ run to run: the test above writes one)."""

    async def run_before(pilot):
        pilot.app.theme = theme
        pilot.app.open_choice("certify")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, CertifyScreen), "certify")
        for field, text in {"certify-current": "/media/dave/2027-q1",
                            "certify-name": "root-dave",
                            "certify-where": "/media/dave/root-dave.age",
                            "certify-public": "/media/dave/root-dave.pem",
                            "certify-output": "/media/out/root-dave.certs.json"}.items():
            await type_in(pilot, field, text)
        if then == "refused":
            await pilot.press("enter")
            await wait_for(pilot, lambda: isinstance(pilot.app.screen, RefusalModal), "refused")
        elif then == "written":
            output = Path("/media/out/root-dave.certs.json")
            pilot.app.screen._certified(b"{}\n" * 900, output, "root-dave")  # noqa: SLF001
        await pilot.pause()

    assert snap_compare(still_app(), terminal_size=size, run_before=run_before)


async def answer(pilot, pin: str, before=None) -> SecretModal:
    """Type ``pin`` in the PIN modal (a new one, not ``before``), then Enter."""
    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, SecretModal) and app.screen
                   is not before, "the PIN", timeout=60)
    modal = app.screen
    assert "PIN" in shown(modal, ".dialog-title")
    await type_in(pilot, "first", pin, clear=False)
    await pilot.press("enter")
    return modal


@pytest.mark.slow
def test_a_key_on_a_token_certified_after_a_wrong_pin(dct_rehearsal, tmp_path):
    """Dave's new key on a SoftHSM token, named by its pkcs11: URI: a wrong PIN,
    typed the three times the prompt allows, is refused in the error modal with
    what to do, writing nothing; then his PIN, and the file reads right."""
    if ran_fresh(__file__, "test_a_key_on_a_token_certified_after_a_wrong_pin"):
        return
    from hsm.pkcs11 import open_token

    token = open_token(MODULE, label=SPARE)  # the wrong PINs: not on the token most use
    token.login(USER_PIN)
    signer = token.generate_key("ecdsa-p256", f"root-dave-{uuid.uuid4().hex[:8]}")
    uri, pem = str(signer.uri), signer.facts().public_pem
    token.close()
    (tmp_path / "root-dave.pem").write_text(pem)
    output = tmp_path / "root-dave.certs.json"
    current = dct_rehearsal[0] / "4-decommission"

    async def scenario():
        app = make_app(workdir=tmp_path, room=Room(), still=True)
        async with app.run_test(size=(80, 24)) as pilot:
            await choose(pilot, "Certify a new key for a request", CertifyScreen)
            for field, text in {"certify-current": str(current), "certify-name": "root-dave",
                                "certify-where": uri, "certify-public": "root-dave.pem",
                                "certify-output": output.name}.items():
                await type_in(pilot, field, text)
            await pilot.press("enter")
            modal = None
            for _ in range(3):
                modal = await answer(pilot, "not-the-pin", modal)
            await refusal(pilot, f"the PIN for token '{SPARE}'")
            assert "was wrong" in shown(app.screen, "#certify-problem")
            assert not output.exists()
            await pilot.press("enter")
            await answer(pilot, USER_PIN)
            screen = app.screen
            await wait_for(pilot, lambda: screen.written is not None, "the file written",
                           timeout=60)
            assert USER_PIN not in "".join(plain_values(app))

    asyncio.run(scenario())
    public = load_pem_public_key(pem.encode())
    assert sorted(imported_certificates(output, "root-dave", public, GUNS, datetime.now(UTC),
                                        datetime(2030, 1, 1, tzinfo=UTC))) == sorted(GUNS)
