"""The YubiKey PIV profile: slots, factory credentials, and the ykcs11 glue.

No YubiKey is attached here. The glue (reading attestation objects by their
ykcs11 labels, opening a slot key by CKA_ID, touch prompts, facts) is run on
a SoftHSM token dressed as a YubiKey: a key at CKA_ID 2 (slot 9c) and
certificate objects carrying ykcs11's labels and a test attestation chain.
"""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives import serialization
from pkcs11 import Attribute, CertificateType, ObjectClass
from softhsm_support import MODULE, SO_PIN, USER_PIN, softhsm
from tuf.api.metadata import Metadata, Root
from yubikey_chains import make_chain

from hsm.errors import KeyBackendError
from hsm.pkcs11 import LabelTakenError, key_making, open_token
from hsm.pkcs11.mechanisms import token_algorithm
from hsm.yubikey import (
    DefaultCredentialError,
    YubiKey,
    check_defaults,
    piv_slot,
)
from hsm.yubikey.defaults import CHANGED, CONFIRM, DEFAULT, FACTORY_MANAGEMENT_KEY
from hsm.yubikey.piv import CKA_YUBICO_PIN_POLICY, CKA_YUBICO_TOUCH_POLICY, policy_attributes


def test_slots_map_to_ykcs11_ids():
    assert piv_slot().name == "9c" and piv_slot().cka_id == 2
    assert [piv_slot(n).cka_id for n in ("9a", "9c", "9d", "9e", "82", "95")] == [1, 2, 3, 4, 5, 24]
    assert piv_slot("0x9C") == piv_slot(0x9C)
    assert piv_slot("9c").attestation_label == "X.509 Certificate for PIV Attestation 9c"
    with pytest.raises(KeyBackendError, match="f9 holds the attestation key"):
        piv_slot("f9")


def test_factory_credentials_are_known_only_at_no_cost():
    nothing_typed = check_defaults()
    assert nothing_typed.to_confirm() == ["PIN", "PUK", "management key"]
    typed = check_defaults(pin="123456", management_key="01:02:03:04:05:06:07:08" * 3)
    assert typed.refusals() == ["PIN", "management key"]
    assert typed.puk == CONFIRM  # testing the PUK would spend a PUK try
    accepted = check_defaults(pin="8413-2209", pin_accepted=True,
                              management_key="a1" * 24, management_key_accepted=True)
    assert (accepted.pin, accepted.management_key, accepted.puk) == (CHANGED, CHANGED, CONFIRM)
    assert check_defaults(pin="8413-2209").pin == CONFIRM  # not yet accepted by the token
    assert DEFAULT == "factory default"


def test_policies_become_ykcs11_vendor_attributes():
    assert policy_attributes(None, "default") == {}
    assert policy_attributes("once", "always") == {
        CKA_YUBICO_PIN_POLICY: 2, CKA_YUBICO_TOUCH_POLICY: 2,
    }
    with pytest.raises(KeyBackendError, match="not a YubiKey touch policy"):
        policy_attributes(None, "sometimes")


@pytest.fixture(scope="module")
def fake_yubikey():
    """The spare SoftHSM token with a 9c key and its attestation objects."""
    softhsm()
    open_token(MODULE, label="ceremony-spare").close()
    token = open_token(MODULE, label="ceremony-spare")
    token.login(USER_PIN)
    slot = piv_slot("9c")

    def dress(session):
        for obj in list(session.get_objects({Attribute.ID: slot.id_bytes})):
            obj.destroy()
        key = key_making.generate(session, token_algorithm("ecdsa-p256"), "yk-9c",
                                  "fake YubiKey", cka_id=slot.id_bytes)
        chain = make_chain(key.public_key)
        der = serialization.Encoding.DER
        for label, cka_id, cert in (
            (slot.attestation_label, slot.id_bytes, chain.slot),
            ("X.509 Certificate for PIV Attestation", bytes([25]), chain.device),
        ):
            session.create_object({
                Attribute.CLASS: ObjectClass.CERTIFICATE,
                Attribute.CERTIFICATE_TYPE: CertificateType.X_509,
                Attribute.TOKEN: True,
                Attribute.LABEL: label,
                Attribute.ID: cka_id,
                Attribute.VALUE: cert.public_bytes(der),
                Attribute.SUBJECT: cert.subject.public_bytes(),
            })
        return key.public_key, chain

    public_key, chain = token.run("dressing", dress, token.session())
    token.close()
    return public_key, chain


def test_profile_reads_attestation_opens_slot_key_and_asks_for_touch(fake_yubikey):
    public_key, chain = fake_yubikey
    yubikey = YubiKey(open_token(MODULE, label="ceremony-spare"), production=True)
    with pytest.raises(DefaultCredentialError, match="factory PIN"):
        yubikey.login("123456")  # refused before it reaches the token
    assert not yubikey.token.logged_in
    yubikey.login(USER_PIN)

    attestation = yubikey.attest("9c", public_key, roots=[chain.root])
    assert (attestation.serial, attestation.touch_policy) == (12345678, "always")
    touches = []
    signer = yubikey.open_slot_key("9c", public_key, attestation=attestation,
                                   on_touch=touches.append)
    root = Root()
    root.add_key(signer.public_key, Root.type)
    metadata = Metadata(root)
    metadata.sign(signer)
    metadata.signed.verify_delegate(Root.type, metadata.signed_bytes, metadata.signatures)
    assert touches == ["touch the YubiKey ceremony-spare now to sign"]

    facts = signer.facts()
    assert facts.backend == "yubikey" and facts.generated_on_device is True
    assert facts.extra["piv_slot"] == "9c"
    assert facts.extra["attested_serial"] == 12345678
    assert facts.extra["attested_firmware"] == "5.4.3"
    assert facts.extra["pin_policy"] == "once"
    assert facts.extra["origin"] == "generated on the YubiKey (attested)"
    assert "id=%02" in facts.location

    unattested = yubikey.open_slot_key("9c", public_key)
    assert unattested.facts().generated_on_device is False
    assert unattested.facts().extra["touch_policy"] == "slot default (never)"
    yubikey.close()


def test_profile_never_overwrites_a_slot_and_refuses_factory_management_key(fake_yubikey):
    open_token(MODULE, label="ceremony-spare").close()
    yubikey = YubiKey(open_token(MODULE, label="ceremony-spare"), production=True)
    with pytest.raises(DefaultCredentialError, match="factory management key"):
        yubikey.generate("9c", management_key=FACTORY_MANAGEMENT_KEY)
    yubikey.production = False
    # SoftHSM's SO PIN stands in for the management key (ykcs11 logs in as SO with it).
    with pytest.raises(LabelTakenError, match="already holds an object with CKA_ID 02"):
        yubikey.generate("9c", management_key=SO_PIN)
    yubikey.login(USER_PIN)
    with pytest.raises(KeyBackendError, match="generate YubiKey keys first"):
        yubikey.generate("9a", management_key=SO_PIN)
    yubikey.close()
