"""A batch bootstrapped the usual way (one root key, one targets key, the
server's snapshot key) is laid out as bytes straight away, its model objects
made only for the checks: it must give exactly the files, root keys and
warnings of the generic path, and the checks must find the same problems.

Signatures are deterministic ECDSA (RFC 6979) and serials fixed, so the two
paths can be compared byte for byte.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.serialization import Encoding
from hypothesis import given, settings
from hypothesis import strategies as st
from test_dct_batches import DeterministicKey, SpoilingKey, serials_from

from ceremony.flavors.dct.notary import certs, repository
from ceremony.flavors.dct.notary.errors import DctError
from ceremony.flavors.dct.notary.keyids import key_for_certificate, key_for_public_key
from ceremony.flavors.dct.notary.model import PublicKey
from ceremony.flavors.dct.notary.repository import NewGun, bootstrap_guns
from ceremony.flavors.dct.notary.root import IssuedRootKey, RootKey
from ceremony.flavors.dct.notary.serverkeys import ServerKeys
from ceremony.flavors.dct.notary.signing import NotarySigner

NOW = datetime(2026, 12, 5, 8, 0, tzinfo=UTC)
ROOT = DeterministicKey()
ROOTS = [ROOT, DeterministicKey(), DeterministicKey()]
TARGETS = [DeterministicKey() for _ in range(3)]
ED25519 = [key_for_public_key(ed25519.Ed25519PrivateKey.generate().public_key()) for _ in range(3)]
P256 = key_for_public_key(ec.generate_private_key(ec.SECP256R1()).public_key())


def _both_paths(monkeypatch, guns, **options):
    """The batch through the usual path, then through the generic one (same serials)."""
    results = []
    for usual in (True, False):
        serials = itertools.count(1)
        monkeypatch.setattr(certs, "random_serials", serials_from(serials))
        if not usual:
            monkeypatch.setattr(repository, "usual_batch", lambda *args: False)
        assert repository.usual_batch(guns, [repository._gun_signers(new) for new in guns],
                                      repository.prepared_signers(options["root_signers"]),
                                      options.get("root_threshold")) is usual
        results.append(bootstrap_guns(guns, now=NOW, **options))
    monkeypatch.undo()
    return results


def _assert_same(usual, generic):
    assert len(usual) == len(generic)
    for fast, slow in zip(usual, generic, strict=True):
        assert fast.gun == slow.gun
        assert fast.files == slow.files
        assert [k.keyid for k in fast.root_keys] == [k.keyid for k in slow.root_keys]
        assert [k.pem for k in fast.root_keys] == [k.pem for k in slow.root_keys]
        # made unchecked, a certificate is parsed when first read: the same one
        assert [k.certificate for k in fast.root_keys] == [k.certificate for k in slow.root_keys]
        assert fast.warnings == slow.warnings


@settings(max_examples=25)
@given(
    root_days=st.one_of(st.none(), st.integers(1, 4000)),
    targets_days=st.one_of(st.none(), st.integers(1, 2000)),
    seconds=st.integers(0, 86399),
    shared=st.sampled_from(["none", "snapshot-is-targets", "timestamp-is-snapshot", "p256"]),
    check=st.booleans(),
    count=st.integers(1, 3),
    roots=st.sampled_from([(1, None), (1, 1), (2, None), (2, 1), (2, 2), (3, 2), (3, 3)]),
)
def test_the_usual_batch_gives_the_generic_paths_bytes(
    monkeypatch_module, root_days, targets_days, seconds, shared, check, count, roots
):
    guns = []
    for n in range(count):
        targets = NotarySigner(TARGETS[n])
        snapshot, timestamp = ED25519[n], ED25519[(n + 1) % 3]
        if shared == "snapshot-is-targets":
            snapshot = targets.key
        elif shared == "timestamp-is-snapshot":
            timestamp = snapshot
        elif shared == "p256":
            snapshot = P256
        keys = ServerKeys(timestamp, snapshot)
        guns.append(NewGun(f"registry.example.com/u/{n}", [targets], keys))
    offset = timedelta(seconds=seconds, microseconds=seconds % 7)
    options = {
        "root_signers": ROOTS[: roots[0]],
        "root_threshold": roots[1],
        "root_expires": None if root_days is None else NOW + timedelta(days=root_days) + offset,
        "targets_expires": (None if targets_days is None
                            else NOW + timedelta(days=targets_days) + offset),
        "check": check,
    }
    usual, generic = _both_paths(monkeypatch_module, guns, **options)
    _assert_same(usual, generic)
    if root_days is not None and root_days < 180:
        assert all(update.warnings for update in usual)


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch


def test_odd_keys_and_offline_snapshots_take_the_generic_path():
    targets = NotarySigner(TARGETS[0])
    odd = PublicKey("ed25519", ED25519[0].public, unrecognized={"x-note": "<&>"})
    odd_keyval = PublicKey("ed25519", ED25519[0].public, keyval_unrecognized={"x": 1})
    unknown = PublicKey("x-new-kind", ED25519[0].public)
    for keys, snapshot_signer in ((ServerKeys(odd, ED25519[1]), None),
                                  (ServerKeys(ED25519[0], odd), None),
                                  (ServerKeys(odd_keyval, ED25519[1]), None),
                                  (ServerKeys(ED25519[0], odd_keyval), None),
                                  (ServerKeys(unknown, ED25519[1]), None),
                                  (ServerKeys(ED25519[0], unknown), None),
                                  (ServerKeys(ED25519[0], None), TARGETS[1])):
        new = NewGun("registry.example.com/odd", [targets], keys, snapshot_signer)
        signers = [repository._gun_signers(new)]
        assert not repository.usual_batch([new], signers, [NotarySigner(ROOT)], None)
        # one such GUN among usual ones takes the whole batch to the generic path
        usual = NewGun("registry.example.com/usual", [targets], ServerKeys(ED25519[0], ED25519[1]))
        batch = [usual, new, usual]
        signers = [repository._gun_signers(one) for one in batch]
        assert not repository.usual_batch(batch, signers, [NotarySigner(ROOT)], None)
    plain = NewGun("registry.example.com/odd", [targets], ServerKeys(ED25519[0], ED25519[1]))
    signers = [repository._gun_signers(plain)]
    assert repository.usual_batch([plain], signers, [NotarySigner(ROOT)], 1)
    assert not repository.usual_batch([plain], signers, [NotarySigner(ROOT)], 2)
    # several root keys, a threshold they can meet; one they cannot is the generic
    # path's to refuse
    roots = [NotarySigner(key) for key in ROOTS]
    assert repository.usual_batch([plain], signers, roots[:2], None)
    assert repository.usual_batch([plain], signers, roots, 3)
    assert not repository.usual_batch([plain], signers, roots[:2], 3)
    assert not repository.usual_batch([plain], signers, [], None)
    two = NewGun("registry.example.com/odd", [targets, targets], plain.server_keys)
    assert not repository.usual_batch([two], [repository._gun_signers(two)],
                                      [NotarySigner(ROOT)], None)


def test_a_gun_s_signers_are_its_prepared_keys_whichever_way_they_are_worked_out():
    """A GUN whose one targets key is prepared already (the usual) skips the
    generic steps: the same signers, snapshot key and refusals."""
    targets, snapshot = NotarySigner(TARGETS[0]), NotarySigner(TARGETS[1])
    server = ServerKeys(ED25519[0], ED25519[1])
    usual = repository._gun_signers(NewGun("registry.example.com/g", [targets], server))
    assert usual == ([targets], None, ED25519[1]) and usual[0][0] is targets
    raw = repository._gun_signers(NewGun("registry.example.com/g", [TARGETS[0]], server))
    assert [s.key for s in raw[0]] == [targets.key] and raw[1:] == (None, ED25519[1])
    offline = repository._gun_signers(
        NewGun("registry.example.com/g", [targets], server, snapshot)
    )
    assert offline == ([targets], snapshot, snapshot.key)
    two = repository._gun_signers(NewGun("registry.example.com/g", [targets, targets], server))
    assert two == ([targets, targets], None, ED25519[1])
    for new, words in (
        (NewGun("registry.example.com/g", [targets], ServerKeys(ED25519[0], None)),
         "there is no snapshot key"),
        (NewGun("registry.example.com/g", [], server), "the first publish must include"),
        (NewGun("registry.example.com/a b", [targets], server), "not allowed in a GUN"),
    ):
        with pytest.raises(DctError, match=words):
            repository._gun_signers(new)


def test_a_bad_root_signature_in_a_usual_batch_is_caught_naming_its_gun():
    guns = [NewGun(f"registry.example.com/b/{n}", [DeterministicKey()],
                   ServerKeys(ED25519[0], ED25519[1])) for n in range(6)]
    spoiler = SpoilingKey(4)
    assert repository.usual_batch(guns, [repository._gun_signers(new) for new in guns],
                                  [NotarySigner(spoiler)], None)
    with pytest.raises(DctError) as caught:
        bootstrap_guns(guns, root_signers=[spoiler], now=NOW)
    assert str(caught.value).startswith("registry.example.com/b/4: the root metadata has 0 valid")


class SpoilingTargetsKey(DeterministicKey):
    """Spoils every signature it makes."""

    def sign_raw(self, payload: bytes) -> bytes:
        signature = bytearray(super().sign_raw(payload))
        signature[-1] ^= 1
        return bytes(signature)


def test_a_bad_targets_signature_in_a_usual_batch_is_caught_naming_its_gun():
    guns = [NewGun(f"registry.example.com/t/{n}",
                   [SpoilingTargetsKey() if n == 2 else DeterministicKey()],
                   ServerKeys(ED25519[0], ED25519[1])) for n in range(4)]
    with pytest.raises(DctError) as caught:
        bootstrap_guns(guns, root_signers=[DeterministicKey()], now=NOW)
    assert str(caught.value).startswith("registry.example.com/t/2: the targets metadata has 0")
    assert len(bootstrap_guns(guns, root_signers=[DeterministicKey()], now=NOW,
                              check=False)) == 4


def test_an_issued_root_key_is_the_root_key_of_its_certificate():
    for check in (True, False):
        (update,) = bootstrap_guns(
            [NewGun("registry.example.com/k", [NotarySigner(TARGETS[0])],
                    ServerKeys(ED25519[0], ED25519[1]))],
            root_signers=[ROOT], now=NOW, check=check,
        )
        (issued,) = update.root_keys
        assert isinstance(issued, IssuedRootKey)
        plain = RootKey(issued.certificate, None, None)  # the key worked out from the certificate
        assert issued.key == plain.key == key_for_certificate(issued.certificate)
        assert issued.keyid == plain.keyid
        assert issued.certificate.public_bytes(Encoding.DER) == issued.der


def test_a_threshold_the_root_keys_cannot_meet_is_refused_as_before():
    guns = [NewGun("registry.example.com/th", [NotarySigner(TARGETS[0])],
                   ServerKeys(ED25519[0], ED25519[1]))]
    with pytest.raises(DctError, match="the root threshold is 3 with 2 key"):
        bootstrap_guns(guns, root_signers=ROOTS[:2], root_threshold=3, now=NOW)


@pytest.mark.parametrize("threshold", [1, 2])
def test_a_bad_signature_by_one_of_several_root_keys_is_caught_as_the_generic_path_does(
    monkeypatch, threshold
):
    """One of two root keys spoils the third GUN's root: both paths refuse the
    batch with the same words, even when the other key alone meets the threshold."""
    guns = [NewGun(f"registry.example.com/s/{n}", [NotarySigner(TARGETS[n % 3])],
                   ServerKeys(ED25519[n % 3], ED25519[(n + 1) % 3])) for n in range(4)]
    refusals, spoiler = [], SpoilingKey(2)
    for usual in (True, False):
        serials = itertools.count(1)  # the same certificates, so the same key ids
        monkeypatch.setattr(certs, "random_serials", serials_from(serials))
        if not usual:
            monkeypatch.setattr(repository, "usual_batch", lambda *args: False)
        with pytest.raises(DctError) as caught:
            bootstrap_guns(guns, root_signers=[ROOT, spoiler], root_threshold=threshold,
                           now=NOW)
        refusals.append(str(caught.value))
    assert refusals[0] == refusals[1]
    assert refusals[0].startswith("registry.example.com/s/2: ")
