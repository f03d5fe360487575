"""The dct and sigstore flavors from the forms, typed in with the keyboard.

From the bootstrap form, the flavor list is opened with the keyboard and
Docker (DCT) chosen: a GUN (first one the loader refuses, its message under
the field), the folder of the Notary server's keys, one shared repository
key from its list, a rehearsal. The review's preflight reads the server
keys, the script is saved, and the saved script runs headless through the
engine (software keys, made-up server keys) into a bundle that verifies.
recover, chosen from the dct kind list, shows the recovery's fields and the
dct part a recover takes.
Then, in the same session, Sigstore: its bootstrap with a cosign key for CI,
the mirror signer "not said" from its list, and the trust rows over
stand-in material (the Fulcio row typed, with a plain-http URL the loader
refuses under its row; the others filled in as values, typing being slow on
a form this size). The review's preflight reads the material and says the
expiries mean an online signer; the saved script loads with ``ceremony
validate``'s loader. An update-trust's withdraw list, typed in at 80x24: the
loader's word on a plain-http URL under the field, then a script that loads
with the list; the same on a rotate-root filled in with Ctrl+L from a real
bundle, its trust: carried as written and written once. Snapshots at 80x24
and 120x40, dark and light: the dct part of a bootstrap, and the sigstore
trust part (of an update-trust) with a loader message under a trust row.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest
from session_cache import copy_of

from ceremony.engine import run_ceremony
from ceremony.flavors.dct.rehearsal import GUNS, made_up_server_keys
from ceremony.flavors.sigstore.standins import write_standins
from ceremony.rehearsal.operator import RehearsalOperator
from ceremony.script.load import load_script, load_script_text
from ceremony.tui.forms.sigstore import CosignRowForm, TrustEntryForm
from ceremony.tui.room import Room
from ceremony.tui.screens.build import BuildScreen
from ceremony.tui.screens.review import ReviewScreen
from ceremony.verify import verify_bundle

from .conftest import PINNED_TOKENS, THEMES, every_look, form_snapshot, wait_for

NOW = datetime.now(UTC).replace(microsecond=0)


async def tab_to(pilot, field_id: str) -> None:
    """Tab (or Shift+Tab, to go back) until the cursor is in ``field_id``."""
    chain = [widget.id for widget in pilot.app.screen.focus_chain]
    here = chain.index(pilot.app.focused.id) if pilot.app.focused is not None else 0
    key = "tab" if chain.index(field_id) >= here else "shift+tab"
    for _ in range(len(chain)):
        if pilot.app.focused is not None and pilot.app.focused.id == field_id:
            return
        await pilot.press(key)
    raise AssertionError(f"{key} never reached #{field_id} (at {pilot.app.focused})")


async def type_into(pilot, field_id: str, text: str) -> None:
    """Tab to ``field_id``, clear it and type ``text``."""
    await tab_to(pilot, field_id)
    await pilot.press("home", "ctrl+k", *text)


async def choose(pilot, field_id: str, downs: int) -> None:
    """Open the list ``field_id`` and move ``downs`` entries down (up when negative)."""
    await tab_to(pilot, field_id)
    await pilot.press("enter", *(["down"] * downs if downs > 0 else ["up"] * -downs), "enter")
    await pilot.pause()


async def switch_flavor(pilot, downs: int, flavor: str) -> BuildScreen:
    pilot.app.open_choice("bootstrap")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, BuildScreen), "the form")
    await pilot.press("shift+tab", "shift+tab")  # from the title back to the flavor list
    assert pilot.app.focused.id == "flavor"
    await pilot.press("enter", *["down"] * downs, "enter")
    await wait_for(
        pilot,
        lambda: isinstance(pilot.app.screen, BuildScreen) and pilot.app.screen.flavor == flavor
        and pilot.app.screen.rendered is not None,
        f"the {flavor} form",
    )
    screen = pilot.app.screen
    assert pilot.app.focused.id == "flavor"  # the cursor stays on the list just used
    assert f"flavor: {flavor}\n" in screen.rendered.text
    return screen


async def review_and_save(pilot, screen: BuildScreen) -> ReviewScreen:
    await wait_for(pilot, lambda: screen.valid, f"the script to load ({screen.problem})")
    await pilot.press("ctrl+r")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, ReviewScreen), "the review")
    review = pilot.app.screen
    await wait_for(pilot, lambda: review.result is not None, "the preflight")
    assert review.preflight_ok, str(review.query_one("#preflight").render())
    await pilot.press("ctrl+s")
    await wait_for(pilot, lambda: review.saved, "the script saved")
    return review


def test_dct_and_sigstore_bootstraps_from_the_forms(still_app, tmp_path):
    made_up_server_keys(tmp_path / "s")
    (tmp_path / "s" / "r.io").mkdir()
    (tmp_path / "s" / GUNS[0]).rename(tmp_path / "s" / "r.io" / "a")  # quick to type: r.io/a
    write_standins(tmp_path / "m", NOW)
    for long, short in (("fulcio-chain.pem", "f"), ("rekor.pub", "r"), ("ctfe.pub", "c")):
        (tmp_path / "m" / long).rename(tmp_path / "m" / short)  # quick to type
    (tmp_path / "media").mkdir()  # where the forms put outputs when no medium is seen
    app = still_app(clock=lambda: NOW, workdir=str(tmp_path), room=Room(tokens=PINNED_TOKENS))
    asyncio.run(by_keyboard(app))
    # the dct script, run headless through the engine
    plan = load_script(tmp_path / f"{NOW:%Y-%m-%d}-dct-bootstrap.yaml", now=NOW)  # validate's
    assert plan.flavor == "dct" and plan.kind == "bootstrap"
    list(run_ceremony(plan, RehearsalOperator()))
    bundle = tmp_path / "media" / f"{NOW:%Y-%m-%d}-dct-bootstrap"
    report = verify_bundle(bundle)
    assert report.ok, report.problems
    assert (bundle / "publish").is_dir()
    # the sigstore script, as ceremony validate's loader reads it
    plan = load_script(tmp_path / f"{NOW:%Y-%m-%d}-sigstore-bootstrap.yaml", now=NOW)
    assert plan.flavor == "sigstore"
    details = plan.details
    assert details.mirror_url == "https://t"
    assert details.mirror_signer is None  # not said: preflight says what the expiries imply
    assert [s.service for s in details.services] == ["fulcio", "rekor", "ctlog", "oidc"]
    assert details.services[1].file == tmp_path / "m" / "r"
    assert [key.name for key in details.cosign_keys] == ["ci"]


async def by_keyboard(app) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await dct_by_keyboard(pilot)
        await dct_recover_chosen(pilot)
        pilot.app.push_screen(BuildScreen("bootstrap", flavor="sigstore"))  # as chosen above
        await wait_for(
            pilot, lambda: pilot.app.screen.query("#sigstore-form")
            and pilot.app.screen.rendered is not None, "the sigstore form",
        )
        await sigstore_by_keyboard(pilot)


async def dct_by_keyboard(pilot) -> None:
    screen = await switch_flavor(pilot, 1, "dct")
    assert screen.problem is not None and "guns" in str(screen.problem)
    assert "GUN" in str(screen.query_one("#dct-guns-error").render())
    await tab_to(pilot, "rehearsal")
    # a rehearsal (made-up server keys), network allowed, outputs on any device
    await pilot.press("space", "tab", "space", "tab", "space")
    await type_into(pilot, "dct-guns", "r.io/A")
    await type_into(pilot, "dct-server-keys", "s")
    await wait_for(pilot, lambda: "valid Docker" in str(screen.problem), "the GUN verdict")
    assert "valid Docker repository" in str(screen.query_one("#dct-guns-error").render())
    await pilot.press("shift+tab", "end", "backspace", "a")
    await choose(pilot, "dct-repository-keys", 1)  # one shared repository key
    await wait_for(pilot, lambda: screen.valid, f"the script to load ({screen.problem})")
    text = screen.rendered.text
    assert "guns: [r.io/a]\nserver-keys: s\n" in text and "rehearsal: true\n" in text
    assert "repository-keys: shared\n" in text and "snapshot:" not in text
    assert "  root: {keys: [root-alice, root-bob], threshold: 1}\n" in text
    assert "timestamp" not in text  # the server's
    await review_and_save(pilot, screen)


async def dct_recover_chosen(pilot) -> None:
    """recover from the dct kind list: the TUF recovery's fields and the dct part."""
    pilot.app.push_screen(BuildScreen("bootstrap", flavor="dct"))
    await wait_for(pilot, lambda: pilot.app.screen.query("#dct-form"), "the dct form")
    await pilot.press("shift+tab")  # from the title back to the kind list
    assert pilot.app.focused.id == "kind"
    await pilot.press("enter", "end", "enter")  # recover, the last kind
    await wait_for(
        pilot, lambda: isinstance(pilot.app.screen, BuildScreen)
        and pilot.app.screen.kind == "recover" and pilot.app.screen.rendered is not None,
        "the dct recover form",
    )
    screen = pilot.app.screen
    assert (screen.flavor, pilot.app.focused.id) == ("dct", "kind")
    for field_id in ("current", "copies", "slip39", "dct-guns", "dct-published",
                     "dct-server-keys", "dct-repository-keys", "role-targets-keys",
                     "recover-intro"):
        assert screen.query(f"#{field_id}"), field_id
    for field_id in ("role-root-keys", "role-snapshot-keys", "role-timestamp-keys",
                     "recovery-form", "sign-with",
                     "dct-snapshot", "dct-import-trust"):
        assert not screen.query(f"#{field_id}"), field_id  # a dct recover does not take them
    assert "lost targets keys" in str(screen.query_one("#recover-intro").render())
    assert "current" in str(screen.problem)
    assert "missing" in str(screen.query_one("#current-error").render())
    text = screen.rendered.text
    assert "ceremony: recover\nflavor: dct\n" in text
    assert "replace:\n  targets: {keys: [targets-2], threshold: 1}\n" in text


async def sigstore_by_keyboard(pilot) -> None:
    screen = pilot.app.screen
    assert "trust.mirror" in str(screen.problem)
    await tab_to(pilot, "network")
    await pilot.press("space", "tab", "space")
    await type_into(pilot, _cosign_field(screen, "name"), "ci")
    await choose(pilot, "sigstore-mirror-signer", 2)  # not said
    rows = list(screen.query(TrustEntryForm))
    assert [row.entry.service for row in rows] == ["fulcio", "rekor", "ctlog", "oidc"]
    assert not screen.query("#sigstore-withdraw")  # a bootstrap has no trusted root yet
    # the rows after the first, and the mirror, filled in as values (typing is slow here)
    screen.query_one("#sigstore-mirror").value = "https://t"
    for row, name in zip(rows[1:], "rco", strict=True):
        screen.query_one(f"#entry-{row.tag}-url").value = f"https://{name}"
        if name != "o":
            screen.query_one(f"#entry-{row.tag}-file").value = f"m/{name}"
    await type_into(pilot, f"entry-{rows[0].tag}-url", "http://f")
    await type_into(pilot, f"entry-{rows[0].tag}-file", "m/f")
    # the loader's word on the plain-http URL, under its row
    await wait_for(pilot, lambda: "http:" in str(screen.problem), "the URL verdict")
    assert "https" in str(screen.query_one(f"#entry-{rows[0].tag}-error").render())
    await pilot.press("shift+tab", "home", *["right"] * 4, "s")  # https://f
    await wait_for(pilot, lambda: screen.valid, f"the script to load ({screen.problem})")
    text = screen.rendered.text
    assert "mirror-signer" not in text
    assert '  rekor:\n    - {url: "https://r", key: m/r}\n' in text, text
    assert "cosign-keys:\n  - {name: ci}\n" in text
    review = await review_and_save(pilot, screen)
    assert "online" in str(review.query_one("#preflight").render())


def test_sigstore_withdraw_typed_in_an_update_trust(still_app):
    """An update-trust's "Withdraw" field, under the trust rows at 80x24: a URL
    typed with the keyboard that the loader refuses, its message under the field;
    corrected, the draft script loads and carries the withdraw list."""
    asyncio.run(withdraw_by_keyboard(still_app(clock=lambda: NOW)))


async def withdraw_by_keyboard(app) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        pilot.app.push_screen(BuildScreen("update-trust", flavor="sigstore"))
        await wait_for(pilot, lambda: pilot.app.screen.query("#sigstore-withdraw")
                       and pilot.app.screen.rendered is not None, "the sigstore form")
        screen = pilot.app.screen
        screen.query_one("#current").value = "../media/2026-11-sigstore-bootstrap"
        screen.query_one("#sigstore-mirror").value = "https://tuf.example.internal"
        for row in screen.query(TrustEntryForm):
            name = row.entry.service
            screen.query_one(f"#entry-{row.tag}-url").value = f"https://{name}.example.internal"
            if name != "oidc":
                screen.query_one(f"#entry-{row.tag}-file").value = f"trust/{name}.pem"
        await wait_for(pilot, lambda: screen.valid, f"the script to load ({screen.problem})")
        await type_into(pilot, "sigstore-withdraw", "http://rekor.example.internal")
        await wait_for(pilot, lambda: "http:" in str(screen.problem), "the URL verdict")
        assert "https" in str(screen.query_one("#sigstore-withdraw-error").render())
        await pilot.press("home", *["right"] * 4, "s")  # https://
        await wait_for(pilot, lambda: screen.valid, f"the script to load ({screen.problem})")
        text = screen.rendered.text
        assert '  withdraw: ["https://rekor.example.internal"]\n' in text, text
        plan = load_script_text(text, base_dir=Path("/srv/ceremony"), now=NOW)
        assert plan.details.withdraw == ("https://rekor.example.internal",)


@pytest.mark.parametrize("theme", THEMES)
def test_sigstore_withdraw_in_a_rotation_from_the_last_bundle(still_app, sigstore_v1, tmp_path,
                                                              theme):
    """Ctrl+L on a Sigstore rotate-root form: trust: is carried as written, and the
    form still offers "Withdraw" (at 80x24, in view, each theme), written at the end
    of the carried trust:. Before, the form wrote a second, empty trust: ("trust:
    defined twice") and had no Withdraw field."""
    folder = copy_of(sigstore_v1, tmp_path / "room")
    asyncio.run(withdraw_from_last(still_app(clock=lambda: NOW, workdir=str(folder)),
                                   folder, theme))


async def withdraw_from_last(app, folder: Path, theme: str) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        pilot.app.theme = theme
        pilot.app.push_screen(BuildScreen("rotate-root", flavor="sigstore"))
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, BuildScreen), "the form")
        first = pilot.app.screen
        first.query_one("#current").value = "v1"
        await pilot.press("ctrl+l")
        await wait_for(pilot, lambda: pilot.app.screen is not first
                       and pilot.app.screen.rendered is not None, "the last bundle's script")
        screen = pilot.app.screen
        assert "  mirror: https://tuf.example.internal" in str(
            screen.query_one("#carried").render())
        assert screen.valid, screen.problem
        await type_into(pilot, "sigstore-withdraw", "http://rekor.example.internal")
        await wait_for(pilot, lambda: "http:" in str(screen.problem), "the URL verdict")
        error = screen.query_one("#sigstore-withdraw-error")
        assert "https" in str(error.render())
        for shown in (screen.query_one("#sigstore-withdraw"), error):
            assert screen.region.contains_region(shown.region), shown.region
        await pilot.press("home", *["right"] * 4, "s")  # https://
        await wait_for(pilot, lambda: screen.valid, f"the script to load ({screen.problem})")
        text = screen.rendered.text
        assert text.count("\ntrust:") == 1, text
        assert '  legacy-targets: true\n  withdraw: ["https://rekor.example.internal"]\n' in text
        plan = load_script_text(text, base_dir=folder, now=NOW)
        assert plan.details.withdraw == ("https://rekor.example.internal",)


def _cosign_field(screen: BuildScreen, name: str) -> str:
    return f"cosign-{screen.query(CosignRowForm).first().tag}-{name}"


@every_look
@pytest.mark.parametrize("flavor", ["dct", "sigstore"])
def test_flavor_form(snap_compare, still_app, flavor, size, theme):
    async def prepare(pilot):
        # sigstore: an update-trust, the trust material without the keys (quicker to draw)
        kind = "bootstrap" if flavor == "dct" else "update-trust"
        pilot.app.push_screen(BuildScreen(kind, flavor=flavor))
        await wait_for(pilot, lambda: pilot.app.screen.query(f"#{flavor}-form"), "the form")
        screen = pilot.app.screen
        if flavor == "dct":
            screen.query_one("#dct-guns").value = "registry.example.com/app, registry.example.com/A"
            screen.query_one("#dct-server-keys").value = "/media/usb/server-keys"
            await wait_for(pilot, lambda: "valid Docker" in str(screen.problem), "the verdict")
            return "#dct-guns", "#dct-form"
        screen.query_one("#current").value = "../media/2026-11-sigstore-bootstrap"
        screen.query_one("#sigstore-mirror").value = "https://tuf.example.internal"
        fulcio, rekor = list(screen.query(TrustEntryForm))[:2]
        screen.query_one(f"#entry-{fulcio.tag}-url").value = "https://fulcio.example.internal"
        screen.query_one(f"#entry-{fulcio.tag}-file").value = "material/fulcio-chain.pem"
        await wait_for(pilot, lambda: "trust.rekor" in str(screen.problem), "the verdict")
        return f"#entry-{rekor.tag}-url", "#sigstore-form"

    assert form_snapshot(snap_compare, still_app(), size, theme, prepare)


@every_look
@pytest.mark.parametrize("flavor", ["dct", "sigstore"])
def test_flavor_recover_form(snap_compare, still_app, flavor, size, theme):
    """A recover of the flavor, filled in as values: dct from the current bundle
    (the custody copies and the dct part below), sigstore from its part (the
    cosign keys reissued from custody, the trust material)."""
    async def prepare(pilot):
        pilot.app.push_screen(BuildScreen("recover", flavor=flavor))
        await wait_for(pilot, lambda: pilot.app.screen.query(f"#{flavor}-form"), "the form")
        screen = pilot.app.screen
        values = {"current": f"../media/2027-05-{flavor}-rotation",
                  "copies": "/media/custody-a, /media/custody-b"}
        if flavor == "dct":
            values |= {"dct-guns": "registry.example.com/app",
                       "dct-server-keys": "/media/usb/server-keys"}
        else:
            values |= {"sigstore-reissue-cosign": "ci-release",
                       "sigstore-mirror": "https://tuf.example.internal"}
        for field_id, value in values.items():
            screen.query_one(f"#{field_id}").value = value
        await wait_for(pilot, lambda: "custody-b" in (screen.rendered.text if screen.rendered
                                                      else ""), "judged")
        return ("#copies", "#current") if flavor == "dct" else (
            "#sigstore-reissue-cosign", "#sigstore-form")

    assert form_snapshot(snap_compare, still_app(), size, theme, prepare)
