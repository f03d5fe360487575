"""Signing a batch on a real SoftHSM2 token: one hop to the token's thread per batch.

``sign_raw_many`` must give what ``sign_raw`` gives for each payload (a
signature that verifies against the key, in the payloads' order) and refuse
what ``sign_raw`` refuses, with the same sentences; from another thread the
whole batch is one call to the token's worker, not one per signature.
"""

from __future__ import annotations

import threading

import pytest
from test_pkcs11_softhsm import fresh_label, logged_in

from hsm.errors import KeyBackendError
from hsm.pkcs11 import TokenRemovedError


@pytest.fixture(scope="module")
def token():
    token = logged_in("ceremony-main")
    yield token
    token.close()


@pytest.mark.parametrize("name", ["ecdsa-p256", "ed25519", "ecdsa-p384"])
def test_a_batch_from_another_thread_is_one_hop_and_every_signature_verifies(token, name):
    signer = token.generate_key(name, label=fresh_label())
    hops: list[str] = []
    original = signer._worker.call

    def counted(fn, *args, **kwargs):
        hops.append(threading.current_thread().name)
        return original(fn, *args, **kwargs)

    signer._worker.call = counted
    payloads = [f"root.json version {n}".encode() for n in range(25)]
    signatures = signer.sign_raw_many(payloads)
    assert hops == [threading.current_thread().name]  # one hop, from this thread
    assert len(signatures) == len(payloads)
    for payload, signature in zip(payloads, signatures, strict=True):
        assert signer.algorithm.check_signature(signer.crypto_public_key, signature, payload)
    assert not signer.algorithm.check_signature(
        signer.crypto_public_key, signatures[0], payloads[1]
    )  # each signature is over its own payload
    assert signer.sign_raw_many([]) == []


def test_one_signature_is_a_batch_of_one(token):
    signer = token.generate_key("ecdsa-p256", label=fresh_label())
    signature = signer.sign_raw(b"payload")
    assert signer.algorithm.check_signature(signer.crypto_public_key, signature, b"payload")


def test_a_closed_key_or_a_removed_token_refuses_a_batch_as_it_refuses_one():
    spare = logged_in("ceremony-spare")
    signer = spare.generate_key("ecdsa-p256", label=fresh_label())
    session = spare.session()
    spare.run("pulling the session away", session.close)  # as if unplugged
    with pytest.raises(TokenRemovedError, match="nothing was signed"):
        signer.sign_raw_many([b"one", b"two"])
    spare._state.session = None
    spare._state.logged_in = False
    spare.close()
    signer.close()
    with pytest.raises(KeyBackendError, match="was closed"):
        signer.sign_raw_many([b"one"])
