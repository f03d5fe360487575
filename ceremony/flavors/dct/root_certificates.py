"""A new DCT root key's certificates: made at its keyholder's sitting, read by a request.

In notary a root key is named, in each GUN's root.json, by a self-signed
certificate whose CN is the GUN, and only that key can sign it. A keyholder
who adds a root key in a rotation signed in several sittings therefore makes
its certificates at their own sitting (``ceremony certify``): one per GUN of
their verified copy of the current bundle, in notary's template
(:func:`~ceremony.flavors.dct.notary.repository.new_root_keys`, as a
bootstrap makes them). The file is JSON and holds nothing secret:

    {"format": "ceremony-dct-root-certificates", "key": NAME, "keyid": CANONICAL_ID,
     "keytype": "ecdsa", "keyval": {"public": PEM}, "certificates": {GUN: PEM, ...}}

``keytype`` and ``keyval`` are a key JSON object's, so a script's ``import:``
reads the file as any public key file. Preflight (``ceremony validate``) and
the request read the certificates (:func:`imported_certificates`): each for
its GUN, self-signed by that key, valid over the new root's whole lifetime,
and one for every GUN in scope.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes

from ceremony.bundle.reading import read_plain_file
from ceremony.errors import PreflightError, UnsafeFileError
from ceremony.flavors.dct.notary.errors import DctError
from ceremony.flavors.dct.notary.keyids import pem_from_der, spki_der
from ceremony.flavors.dct.notary.repository import new_root_keys
from ceremony.flavors.dct.notary.root import RootKey
from ceremony.flavors.dct.notary.signing import NotarySigner, RawSigner
from ceremony.flavors.dct.notary.validate import check_root_certificate

FORMAT = "ceremony-dct-root-certificates"
# a certificate's PEM is about 700 bytes: room for many thousands of GUNs
MAX_CERTIFICATES_FILE = 16 * 1024 * 1024


def certify_key(
    signer: RawSigner, name: str, guns: Sequence[str], now: datetime, validity: timedelta
) -> bytes:
    """The certificates file of ``signer``'s key (named ``name``): one self-signed
    certificate for each of ``guns``, valid from ``now`` for ``validity``."""
    notary = NotarySigner(signer)
    made = new_root_keys([notary], list(guns), now.replace(microsecond=0), validity, True)
    public = signer.crypto_public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    facts = {
        "format": FORMAT,
        "key": name,
        "keyid": notary.keyid,
        "keytype": notary.key.keytype,
        "keyval": {"public": public.decode()},
        "certificates": {gun: keys[0].key.public.decode()
                         for gun, keys in zip(guns, made, strict=True)},
    }
    return (json.dumps(facts, indent=1, sort_keys=True) + "\n").encode()


def imported_certificates(
    path: Path, name: str, public_key: PublicKeyTypes, guns: Sequence[str], now: datetime,
    root_expires: datetime,
) -> dict[str, RootKey]:
    """The root key ``name`` (imported from ``path``, its public key ``public_key``)
    as each of ``guns`` names it: its certificate for that GUN, checked."""
    certificates = _read(path, name)
    found: dict[str, RootKey] = {}
    for gun in guns:
        text = certificates.get(gun)
        if not isinstance(text, str):
            raise _refusal(path, f"holds no certificate of {name} for the GUN {gun}", name)
        try:
            certificate = x509.load_pem_x509_certificate(text.encode())
        except ValueError:
            raise _refusal(path, f"its certificate for {gun} is not a PEM certificate",
                           name) from None
        if spki_der(certificate.public_key()) != spki_der(public_key):
            raise _refusal(path, f"its certificate for {gun} holds another key than {name}",
                           name)
        try:
            certificate.verify_directly_issued_by(certificate)
        except (InvalidSignature, ValueError, TypeError):
            raise _refusal(path, f"its certificate for {gun} is not signed by {name} itself",
                           name) from None
        try:
            check_root_certificate(certificate, gun, now, new=False)
        except DctError as error:
            raise _refusal(path, f"its certificate for {gun}: {error.what}", name) from None
        if certificate.not_valid_after_utc < root_expires:
            raise _refusal(
                path, f"its certificate for {gun} expires on "
                f"{certificate.not_valid_after_utc:%Y-%m-%d}, before the new root "
                f"({root_expires:%Y-%m-%d})", name,
                expires=f" --expires {(root_expires + timedelta(days=1)):%Y-%m-%d}",
                other="; or give roles.root an earlier expires:",
            )
        pem = pem_from_der(certificate.public_bytes(serialization.Encoding.DER))
        found[gun] = RootKey(certificate, None, pem)
    return found


def _read(path: Path, name: str) -> dict[str, object]:
    try:
        data = read_plain_file(path, MAX_CERTIFICATES_FILE)
        facts = json.loads(data) if data.lstrip().startswith(b"{") else None
    except UnsafeFileError as error:
        raise PreflightError(str(error), where=f"key {name}: {path}") from None
    except ValueError:
        facts = None
    if not isinstance(facts, dict) or facts.get("format") != FORMAT:
        raise _refusal(path, f"holds only the public key of {name}, which would be a new root "
                       "key: in notary each GUN names its root keys by a certificate that "
                       "only that key can sign", name)
    certificates = facts.get("certificates")
    if not isinstance(certificates, dict):
        raise _refusal(path, "has no certificates", name)
    return certificates


def _refusal(
    path: Path, what: str, name: str, *, expires: str = "", other: str = ""
) -> PreflightError:
    return PreflightError(
        what, where=f"key {name}: {path}",
        todo=f"its keyholder makes the certificates at their own sitting (`ceremony certify "
        f"--key {name}=WHERE --public PEM --current BUNDLE{expires} -o FILE`) and import: "
        f"names that file{other}",
    )
