"""The Notary v1 format layer on its own: bytes, keys, certificates, and the errors
an operator reads. The real server and CLI prove the same facts end to end in
test_notary_bootstrap.py and test_notary_rotation.py; these tests pin the
details and every refusal's exact words, without starting anything.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from dct_offline import new_key

from ceremony.errors import CeremonyError
from ceremony.flavors.dct.notary import canonical as cjson
from ceremony.flavors.dct.notary import der
from ceremony.flavors.dct.notary.certs import make_root_certificate
from ceremony.flavors.dct.notary.errors import (
    DctError,
    KeyFileError,
    KeyFilePassphraseError,
    NotaryFormatError,
)
from ceremony.flavors.dct.notary.keyfiles import key_file_bytes, pem_decode, read_key_file
from ceremony.flavors.dct.notary.keyids import (
    canonical_keyid,
    key_for_certificate,
    key_for_public_key,
    public_key_of,
    x509_keyid,
)
from ceremony.flavors.dct.notary.model import DelegatedRole, Metadata, PublicKey, parse_expires
from ceremony.flavors.dct.notary.repository import bootstrap_gun
from ceremony.flavors.dct.notary.root import RootKey, build_root
from ceremony.flavors.dct.notary.serverkeys import ServerKeys, load_server_keys
from ceremony.flavors.dct.notary.signing import der_to_raw, sign_payload, verify_signature
from ceremony.flavors.dct.notary.validate import (
    check_delegation_role,
    check_gun,
    check_root_certificate,
)

NOW = datetime(2026, 11, 26, 12, 0, 0, tzinfo=UTC)
GUN = "registry.example.com/team/app"


def server_keys() -> ServerKeys:
    return ServerKeys(
        timestamp=key_for_public_key(ed25519.Ed25519PrivateKey.generate().public_key()),
        snapshot=key_for_public_key(ed25519.Ed25519PrivateKey.generate().public_key()),
    )


# -- canonical JSON ------------------------------------------------------------


def test_canonical_is_sorted_compact_and_leaves_html_and_utf8_raw():
    value = {"b": [1, True, None], "a": {"z": "x<y>&z é \u2028 \"q\" \\"}, "_type": "Root"}
    assert cjson.canonical(value) == (
        '{"_type":"Root","a":{"z":"x<y>&z é \u2028 \\"q\\" \\\\"},"b":[1,true,null]}'
    ).encode()


def test_file_bytes_escape_html_and_line_separators_like_go():
    signed = cjson.canonical({"name": "a<b>&c \u2028\u2029 é"})
    data = cjson.file_bytes(signed, [cjson.signature_json("ab", "ecdsa", b"\x00\xff")])
    assert data == (
        b'{"signed":{"name":"a\\u003cb\\u003e\\u0026c \\u2028\\u2029 \xc3\xa9"},'
        b'"signatures":[{"keyid":"ab","method":"ecdsa","sig":"AP8="}]}'
    )


def test_canonical_refuses_what_notary_cannot_publish():
    with pytest.raises(NotaryFormatError) as error:
        cjson.canonical({"targets": {"line\nbreak": {}}})
    assert str(error.value) == (
        "signed.targets: a string holds a control character (newline, tab...), which notary "
        "cannot publish. Remove it from the name or value"
    )
    with pytest.raises(NotaryFormatError) as error:
        cjson.canonical({"version": 1.5})
    assert str(error.value) == (
        "signed.version: a number is not an integer; notary's canonical JSON has integers only"
    )


def test_loads_is_strict():
    with pytest.raises(NotaryFormatError, match="the key 'a' appears twice"):
        cjson.loads(b'{"a":1,"a":2}')
    with pytest.raises(NotaryFormatError, match="the number 1.0 is not an integer"):
        cjson.loads(b'{"a":1.0}')
    with pytest.raises(NotaryFormatError, match="not UTF-8"):
        cjson.loads(b'{"a":"\xff"}')


# -- model -----------------------------------------------------------------------


def signed_bootstrap():
    root_key, targets_key = new_key(), new_key()
    update = bootstrap_gun(
        GUN, root_signers=[root_key], targets_signers=[targets_key], server_keys=server_keys(),
        now=NOW,
    )
    return update, root_key, targets_key


def test_bootstrap_shape_defaults_and_round_trip():
    update, root_key, targets_key = signed_bootstrap()
    root = json.loads(update.files["root"])["signed"]
    assert root["_type"] == "Root" and root["version"] == 1 and root["consistent_snapshot"] is False
    assert root["expires"] == "2036-11-23T12:00:00Z"  # 3650 days, as notary
    assert sorted(root["roles"]) == ["root", "snapshot", "targets", "timestamp"]
    targets = json.loads(update.files["targets"])["signed"]
    assert targets == {
        "_type": "Targets", "delegations": {"keys": {}, "roles": []},
        "expires": "2029-11-25T12:00:00Z", "targets": {}, "version": 1,  # 3 * 365 days
    }
    for data in update.files.values():
        assert Metadata.from_bytes(data).to_bytes() == data
        assert b" " not in data and b"\n" not in data
    [signature] = json.loads(update.files["targets"])["signatures"]
    assert signature["keyid"] == canonical_keyid(targets_key.crypto_public_key)
    assert signature["method"] == "ecdsa" and len(signature["sig"]) == 88  # 64 raw bytes
    [signature] = json.loads(update.files["root"])["signatures"]
    root_key = update.root_keys[0]
    assert signature["keyid"] == root_key.keyid == x509_keyid(root_key.certificate)


def test_unrecognized_fields_survive_a_read_and_a_write():
    update, _, _ = signed_bootstrap()
    document = json.loads(update.files["root"])
    document["signed"]["x-custodian"] = {"name": "ops"}
    document["signed"]["roles"]["root"]["x-note"] = "kept"
    data = cjson.file_bytes(
        cjson.canonical(document["signed"]),
        [cjson.signature_json(s["keyid"], s["method"], b"") for s in document["signatures"]],
    )
    metadata = Metadata.from_bytes(data)
    assert metadata.signed.unrecognized == {"x-custodian": {"name": "ops"}}
    assert metadata.to_bytes() == data


def test_delegated_role_paths_are_omitted_when_empty_as_go_does():
    assert DelegatedRole("targets/a", ["k"], 1, []).to_dict() == {
        "keyids": ["k"], "name": "targets/a", "threshold": 1
    }
    assert DelegatedRole("targets/a", ["k"]).to_dict()["paths"] == [""]


def test_metadata_with_a_private_key_is_refused():
    update, _, _ = signed_bootstrap()
    document = json.loads(update.files["root"])
    keyid = next(iter(document["signed"]["keys"]))
    document["signed"]["keys"][keyid]["keyval"]["private"] = "c2VjcmV0"
    with pytest.raises(NotaryFormatError) as error:
        Metadata.from_bytes(json.dumps(document).encode(), "root.json")
    assert str(error.value) == (
        f"root.json.signed.keys.{keyid}.keyval.private: a private key is embedded in public "
        "metadata. Refuse this file: its author leaked a private key"
    )


@pytest.mark.parametrize("type_name", [["Root"], {"Root": 1}, 1, None])
def test_a_type_that_is_not_a_name_is_refused_cleanly(type_name):
    update, _, _ = signed_bootstrap()
    document = json.loads(update.files["root"])
    document["signed"]["_type"] = type_name
    with pytest.raises(NotaryFormatError) as error:
        Metadata.from_bytes(json.dumps(document).encode(), "root.json")
    assert str(error.value) == (
        f"root.json.signed._type: unknown _type {type_name!r}. Expected Root, Targets, "
        "Snapshot or Timestamp"
    )


def test_expires_as_go_writes_it():
    assert parse_expires("2036-11-23T17:38:07.533573769Z") == datetime(
        2036, 11, 23, 17, 38, 7, 533573, tzinfo=UTC
    )
    assert parse_expires("2030-01-01T02:00:00+02:00") == datetime(2030, 1, 1, tzinfo=UTC)
    with pytest.raises(NotaryFormatError, match="is not an RFC 3339 time"):
        parse_expires("2030-01-01 00:00:00")


@pytest.mark.parametrize("role", ["root", "targets"])
def test_an_expiry_with_a_newline_after_it_is_refused(role):
    # Go's time.Parse refuses "...Z\n" (extra text): so must the reader, and a file
    # holding it is not one the model lays out again as exact
    with pytest.raises(NotaryFormatError, match="is not an RFC 3339 time"):
        parse_expires("2030-01-01T00:00:00Z\n")
    update, _, _ = signed_bootstrap()
    document = json.loads(update.files[role])
    document["signed"]["expires"] += "\n"
    with pytest.raises(NotaryFormatError, match="is not an RFC 3339 time"):
        Metadata.from_bytes(json.dumps(document).encode(), f"{role}.json")


# -- signatures ---------------------------------------------------------------------


def test_ecdsa_signatures_are_raw_r_s_over_sha256_and_verify():
    key = new_key()
    signature = sign_payload(key, b"payload")
    assert signature.method == "ecdsa" and len(signature.sig) == 64
    public = key_for_public_key(key.crypto_public_key)
    assert verify_signature(public, signature, b"payload")
    assert not verify_signature(public, signature, b"other payload")
    der_signature = key.sign_raw(b"payload")
    assert len(der_to_raw(der_signature, ec.SECP256R1())) == 64
    signature.sig = der_signature  # DER is what notary rejects
    assert not verify_signature(public, signature, b"payload")


def test_rsa_and_ed25519_methods():
    for algorithm, method, size in (("rsa-3072", "rsapss", 384), ("ed25519", "eddsa", 64)):
        key = new_key(algorithm)
        signature = sign_payload(key, b"payload")
        assert (signature.method, len(signature.sig)) == (method, size)
        assert verify_signature(key_for_public_key(key.crypto_public_key), signature, b"payload")


def test_p384_keys_cannot_sign_notary_metadata():
    with pytest.raises(DctError) as error:
        sign_payload(new_key("ecdsa-p384"), b"payload")
    assert str(error.value) == (
        "an ECDSA secp384r1 key cannot sign notary metadata here: notary verifies ECDSA over "
        "SHA-256 on every curve, and the key backends sign this curve over SHA-384. Use an "
        "ECDSA P-256 key for Docker Content Trust"
    )


class BadSigner:
    """A backend that returns a signature of the wrong payload."""

    def __init__(self, key):
        self.key = key
        self.crypto_public_key = key.crypto_public_key

    def sign_raw(self, payload):
        return self.key.sign_raw(payload + b"!")


def test_a_bad_signature_never_leaves_the_builder():
    with pytest.raises(DctError) as error:
        make_root_certificate(BadSigner(new_key()), GUN)
    assert str(error.value) == (
        f"root certificate for {GUN}: its signature does not verify: the key or its token "
        "returned a bad signature. Stop the ceremony and check the key backend; nothing was written"
    )
    with pytest.raises(DctError) as error:
        bootstrap_gun(GUN, root_signers=[new_key()], targets_signers=[BadSigner(new_key())],
                      server_keys=server_keys(), now=NOW)
    assert str(error.value) == (
        f"{GUN}: the targets metadata has 0 valid signatures, threshold 1 (1 more needed). A "
        "key or token returned a bad signature, or too few keys signed; nothing was written"
    )


# -- certificates -------------------------------------------------------------------


def test_root_certificate_follows_notarys_template():
    key = new_key()
    certificate = make_root_certificate(key, GUN, now=NOW)
    assert certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == GUN
    assert certificate.issuer == certificate.subject
    assert certificate.not_valid_before_utc == NOW
    assert certificate.not_valid_after_utc == NOW + timedelta(days=3650)
    assert 0 < certificate.serial_number < 2**128
    assert certificate.signature_hash_algorithm.name == "sha256"
    extensions = {e.oid.dotted_string: e for e in certificate.extensions}
    assert len(extensions) == 3
    usage = certificate.extensions.get_extension_for_class(x509.KeyUsage)
    assert usage.critical and usage.value.digital_signature and usage.value.key_encipherment
    assert not usage.value.key_cert_sign
    eku = certificate.extensions.get_extension_for_class(x509.ExtendedKeyUsage)
    assert list(eku.value) == [ExtendedKeyUsageOID.CODE_SIGNING] and not eku.critical
    constraints = certificate.extensions.get_extension_for_class(x509.BasicConstraints)
    assert constraints.critical and not constraints.value.ca
    assert key_for_certificate(certificate).keytype == "ecdsa-x509"
    assert canonical_keyid(certificate) == canonical_keyid(key.crypto_public_key)


def test_ed25519_root_certificate_is_refused():
    with pytest.raises(DctError) as error:
        make_root_certificate(new_key("ed25519"), GUN)
    assert str(error.value) == (
        f"root certificate for {GUN}: the root key is Ed25519, which notary does not accept in a "
        "root certificate. Docker Content Trust root keys must be ECDSA P-256 (or P-384, or RSA "
        ">= 2048 bits); make or choose such a key for this GUN"
    )


def test_expiring_root_certificate_is_refused():
    with pytest.raises(DctError) as error:
        make_root_certificate(new_key(), GUN, now=NOW, validity=timedelta(days=90))
    assert str(error.value) == (
        f"root certificate for {GUN}: it would expire on 2027-02-24, within six months. Give root "
        "certificates a validity of more than six months (notary's default is 10 years)"
    )


def test_expired_certificate_in_a_root_is_refused():
    certificate = make_root_certificate(
        new_key(), GUN, now=NOW - timedelta(days=400), validity=timedelta(days=300)
    )
    with pytest.raises(DctError) as error:
        check_root_certificate(certificate, GUN, NOW, new=False)
    assert str(error.value) == (
        f"root certificate for {GUN}: it expired on 2026-08-18. Make a new root certificate and "
        "rotate root to it"
    )
    nearly = make_root_certificate(
        new_key(), GUN, now=NOW - timedelta(days=300), validity=timedelta(days=400)
    )
    assert check_root_certificate(nearly, GUN, NOW, new=False) == [
        f"root certificate for {GUN} expires on 2027-03-06, within six months: rotate root "
        "before then"
    ]


def test_certificate_cn_must_match_the_gun():
    key = new_key()
    certificate = make_root_certificate(key, "registry.example.com/team/other", now=NOW)
    with pytest.raises(DctError) as error:
        build_root(
            gun=GUN,
            root_keys=[RootKey(certificate, key)],
            targets_keys=[key_for_public_key(key.crypto_public_key)],
            snapshot_keys=[server_keys().snapshot],
            timestamp_keys=[server_keys().timestamp],
            now=NOW,
        )
    assert str(error.value) == (
        f"root certificate for {GUN}: its common name is 'registry.example.com/team/other', which "
        f"does not match the GUN '{GUN}'. Notary accepts a root certificate only for the GUN named "
        "in its CN: make a certificate for this GUN"
    )


def test_ca_certificate_is_refused():
    private_key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, GUN)])
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(private_key.public_key()).serial_number(1)
        .not_valid_before(NOW).not_valid_after(NOW + timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(private_key, hashes.SHA256())
    )
    with pytest.raises(DctError, match=r"it is a CA certificate \(CA:TRUE\)"):
        check_root_certificate(certificate, GUN, NOW)


def test_root_expiring_within_six_months_earns_a_warning():
    key = new_key()
    update = bootstrap_gun(
        GUN, root_signers=[key], targets_signers=[new_key()], server_keys=server_keys(), now=NOW,
        root_expires=NOW + timedelta(days=120),
    )
    assert update.warnings == [
        f"the root of {GUN} expires on 2027-03-26, within six months: notary will try to re-sign "
        "root on every publish and fail without the offline root key; plan a root ceremony "
        "before then"
    ]


# -- names -----------------------------------------------------------------------------


def test_gun_with_invalid_characters_is_refused():
    valid = "registry.example.com:5000/team/app_1.x-y"
    assert check_gun(valid) == valid
    with pytest.raises(DctError) as error:
        check_gun("registry.example.com/team/my app")
    assert str(error.value) == (
        "GUN 'registry.example.com/team/my app': the character ' ' at position 29 is not allowed "
        "in a GUN. A GUN is a Docker repository name such as registry.example.com/team/app: an "
        "optional registry host[:port], then /-separated lowercase parts of letters and digits "
        "joined by '.', '_' or '-'"
    )
    for bad in (
        "registry.example.com/Team/app", "registry.example.com//app", "a/../b", "app/", "x" * 256
    ):
        with pytest.raises(DctError):
            check_gun(bad)
    with pytest.raises(DctError, match="the character '\\*' at position 6"):
        bootstrap_gun(
            "team/*", root_signers=[new_key()], targets_signers=[new_key()],
            server_keys=server_keys(),
        )


def test_delegation_role_names():
    assert check_delegation_role("targets/releases") == "targets/releases"
    with pytest.raises(DctError) as error:
        check_delegation_role("targets/Releases")
    assert str(error.value) == (
        "delegation role 'targets/Releases': the character 'R' is not allowed in a role name. Name "
        "delegations targets/<name>, with lowercase letters, digits, '-', '_' and '/', for example "
        "targets/releases"
    )
    for bad in ("releases", "targets/a//b", "targets/a/", "targets/../x", "targets/a/b"):
        with pytest.raises(DctError):
            check_delegation_role(bad)


# -- server keys on media -------------------------------------------------------------


def test_server_keys_missing_from_media(tmp_path):
    key = key_for_public_key(ed25519.Ed25519PrivateKey.generate().public_key())
    folder = tmp_path / GUN
    folder.mkdir(parents=True)
    (folder / "timestamp.key").write_bytes(cjson.canonical(key.to_dict()))
    assert load_server_keys(tmp_path, GUN, snapshot=False).timestamp == key
    with pytest.raises(DctError) as error:
        load_server_keys(tmp_path, GUN)
    assert isinstance(error.value, CeremonyError)
    assert str(error.value) == (
        f"{tmp_path}/{GUN}/snapshot.key: the Notary server's snapshot key for {GUN} is not on the "
        "media. Run scripts/dct-fetch-keys for this GUN on the online side and bring the media "
        "back; nothing was signed"
    )
    (folder / "snapshot.key").write_bytes(
        b'{"keytype":"ed25519","keyval":{"private":null,"public":"AAAA"}}'
    )
    with pytest.raises(NotaryFormatError, match="is not a valid public key"):
        load_server_keys(tmp_path, GUN)
    # the parsed-once key bytes give the same refusals, naming each key, every time
    for _ in range(2):
        for bad, words in ((PublicKey("ecdsa-x509", b"no PEM"), "does not hold a PEM certificate"),
                           (PublicKey("dsa", b"x"), "the key type 'dsa' is not one notary knows")):
            with pytest.raises(NotaryFormatError, match=words) as refused:
                public_key_of(bad)
            assert bad.keytype == "dsa" or bad.keyid[:12] in str(refused.value)


def test_bootstrap_without_any_snapshot_key_is_refused():
    with pytest.raises(DctError) as error:
        bootstrap_gun(GUN, root_signers=[new_key()], targets_signers=[new_key()],
                      server_keys=ServerKeys(timestamp=server_keys().timestamp))
    assert str(error.value) == (
        f"{GUN}: there is no snapshot key: the server's was not fetched and none is offline. Fetch "
        "the server's snapshot key with scripts/dct-fetch-keys, or make an offline snapshot key"
    )


# -- private key files ---------------------------------------------------------------


def test_key_file_is_notarys_pbes2_layout():
    private_key = ec.generate_private_key(ec.SECP256R1())
    data = key_file_bytes(private_key, "passphrase", role="targets", gun=GUN, export_path=True)
    keyid = canonical_keyid(private_key.public_key())
    text = data.decode()
    assert text.startswith(
        f"-----BEGIN ENCRYPTED PRIVATE KEY-----\ngun: {GUN}\npath: {keyid}\nrole: targets\n\n"
    )
    kind, headers, body = pem_decode(data, "key file")
    outer = der.read(body).children()
    scheme = outer[0].children()
    assert scheme[0].as_oid() == "1.2.840.113549.1.5.13"  # PBES2
    kdf, cipher = scheme[1].children()
    assert kdf.children()[0].as_oid() == "1.2.840.113549.1.5.12"  # PBKDF2
    params = kdf.children()[1].children()
    assert len(params) == 2, "no key length, no PRF field: notary always uses HMAC-SHA1"
    assert len(params[0].as_octets()) == 8 and params[1].as_int() == 2048
    assert cipher.children()[0].as_oid() == "2.16.840.1.101.3.4.1.42"  # AES-256-CBC
    assert len(cipher.children()[1].as_octets()) == 16


def test_key_files_round_trip_every_key_type():
    for private_key in (
        ec.generate_private_key(ec.SECP256R1()),
        rsa.generate_private_key(public_exponent=65537, key_size=2048),
        ed25519.Ed25519PrivateKey.generate(),
    ):
        data = key_file_bytes(private_key, "pässphrase", role="targets/releases")
        opened = read_key_file(data, "pässphrase")
        assert opened.role == "targets/releases" and opened.gun == ""
        assert opened.canonical_keyid == canonical_keyid(private_key.public_key())


def test_wrong_passphrase_says_so_and_nothing_secret():
    data = key_file_bytes(ec.generate_private_key(ec.SECP256R1()), "right one", role="targets")
    with pytest.raises(KeyFilePassphraseError) as error:
        read_key_file(data, "wrong one", "ci/private/abc.key")
    assert str(error.value) == (
        "ci/private/abc.key: the passphrase does not open the key file. Check the passphrase for "
        "this key and type it again; nothing was changed"
    )
    assert "wrong one" not in str(error.value) and "right one" not in str(error.value)


def test_cryptography_pkcs8_with_hmac_sha256_is_read_too():
    private_key = ec.generate_private_key(ec.SECP256R1())
    pem = private_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"passphrase"),
    )
    opened = read_key_file(pem, "passphrase")
    assert opened.canonical_keyid == canonical_keyid(private_key.public_key())


def test_garbage_key_file():
    with pytest.raises(KeyFileError, match="holds no PEM block"):
        read_key_file(b"not a key", "x")
    with pytest.raises(KeyFileError, match="not a PKCS#8 encrypted key"):
        read_key_file(
            b"-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n"
            b"-----END ENCRYPTED PRIVATE KEY-----\n",
            "x",
        )


def test_keyids_are_hashes_of_canonical_key_objects():
    certificate = make_root_certificate(new_key(), GUN, now=NOW)
    pem = certificate.public_bytes(serialization.Encoding.PEM)
    import base64

    body = {
        "keytype": "ecdsa-x509",
        "keyval": {"private": None, "public": base64.b64encode(pem).decode()},
    }
    expected = hashlib.sha256(
        json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
    ).hexdigest()
    assert x509_keyid(certificate) == expected


def test_plain_root_bytes_equal_the_generic_serializer():
    """Root's direct layout (a speed path) must give the generic canonical bytes exactly."""
    from ceremony.flavors.dct.notary.rotation import rotate_root_keys

    first, second = new_key(), new_key()
    update = bootstrap_gun(
        GUN, root_signers=[first, second], root_threshold=2, targets_signers=[new_key(), new_key()],
        server_keys=server_keys(), now=NOW,
    )
    rotated = rotate_root_keys(
        GUN, Metadata.from_bytes(update.files["root"]), old_signers=[first, second],
        new_signers=[new_key("rsa-3072")], now=NOW,
    )
    for data in (update.files["root"], rotated.files["root"]):
        root = Metadata.from_bytes(data).signed
        assert root.plain_canonical() == cjson.canonical(root.to_dict())
        assert Metadata(root).signed_bytes() == cjson.canonical(json.loads(data)["signed"])
    root.unrecognized["x-extra"] = 1
    assert root.plain_canonical() is None
    targets = Metadata.from_bytes(update.files["targets"]).signed
    assert targets.plain_canonical() == cjson.canonical(targets.to_dict())
    targets.delegations.roles.append(DelegatedRole("targets/releases", ["k"]))
    assert targets.plain_canonical() is None
