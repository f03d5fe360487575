"""What the room must see on the run screen, and keep seeing under a dialog:
where each key lives (token label, model, serial; or its file), the keys
made so far by short id, and the threshold meters moving as signatures are
added, in sight below the typed `write` confirmation, whose typo says why
Enter is dimmed."""

from __future__ import annotations

from ceremony import events as ev
from ceremony.operator import SecretRequest
from ceremony.tui.modals.confirm import ConfirmModal
from ceremony.tui.modals.secret import SecretModal

from .conftest import play, wait_for
from .fakes import KEYID_DAVE, fake_rotation, started

URI = (
    "pkcs11:token=root-hsm-a;id=%01%02;object=root-erin"
    "?module-path=/usr/lib/softhsm/libsofthsm2.so"
)
KEYID_ERIN = "e1" * 32


def on_a_token(operator):
    """A key made on a token logged in before it; then a passphrase for the next."""
    yield from started()[:1]
    yield ev.TokenLoggedIn("root-hsm-a", "9c1e77b03f2a4d5e", "SoftHSM v2", "SoftHSM project",
                           "2.6", "/usr/lib/softhsm/libsofthsm2.so")
    yield ev.KeyGenerated("root-erin", KEYID_ERIN, "ecdsa-p256", "pkcs11", URI, holder="erin")
    operator.secret(SecretRequest("passphrase/root-dave", "root-dave", "Passphrase for root-dave",
                                  new=True))
    operator.leaving.wait(30)


def text(widget) -> str:
    return str(widget.render())


def test_the_key_card_says_where_a_key_lives_and_the_keys_stay_listed(still_app):
    async def check(app, pilot):
        await wait_for(pilot, lambda: isinstance(app.screen, SecretModal), "the passphrase")
        run = app.run_screen
        card = text(run.query_one("#key-card"))
        assert "where token root-hsm-a (SoftHSM v2, serial 9c1e77b03f2a4d5e)" in card
        listed = run.query_one("#keys-made")
        assert listed.display and "e1e1e1e1 root-erin" in text(listed)
        # under the passphrase dialog, the short id is still in sight
        glance = app.screen.query_one("#glance")
        assert glance.display and "e1e1e1e1 root-erin" in text(glance)

    play(still_app, on_a_token, check, (80, 24))


def test_meters_move_and_stay_in_sight_under_the_write_confirmation(still_app):
    async def check(app, pilot):
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmModal), "the question")
        run = app.run_screen
        record = run.records[0]
        assert record.thresholds == {"old": (1, 2), "new": (2, 2)}
        seen = [(m.have, m.need) for m in run._meters.values()]
        assert seen == [(1, 2), (2, 2)]
        glance = text(app.screen.query_one("#glance"))
        assert "Current root v1  ██ ░░  1 of 2, 1 more needed" in glance
        assert "New root v2      ██ ██  2 of 2, met ✓" in glance
        assert f"{KEYID_DAVE[:8]} root-dave" in glance
        why = app.screen.query_one("#typed-why")
        await pilot.press(*"wr")
        assert "type the rest of write" in text(why)
        await pilot.press(*"te")
        assert app.screen.check_action("yes", ()) is None  # Enter dimmed
        assert '"wrte" is not write' in text(why)
        await pilot.press("backspace", "backspace", *"ite")
        assert not why.display and app.screen.check_action("yes", ()) is True

    play(still_app, fake_rotation("write"), check, (80, 24))


def test_the_meters_draw_each_count_as_it_comes(still_app):
    """Mid-signing, the meters stand at 1 of 2: they are drawn as the
    signatures come, not only at the end."""

    async def check(app, pilot):
        await wait_for(
            pilot, lambda: app.run_screen.records[0].thresholds.get("new") == (1, 2), "1 of 2"
        )
        meters = [text(m) for m in app.run_screen._meters.values()]
        assert meters == [
            "Current root v1  ██ ░░  1 of 2, 1 more needed",
            "New root v2      ██ ░░  1 of 2, 1 more needed",
        ]

    play(still_app, fake_rotation("signing"), check, (80, 24))
