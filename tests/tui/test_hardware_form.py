"""Hardware keys from the forms: a PKCS#11 token, a YubiKey, backup tokens.

Choosing where a key is made shows that backend's fields and offers the
token the home screen saw (the pinned room's YubiKey, label root-a, serial
31415926, through libykcs11). The script written names each as
docs/reference/scripts.md "Keys on hardware" says (a PKCS#11 token by label,
by label and serial, or by serial alone), and the loader's message
about a hardware field lands on the key's row. Snapshots at 80x24 and
120x40, dark and light.
"""

from __future__ import annotations

import asyncio

from ceremony.tui.screens.build import BuildScreen

from .conftest import every_look, form_snapshot, wait_for

YKCS11 = "/usr/lib/x86_64-linux-gnu/libykcs11.so"


async def open_form(pilot) -> tuple[BuildScreen, list[str]]:
    pilot.app.open_choice("bootstrap")
    await wait_for(pilot, lambda: pilot.app.screen.query(".key-row"), "the keys table")
    screen = pilot.app.screen
    assert isinstance(screen, BuildScreen)
    from ceremony.tui.forms.key_row import KeyRowForm

    return screen, [row.tag for row in screen.query(KeyRowForm)]


def test_hardware_keys_from_the_form(still_app):
    asyncio.run(hardware_keys(still_app()))


async def hardware_keys(app) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        screen, tags = await open_form(pilot)
        alice, bob, _, targets = tags[:4]
        assert not screen.query_one(f"#key-{alice}-token").display  # software: no token
        screen.query_one(f"#key-{alice}-backend").value = "pkcs11"
        await wait_for(pilot, lambda: "pkcs11" in screen.rendered.text, "the pkcs11 key")
        assert screen.query_one(f"#key-{alice}-token").display
        assert screen.query_one(f"#key-{alice}-token").value == "root-a"  # as the home screen saw
        screen.query_one(f"#key-{alice}-object").value = "root-2026-alice"
        screen.query_one(f"#key-{bob}-backend").value = "yubikey"
        await wait_for(pilot, lambda: "yubikey" in screen.rendered.text, "the yubikey")
        assert screen.query_one(f"#key-{bob}-serial").value == "31415926"
        screen.query_one(f"#key-{bob}-slot").value = "9a"
        screen.query_one(f"#key-{bob}-pin-policy").value = "once"
        screen.query_one(f"#key-{targets}-backups").value = "backup-a, backup-b"
        screen.query_one(f"#key-{targets}-module").value = YKCS11
        await wait_for(pilot, lambda: "backup-b" in screen.rendered.text, "the backups")
        text = screen.rendered.text
        assert (
            "  - {name: root-alice, holder: alice, algorithm: ed25519, backend: pkcs11, "
            f"module: {YKCS11}, token-label: root-a, object-label: root-2026-alice}}\n"
        ) in text
        assert (
            "  - {name: root-bob, holder: bob, algorithm: ed25519, backend: yubikey, "
            'serial: "31415926", slot: 9a, pin-policy: once}\n'
        ) in text
        assert (
            "  - {name: targets, algorithm: ed25519, backup-tokens: "
            f"[{{module: {YKCS11}, token-label: backup-a}}, "
            f"{{module: {YKCS11}, token-label: backup-b}}]}}\n"
        ) in text
        assert screen.problem is None, screen.problem
        assert screen.query_one(f"#key-{alice}-serial").display  # a token named by serial too
        screen.query_one(f"#key-{alice}-serial").value = "0a1b2c3d"
        await wait_for(pilot, lambda: "token-serial" in screen.rendered.text, "the serial")
        assert (f"module: {YKCS11}, token-label: root-a, token-serial: 0a1b2c3d, "
                "object-label: root-2026-alice}\n") in screen.rendered.text
        screen.query_one(f"#key-{alice}-token").value = ""  # by serial alone
        await wait_for(pilot, lambda: "token-label: root-a" not in screen.rendered.text,
                       "the label gone")
        assert f"module: {YKCS11}, token-serial: 0a1b2c3d, object" in screen.rendered.text
        assert screen.problem is None, screen.problem
        screen.query_one(f"#key-{bob}-slot").value = "zz"
        await wait_for(pilot, lambda: screen.problem is not None, "the slot verdict")
        shown = str(screen.query_one(f"#key-{bob}-error").render())
        assert "slot" in shown, shown
        screen.query_one(f"#key-{bob}-backend").value = "software"
        await wait_for(pilot, lambda: screen.problem is None, "bob back in software")
        assert "yubikey" not in screen.rendered.text
        screen.query_one(f"#key-{bob}-backend").value = "yubikey"
        await wait_for(pilot, lambda: "yubikey" in screen.rendered.text, "bob on the yubikey")
        assert screen.query_one(f"#key-{bob}-serial").value == "31415926"  # offered again
        screen.query_one(f"#key-{bob}-backend").value = "pkcs11"  # its serial is not a token's
        await wait_for(pilot, lambda: "yubikey" not in screen.rendered.text, "bob on a token")
        assert screen.query_one(f"#key-{bob}-serial").value == ""
        assert "31415926" not in screen.rendered.text


@every_look
def test_hardware_key_form(snap_compare, still_app, size, theme):
    async def prepare(pilot):
        screen, tags = await open_form(pilot)
        screen.query_one(f"#key-{tags[0]}-backend").value = "pkcs11"
        screen.query_one(f"#key-{tags[1]}-backend").value = "yubikey"
        await wait_for(pilot, lambda: "yubikey" in screen.rendered.text, "the yubikey")
        return f"#key-{tags[1]}-slot", ".key-row"

    assert form_snapshot(snap_compare, still_app(), size, theme, prepare)
