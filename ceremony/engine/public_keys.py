"""Public keys brought on media: a key made online, to name in a root or delegation.

A public key file is PEM SubjectPublicKeyInfo or a TUF key JSON object (which
may carry more beside the key: a DCT root key's certificates); it is read
(bounded) and must be of an algorithm the tool allows. Preflight reads it once
to check it, the ceremony again to use it. Never a private key.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519
from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes

from ceremony.bundle.reading import read_plain_file
from ceremony.errors import CeremonyError, PreflightError, UnsafeFileError
from ceremony.script.plan import Plan
from ceremony.verify.limits import KEY_FILE_MAX_BYTES
from hsm.algorithms import algorithm_of_public_key
from hsm.errors import KeyBackendError

# A PEM is a file of one key (KEY_FILE_MAX_BYTES, the verifier's rule for a
# bundle's keys/public/*.pem); a key JSON object may carry more beside its key: a
# DCT root key's certificate for each GUN (ceremony/flavors/dct/root_certificates.py)
MAX_KEY_JSON_FILE = 16 * 1024 * 1024


def read_public_key(path: Path, key_name: str) -> PublicKeyTypes:
    """A ``cryptography`` public key from a PEM or a TUF key JSON file."""
    where = f"key {key_name}: {path}"
    try:
        data = read_plain_file(path, MAX_KEY_JSON_FILE)
        if len(data) > KEY_FILE_MAX_BYTES and not data.lstrip().startswith(b"{"):
            raise UnsafeFileError(str(path), "too large", limit=KEY_FILE_MAX_BYTES,
                                  size=len(data))
    except UnsafeFileError as error:
        if error.reason == "too large":
            raise PreflightError(
                f"is too large to be a public key ({error.too_large})", where=where,
                todo="export the public key again from the online system and name that "
                "file: a PEM public key takes under 1 kB",
            ) from None
        if error.reason in ("link", "not plain"):
            raise PreflightError(
                f"the public key file {error.what}", where=where,
                todo="name the key file itself: only plain files are read, never through "
                "a link",
            ) from None
        raise PreflightError(
            f"cannot read the public key file: {error.system_reason}",
            where=where,
            todo="check the media with the public key is inserted and the path is right",
        ) from None
    if not data.lstrip().startswith(b"{"):
        _one_public_pem(data, where)
    try:
        if data.lstrip().startswith(b"{"):
            public_key = public_key_from_tuf_json(json.loads(data))
        else:
            public_key = serialization.load_pem_public_key(data)
    except (ValueError, KeyError, TypeError, AttributeError, RecursionError):
        raise PreflightError(
            "holds no public key (expected PEM SubjectPublicKeyInfo or a TUF key JSON)",
            where=where,
            todo="export the public key again from the online system",
        ) from None
    try:
        algorithm_of_public_key(public_key)
    except KeyBackendError as error:
        raise PreflightError(error.what, where=where, todo=error.todo) from None
    return public_key


def _one_public_pem(data: bytes, where: str) -> None:
    """A PEM public key file holds one PUBLIC KEY block and nothing secret."""
    labels = re.findall(rb"-----BEGIN ([A-Z0-9 ]{1,40})-----", data)
    if any(b"PRIVATE" in label for label in labels):
        raise PreflightError(
            "holds a PRIVATE key: only the public key may come to the ceremony",
            where=where,
            todo="take this file off the media and destroy that copy; export the public key "
            "alone, and tell whoever holds the online key that its private part was copied",
        )
    if len(labels) > 1:
        raise PreflightError(
            f"holds {len(labels)} PEM blocks; a public key file holds exactly one",
            where=where,
            todo="export the one public key on its own",
        )


def public_key_from_tuf_json(key: dict[str, Any]) -> PublicKeyTypes:
    """The public key of a TUF key object ({keytype, scheme, keyval})."""
    public = key["keyval"]["public"]
    if key["keytype"] == "ed25519":
        return ed25519.Ed25519PublicKey.from_public_bytes(bytes.fromhex(public))
    return serialization.load_pem_public_key(public.encode())


def imported_public_key(plan: Plan, name: str) -> PublicKeyTypes | None:
    """The public key ``plan`` imports as ``name``, read again; None for a key it makes
    here, a name it does not define, or a file that cannot be read (preflight's check of
    the imported keys says what is wrong with it)."""
    try:
        spec = plan.key(name)
    except KeyError:
        return None
    if spec.source != "import" or spec.public_key_file is None:
        return None
    try:
        return read_public_key(spec.public_key_file, name)
    except CeremonyError:
        return None
