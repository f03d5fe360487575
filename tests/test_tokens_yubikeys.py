"""``ceremony tokens`` lists YubiKeys through yubikit: firmware, serial, form factor,
PIV slots in use and whether each key is attested (and under which hierarchy).

The YubiKeys are fake cards answering APDUs (tests/fake_piv_card.py).
"""

from __future__ import annotations

import json

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from fake_piv_card import FakePivCard, FakeReader

import hsm.yubikey.attestation as attestation_module
import hsm.yubikey.device as device_module
from ceremony.cli import main
from hsm.yubikey import PivApplet, open_yubikey

FACTORY = bytes.fromhex("010203040506070801020304050607080102030405060708")


@pytest.fixture
def cards(monkeypatch):
    trusted = FakePivCard(serial=31313131, form_factor=0x83)
    untrusted = FakePivCard(serial=42424242, firmware=(5, 4, 3), with_intermediate=False,
                            root_key=rsa.generate_private_key(65537, 2048))
    monkeypatch.setattr(device_module, "READERS",
                        lambda: [FakeReader(trusted), FakeReader(untrusted)])
    monkeypatch.setattr(attestation_module, "shipped_roots", lambda: [trusted.root])
    monkeypatch.setattr(attestation_module, "shipped_intermediates",
                        lambda: trusted.intermediates)
    for card, slot, kind in ((trusted, 0x9C, 0xE0), (untrusted, 0x9A, 0x11)):
        applet = PivApplet(open_yubikey(card.serial), production=False)
        applet.piv.authenticate(FACTORY)
        applet.piv.generate_key(slot, kind, 3, 2)
        applet.close()
    trusted.pin, trusted.puk, trusted.management_key = "20202020", "30303030", b"\x0b" * 24
    return trusted, untrusted


def test_yubikeys_are_listed_with_slots_and_attestation(cards, capsys, monkeypatch):
    monkeypatch.delenv("CEREMONY_PKCS11_MODULE", raising=False)
    monkeypatch.setattr("ceremony.cli.tokens.KNOWN_MODULES", ())
    code = main(["tokens"])
    out, err = capsys.readouterr()
    lines = out.splitlines()
    start = lines.index("YubiKeys (yubikit over pcscd)")
    assert lines[start + 1:start + 4] == [
        "  YubiKey 31313131  firmware 5.7.4, USB-C keychain, FIPS series; PIN 3 tries left, "
        "PUK 3 tries left",
        "    slot 9c  ed25519  generated  PIN always, touch always",
        "      attested under a root given by the caller, not a pinned Yubico root (tests and "
        "rehearsals only)",
    ]
    second = lines.index("  YubiKey 42424242  firmware 5.4.3, USB-C keychain; PIN 3 tries "
                         "left, PUK 3 tries left")
    assert lines[second + 1].startswith("    FACTORY PIN, PUK, MANAGEMENT KEY still set")
    assert lines[second + 2] == "    slot 9a  ecdsa-p256  generated  PIN always, touch always"
    assert lines[second + 3].startswith(
        "      NOT ATTESTED: the YubiKey's device certificate (slot f9) names 'Test PIV Root CA'"
        " as its issuer, but that certificate's key did not sign it")
    assert code == 1 and "2 thing(s) flagged" in err


def test_yubikeys_appear_in_the_json_listing(cards, capsys, monkeypatch):
    monkeypatch.setattr("ceremony.cli.tokens.KNOWN_MODULES", ())
    monkeypatch.delenv("CEREMONY_PKCS11_MODULE", raising=False)
    assert main(["tokens", "--json"]) == 0
    listing = json.loads(capsys.readouterr().out)
    devices = {d["serial"]: d for d in listing["yubikeys"]["devices"]}
    assert devices["31313131"]["firmware"] == "5.7.4" and devices["31313131"]["fips"]
    (slot,) = devices["31313131"]["slots"]
    assert (slot["slot"], slot["algorithm"], slot["attested"]) == ("9c", "ed25519", True)
    assert devices["42424242"]["factory"] == ["PIN", "PUK", "management key"]
    assert devices["42424242"]["slots"][0]["attested"] is False


def test_without_pcscd_the_listing_says_what_to_do(monkeypatch, capsys):
    def no_service():
        from hsm.yubikey.errors import SmartCardServiceError

        raise SmartCardServiceError("the PC/SC service does not answer (NoService)",
                                    device_module.PCSCD_TODO)

    monkeypatch.setattr(device_module, "READERS", no_service)
    monkeypatch.setattr("ceremony.cli.tokens.KNOWN_MODULES", ())
    monkeypatch.delenv("CEREMONY_PKCS11_MODULE", raising=False)
    assert main(["tokens"]) == 0
    out = capsys.readouterr().out
    assert ("  the PC/SC service does not answer (NoService). install and start Debian's "
            "PC/SC service: apt-get install pcscd, then systemctl start pcscd.socket") in out
