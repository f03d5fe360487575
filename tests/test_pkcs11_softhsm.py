"""The PKCS#11 backend against a real SoftHSM2 token made for this test run.

Keys are generated on the token and used to sign TUF root metadata that
python-tuf verifies; the token's refusals (wrong PIN, taken label, ambiguous
keys, closed sessions) come back as plain sentences; a software key imported
into a backup token signs too; and OpenSC's pkcs11-tool, a second and
independent PKCS#11 reader, sees what the tool made.
"""

from __future__ import annotations

import os
import subprocess
import threading
import traceback
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from pkcs11 import Attribute, KeyType, Mechanism, ObjectClass
from pkcs11 import exceptions as p11
from softhsm_support import MODULE, USER_PIN, softhsm
from tuf.api.metadata import Metadata, Root

from hsm.algorithms import algorithm
from hsm.errors import KeyBackendError, KeyNotFoundError
from hsm.pkcs11 import (
    KeyAmbiguousError,
    LabelTakenError,
    NotLoggedInError,
    PinIncorrectError,
    Pkcs11Uri,
    TokenAmbiguousError,
    TokenNotFoundError,
    TokenRemovedError,
    list_tokens,
    open_token,
)
from hsm.pkcs11.errors import KeyProtectionError
from hsm.pkcs11.mechanisms import P256_PARAMS
from hsm.software import SoftwareKey


def fresh_label(prefix: str = "root") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def logged_in(label: str):
    softhsm()
    token = open_token(MODULE, label=label)
    token.login(USER_PIN)
    return token


@pytest.fixture(scope="module")
def main_token():
    token = logged_in("ceremony-main")
    yield token
    token.close()


@pytest.fixture(scope="module")
def backup_token():
    token = logged_in("ceremony-backup")
    yield token
    token.close()


def tuf_roundtrip(signer) -> None:
    """Sign a root with ``signer`` and verify it as a client would."""
    root = Root()
    root.add_key(signer.public_key, Root.type)
    metadata = Metadata(root)
    metadata.sign(signer)
    again = Metadata.from_bytes(metadata.to_bytes())
    again.signed.verify_delegate(Root.type, again.signed_bytes, again.signatures)


@pytest.mark.parametrize("name", ["ed25519", "ecdsa-p256", "ecdsa-p384", "rsa-3072"])
def test_generated_key_signs_root_metadata_python_tuf_accepts(main_token, name):
    label = fresh_label(name)
    signer = main_token.generate_key(name, label=label)
    tuf_roundtrip(signer)

    facts = signer.facts()
    assert facts.backend == "pkcs11"
    assert facts.algorithm == name
    assert facts.generated_on_device is True
    uri = Pkcs11Uri.parse(facts.location)
    assert (uri.token, uri.object, uri.id, uri.type) == (
        "ceremony-main", label, signer.cka_id, "private",
    )
    assert uri.serial == main_token.info.serial and uri.module_path == MODULE
    assert len(signer.cka_id) == 16
    extra = facts.extra
    assert extra["token_label"] == "ceremony-main"
    assert extra["token_model"] == "SoftHSM v2"
    assert extra["token_firmware"] == "2.6"
    assert extra["cka_id"] == signer.cka_id.hex()
    assert extra["origin"] == "generated on the token"
    assert extra["cka_id_source"] == "token random generator"
    if name.startswith("rsa"):
        assert signer.spec.sign_mechanism == Mechanism.RSA_PKCS_PSS
        assert signer.public_key.scheme == "rsassa-pss-sha256"


def test_generated_private_key_is_sensitive_and_never_extractable(main_token):
    signer = main_token.generate_key("ecdsa-p256", label=fresh_label())

    def read(session):
        (private,) = session.get_objects(
            {Attribute.CLASS: ObjectClass.PRIVATE_KEY, Attribute.ID: signer.cka_id}
        )
        flags = {
            a.name: private[a]
            for a in (
                Attribute.SENSITIVE, Attribute.EXTRACTABLE, Attribute.ALWAYS_SENSITIVE,
                Attribute.NEVER_EXTRACTABLE, Attribute.LOCAL, Attribute.TOKEN,
            )
        }
        with pytest.raises(p11.AttributeSensitive):
            private[Attribute.VALUE]
        return flags

    flags = main_token.run("reading", read, main_token.session())
    assert flags == {
        "SENSITIVE": True, "EXTRACTABLE": False, "ALWAYS_SENSITIVE": True,
        "NEVER_EXTRACTABLE": True, "LOCAL": True, "TOKEN": True,
    }
    assert signer.facts().extra["protection"]["never_extractable"] is True


def test_key_is_opened_by_uri_and_public_key(main_token):
    made = main_token.generate_key("ed25519", label=fresh_label())
    location = made.facts().location
    token = open_token(uri=location)
    assert token is main_token  # one Token per physical token: one login
    opened = token.open_key(location, made.crypto_public_key)
    assert opened.keyid == made.keyid
    tuf_roundtrip(opened)
    other = SoftwareKey.generate(algorithm("ed25519")).crypto_public_key
    with pytest.raises(KeyNotFoundError, match="not the recorded key"):
        token.open_key(location, other)


def test_label_collision_is_refused_before_generating(main_token):
    label = fresh_label()
    main_token.generate_key("ecdsa-p256", label=label)
    with pytest.raises(LabelTakenError) as caught:
        main_token.generate_key("ed25519", label=label)
    assert label in str(caught.value) and "already holds 2 object(s) labelled" in str(caught.value)
    count = main_token.run(
        "counting", lambda s: len(list(s.get_objects({Attribute.LABEL: label}))),
        main_token.session(),
    )
    assert count == 2  # the first key pair only: nothing was added


def plant_key_pair(session, label: str, cka_id: bytes):
    """What another tool might leave: a P-256 key pair, duplicates allowed."""
    public, _ = session.generate_keypair(
        KeyType.EC,
        id=cka_id,
        label=label,
        store=True,
        public_template={Attribute.EC_PARAMS: P256_PARAMS},
        private_template={Attribute.EXTRACTABLE: False},
    )
    from cryptography.hazmat.primitives.asymmetric import ec

    return ec.EllipticCurvePublicKey.from_encoded_point(
        ec.SECP256R1(), bytes(public[Attribute.EC_POINT])[2:]
    )


def test_same_label_twice_needs_id_and_public_key_to_choose():
    token = logged_in("ceremony-spare")
    label = fresh_label("dup")
    first_id, second_id = os.urandom(16), os.urandom(16)
    first = token.run("planting", plant_key_pair, token.session(), label, first_id)
    second = token.run("planting", plant_key_pair, token.session(), label, second_id)

    by_label_only = f"pkcs11:token=ceremony-spare;object={label}"
    with pytest.raises(KeyNotFoundError, match="never by label alone"):
        token.open_key(by_label_only, first)
    uri = Pkcs11Uri(token="ceremony-spare", object=label, id=second_id)
    assert token.open_key(str(uri), second).cka_id == second_id
    assert token.open_key(first_id, first).cka_id == first_id
    with pytest.raises(KeyNotFoundError, match="not the recorded key"):
        token.open_key(first_id, second)

    listed = {k.cka_id: k for k in token.list_keys()}
    assert listed[first_id].duplicate_label and listed[second_id].duplicate_label
    assert not listed[first_id].duplicate_id


def test_two_private_keys_with_one_id_are_refused():
    token = logged_in("ceremony-spare")
    label, shared_id = fresh_label("twin"), os.urandom(16)
    first = token.run("planting", plant_key_pair, token.session(), label, shared_id)
    token.run("planting", plant_key_pair, token.session(), label, shared_id)
    with pytest.raises(KeyAmbiguousError) as caught:
        token.open_key(shared_id, first)
    assert "will not guess" in str(caught.value)
    assert {k.duplicate_id for k in token.list_keys() if k.cka_id == shared_id} == {True}


def test_wrong_pin_says_so_and_never_repeats_the_pin():
    softhsm()
    open_token(MODULE, label="ceremony-spare").close()  # start logged out
    token = open_token(MODULE, label="ceremony-spare")
    wrong = "Wrong-PIN-7731"
    with pytest.raises(PinIncorrectError) as caught:
        token.login(wrong)
    error = caught.value
    text = "".join(traceback.format_exception(error)) + repr(error)
    assert wrong not in text
    assert "the PIN for token 'ceremony-spare'" in str(error) and "was wrong" in str(error)
    # SoftHSM raises the "count low" flag after a wrong PIN (it never locks).
    assert error.pin_state.count_low and "few tries are left" in str(error)
    assert not token.logged_in

    warnings = []

    def ask(request):
        warnings.append(request.warning)
        return USER_PIN

    token.login(ask)
    token.login(ask)  # already logged in: nothing asked
    assert warnings == ["an earlier PIN was wrong: few tries are left before the token locks"]
    assert token.logged_in and token.pin_entries == 2  # the wrong one and the right one


def test_generating_before_login_asks_for_the_pin_first():
    softhsm()
    open_token(MODULE, label="ceremony-spare").close()
    token = open_token(MODULE, label="ceremony-spare")
    with pytest.raises(NotLoggedInError, match="needs its PIN"):
        token.generate_key("ecdsa-p256", label=fresh_label())


def test_a_key_not_allowed_to_sign_is_refused_naming_key_and_token():
    token = logged_in("ceremony-spare")
    label, cka_id = fresh_label("nosign"), os.urandom(16)

    def plant(session):
        public, _ = session.generate_keypair(
            KeyType.EC, id=cka_id, label=label, store=True,
            public_template={Attribute.EC_PARAMS: P256_PARAMS},
            private_template={Attribute.EXTRACTABLE: False, Attribute.SIGN: False},
        )
        from cryptography.hazmat.primitives.asymmetric import ec

        return ec.EllipticCurvePublicKey.from_encoded_point(
            ec.SECP256R1(), bytes(public[Attribute.EC_POINT])[2:]
        )

    public_key = token.run("planting", plant, token.session())
    with pytest.raises(KeyProtectionError) as caught:
        token.open_key(cka_id, public_key)
    text = str(caught.value)
    assert f"the key {label!r} on token 'ceremony-spare' (serial " in text
    assert "is not allowed to sign (CKA_SIGN is not set)" in text
    assert "make a new key on the token" in caught.value.todo


def test_key_asking_pin_every_signature_still_needs_one_entry():
    softhsm()
    open_token(MODULE, label="ceremony-spare").close()
    token = open_token(MODULE, label="ceremony-spare")
    token.login(USER_PIN)
    cka_id = os.urandom(16)

    def plant(session):
        public, _ = session.generate_keypair(
            KeyType.EC, id=cka_id, label=fresh_label("always"), store=True,
            public_template={Attribute.EC_PARAMS: P256_PARAMS},
            private_template={Attribute.EXTRACTABLE: False, Attribute.ALWAYS_AUTHENTICATE: True},
        )
        from cryptography.hazmat.primitives.asymmetric import ec

        return ec.EllipticCurvePublicKey.from_encoded_point(
            ec.SECP256R1(), bytes(public[Attribute.EC_POINT])[2:]
        )

    public_key = token.run("planting", plant, token.session())
    with pytest.raises(KeyBackendError, match="asks for the PIN on every signature"):
        token.open_key(cka_id, public_key)
    token.close()

    token = open_token(MODULE, label="ceremony-spare")
    token.login(USER_PIN, keep_pin_for_each_signature=True)
    signer = token.open_key(cka_id, public_key)
    for _ in range(3):
        tuf_roundtrip(signer)
    assert token.pin_entries == 1
    assert "PIN hidden" in repr(token._state.kept_pin)
    token.close()
    assert token._state.kept_pin is None


def test_import_into_backup_token_is_checked_and_recorded_as_imported(backup_token):
    for name in ("ed25519", "ecdsa-p256"):
        software = SoftwareKey.generate(algorithm(name))
        label = fresh_label("backup")
        backup = backup_token.import_key(software, label=label)
        assert backup.keyid == software.keyid
        tuf_roundtrip(backup)
        facts = backup.facts()
        assert facts.generated_on_device is False
        assert facts.extra["origin"] == "imported into the token (not generated there)"
        protection = facts.extra["protection"]
        assert protection["sensitive"] is True and protection["extractable"] is False
        assert protection["local"] is False
        software.close()
        reopened = backup_token.open_key(facts.location, backup.crypto_public_key)
        assert reopened.facts().generated_on_device is False
        with pytest.raises(LabelTakenError):
            backup_token.import_key(SoftwareKey.generate(algorithm(name)), label=label)


def test_signatures_from_many_threads_all_run_on_the_token_thread(main_token):
    signer = main_token.generate_key("ecdsa-p256", label=fresh_label())
    seen = set()
    original = signer._worker.call

    def spy(fn, *args, **kwargs):
        def wrapped(*a, **k):
            seen.add(threading.current_thread().name)
            return fn(*a, **k)

        return original(wrapped, *args, **kwargs)

    signer._worker.call = spy
    payloads = [f"payload {i}".encode() for i in range(40)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        signatures = list(pool.map(signer.sign, payloads))
    assert len(signatures) == 40
    assert seen == {main_token.worker.name}


def test_a_session_that_goes_away_is_reported_as_a_removed_token():
    token = logged_in("ceremony-spare")
    signer = token.generate_key("ecdsa-p256", label=fresh_label())
    session = token.session()
    token.run("pulling the session away", session.close)  # as if unplugged
    with pytest.raises(TokenRemovedError) as caught:
        signer.sign(b"payload")
    assert "was removed or stopped answering while signing" in str(caught.value)
    assert "nothing was signed" in str(caught.value)
    token._state.session = None
    token._state.logged_in = False
    token.close()


def test_closed_token_refuses_to_sign():
    token = logged_in("ceremony-spare")
    signer = token.generate_key("ed25519", label=fresh_label())
    token.close()
    with pytest.raises(KeyBackendError, match="was closed"):
        signer.sign(b"payload")


def test_tokens_are_found_by_label_or_serial_never_guessed(main_token):
    softhsm()
    labels = {t.label for t in list_tokens(MODULE)}
    assert {"ceremony-main", "ceremony-backup", "ceremony-spare"} <= labels
    by_serial = open_token(MODULE, serial=main_token.info.serial)
    assert by_serial is main_token
    with pytest.raises(TokenNotFoundError) as caught:
        open_token(MODULE, label="not-here")
    assert "is present in" in str(caught.value)
    assert "token 'ceremony-main' (serial" in str(caught.value)
    with pytest.raises(TokenNotFoundError, match="neither by label nor by serial"):
        open_token(MODULE)
    with pytest.raises(TokenAmbiguousError, match="2 tokens match label 'ceremony-twin'"):
        open_token(MODULE, label="ceremony-twin")


def test_opensc_pkcs11_tool_sees_the_keys_the_tool_made(main_token, backup_token):
    made = main_token.generate_key("ecdsa-p256", label=fresh_label("opensc"))
    imported = backup_token.import_key(
        SoftwareKey.generate(algorithm("ed25519")), label=fresh_label("opensc")
    )

    def listing(token_label):
        # A throwaway test PIN on pkcs11-tool's command line: it has no other way.
        return subprocess.run(
            ["pkcs11-tool", "--module", MODULE, "--token-label", token_label,
             "--list-objects", "--login", "--pin", USER_PIN],
            capture_output=True, text=True, check=True, env=os.environ,
        ).stdout

    blocks = listing("ceremony-main").split("\n\n")
    # Each piece starts with a private key's attributes; public objects listed
    # after it (perhaps ours) follow, so look only before them.
    ours = [b for b in "\n".join(blocks).split("Private Key Object")
            if made.label in b.split("Public Key Object")[0]]
    assert ours, "pkcs11-tool did not list the generated private key"
    assert made.cka_id.hex() in ours[0]
    assert "never extractable" in ours[0] and "local" in ours[0]
    backup_listing = listing("ceremony-backup")
    assert imported.label in backup_listing and imported.cka_id.hex() in backup_listing



def test_a_generated_key_failing_its_read_back_is_destroyed(main_token):
    import dataclasses

    from hsm.pkcs11 import KeyProtectionError, key_making
    from hsm.pkcs11.keys import objects_labelled
    from hsm.pkcs11.mechanisms import token_algorithm

    # A token that made the key on another curve than asked looks like this.
    wrong_curve = dataclasses.replace(token_algorithm("ecdsa-p256"), accepted_ec_params=())
    label = fresh_label("bad")
    with pytest.raises(KeyProtectionError) as caught:
        main_token.run("generating", key_making.generate, main_token.session(),
                       wrong_curve, label, main_token.info.name)
    assert "its curve is not the one asked for" in str(caught.value)
    assert "It was destroyed and never used" in str(caught.value)
    left = main_token.run("counting", objects_labelled, main_token.session(), label)
    assert left == []
