"""The bootstrap's speed paths (scripts/bench_dct.py) give exactly the bytes of the
generic code they stand in for: the per-key certificate template, the directly
laid-out first root and targets, the PEM encoder, file bytes without the escaping
scan, the key-id caches; and remembered signature checks answer as the checks do.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)
from dct_offline import new_key
from hypothesis import given, settings
from hypothesis import strategies as st
from test_dct_batches import serials_from

from ceremony import checked
from ceremony.checked import remembered, remembering
from ceremony.flavors.dct.notary import canonical as cjson
from ceremony.flavors.dct.notary import certs, signing, validate
from ceremony.flavors.dct.notary.keyids import key_for_public_key, pem_from_der, x509_key_of_der
from ceremony.flavors.dct.notary.model import (
    Metadata,
    PublicKey,
    Root,
    Signature,
    key_id,
    key_json,
)
from ceremony.flavors.dct.notary.repository import bootstrap_gun
from ceremony.flavors.dct.notary.root import RootKey, build_root, first_root
from ceremony.flavors.dct.notary.serverkeys import ServerKeys
from ceremony.flavors.dct.notary.signing import NotarySigner, sign_payload, verify_signature

NOW = datetime(2026, 11, 26, 12, 0, 0, tzinfo=UTC)
GUNS = ["registry.example.com/team/app", "a", "host:5000/x__y/z-w.v", "docker.io/" + "n" * 200]


def _server_keys() -> ServerKeys:
    return ServerKeys(
        timestamp=key_for_public_key(ed25519.Ed25519PrivateKey.generate().public_key()),
        snapshot=key_for_public_key(ec.generate_private_key(ec.SECP256R1()).public_key()),
    )


def test_template_tbs_equals_the_generic_encoder():
    for algorithm in ("ecdsa-p256", "ecdsa-p384", "rsa-3072"):
        key = new_key(algorithm)
        signer = NotarySigner(key) if algorithm != "ecdsa-p384" else key
        public_key = signer.crypto_public_key
        spki = public_key.public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        template_algorithm, suffix = certs._checked_root_key(public_key, spki, "x")
        for gun in GUNS + ["ümlaut.example/x"]:
            for serial in (1, 127, 128, 2**64, 2**127 + 12345, 2**128 - 1):
                # UTCTime, GeneralizedTime
                for validity in (timedelta(days=3650), timedelta(days=36500)):
                    assert certs._template_tbs(
                        template_algorithm, suffix, gun, certs._validity(NOW, validity), serial
                    ) == certs.tbs_certificate(public_key, gun, NOW, NOW + validity, serial)


def test_pem_from_der_wraps_at_64_columns_like_go():
    for size in (0, 1, 47, 48, 49, 95, 96, 97, 700):
        data = bytes(range(256)) * 3
        data = data[:size]
        body = base64.b64encode(data)
        lines = b"\n".join(body[i : i + 64] for i in range(0, len(body), 64))
        assert pem_from_der(data) == (
            b"-----BEGIN CERTIFICATE-----\n%s\n-----END CERTIFICATE-----\n" % lines
        )


def test_pem_from_der_labels_any_kind():
    for kind in ("PUBLIC KEY", "100% ODD"):
        assert pem_from_der(b"\x01\x02") == (
            b"-----BEGIN CERTIFICATE-----\nAQI=\n-----END CERTIFICATE-----\n"
        )
        assert pem_from_der(b"\x01\x02", kind) == (
            b"-----BEGIN %s-----\nAQI=\n-----END %s-----\n" % (kind.encode(), kind.encode())
        )


@settings(max_examples=60, deadline=None)
@given(der=st.binary(max_size=800), keytype=st.sampled_from(["ecdsa-x509", "rsa-x509"]))
def test_a_certificate_key_made_from_its_der_is_the_key_of_its_pem(der: bytes, keytype: str):
    """x509_key_of_der works out the key's id and canonical bytes with the key:
    the same as a key object of the same PEM works them out on first use."""
    made = x509_key_of_der(der, keytype)
    plain = PublicKey(keytype, pem_from_der(der))
    assert made == plain
    assert made.id_and_json() == plain.id_and_json() == (
        key_id(keytype, plain.public), key_json(keytype, plain.public)
    )
    assert made.layout_entry() == plain.layout_entry() == (
        plain.keyid.encode(), plain.canonical_json()
    )


def test_a_layout_entry_follows_reassigned_fields():
    first, second = (key_for_public_key(new_key().crypto_public_key) for _ in range(2))
    key = PublicKey(first.keytype, first.public)
    assert key.layout_entry() == (first.keyid.encode(), first.canonical_json())
    key.public = second.public
    assert key.layout_entry() == (second.keyid.encode(), second.canonical_json())
    made = x509_key_of_der(b"\x30\x00", "ecdsa-x509")
    made.keytype = "rsa-x509"
    assert made.layout_entry() == PublicKey("rsa-x509", made.public).layout_entry()


def test_first_root_and_targets_equal_the_generic_serializer():
    for root_signers, targets_signers in (
        ([new_key()], [new_key()]),
        ([new_key(), new_key("rsa-3072")], [new_key(), new_key()]),
    ):
        update = bootstrap_gun(
            GUNS[0], root_signers=root_signers, root_threshold=len(root_signers),
            targets_signers=targets_signers, server_keys=_server_keys(), now=NOW,
        )
        for role in ("root", "targets"):
            data = update.files[role]
            metadata = Metadata.from_bytes(data)
            generic = cjson.canonical(json.loads(data)["signed"])
            assert cjson.canonical(metadata.signed.to_dict()) == generic
            assert metadata.to_bytes() == data  # the generic file writer, escaping scan included
            rebuilt = Metadata(metadata.signed, signatures=metadata.signatures)
            signatures = [s.to_json() for s in rebuilt.signatures]
            assert cjson.file_bytes(rebuilt.signed_bytes(), signatures) == data


def test_first_root_equals_build_root_and_leaves_odd_keys_to_the_generic_path():
    root_key = RootKey(certs.make_root_certificate(new_key(), GUNS[0], now=NOW))
    keys = _server_keys()
    odd = PublicKey("ecdsa", keys.snapshot.public, unrecognized={"x-note": "<&>"})
    for snapshot in (keys.snapshot, odd):
        arguments = {
            "gun": GUNS[0],
            "root_keys": [root_key],
            "targets_keys": [key_for_public_key(new_key().crypto_public_key)],
            "snapshot_keys": [snapshot],
            "timestamp_keys": [keys.timestamp],
            "now": NOW,
        }
        _assert_same_root(arguments, plain=snapshot is keys.snapshot)


def _assert_same_root(arguments: dict[str, Any], plain: bool) -> None:
    """first_root and build_root give the same root, in the same order, and
    the same canonical bytes (laid out directly when ``plain``)."""
    fast = first_root(**arguments)
    built = build_root(**arguments, check_certificates=False)
    assert fast.signed == built
    assert list(fast.signed.keys) == list(built.keys)
    assert list(fast.signed.roles) == list(built.roles)
    assert fast.signed_bytes() == cjson.canonical(built.to_dict())
    assert fast._plain == plain


def test_key_id_cache_follows_reassigned_fields():
    first, second = (key_for_public_key(new_key().crypto_public_key) for _ in range(2))
    key = PublicKey(first.keytype, first.public)
    assert key.keyid == key_id(first.keytype, first.public)
    key.public = second.public
    assert key.keyid == key_id(second.keytype, second.public)
    update = bootstrap_gun(
        GUNS[1], root_signers=[new_key()], targets_signers=[new_key()],
        server_keys=_server_keys(), now=NOW,
    )
    assert isinstance(Root.from_dict(json.loads(update.files["root"])["signed"]), Root)


def test_signature_json_escapes_itself():
    odd = cjson.signature_json("id<&>\u2028", "ecdsa", b"\x01")
    assert odd == cjson.html_escape(odd)
    assert b"<" not in odd and b"\\u003c" in odd
    data = cjson.file_bytes(b'{"a":"b"}', [odd], signed_is_ascii=True)
    assert data == cjson.file_bytes(b'{"a":"b"}', [odd])


def test_remembered_signature_checks_give_the_checks_own_answers():
    signer = new_key()
    key = key_for_public_key(signer.crypto_public_key)
    good = sign_payload(signer, b"payload")
    damaged = Signature(good.keyid, good.method, good.sig[:-1] + bytes([good.sig[-1] ^ 1]))
    made = []
    with remembering():
        for _ in range(2):  # the second round is answered from what the first found
            assert verify_signature(key, good, b"payload")
            assert not verify_signature(key, damaged, b"payload")
            assert not verify_signature(key, good, b"payloaD")
            assert remembered("what", lambda: made.append(1) or True)
        assert made == [1]
        with remembering():  # an inner block shares, and does not end, the outer one
            assert remembered("what", lambda: made.append(2) or True)
        assert remembered("what", lambda: made.append(3) or True)
    assert made == [1]
    assert remembered("what", lambda: made.append(4) or True)  # outside: checked every time
    assert made == [1, 4]
    assert not checked._answers


@settings(max_examples=40, deadline=None)
@given(
    expires=st.datetimes(
        min_value=datetime(2000, 1, 1), max_value=datetime(9998, 12, 31), timezones=st.just(UTC)
    ),
    shared=st.sampled_from(["none", "targets=snapshot", "all but root"]),
    gun=st.sampled_from(GUNS),
)
def test_one_key_roots_equal_build_root(expires: datetime, shared: str, gun: str) -> None:
    """A root with one key a role is laid out around its key ids: the same root and
    bytes as build_root and the generic serializer, whatever the expiry and however
    the roles share keys."""
    root_key = _ONE_KEY_ROOT_KEY
    keys = _ONE_KEY_SERVER_KEYS
    targets = key_for_public_key(ec.generate_private_key(ec.SECP256R1()).public_key())
    snapshot = targets if shared != "none" else keys.snapshot
    timestamp = targets if shared == "all but root" else keys.timestamp
    arguments = {
        "gun": gun,
        "root_keys": [root_key],
        "targets_keys": [targets],
        "snapshot_keys": [snapshot],
        "timestamp_keys": [timestamp],
        "expires": expires,
        "now": NOW,
    }
    _assert_same_root(arguments, plain=True)


_ONE_KEY_ROOT_KEY = RootKey(certs.make_root_certificate(new_key(), GUNS[0], now=NOW))
_ONE_KEY_SERVER_KEYS = _server_keys()


def _reference_raw(der: bytes, size: int) -> bytes | str:
    """r||s by decode_dss_signature, or the name of what it raised."""
    try:
        r, s = decode_dss_signature(der)
        return r.to_bytes(size, "big") + s.to_bytes(size, "big")
    except (ValueError, OverflowError) as error:
        return type(error).__name__


def _fast_raw(der: bytes, size: int) -> bytes | str:
    try:
        return signing._der_to_raw(der, size)
    except (ValueError, OverflowError) as error:
        return type(error).__name__


@settings(max_examples=300, deadline=None)
@given(
    size=st.sampled_from([32, 48, 66]),
    r_bits=st.integers(0, 8 * 67),
    s_bits=st.integers(0, 8 * 67),
    data=st.data(),
)
def test_der_to_raw_cuts_the_usual_der_as_decode_dss_signature_reads_it(
    size: int, r_bits: int, s_bits: int, data: st.DataObject
) -> None:
    """Signatures of every length (scalars too long for the curve, zero, a leading
    zero byte kept for the sign), and the same bytes damaged: the same r||s as
    decode_dss_signature, or the same refusal."""
    r = data.draw(st.integers(0, 2**r_bits))
    s = data.draw(st.integers(0, 2**s_bits))
    der = encode_dss_signature(r, s)
    assert _fast_raw(der, size) == _reference_raw(der, size)
    position = data.draw(st.integers(0, len(der) - 1))
    damaged = bytearray(der)
    damaged[position] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(0, len(der)))
    for variant in (bytes(damaged), der[:cut], der + b"\0"):
        assert _fast_raw(variant, size) == _reference_raw(variant, size)


def test_der_to_raw_leaves_long_lengths_to_the_decoder():
    """A first length byte of 0x80 or more is the long form: never read as a length."""
    r, s = b"\x01" * 64, b"\x02" * 61
    crafted = b"\x30\x81\x02\x40" + r + b"\x02\x3d" + s  # 0x81 = 129 = len - 2
    assert len(crafted) == 0x81 + 2
    assert _fast_raw(crafted, 66) == _reference_raw(crafted, 66)


def test_der_to_raw_of_real_signatures():
    key = ec.generate_private_key(ec.SECP256R1())
    for n in range(200):
        der = key.sign(b"%d" % n, ec.ECDSA(hashes.SHA256()))
        assert signing._der_to_raw(der, 32) == _reference_raw(der, 32)


@settings(max_examples=300, deadline=None)
@given(
    name=st.one_of(
        st.text(alphabet=st.sampled_from("az09.-_/:é ('+=?"), max_size=130),
        st.integers(100, 130).map(lambda size: "r" * size),
    )
)
def test_fast_name_equals_the_generic_name(name: str) -> None:
    assert certs._fast_name(name) == certs._name(name)


def test_many_requests_equal_one_at_a_time(monkeypatch):
    signer = NotarySigner(new_key())
    guns = GUNS + ["x" * 116, "x" * 117]
    for batch in (True, False):
        serials = iter(range(1, 100))
        monkeypatch.setattr(certs, "random_serials", serials_from(serials))
        made = (certs.CertificateRequest.many(signer, guns, NOW) if batch else
                [certs.CertificateRequest.of(signer, gun, NOW) for gun in guns])
        if batch:
            together = made
    assert together == made


SERIALS = (1, 127, 128, 255, 2**64, 2**127 + 12345, 2**128 - 1, 2**159 - 1)


def test_tbs_many_equals_the_generic_encoder(monkeypatch):
    """The batch's one-step layout, over keys, name lengths (one-byte and longer
    SEQUENCE lengths, a name in UTF8String), serials of every INTEGER length,
    and both kinds of time: tbs_certificate's bytes."""
    guns = [*GUNS, "x" * 116, "x" * 117, "a/b"]
    for algorithm in ("ecdsa-p256", "ecdsa-p384", "rsa-3072"):
        key = new_key(algorithm)
        for signer in (NotarySigner(key), key) if algorithm != "ecdsa-p384" else (key,):
            public_key = signer.crypto_public_key
            for validity in (timedelta(days=3650), timedelta(days=36500)):
                for serial in SERIALS:
                    same = serials_from(itertools.repeat(serial))
                    monkeypatch.setattr(certs, "random_serials", same)
                    made_key, algorithm_der, made = certs.tbs_many(signer, guns, NOW, validity)
                    assert made_key is public_key
                    assert algorithm_der == certs._signature_algorithm(public_key)
                    assert made == [
                        certs.tbs_certificate(public_key, gun, NOW, NOW + validity, serial)
                        for gun in guns
                    ]
                    # the GUNs checked by the caller already: the same bytes
                    assert certs.tbs_many(
                        signer, guns, NOW, validity, guns_checked=True
                    ) == (made_key, algorithm_der, made)


def test_tbs_many_refuses_what_a_single_request_refuses(monkeypatch):
    signer = NotarySigner(new_key())
    for serial in (True, -5, 2**159, 2**200):
        monkeypatch.setattr(certs, "random_serials", serials_from(itertools.repeat(serial)))
        refusals = []
        for make in (lambda: certs.tbs_many(signer, ["registry.example.com/a"], NOW),
                     lambda: certs.CertificateRequest.of(signer, "registry.example.com/a", NOW)):
            try:
                make()
            except Exception as error:  # the same refusal, whatever it is
                refusals.append((type(error), str(error)))
        assert len(refusals) == 2 and refusals[0] == refusals[1]
    monkeypatch.setattr(certs, "random_serials", serials_from(itertools.repeat(0)))  # 1 for 0
    zero = certs.tbs_many(signer, ["registry.example.com/a"], NOW)[2]
    assert zero == [certs.tbs_certificate(signer.crypto_public_key, "registry.example.com/a",
                                          NOW, NOW + certs.ROOT_CERT_VALIDITY, 1)]


def test_signed_der_equals_the_generic_encoder():
    algorithm = certs._ECDSA_SHA256
    for tbs_size in (100, 250, 253, 260, 600, 70000):
        tbs = b"\x30" + bytes([tbs_size % 251]) * (tbs_size - 1)
        for signature_size in (0, 70, 71, 72, 125, 126, 127, 384):
            signature = bytes(range(signature_size % 256)) * (signature_size // 256 + 1)
            signature = signature[:signature_size]
            assert certs.signed_der(tbs, algorithm, signature) == certs.der.sequence(
                tbs, algorithm, certs.der.bit_string(signature)
            )


def test_one_signature_file_equals_the_generic_file():
    signed = b'{"_type":"Targets","version":1}'
    for keyid, method in (("ab" * 32, "ecdsa"), ("ab" * 32, "rsapss"), ("<&>é", "ecdsa"),
                          ("ab", "odd method")):
        for sig in (b"", b"\x00\xff" * 32, bytes(range(256))):
            assert cjson.one_signature_file(signed, keyid, method, sig) == cjson.file_bytes(
                signed, [cjson.signature_json(keyid, method, sig)], True
            )


def test_one_signature_layout_gives_the_one_signature_file():
    signed = b'{"_type":"Targets","version":1}'
    for method in ("ecdsa", "rsapss", "eddsa", "odd method"):
        layout = cjson.one_signature_layout(method)
        assert layout is not None
        for sig in (b"", b"\x00\xff" * 32, bytes(range(256))):
            keyid = hashlib.sha256(sig).hexdigest()
            assert layout % (signed, keyid.encode(), base64.b64encode(sig)) == (
                cjson.one_signature_file(signed, keyid, method, sig)
            )
    for method in ("<&>", "é", "100%", 'a"b'):
        assert cjson.one_signature_layout(method) is None
    for signer in (new_key(), new_key("rsa-3072"), new_key("ed25519")):
        notary = NotarySigner(signer)
        assert notary.file_layout == cjson.one_signature_layout(notary.method)


def _is_gun_by_parts(gun: str) -> bool:
    """Docker's reference grammar read part by part, as the one match stands for."""
    path, domain = re.compile(validate._PATH_PART), re.compile(validate._DOMAIN)
    if len(gun) > validate.MAX_GUN_LENGTH:
        return False
    first, *rest = gun.split("/")
    if not all(path.fullmatch(part) for part in rest):
        return False
    return bool(path.fullmatch(first) or (rest and domain.fullmatch(first)))


_GUN_PIECES = st.sampled_from(
    ["a", "z9", "0", "A", "Ab", "-", "--", ".", "_", "__", "___", "/", ":", ":80", "5000",
     "example", "com", "x-y", "é", " ", "..", "a_b", "a__b", "a--b", "a.-b"]
)


@settings(max_examples=1500, deadline=None)
@given(gun=st.one_of(
    st.lists(_GUN_PIECES, max_size=12).map("".join),
    st.text(alphabet=st.sampled_from("aB0-._/:é"), max_size=40),
    st.integers(250, 260).map(lambda size: "a/" + "b" * (size - 2)),
))
def test_the_gun_grammar_in_one_match_reads_as_its_parts(gun: str) -> None:
    assert validate._is_gun.__wrapped__(gun) == _is_gun_by_parts(gun)


def test_the_gun_grammar_in_one_match_on_known_names():
    for gun in ("registry.example.com/team/app", "a", "host:5000/x__y/z-w.v", "Host.Example/a",
                "localhost:5000/a--b/c", "docker.io/" + "n" * 200, "a/b_c", "a.b-c_d__e"):
        assert validate._is_gun(gun) and _is_gun_by_parts(gun), gun
    for gun in ("", "/a", "a/", "a//b", "Host", "Host:5000", "a/B", "a_/b", "a/-b", "a/b-",
                "host:/a", "a:5000", "-a/b", "a-/b", "ümlaut/x", "a/" + "b" * 254):
        assert not validate._is_gun(gun) and not _is_gun_by_parts(gun), gun


def test_random_serials_are_128_bit_draws():
    serials = certs.random_serials(2000)
    assert len(serials) == 2000 and len(set(serials)) == 2000
    assert all(0 <= serial < 2**128 for serial in serials)
    assert max(serials).bit_length() > 120  # the whole width is drawn
    assert certs.random_serials(0) == []
