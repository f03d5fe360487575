"""Bootstrapping many GUNs as one batch: the same bytes as one GUN at a time,
and each root key asked twice per batch (certificates, then roots), however
many GUNs: one hop to a token's thread per batch, not per signature.

Signatures here are deterministic ECDSA (RFC 6979) and certificate serials
are fixed, so two ways of making a GUN's files can be compared byte for byte.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

from ceremony.flavors.dct.notary import certs
from ceremony.flavors.dct.notary.errors import DctError
from ceremony.flavors.dct.notary.keyids import key_for_public_key
from ceremony.flavors.dct.notary.repository import NewGun, bootstrap_gun, bootstrap_guns
from ceremony.flavors.dct.notary.serverkeys import ServerKeys
from ceremony.flavors.dct.notary.validate import check_gun

NOW = datetime(2026, 12, 5, 8, 0, tzinfo=UTC)


class DeterministicKey:
    """A P-256 key signing RFC 6979 ECDSA (DER), counting its batches."""

    def __init__(self) -> None:
        self._private = ec.generate_private_key(ec.SECP256R1())
        self.crypto_public_key = self._private.public_key()
        self.batches: list[int] = []

    def sign_raw(self, payload: bytes) -> bytes:
        return self._private.sign(payload, ec.ECDSA(hashes.SHA256(), deterministic_signing=True))

    def sign_raw_many(self, payloads):
        self.batches.append(len(payloads))
        return [self.sign_raw(payload) for payload in payloads]


def server_keys() -> ServerKeys:
    return ServerKeys(
        timestamp=key_for_public_key(ed25519.Ed25519PrivateKey.generate().public_key()),
        snapshot=key_for_public_key(ed25519.Ed25519PrivateKey.generate().public_key()),
    )


def serials_from(numbers):
    """A stand-in for certs.random_serials: the next numbers of ``numbers``."""
    numbers = iter(numbers)
    return lambda count: [next(numbers) for _ in range(count)]


@pytest.fixture
def fixed_serials(monkeypatch):
    """Serials 1, 2, 3... in the order certificates are requested."""
    counter = itertools.count(1)
    monkeypatch.setattr(certs, "random_serials", serials_from(counter))
    return counter


def test_a_batch_gives_every_gun_the_bytes_it_gets_alone(monkeypatch):
    roots = [DeterministicKey(), DeterministicKey()]
    guns = [
        NewGun(f"registry.example.com/team/app-{n}", [DeterministicKey()], server_keys())
        for n in range(5)
    ]
    options = {"root_signers": roots, "root_threshold": 2, "now": NOW}
    # certificates are requested key by key, GUN by GUN: serial 10 * key + GUN
    serials = iter([10 * k + g for k in range(1, 3) for g in range(5)])
    monkeypatch.setattr(certs, "random_serials", serials_from(serials))
    batch = bootstrap_guns(guns, **options)
    alone = []
    for g, new in enumerate(guns):
        one_by_one = iter([10 * k + g for k in range(1, 3)])
        monkeypatch.setattr(certs, "random_serials", serials_from(one_by_one))
        alone.append(bootstrap_gun(new.gun, targets_signers=new.targets_signers,
                                   server_keys=new.server_keys, **options))
    assert [u.gun for u in batch] == [new.gun for new in guns]
    for together, single in zip(batch, alone, strict=True):
        assert together.files == single.files
        assert [k.keyid for k in together.root_keys] == [k.keyid for k in single.root_keys]
        assert together.warnings == single.warnings


def test_each_root_key_is_asked_twice_per_batch_however_many_guns(fixed_serials):
    roots = [DeterministicKey(), DeterministicKey(), DeterministicKey()]
    guns = [NewGun(f"registry.example.com/r/{n}", [DeterministicKey()], server_keys())
            for n in range(40)]
    updates = bootstrap_guns(guns, root_signers=roots, root_threshold=2, now=NOW)
    assert len(updates) == 40 and all(set(u.files) == {"root", "targets"} for u in updates)
    assert [key.batches for key in roots] == [[40, 40]] * 3  # certificates, then roots


def test_a_bad_gun_anywhere_in_a_batch_stops_it_before_anything_is_signed(fixed_serials):
    root = DeterministicKey()
    guns = [NewGun("registry.example.com/ok", [DeterministicKey()], server_keys()),
            NewGun("registry.example.com/no-targets", [], server_keys())]
    with pytest.raises(DctError, match="targets key"):
        bootstrap_guns(guns, root_signers=[root], now=NOW)
    assert root.batches == []


def test_an_invalid_gun_anywhere_in_a_batch_is_refused_in_check_guns_words(fixed_serials):
    """Each GUN is checked once, before its certificate's request is laid out
    (which then trusts the check): a bad name still stops the batch unsigned."""
    root = DeterministicKey()
    for bad in ("registry.example.com/Team/app", "registry.example.com/a b", "x" * 256):
        guns = [NewGun("registry.example.com/ok", [DeterministicKey()], server_keys()),
                NewGun(bad, [DeterministicKey()], server_keys())]
        with pytest.raises(DctError) as caught:
            bootstrap_guns(guns, root_signers=[root], now=NOW)
        with pytest.raises(DctError) as alone:
            check_gun(bad)
        assert str(caught.value) == str(alone.value)
    assert root.batches == []


class SpoilingKey(DeterministicKey):
    """Spoils its signature over the ``index``-th root.json of a batch."""

    def __init__(self, index: int) -> None:
        super().__init__()
        self.index = index

    def sign_raw_many(self, payloads):
        signatures = super().sign_raw_many(payloads)
        if payloads[self.index].startswith(b'{"_type":"Root"'):
            r, s = decode_dss_signature(signatures[self.index])
            signatures[self.index] = encode_dss_signature(r, s ^ 1)
        return signatures


def test_a_bad_signature_anywhere_in_a_batch_is_caught_naming_its_gun(fixed_serials):
    guns = [NewGun(f"registry.example.com/b/{n}", [DeterministicKey()], server_keys())
            for n in range(6)]
    spoiler = SpoilingKey(4)
    with pytest.raises(DctError) as caught:
        bootstrap_guns(guns, root_signers=[spoiler], now=NOW)
    assert str(caught.value).startswith("registry.example.com/b/4: the root metadata has 0 valid")
    assert "a bad signature" in str(caught.value)
