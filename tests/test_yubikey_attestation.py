"""YubiKey attestation verification, on chains the tests make themselves."""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from yubikey_chains import YUBICO, make_chain, yubico_extensions

from hsm.algorithms import algorithm
from hsm.software import SoftwareKey
from hsm.yubikey import AttestationError, shipped_roots, verify_attestation

DER = serialization.Encoding.DER
PEM = serialization.Encoding.PEM


@pytest.fixture(scope="module")
def key():
    return SoftwareKey.generate(algorithm("ecdsa-p256")).crypto_public_key


@pytest.fixture(scope="module")
def chain(key):
    return make_chain(key)


def test_a_good_chain_verifies_and_its_extensions_are_read(chain, key):
    attestation = verify_attestation(
        chain.slot.public_bytes(DER), chain.device.public_bytes(PEM), key,
        roots=[chain.root], slot="9c", serial=12345678,
    )
    assert attestation.slot == "9c"
    assert attestation.serial == 12345678
    assert attestation.firmware == "5.4.3"
    assert (attestation.pin_policy, attestation.touch_policy) == ("once", "always")
    assert attestation.form_factor == "USB-C keychain"
    assert attestation.root_subject == "Test PIV Root CA"
    facts = attestation.facts()
    assert facts["attested_serial"] == 12345678
    assert facts["attestation_certificate"].startswith("-----BEGIN CERTIFICATE-----")
    assert facts["attestation_root_sha256"] == hashlib.sha256(
        chain.root.public_bytes(DER)).hexdigest()


def test_the_public_key_may_be_given_as_pem(chain, key):
    pem = key.public_bytes(PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    assert verify_attestation(chain.slot, chain.device, pem, roots=[chain.root]).slot == "9c"


def test_a_wrong_root_is_refused(chain, key):
    impostor = make_chain(key, root_signing_key=rsa.generate_private_key(65537, 2048))
    with pytest.raises(AttestationError, match="does not chain to the Yubico PIV root CA"):
        verify_attestation(chain.slot, chain.device, key, roots=[impostor.root])


def test_a_test_chain_does_not_pass_for_a_real_yubikey(chain, key):
    with pytest.raises(AttestationError, match="does not chain to the Yubico PIV root") as caught:
        verify_attestation(chain.slot, chain.device, key)  # the shipped Yubico root
    assert "do not use it for a root key" in str(caught.value)


def test_the_attested_key_must_be_the_key_used(chain):
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


def test_an_expired_certificate_is_refused(chain, key):
    with pytest.raises(AttestationError, match="is not valid on 2070-01-01"):
        verify_attestation(chain.slot, chain.device, key, roots=[chain.root],
                           now=datetime(2070, 1, 1, tzinfo=timezone.utc))


def test_a_chain_through_an_intermediate_verifies_when_it_is_given(key):
    chain = make_chain(key, with_intermediate=True)
    with pytest.raises(AttestationError, match="does not chain"):
        verify_attestation(chain.slot, chain.device, key, roots=[chain.root])
    attestation = verify_attestation(chain.slot, chain.device, key, roots=[chain.root],
                                     intermediates=chain.intermediates)
    assert attestation.root_subject == "Test PIV Root CA"


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


def test_garbage_is_not_a_certificate(chain, key):
    with pytest.raises(AttestationError, match="slot attestation certificate is not a readable"):
        verify_attestation(b"not a certificate", chain.device, key, roots=[chain.root])


def test_the_shipped_root_is_yubicos_pinned_piv_root():
    (root,) = shipped_roots()
    assert root.subject.rfc4514_string() == "CN=Yubico PIV Root CA Serial 263751"
    assert root.subject == root.issuer
    assert hashlib.sha256(root.public_bytes(DER)).hexdigest() == (
        "63ece914e54dd87915f34033c85af4c0696ba1512f8add66ced738331207b546"
    )
    root.verify_directly_issued_by(root)
