"""YubiKey attestation verification on chains the tests make with keys they hold.

A test root stands for a Yubico root and a test intermediate for "Yubico PIV
Attestation B 1": no test can hold Yubico's keys. The pinned roots and
intermediates themselves are tested against real published attestations in
test_yubikey_pki.py.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from yubikey_chains import START, YUBICO, make_chain, yubico_extensions

from hsm.algorithms import algorithm
from hsm.software import SoftwareKey
from hsm.yubikey import AttestationError, verify_attestation
from hsm.yubikey.attestation import UNPINNED

DER = serialization.Encoding.DER
PEM = serialization.Encoding.PEM


@pytest.fixture(scope="module")
def key():
    return SoftwareKey.generate(algorithm("ecdsa-p256")).crypto_public_key


@pytest.fixture(scope="module")
def chain(key):
    return make_chain(key)


@pytest.fixture(scope="module")
def new_chain(key):
    """Shaped like firmware 5.7.4: root -> intermediate (key held) -> f9 -> slot."""
    return make_chain(key, with_intermediate=True,
                      extensions=yubico_extensions(firmware=(5, 7, 4), form=0x83))


def test_a_good_chain_verifies_and_its_extensions_are_read(chain, key):
    attestation = verify_attestation(
        chain.slot.public_bytes(DER), chain.device.public_bytes(PEM), key,
        roots=[chain.root], slot="9c", serial=12345678,
    )
    assert attestation.slot == "9c"
    assert attestation.serial == 12345678
    assert attestation.firmware == "5.4.3"
    assert (attestation.pin_policy, attestation.touch_policy) == ("once", "always")
    assert attestation.form_factor == "USB-C keychain" and attestation.fips_series is False
    assert attestation.root_subject == "Test PIV Root CA"
    assert attestation.hierarchy == UNPINNED and not attestation.pinned
    assert attestation.chain == ("YubiKey PIV Attestation 9c", "Yubico PIV Attestation",
                                 "Test PIV Root CA")
    facts = attestation.facts()
    assert facts["attested_serial"] == 12345678
    assert facts["attestation_certificate"].startswith("-----BEGIN CERTIFICATE-----")
    assert facts["attestation_root_sha256"] == hashlib.sha256(
        chain.root.public_bytes(DER)).hexdigest()


def test_a_chain_through_an_intermediate_records_every_link(new_chain, key):
    attestation = verify_attestation(new_chain.slot, new_chain.device, key,
                                     roots=[new_chain.root],
                                     intermediates=new_chain.intermediates)
    assert attestation.chain == ("YubiKey PIV Attestation 9c", "Yubico PIV Attestation",
                                 "Test PIV Attestation B 1", "Test PIV Root CA")
    assert attestation.firmware == "5.7.4" and attestation.fips_series is True
    assert len(attestation.facts()["attestation_intermediates"]) == 1


def test_a_missing_intermediate_is_named_with_where_to_get_it(new_chain, key):
    with pytest.raises(AttestationError) as caught:
        verify_attestation(new_chain.slot, new_chain.device, key, roots=[new_chain.root])
    message = str(caught.value)
    assert "device certificate (slot f9) was issued by 'Test PIV Attestation B 1', which is " \
           "not among the Yubico attestation certificates this tool ships" in message
    assert "https://developers.yubico.com/PKI/yubico-intermediate.pem" in message


def test_the_public_key_may_be_given_as_pem(chain, key):
    pem = key.public_bytes(PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    assert verify_attestation(chain.slot, chain.device, pem, roots=[chain.root]).slot == "9c"


def test_a_chain_to_an_unpinned_root_is_refused(chain, key):
    with pytest.raises(AttestationError) as caught:
        verify_attestation(chain.slot, chain.device, key)  # the pinned Yubico roots
    assert "issued by 'Test PIV Root CA', which is not among" in str(caught.value)
    assert "do not use the key for a root key" in str(caught.value)


def test_a_root_named_like_yubicos_but_not_pinned_is_refused(key):
    impostor = make_chain(key, with_intermediate=True, root_name="Yubico Attestation Root 1",
                          intermediate_name="Yubico Attestation Intermediate B 1",
                          root_signing_key=rsa.generate_private_key(65537, 2048))
    with pytest.raises(AttestationError) as caught:
        verify_attestation(impostor.slot, impostor.device, key,
                           intermediates=impostor.intermediates)
    assert ("names 'Yubico Attestation Root 1' as its issuer, but that certificate's key "
            "did not sign it") in str(caught.value)


def test_a_swapped_intermediate_is_refused(new_chain, key):
    other = make_chain(key, with_intermediate=True)  # same names, another key
    with pytest.raises(AttestationError) as caught:
        verify_attestation(new_chain.slot, new_chain.device, key, roots=[new_chain.root],
                           intermediates=other.intermediates)
    assert ("names 'Test PIV Attestation B 1' as its issuer, but that certificate's key did "
            "not sign it") in str(caught.value)
    assert "swapped or forged" in str(caught.value)


def test_a_slot_certificate_whose_key_differs_is_refused(chain):
    other = ec.generate_private_key(ec.SECP256R1()).public_key()
    with pytest.raises(AttestationError, match="attested public key is not the key"):
        verify_attestation(chain.slot, chain.device, other, roots=[chain.root])


def test_a_slot_certificate_from_another_device_is_refused(chain, key):
    other_device = make_chain(key).device
    with pytest.raises(AttestationError, match="not signed by this YubiKey's device certificate"):
        verify_attestation(chain.slot, other_device, key, roots=[chain.root])


def test_slot_and_serial_must_match(chain, key):
    with pytest.raises(AttestationError, match="is for slot 9c, not slot 9a"):
        verify_attestation(chain.slot, chain.device, key, roots=[chain.root], slot="9a")
    with pytest.raises(AttestationError, match="serial 12345678, not 999"):
        verify_attestation(chain.slot, chain.device, key, roots=[chain.root], serial=999)


def test_an_expired_device_certificate_is_refused(key):
    expired = make_chain(key, with_intermediate=True,
                         device_end=datetime(2021, 1, 1, tzinfo=UTC))
    with pytest.raises(AttestationError) as caught:
        verify_attestation(expired.slot, expired.device, key, roots=[expired.root],
                           intermediates=expired.intermediates)
    assert "the device (f9) certificate (Yubico PIV Attestation) is not valid on" in \
        str(caught.value)
    assert "(valid 2020-01-01 to 2021-01-01)" in str(caught.value)


def test_certificates_not_yet_valid_or_past_the_root_are_refused(chain, key):
    with pytest.raises(AttestationError, match="is not valid on 2070-01-01"):
        verify_attestation(chain.slot, chain.device, key, roots=[chain.root],
                           now=datetime(2070, 1, 1, tzinfo=UTC))
    with pytest.raises(AttestationError, match="is not valid on 2019-06-01"):
        verify_attestation(chain.slot, chain.device, key, roots=[chain.root],
                           now=datetime(2019, 6, 1, tzinfo=UTC))
    assert START.year == 2020


def test_a_firmware_too_old_for_the_attested_algorithm_is_refused():
    ed_key = ed25519.Ed25519PrivateKey.generate().public_key()
    old = make_chain(ed_key, extensions=yubico_extensions(firmware=(5, 4, 3)))
    with pytest.raises(AttestationError) as caught:
        verify_attestation(old.slot, old.device, ed_key, roots=[old.root])
    assert ("the attestation is inconsistent: the attested YubiKey has firmware 5.4.3, and "
            "ed25519 keys need firmware 5.7 or later") in str(caught.value)
    new = make_chain(ed_key, extensions=yubico_extensions(firmware=(5, 7, 1)))
    assert verify_attestation(new.slot, new.device, ed_key, roots=[new.root],
                              algorithm="ed25519").firmware == "5.7.1"


def test_the_algorithm_asked_for_must_be_the_attested_one(chain, key):
    with pytest.raises(AttestationError, match="is a ecdsa-p256 key, not the ed25519 key"):
        verify_attestation(chain.slot, chain.device, key, roots=[chain.root],
                           algorithm="ed25519")


def test_missing_or_malformed_extensions(key):
    bare = make_chain(key, extensions=[])
    attestation = verify_attestation(bare.slot, bare.device, key, roots=[bare.root])
    assert (attestation.serial, attestation.firmware, attestation.pin_policy) == (None,) * 3
    broken = make_chain(key, extensions=[(f"{YUBICO}.8", b"\x01")])
    with pytest.raises(AttestationError, match="malformed Yubico policy extension"):
        verify_attestation(broken.slot, broken.device, key, roots=[broken.root])
    odd = make_chain(key, extensions=yubico_extensions(pin=3, touch=3, serial=2**31 + 5))
    attestation = verify_attestation(odd.slot, odd.device, key, roots=[odd.root])
    assert (attestation.pin_policy, attestation.touch_policy) == ("always", "cached")
    assert attestation.serial == 2**31 + 5
    short = make_chain(key, extensions=[(f"{YUBICO}.3", b"\x05\x07")])
    with pytest.raises(AttestationError, match="malformed Yubico firmware extension"):
        verify_attestation(short.slot, short.device, key, roots=[short.root])


def test_garbage_is_not_a_certificate(chain, key):
    with pytest.raises(AttestationError, match="slot attestation certificate is not a readable"):
        verify_attestation(b"not a certificate", chain.device, key, roots=[chain.root])
