"""The yubikit backend, driven through yubikit's own PivSession and ManagementSession.

No YubiKey is attached here: tests/fake_piv_card.py answers the APDUs a real one
answers, so everything above the smart-card connection is the real code path
(yubikit included). scripts/yubikey-check runs the same path on a real YubiKey.
"""

from __future__ import annotations

import pytest
from fake_piv_card import FakePivCard, FakeReader
from tuf.api.metadata import Metadata, Root

import hsm.yubikey.device as device_module
from hsm.errors import KeyBackendError, KeyNotFoundError
from hsm.pkcs11 import PinIncorrectError, PinLockedError, TokenRemovedError
from hsm.yubikey import (
    AttestationError,
    DefaultCredentialError,
    FirmwareTooOldError,
    PivApplet,
    SlotTakenError,
    YubiKeyNotFoundError,
    list_yubikeys,
    open_yubikey,
    yubikey_for,
)
from hsm.yubikey.preflight import check_yubikey

MANAGEMENT = "a1" * 24
PIN, PUK = "8413-220", "99887766"
GENERATE, ATTEST = 0x47, 0xF9


@pytest.fixture
def plug(monkeypatch):
    """Plug fake YubiKeys in: plug(card, ...) -> the cards."""
    cards: list[FakePivCard] = []
    monkeypatch.setattr(device_module, "READERS", lambda: [FakeReader(c) for c in cards])

    def insert(*more: FakePivCard) -> list[FakePivCard]:
        cards.extend(more)
        return cards

    return insert


def prepared_card(**kwargs) -> FakePivCard:
    card = FakePivCard(**kwargs)
    card.pin, card.puk, card.management_key = PIN, PUK, bytes.fromhex(MANAGEMENT)
    return card


def applet_for(card: FakePivCard, **kwargs) -> PivApplet:
    return PivApplet(open_yubikey(card.serial), roots=[card.root],
                     intermediates=card.intermediates, **kwargs)


def test_yubikeys_are_listed_and_opened_by_serial(plug):
    plug(FakePivCard(serial=11111111, form_factor=0x83), FakePivCard(serial=22222222,
                                                                      firmware=(5, 4, 3)))
    infos = {i.serial: i for i in list_yubikeys()}
    assert infos["11111111"].firmware == "5.7.4" and infos["22222222"].firmware == "5.4.3"
    assert infos["11111111"].form_factor == "USB-C keychain" and infos["11111111"].fips
    assert infos["11111111"].label == "YubiKey PIV #11111111"
    device = open_yubikey("22222222")
    assert device.info.serial == "22222222" and device.info.name == "YubiKey 22222222"
    device.close()
    with pytest.raises(YubiKeyNotFoundError) as caught:
        open_yubikey("33333333")
    assert str(caught.value).startswith("no YubiKey with serial 33333333 is plugged in "
                                        "(YubiKeys seen: 11111111, 22222222)")
    with pytest.raises(YubiKeyNotFoundError, match="2 YubiKeys are plugged in"):
        open_yubikey()


def test_factory_credentials_are_read_for_free_and_refused_in_production(plug):
    (card,) = plug(FakePivCard())
    applet = applet_for(card)
    assert applet.credentials().refusals() == ["PIN", "PUK", "management key"]
    with pytest.raises(DefaultCredentialError) as caught:
        applet.login(lambda request: pytest.fail("the PIN must not be asked"))
    assert str(caught.value) == (
        "YubiKey 12345678 still has its factory PIN and PUK and management key, so it is "
        "refused before the PIN is asked. prepare it before the ceremony "
        "(docs/reference/hardware.md), or mark the key `prepare: true` in the script to replace "
        "them in this ceremony")
    with pytest.raises(DefaultCredentialError):
        applet.generate("9c", "ed25519", management_key=MANAGEMENT)
    assert GENERATE not in card.log and (card.pin_tries, card.puk_tries) == (3, 3)
    rehearsal = applet_for(card, production=False)
    rehearsal.login("123456")
    assert rehearsal.device.logged_in


def test_a_yubikey_is_prepared_in_the_ceremony(plug):
    (card,) = plug(FakePivCard())
    applet = applet_for(card, prepare=True)
    with pytest.raises(KeyBackendError, match="a new YubiKey PIN has 6 to 8 characters"):
        applet.prepare(new_pin="12345", new_puk=PUK, new_management_key=MANAGEMENT)
    with pytest.raises(DefaultCredentialError, match="the new PUK is the factory PUK"):
        applet.prepare(new_pin=PIN, new_puk="12345678", new_management_key=MANAGEMENT)
    assert card.pin == "123456"  # nothing was sent
    assert applet.prepare(new_pin=PIN, new_puk=PUK, new_management_key=MANAGEMENT) == [
        "management key", "PIN", "PUK"]
    assert (card.pin, card.puk, card.management_key.hex()) == (PIN, PUK, MANAGEMENT)
    assert applet.credentials().refusals() == []
    assert applet.prepared == ["management key", "PIN", "PUK"]
    assert applet_for(card, prepare=True).prepare(
        new_pin=PIN, new_puk=PUK, new_management_key=MANAGEMENT) == []
    with pytest.raises(KeyBackendError, match="not marked to be prepared"):
        applet_for(card).prepare(new_pin=PIN, new_puk=PUK, new_management_key=MANAGEMENT)


@pytest.mark.parametrize("algorithm", ["ed25519", "ecdsa-p256", "ecdsa-p384", "rsa-3072"])
def test_keys_are_generated_attested_and_sign_tuf_metadata(plug, algorithm):
    (card,) = plug(prepared_card())
    applet = applet_for(card)
    made = applet.generate("9c", algorithm, management_key=MANAGEMENT,
                           pin_policy="always", touch_policy="always")
    attestation = applet.attest("9c", made.public_key, algorithm=algorithm)
    assert (attestation.pin_policy, attestation.touch_policy) == ("always", "always")
    assert attestation.serial == 12345678 and attestation.firmware == "5.7.4"
    assert attestation.chain[2] == "Test PIV Attestation B 1"
    applet.login(PIN)
    touches: list[str] = []
    signer = applet.open_slot_key("9c", made.public_key, attestation=attestation,
                                  on_touch=touches.append)
    root = Root()
    root.add_key(signer.public_key, Root.type)
    metadata = Metadata(root)
    metadata.sign(signer)
    metadata.sign(signer)  # PIN policy always: the kept PIN is verified again
    metadata.signed.verify_delegate(Root.type, metadata.signed_bytes, metadata.signatures)
    assert touches == ["touch the YubiKey YubiKey PIV #12345678 now to sign"] * 2
    assert card.touches == 2
    facts = signer.facts()
    assert facts.backend == "yubikey" and facts.generated_on_device
    assert facts.extra["attestation_hierarchy"].startswith("a root given by the caller")
    assert facts.extra["piv_driver"] == "yubikit" and facts.extra["piv_slot"] == "9c"
    assert facts.location == (
        "pkcs11:token=YubiKey%20PIV%20%2312345678;serial=12345678;id=%02;type=private;"
        "x-piv-driver=yubikit?module-path=/usr/lib/x86_64-linux-gnu/libykcs11.so")


def test_rsa_4096_is_made_and_signs(plug):
    (card,) = plug(prepared_card())
    applet = applet_for(card)
    made = applet.generate("9a", "rsa-4096", management_key=MANAGEMENT)
    applet.login(PIN)
    signer = applet.open_slot_key("9a", made.public_key,
                                  attestation=applet.attest("9a", made.public_key))
    assert signer.sign(b"payload").signature and not signer.needs_touch


@pytest.mark.parametrize("algorithm", ["ed25519", "rsa-3072", "rsa-4096"])
def test_new_algorithms_are_refused_on_firmware_before_5_7(plug, algorithm):
    (card,) = plug(prepared_card(firmware=(5, 4, 3)))
    with pytest.raises(FirmwareTooOldError) as caught:
        applet_for(card).generate("9c", algorithm, management_key=MANAGEMENT)
    assert str(caught.value) == (
        f"YubiKey 12345678 has firmware 5.4.3, and {algorithm} keys need firmware 5.7 or "
        "later. use a YubiKey with firmware 5.7 or later (every YubiKey 5 sold since "
        "2024), or choose ecdsa-p256 for this key; firmware cannot be upgraded")
    assert GENERATE not in card.log


def test_a_slot_is_never_overwritten_and_a_wrong_management_key_is_said(plug):
    (card,) = plug(prepared_card())
    applet = applet_for(card)
    with pytest.raises(KeyBackendError, match="the management key for YubiKey 12345678 is "
                                              "wrong. type it again"):
        applet.generate("9c", "ecdsa-p256", management_key="b2" * 24)
    with pytest.raises(KeyBackendError, match="is not 32, 48 or 64 hex digits"):
        applet.generate("9c", "ecdsa-p256", management_key="zz" * 24)
    first = applet.generate("9c", "ecdsa-p256", management_key=MANAGEMENT)
    with pytest.raises(SlotTakenError, match="slot 9c of YubiKey 12345678 already holds a key"):
        applet.generate("9c", "ecdsa-p256", management_key=MANAGEMENT)
    assert card.log.count(GENERATE) == 1
    applet.login(PIN)
    other = applet.generate("9d", "ecdsa-p256", management_key=MANAGEMENT).public_key
    with pytest.raises(KeyNotFoundError, match="holds another key than the one recorded"):
        applet.open_slot_key("9c", other)
    with pytest.raises(KeyNotFoundError, match="slot 9e of YubiKey 12345678 holds no key"):
        applet.open_slot_key("9e", first.public_key)
    with pytest.raises(KeyBackendError, match="not a YubiKey touch policy"):
        applet.generate("9a", "ecdsa-p256", management_key=MANAGEMENT,
                        touch_policy="sometimes")


def test_pin_tries_are_read_and_a_wrong_pin_says_how_many_are_left(plug):
    (card,) = plug(prepared_card())
    applet = applet_for(card)
    assert applet.tries_left().pin == 3
    with pytest.raises(PinIncorrectError, match="wrong; 2 tries are left") as caught:
        applet.login("00000000")
    assert caught.value.tries_left == 2
    warnings = []
    with pytest.raises(PinIncorrectError, match="ONE try is left"):
        applet.login(lambda request: warnings.append(request.warning) or "11111111")
    assert warnings == ["an earlier PIN was wrong: 2 tries are left"]
    assert applet.tries_left().warning() == "this is the FINAL try: a wrong PIN now blocks " \
                                            "the PIN"
    with pytest.raises(PinLockedError, match="was wrong and is now blocked"):
        applet.login("22222222")
    with pytest.raises(PinLockedError, match="the PIN of YubiKey 12345678 is blocked"):
        applet.login(lambda request: pytest.fail("a blocked PIN is never asked"))
    assert card.pin_tries == 0


def test_a_factory_pin_typed_in_production_is_not_sent(plug):
    (card,) = plug(prepared_card())  # its PIN is 8413-220; the keyholder types 123456
    applet = applet_for(card)
    with pytest.raises(DefaultCredentialError, match="factory PIN"):
        applet.login("123456")
    assert card.pin_tries == 3


def test_the_pinned_roots_refuse_a_test_card_and_say_what_is_missing(plug):
    (card,) = plug(prepared_card())
    applet = PivApplet(open_yubikey(card.serial))  # the pinned Yubico roots
    made = applet.generate("9c", "ecdsa-p256", management_key=MANAGEMENT)
    with pytest.raises(AttestationError, match="issued by 'Test PIV Attestation B 1'"):
        applet.attest("9c", made.public_key)
    assert ATTEST in card.log


def test_a_yubikey_pulled_out_is_said_plainly(plug):
    (card,) = plug(prepared_card())
    applet = applet_for(card)
    applet.login(PIN)
    card.removed = True
    with pytest.raises(TokenRemovedError, match="YubiKey 12345678 stopped answering"):
        applet.generate("9c", "ecdsa-p256", management_key=MANAGEMENT)


def test_yubikey_for_chooses_the_route_by_what_was_opened(plug):
    (card,) = plug(prepared_card())
    device = open_yubikey(card.serial)
    assert isinstance(yubikey_for(device, production=False), PivApplet)
    device.close()
    device.close()  # twice is harmless


def test_preflight_says_everything_without_a_pin(plug):
    (card,) = plug(FakePivCard(firmware=(5, 4, 3)))
    card.pin_tries = 2
    applet = PivApplet(open_yubikey(card.serial), production=False)
    applet.piv.authenticate(bytes.fromhex("010203040506070801020304050607080102030405060708"))
    applet.piv.generate_key(0x9A, 0x11)
    applet.close()
    info, problems = check_yubikey(card.serial, algorithms=["ed25519", "ecdsa-p256"],
                                   slots_to_fill=["9a", "9c"], slots_in_use=[("old", "9d")])
    said = [(str(p), p.blocking) for p in problems]
    assert info.firmware == "5.4.3"
    assert said == [
        ("YubiKey 12345678 has firmware 5.4.3, and ed25519 keys need firmware 5.7 or later. "
         "use a YubiKey with firmware 5.7 or later (every YubiKey 5 sold since 2024), or "
         "choose ecdsa-p256 for this key; firmware cannot be upgraded", True),
        ("YubiKey 12345678 has 2 PIN tries left. an earlier PIN was wrong; check the PIN "
         "record", False),
        ("YubiKey 12345678 still has its factory PIN and PUK and management key. prepare "
         "it before the ceremony (docs/reference/hardware.md), or mark the key `prepare: true` to "
         "replace them in this ceremony", True),
        ("slot 9a of YubiKey 12345678 already holds a key. the tool never overwrites a "
         "slot: clear it first, or choose another", True),
        ("slot 9d of YubiKey 12345678 holds no key, and key old is recorded there. check "
         "that the right YubiKey is inserted", True),
    ]
    _, prepared = check_yubikey(card.serial, prepare=True)
    assert [p.blocking for p in prepared] == [False, False]
    assert GENERATE in card.log and card.pin_tries == 2  # no try spent by preflight
