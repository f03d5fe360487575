"""scripts/yubikey_check.py runs against a YubiKey; here against the fake card, so
the script cannot rot. The real run needs a real YubiKey (see docs/reference/hardware.md)."""

from __future__ import annotations

import sys
from pathlib import Path

from fake_piv_card import FakePivCard, FakeReader

import hsm.yubikey.attestation as attestation_module
import hsm.yubikey.device as device_module

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
from yubikey_check import run_check  # noqa: E402

MANAGEMENT, PIN = "e5" * 24, "40404040"


def card() -> FakePivCard:
    made = FakePivCard(serial=51515151)
    made.pin, made.management_key = PIN, bytes.fromhex(MANAGEMENT)
    return made


def answers(prompt: str) -> str:
    return PIN if prompt.startswith("PIN") else MANAGEMENT


def plugged(monkeypatch) -> FakePivCard:
    """A YubiKey plugged in whose test chain stands in for Yubico's."""
    yubikey = card()
    monkeypatch.setattr(device_module, "READERS", lambda: [FakeReader(yubikey)])
    monkeypatch.setattr(attestation_module, "shipped_roots", lambda: [yubikey.root])
    monkeypatch.setattr(attestation_module, "shipped_intermediates",
                        lambda: yubikey.intermediates)
    return yubikey


def test_the_check_fails_on_an_unpinned_chain_and_cleans_up(monkeypatch):
    yubikey = plugged(monkeypatch)
    said: list[str] = []
    # The fake chain's root is not a pinned Yubico root: the check says so and fails,
    # exactly as it must on a YubiKey whose attestation is not Yubico's.
    assert not run_check("51515151", slot="95", algorithm="ed25519", ask=answers,
                         say=said.append)
    assert said[-2].startswith("FAIL: verifying the attestation against the pinned Yubico "
                               "roots: the attestation did not chain to a pinned Yubico root")
    assert said[-1] == "the test key in slot 95 was deleted"
    assert 0x95 not in yubikey.slots


def test_the_check_passes_with_a_pinned_hierarchy(monkeypatch):
    yubikey = plugged(monkeypatch)
    from hsm.yubikey import pki

    monkeypatch.setitem(pki.PINNED_ROOTS, pki.sha256(yubikey.root), pki.ATTESTATION_ROOT_1)
    said: list[str] = []
    assert run_check("51515151", slot="95", algorithm="ed25519", ask=answers, say=said.append)
    assert said[-1] == ("PASS: YubiKey 51515151 made, attested and signed with an ed25519 key "
                        "through yubikit")
    assert "attested under Yubico Attestation Root 1 (firmware 5.7.4 and later)" in said
    assert "touch the YubiKey YubiKey PIV #51515151 now to sign" in said
    assert "the test key in slot 95 was deleted" in said and 0x95 not in yubikey.slots
    assert all(PIN not in line and MANAGEMENT not in line for line in said)


def test_a_used_slot_is_never_touched(monkeypatch):
    yubikey = plugged(monkeypatch)
    said: list[str] = []
    first = run_check("51515151", slot="95", algorithm="ecdsa-p256", ask=answers,
                      say=said.append, keep=True)
    assert not first and 0x95 in yubikey.slots  # kept (attestation not pinned here)
    key = yubikey.slots[0x95]
    said.clear()
    assert not run_check("51515151", slot="95", algorithm="ed25519", ask=answers,
                         say=said.append)
    assert said[-1] == ("FAIL: checking slot 95 is empty: slot 95 already holds a key. "
                        "choose an empty retired slot with --slot (82 to 95)")
    assert yubikey.slots[0x95] is key
