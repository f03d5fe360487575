"""The age identity: 32 bytes <-> AGE-SECRET-KEY-1..., exactly as age and
pyrage write it; kept in memory only, never shown.

Test fixture note: the AGE-SECRET-KEY-1 strings here are made-up prefixes and
all-zero identities for format checks, never a real key.
"""

from __future__ import annotations

import pickle

import pyrage
import pytest

from ceremony.custody.identity import CustodyIdentity, identity_line, secret_of_identity_line
from hsm.errors import Bech32Error


def test_bech32_matches_pyrage_both_ways():
    for _ in range(100):
        theirs = pyrage.x25519.Identity.generate()
        secret = secret_of_identity_line(str(theirs))
        assert identity_line(secret) == str(theirs)
        assert CustodyIdentity(secret).recipient == str(theirs.to_public())


def test_known_vector():
    # all-zero secret: age's own encoding of it, checked by pyrage parsing it back
    line = identity_line(bytes(32))
    assert line.startswith("AGE-SECRET-KEY-1QQQQQQQQ")
    assert str(pyrage.x25519.Identity.from_str(line)) == line


@pytest.mark.parametrize(
    "text, message",
    [
        ("AGE-SECRET-KEY-1QQ", "it is too short"),
        ("age1" + "q" * 58, "it does not start with AGE-SECRET-KEY-1"),
        ("AGE-SECRET-KEY-1q" + "Q" * 57, "mixed upper and lower case"),
        ("AGE-SECRET-KEY-1B" + "Q" * 57, "a character Bech32 does not use"),
    ],
)
def test_bad_identity_lines(text, message):
    with pytest.raises(Bech32Error, match=message):
        secret_of_identity_line(text)


def test_a_changed_character_fails_the_checksum():
    line = identity_line(bytes(range(32)))
    changed = line[:30] + ("Q" if line[30] != "Q" else "P") + line[31:]
    with pytest.raises(Bech32Error, match="checksum does not match"):
        secret_of_identity_line(changed)


def test_the_identity_is_never_shown_and_can_be_forgotten():
    identity = CustodyIdentity.generate()
    secret = identity.secret()
    ciphertext = identity.encrypt(b"keys")
    assert identity.decrypt(ciphertext) == b"keys"
    for shown in (repr(identity), str(identity), f"{identity}"):
        assert secret.hex() not in shown and identity_line(secret) not in shown
        assert identity.recipient in shown
    with pytest.raises(TypeError):
        pickle.dumps(identity)
    identity.forget()
    assert identity.forgotten
    with pytest.raises(RuntimeError, match="already forgotten"):
        identity.decrypt(ciphertext)
