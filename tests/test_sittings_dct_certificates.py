"""A new DCT root key's certificates, as a signing request reads them: what is refused.

dave certifies his new root key for two GUNs (``certify_key``, what ``ceremony
certify`` writes); the request's reader (``imported_certificates``) takes the
file as made, and refuses, naming the file, the GUN and what to do: a
certificate for another GUN, one of another key, one not signed by his key,
a GUN without a certificate, a certificate that expires before the new root,
and a bare public key. A request written from the DCT rehearsal's bundle that
imports a bare public key for a new root key is refused and writes nothing. A
TUF (or Sigstore) key has nothing to certify, and says so. `ceremony certify`
on the rehearsal's bundle writes the file once, and refuses a key file that is
not the public key given.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from ceremony.cli.main import main
from ceremony.engine import utc_now
from ceremony.engine.current import CurrentState
from ceremony.errors import CeremonyError
from ceremony.flavor import flavor_named
from ceremony.flavors.dct.notary.certs import CertificateRequest
from ceremony.flavors.dct.notary.keyids import pem_from_der
from ceremony.flavors.dct.rehearsal import GUNS
from ceremony.flavors.dct.root_certificates import certify_key, imported_certificates
from ceremony.script.load import load_script
from ceremony.sittings.request import make_request
from hsm.algorithms import ALGORITHMS
from hsm.software import SoftwareKey

NOW = datetime(2027, 3, 1, tzinfo=UTC)
ROOT_EXPIRES = NOW + timedelta(days=365)
TEN_YEARS = timedelta(days=3650)


@pytest.fixture(scope="module")
def keys():
    dave, eve = (SoftwareKey.generate(ALGORITHMS["ecdsa-p256"]) for _ in range(2))
    yield dave, eve
    dave.close()
    eve.close()


@pytest.fixture(scope="module")
def made(keys) -> dict:
    return json.loads(certify_key(keys[0], "root-dave", GUNS, NOW, TEN_YEARS))


def read(tmp_path: Path, facts: dict, keys, guns=GUNS) -> dict:
    path = tmp_path / "root-dave.certs.json"
    path.write_text(json.dumps(facts))
    return imported_certificates(path, "root-dave", keys[0].crypto_public_key, guns, NOW,
                                 ROOT_EXPIRES)


def refusal(tmp_path: Path, facts: dict, keys, guns=GUNS) -> str:
    with pytest.raises(CeremonyError) as caught:
        read(tmp_path, facts, keys, guns)
    message = " ".join(caught.value.message().split())
    assert str(tmp_path / "root-dave.certs.json") in message  # the file is named
    assert "ceremony certify --key root-dave=WHERE" in message  # and what to do
    return message


def test_the_file_as_made_gives_each_gun_its_certificate(tmp_path, keys, made):
    assert "PRIVATE" not in json.dumps(made) and made["key"] == "root-dave"
    found = read(tmp_path, made, keys)
    assert sorted(found) == sorted(GUNS)
    for gun, root_key in found.items():
        assert root_key.key.public.decode() == made["certificates"][gun]
        assert root_key.certificate.not_valid_before_utc == NOW


def test_a_certificate_for_another_gun_is_refused(tmp_path, keys, made):
    app, db = GUNS
    swapped = {**made, "certificates": {**made["certificates"], app: made["certificates"][db]}}
    message = refusal(tmp_path, swapped, keys)
    assert f"its certificate for {app}: its common name is '{db}'" in message


def test_a_certificate_of_another_key_is_refused(tmp_path, keys, made):
    app, _db = GUNS
    eves = json.loads(certify_key(keys[1], "root-eve", GUNS, NOW, TEN_YEARS))
    other = {**made, "certificates": {**made["certificates"], app: eves["certificates"][app]}}
    assert f"its certificate for {app} holds another key than root-dave" in refusal(
        tmp_path, other, keys)


def test_a_certificate_signed_by_another_key_is_refused(tmp_path, keys, made):
    dave, eve = keys
    app, _db = GUNS
    request = CertificateRequest.of(dave, app, NOW)  # dave's key inside, eve's signature
    forged, der = request.finish(eve.sign_raw(request.tbs), check=False)
    assert forged.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo) \
        == dave.crypto_public_key.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    other = {**made, "certificates": {**made["certificates"], app: pem_from_der(der).decode()}}
    assert f"its certificate for {app} is not signed by root-dave itself" in refusal(
        tmp_path, other, keys)


def test_a_gun_without_a_certificate_is_refused(tmp_path, keys, made):
    more = (*GUNS, "registry.example.com/rehearsal/web")
    assert "holds no certificate of root-dave for the GUN registry.example.com/rehearsal/web" \
        in refusal(tmp_path, made, keys, more)


def test_a_certificate_expiring_before_the_new_root_is_refused(tmp_path, keys):
    short = json.loads(certify_key(keys[0], "root-dave", GUNS, NOW, timedelta(days=300)))
    message = refusal(tmp_path, short, keys)
    assert f"its certificate for {GUNS[0]} expires on 2027-12-26, before the new root " \
        "(2028-02-29)" in message
    assert "--current BUNDLE --expires 2028-03-01 -o FILE" in message
    assert "or give roles.root an earlier expires:" in message


def test_a_bare_public_key_is_refused(tmp_path, keys):
    pem = keys[0].crypto_public_key.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    path = tmp_path / "root-dave.certs.json"
    path.write_bytes(pem)
    with pytest.raises(CeremonyError) as caught:
        imported_certificates(path, "root-dave", keys[0].crypto_public_key, GUNS, NOW,
                              ROOT_EXPIRES)
    assert "holds only the public key of root-dave, which would be a new root key" \
        in caught.value.message()


def test_a_request_importing_a_bare_public_key_for_a_new_root_key_writes_nothing(
    dct_rehearsal, tmp_path, keys
):
    out, _printed = dct_rehearsal
    pem = keys[0].crypto_public_key.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    (tmp_path / "root-dave.pem").write_bytes(pem)
    script = tmp_path / "rotate.yaml"
    script.write_text(f"""\
format: 1
ceremony: rotate-root
flavor: dct
title: dave joins
rehearsal: true
current: {out / "4-decommission"}
output: {tmp_path / "5-rotate"}
request-expires: 7d
sign-with: [root-carol]
keyholders: [{{name: dave}}]
keys:
  - {{name: root-dave, holder: dave, import: root-dave.pem}}
roles:
  root: {{keys: [root-carol, root-dave], threshold: 1, expires: 1y}}
""")
    with pytest.raises(CeremonyError) as caught:
        make_request(load_script(script), utc_now)
    assert "holds only the public key of root-dave" in caught.value.message()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["root-dave.pem", "rotate.yaml"]


def test_a_tuf_key_has_nothing_to_certify(keys):
    for name in ("tuf", "sigstore"):
        with pytest.raises(CeremonyError) as caught:
            flavor_named(name).sittings().certify(CurrentState(), keys[0], "root-d", NOW, None)
        assert "names key root-d by its public key alone: there is nothing to certify" \
            in caught.value.message()


def test_ceremony_certify_writes_the_file_once_and_refuses_another_key(
    dct_rehearsal, tmp_path, capsys
):
    out, _printed = dct_rehearsal
    key = SoftwareKey.generate(ALGORITHMS["ecdsa-p256"])  # dave's, made at his sitting
    (tmp_path / "root-dave.age").write_bytes(key.encrypt("dave's passphrase"))
    (tmp_path / "root-dave.pem").write_text(key.facts().public_pem)
    (tmp_path / "alice.pem").write_bytes((out / "1-bootstrap/keys/public/root-alice.pem")
                                         .read_bytes())
    secrets = tmp_path / "secrets.yaml"
    secrets.write_text("root-dave: dave's passphrase\n")
    secrets.chmod(0o600)
    output = tmp_path / "root-dave.certs.json"

    def certify(public: str) -> int:
        return main(["certify", "--key", f"root-dave={tmp_path / 'root-dave.age'}",
                     "--public", str(tmp_path / public), "--current",
                     str(out / "4-decommission"), "--secrets", str(secrets), "-o", str(output)])

    assert certify("alice.pem") != 0
    assert "holds a different key than the one named root-dave" in capsys.readouterr().err
    assert not output.exists()
    assert certify("root-dave.pem") == 0
    made = output.read_bytes()
    facts = json.loads(made)
    assert sorted(facts["certificates"]) == sorted(GUNS) and b"PRIVATE" not in made
    assert facts["keyval"]["public"] == key.facts().public_pem
    assert certify("root-dave.pem") != 0  # never over the file written
    assert "exists already" in capsys.readouterr().err and output.read_bytes() == made
    key.close()


def test_ceremony_certify_on_a_folder_that_is_no_bundle_says_so(tmp_path, capsys):
    """An empty folder: a clear refusal, no traceback, nothing written; and the DCT
    folder walk that looks for notary metadata passes over links it may not follow
    (/proc's, as under --current /) instead of raising PermissionError."""
    from ceremony.flavors.dct.folders import gun_folders

    with pytest.raises(PermissionError):
        Path("/proc/1/cwd").is_dir()  # what the walk met under /
    assert gun_folders(Path("/proc/1")) == []
    key = SoftwareKey.generate(ALGORITHMS["ecdsa-p256"])
    (tmp_path / "root-dave.pem").write_text(key.facts().public_pem)
    (tmp_path / "empty").mkdir()
    output = tmp_path / "root-dave.certs.json"
    code = main(["certify", "--key", f"root-dave={tmp_path / 'none.age'}",
                 "--public", str(tmp_path / "root-dave.pem"), "--current",
                 str(tmp_path / "empty"), "-o", str(output)])
    err = capsys.readouterr().err
    assert code != 0 and "MANIFEST.json: missing" in err and "Traceback" not in err
    assert not output.exists()
    key.close()
