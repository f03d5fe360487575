"""A DCT file read once per bytes inside a seal, for the verification and the state.

The verification of a DCT bundle reads each root and targets file through the
parse the ceremony's other readers share (``shared_reading.read_shared``): the
state a seal builds on reads each GUN's newest root, the seal's events read each
new root before the sealed bundle is verified. Sharing the parse must not change
what the verification finds: a file of another type, pretty-printed JSON, a file
that is not JSON are each the same problem, inside a seal or alone, whoever read
the bytes first. A public key file is read once per bytes inside a seal too: a
file that holds no key, or another key, is the same problem each time; and every
key object's bytes once per seal, however many keys it meets.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import shutil

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, x25519
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    PublicFormat,
    load_pem_public_key,
)
from test_verify_dct import APP, make_dct_bundle, reseal

from ceremony.checked import remembering
from ceremony.errors import CeremonyError
from ceremony.flavors.dct.notary.keyids import canonical_keyid, public_key_of, spki_der
from ceremony.flavors.dct.notary.model import Metadata, PublicKey, Root, Targets
from ceremony.flavors.dct.notary.signing import verify_role
from ceremony.flavors.dct.shared_reading import read_shared
from ceremony.flavors.dct.state import GunState
from ceremony.sittings.adapter import Payload
from ceremony.verify import verify_bundle


@pytest.fixture(scope="module")
def pristine(tmp_path_factory):
    return make_dct_bundle(tmp_path_factory.mktemp("dct-shared"))


def test_the_verification_and_the_state_share_one_parse_of_a_root(pristine):
    data = (pristine / "metadata" / APP / "1.root.json").read_bytes()
    with remembering():
        report = verify_bundle(pristine)
        state = GunState(APP, history=[data])
        assert state.root is read_shared(data, Root)
        assert state.root.signed.version == 1
    assert report.ok, report.lines()
    assert GunState(APP, history=[data]).root is not state.root  # outside: read afresh


@pytest.mark.parametrize("damage", ["targets as root", "pretty", "not json"])
def test_a_damaged_file_is_the_same_problem_whoever_read_it_first(pristine, tmp_path, damage):
    bundle = tmp_path / "bundle"
    shutil.copytree(pristine, bundle)
    folder = bundle / "metadata" / APP
    targets = (folder / "targets.json").read_bytes()
    data = {
        "targets as root": targets,
        "pretty": json.dumps(json.loads((folder / "1.root.json").read_bytes()), indent=1).encode(),
        "not json": b'{"signed": ',
    }[damage]
    for name in ("1.root.json", "root.json"):
        (folder / name).write_bytes(data)
    reseal(bundle)
    alone = verify_bundle(bundle).lines()
    assert any(line.startswith(f"metadata/{APP}/1.root.json: ") for line in alone), alone
    with remembering():
        for kind in (Root, Targets):  # another reader first: a refusal is never kept
            with contextlib.suppress(CeremonyError):
                read_shared(data, kind)
        inside = [verify_bundle(bundle).lines() for _ in range(2)]
    assert inside == [alone, alone]


def _pem(key) -> bytes:
    return key.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)


@pytest.mark.parametrize("damage", ["not a key", "x25519", "another key"])
def test_a_key_file_read_once_in_a_seal_is_the_same_problem_each_time(pristine, tmp_path, damage):
    """A public key file is read once per bytes in a seal (the current bundle's
    key files are the sealed one's): the same problems each time, and alone."""
    bundle = tmp_path / "bundle"
    shutil.copytree(pristine, bundle)
    index = json.loads((bundle / "keys" / "index.json").read_bytes())["keys"]
    path = bundle / index["root-alice"]["public"]
    path.write_bytes({
        "not a key": b"-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n",
        "x25519": _pem(x25519.X25519PrivateKey.generate()),
        "another key": _pem(ec.generate_private_key(ec.SECP256R1())),
    }[damage])
    reseal(bundle)
    alone = verify_bundle(bundle).lines()
    said = ("holds no public key notary can use" if damage != "another key"
            else f"is key {canonical_keyid(load_pem_public_key(path.read_bytes()))[:8]}, not "
            f"{index['root-alice']['keyid'][:8]}")
    assert alone == [f"keys/index.json: key 'root-alice': keys/public/root-alice.pem {said}"]
    with remembering():
        inside = [verify_bundle(bundle).lines() for _ in range(2)]
    assert inside == [alone, alone]


def test_every_key_of_a_seal_is_read_once_however_many():
    """A DCT key object's bytes are read once per run inside a seal, past the
    4,096 the cache outside one keeps (a seal of 1,300 GUNs meets more keys than
    that: each would be read again at each check); outside, a key is read again."""
    keys = [PublicKey("ed25519", bytes([n % 256, n // 256]) * 16) for n in range(4_200)]
    with remembering():
        first = [public_key_of(key) for key in keys]
        assert all(public_key_of(key) is read for key, read in zip(keys, first, strict=True))
        assert [canonical_keyid(key) for key in keys] == [key.keyid for key in keys]
    outside = public_key_of(keys[0])
    assert outside is not first[0] and spki_der(outside) == spki_der(first[0])


def test_a_payload_hashed_once_still_verifies_only_its_own_signatures(pristine):
    """A root's payload is hashed once for all its signatures: each still counts
    only over its own bytes (a signature moved onto other bytes counts nothing)."""
    data = (pristine / "metadata" / APP / "1.root.json").read_bytes()
    root = Metadata.from_bytes(data)
    role = root.signed.roles["root"]
    keys = {keyid: root.signed.keys[keyid] for keyid in role.keyids}
    assert verify_role(root, keys, role.threshold, "root").met
    other = Metadata.from_bytes(data.replace(b'"version":1', b'"version":2'))
    assert not verify_role(other, keys, role.threshold, "root").met
    payload = Payload("x", root.signed_bytes(), ())
    assert payload.sha256 == hashlib.sha256(root.signed_bytes()).hexdigest()
    assert payload.digest == hashlib.sha256(root.signed_bytes()).digest()
