"""Every PKCS#11 failure an operator can meet reads as one plain sentence."""

from __future__ import annotations

import pkcs11.exceptions as p11
import pytest

from hsm.errors import KeyNotFoundError, WrongPassphraseError
from hsm.pkcs11.errors import (
    MechanismMissingError,
    NotLoggedInError,
    PinLockedError,
    TokenError,
    TokenNotReadyError,
    TokenRemovedError,
    explain,
)

TOKEN = "token 'root-a' (serial 1234)"


@pytest.mark.parametrize(
    "raised, kind, words",
    [
        (p11.DeviceRemoved, TokenRemovedError, "was removed or stopped answering"),
        (p11.TokenNotPresent, TokenRemovedError, "was removed or stopped answering"),
        (p11.SessionHandleInvalid, TokenRemovedError, "was removed or stopped answering"),
        (p11.MechanismInvalid, MechanismMissingError, "does not offer what is needed"),
        (p11.DomainParamsInvalid, MechanismMissingError, "does not support this curve"),
        (p11.KeySizeRange, MechanismMissingError, "does not support this key size"),
        (p11.UserNotLoggedIn, NotLoggedInError, "needs its PIN before"),
        (p11.PinLocked, PinLockedError, "user PIN of token 'root-a' (serial 1234) is locked"),
        (p11.PinIncorrect, WrongPassphraseError, "the PIN for token 'root-a'"),
        (p11.UserPinNotInitialized, TokenNotReadyError, "has no user PIN set"),
        (p11.TokenWriteProtected, TokenNotReadyError, "is write-protected"),
        (p11.ObjectHandleInvalid, KeyNotFoundError, "vanished"),
        (p11.FunctionCancelled, TokenError, "cancelled"),
    ],
)
def test_each_failure_is_a_sentence_naming_token_and_step(raised, kind, words):
    error = explain(raised(), "signing with the key 'root-2025'", TOKEN)
    assert isinstance(error, kind)
    text = str(error)
    assert words in text
    assert f"[{raised.__name__}]" in text  # the PKCS#11 name, for the record
    assert "CKR_" not in text
    assert error.todo and error.what
    if raised in (p11.DeviceRemoved, p11.MechanismInvalid, p11.UserNotLoggedIn):
        assert "signing with the key 'root-2025'" in text


def test_an_unmapped_failure_still_says_what_to_do():
    error = explain(p11.GeneralError(), "generating a key", TOKEN)
    assert type(error) is TokenError
    assert str(error).startswith("token 'root-a' (serial 1234) failed while generating a key")
    assert "use another token" in error.todo
