"""Yubico's pinned roots and intermediates, and real attestations published by owners.

Both hierarchies are checked as shipped (fingerprints, signatures up to the
root) and against real attestations (tests/data/yubikey/README.md says where
each came from): one from a YubiKey 5C FIPS with firmware 5.4.3 under "Yubico
PIV Root CA Serial 263751", two from YubiKeys with firmware 5.7.4 under
"Yubico Attestation Root 1". No key a test holds can make those chains.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from yubikey_chains import certificate, root_key, yubico_extensions

from hsm.yubikey import AttestationError, verify_attestation
from hsm.yubikey.pki import (
    PINNED_INTERMEDIATES,
    PINNED_ROOTS,
    common_name,
    sha256,
    shipped_intermediates,
    shipped_roots,
)

DATA = Path(__file__).parent / "data" / "yubikey"
OLD_SLOT, OLD_F9 = DATA / "docker-tuf-25515003-slot-9c.pem", DATA / "docker-tuf-25515003-f9.pem"
NEW_SLOT, NEW_F9 = DATA / "pkb-rocks-signer-a-slot-9c.pem", DATA / "pkb-rocks-f9.pem"


def cert(path: Path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())


def test_both_roots_ship_pinned_and_self_signed():
    roots = {common_name(r.subject): r for r in shipped_roots()}
    assert sha256(roots["Yubico PIV Root CA Serial 263751"]) == (
        "63ece914e54dd87915f34033c85af4c0696ba1512f8add66ced738331207b546")
    assert sha256(roots["Yubico Attestation Root 1"]) == (
        "62760c6a6ef91679f454c8902b80fd009825b3f25da90f1fbace2ec6586cd5a8")
    for root in roots.values():
        root.verify_directly_issued_by(root)
    assert set(map(sha256, roots.values())) == set(PINNED_ROOTS)


def test_the_piv_intermediates_chain_to_attestation_root_1():
    root = next(r for r in shipped_roots() if common_name(r.subject) == "Yubico Attestation Root 1")
    by_name = {common_name(c.subject): c for c in shipped_intermediates()}
    assert set(map(sha256, by_name.values())) == set(PINNED_INTERMEDIATES)
    for branch in ("A", "B"):
        middle = by_name[f"Yubico Attestation Intermediate {branch} 1"]
        piv = by_name[f"Yubico PIV Attestation {branch} 1"]
        middle.verify_directly_issued_by(root)
        piv.verify_directly_issued_by(middle)


def test_a_real_attestation_under_the_old_root_verifies():
    slot = cert(OLD_SLOT)
    attestation = verify_attestation(slot, cert(OLD_F9), slot.public_key(), slot="9c",
                                     serial=25515003, algorithm="ecdsa-p384")
    assert attestation.hierarchy == "Yubico PIV Root CA Serial 263751 (firmware before 5.7.4)"
    assert attestation.pinned
    assert attestation.chain == ("YubiKey PIV Attestation 9c", "Yubico PIV Attestation",
                                 "Yubico PIV Root CA Serial 263751")
    assert (attestation.firmware, attestation.serial) == ("5.4.3", 25515003)
    assert (attestation.pin_policy, attestation.touch_policy) == ("always", "never")
    assert attestation.form_factor == "USB-C keychain" and attestation.fips_series is True


def test_real_attestations_under_attestation_root_1_verify():
    for path, serial in ((NEW_SLOT, 38906121), (DATA / "pkb-rocks-signer-b-slot-9c.pem",
                                                 38906327)):
        slot = cert(path)
        attestation = verify_attestation(slot, cert(NEW_F9), slot.public_key(), serial=serial,
                                         algorithm="ecdsa-p256")
        assert attestation.hierarchy == "Yubico Attestation Root 1 (firmware 5.7.4 and later)"
        assert attestation.chain == (
            "YubiKey PIV Attestation 9c", "Yubico PIV Attestation", "Yubico PIV Attestation B 1",
            "Yubico Attestation Intermediate B 1", "Yubico Attestation Root 1")
        assert (attestation.firmware, attestation.serial) == ("5.7.4", serial)
        assert (attestation.pin_policy, attestation.touch_policy) == ("always", "always")
        assert attestation.form_factor == "USB-C keychain" and attestation.fips_series is False
        assert len(attestation.intermediate_pems) == 2


def test_a_real_new_attestation_checked_against_the_old_root_alone_is_refused():
    # What the tool did before issue 17: only "Yubico PIV Root CA Serial 263751".
    slot = cert(NEW_SLOT)
    old_root_only = [r for r in shipped_roots()
                     if common_name(r.subject) == "Yubico PIV Root CA Serial 263751"]
    with pytest.raises(AttestationError) as caught:
        verify_attestation(slot, cert(NEW_F9), slot.public_key(), roots=old_root_only)
    assert ("the certificate 'Yubico Attestation Intermediate B 1' was issued by 'Yubico "
            "Attestation Root 1', which is not among the Yubico attestation certificates "
            "this tool ships") in str(caught.value)


def test_a_swapped_intermediate_on_a_real_chain_is_refused():
    slot = cert(NEW_SLOT)
    # A certificate with B 1's name, made by a test key, is offered first.
    fake_b1 = certificate("Yubico PIV Attestation B 1", "Yubico Attestation Intermediate B 1",
                          ec.generate_private_key(ec.SECP256R1()).public_key(), root_key(),
                          ca=True)
    attestation = verify_attestation(slot, cert(NEW_F9), slot.public_key(),
                                     intermediates=[fake_b1])
    assert attestation.chain[2] == "Yubico PIV Attestation B 1"
    assert sha256(x509.load_pem_x509_certificate(attestation.intermediate_pems[0].encode())) \
        == "2d55b7998f4e42569d6d8fa382b6dc77d1dacf07358b19701163892922b17052"
    # A device certificate signed by the fake B 1 is refused.
    fake_b1_key = ec.generate_private_key(ec.SECP384R1())
    fake_b1 = certificate("Yubico PIV Attestation B 1", "Yubico Attestation Intermediate B 1",
                          fake_b1_key.public_key(), root_key(), ca=True)
    device_key = ec.generate_private_key(ec.SECP256R1())
    device = certificate("Yubico PIV Attestation", "Yubico PIV Attestation B 1",
                         device_key.public_key(), fake_b1_key, ca=True)
    forged = certificate("YubiKey PIV Attestation 9c", "Yubico PIV Attestation",
                         slot.public_key(), device_key, ca=False,
                         extensions=yubico_extensions(firmware=(5, 7, 4)))
    with pytest.raises(AttestationError) as caught:
        verify_attestation(forged, device, slot.public_key(), intermediates=[fake_b1])
    assert ("the certificate 'Yubico PIV Attestation B 1' names 'Yubico Attestation "
            "Intermediate B 1' as its issuer, but that certificate's key did not sign it"
            ) in str(caught.value)


def test_a_real_slot_certificate_with_another_key_or_device_is_refused():
    slot = cert(NEW_SLOT)
    other = cert(DATA / "pkb-rocks-signer-b-slot-9c.pem").public_key()
    with pytest.raises(AttestationError, match="attested public key is not the key"):
        verify_attestation(slot, cert(NEW_F9), other)
    with pytest.raises(AttestationError, match="not signed by this YubiKey's device"):
        verify_attestation(slot, cert(OLD_F9), slot.public_key())


def test_a_real_old_chain_is_refused_once_its_certificates_expire():
    slot = cert(OLD_SLOT)
    with pytest.raises(AttestationError, match="is not valid on 2052-05-01"):
        verify_attestation(slot, cert(OLD_F9), slot.public_key(),
                           now=datetime(2052, 5, 1, tzinfo=UTC))


def test_a_real_attestation_with_too_old_a_firmware_for_the_request_is_refused():
    slot = cert(OLD_SLOT)
    with pytest.raises(AttestationError, match="is a ecdsa-p384 key, not the ed25519 key"):
        verify_attestation(slot, cert(OLD_F9), slot.public_key(), algorithm="ed25519")
