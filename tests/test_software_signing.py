"""Software keys sign ECDSA with their own curve's hash, whatever signed before.

The ECDSA signature algorithm objects are made once per hash and kept: a P-256
key's signature is over SHA-256 and a P-384 key's over SHA-384, in any order.
"""

from __future__ import annotations

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from hsm.algorithms import ALGORITHMS
from hsm.software import SoftwareKey

HASHES = {"ecdsa-p256": hashes.SHA256, "ecdsa-p384": hashes.SHA384}


def test_each_ecdsa_key_signs_over_its_own_hash_in_any_order():
    keys = {name: SoftwareKey.generate(ALGORITHMS[name]) for name in HASHES}
    for name in ["ecdsa-p384", "ecdsa-p256", "ecdsa-p384", "ecdsa-p256", "ecdsa-p256"]:
        key = keys[name]
        payload = f"payload for {name}".encode()
        signature = key.sign_raw(payload)
        public_key = key.crypto_public_key
        assert isinstance(public_key, ec.EllipticCurvePublicKey)
        public_key.verify(signature, payload, ec.ECDSA(HASHES[name]()))
        assert ALGORITHMS[name].check_signature(public_key, signature, payload)
        other = hashes.SHA384() if name == "ecdsa-p256" else hashes.SHA256()
        with pytest.raises(InvalidSignature):
            public_key.verify(signature, payload, ec.ECDSA(other))
