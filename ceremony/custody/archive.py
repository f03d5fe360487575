"""The plaintext inside a custody bundle: a small tar of PKCS#8 PEM keys.

The archive holds ``keys/NAME.pem`` (unencrypted PKCS#8 PEM, one per key)
and ``keys.json`` (each key's name, roles and fingerprint), so that
``age -d ... | tar -x`` alone gives a person usable key files. The tar is
plain ustar with fixed owners and times, readable by every tar.

Packing and unpacking happen in memory only. Unpacking treats the archive as
hostile: anyone holding the public recipient in custody.json can seal one.
Only plain regular members (no sparse, linked or special ones, no pax
extensions) named in the record are taken, each member's declared size and
their sum are capped before anything is read, and every key is checked
against the record: fingerprint, keyid and the set of names. Nothing here
writes a file or words an error with key material.
"""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
from collections.abc import Sequence
from dataclasses import dataclass, field

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes, PublicKeyTypes

from ceremony.custody.errors import KeyMismatchError
from ceremony.custody.record import KEY_NAME, KeyRecord
from hsm.algorithms import algorithm_of_public_key
from hsm.signer import tuf_key_for
from hsm.software import SoftwareKey

INDEX_FILE = "keys.json"
MAX_ARCHIVE_BYTES = 16 * 1024 * 1024
# A key member of an archive this tool sealed, bounded as its tar header is read:
# not a file brought on media (verify.limits.KEY_FILE_MAX_BYTES, which custody sits
# below), and an archive of an earlier release may hold one up to this size. An
# RSA-4096 PKCS#8 PEM is about 3.3 KB.
MAX_KEY_FILE_BYTES = 64 * 1024
MAX_INDEX_BYTES = 4 * 1024 * 1024
_PLAIN_FILE = (tarfile.REGTYPE, tarfile.AREGTYPE)


@dataclass(frozen=True)
class CustodyKey:
    """A private key made in software, to be put in custody under ``name``."""

    name: str
    roles: tuple[str, ...]
    private_key: PrivateKeyTypes = field(repr=False, compare=False)


@dataclass(frozen=True)
class RecoveredKey:
    """A key recovered from a bundle, checked against its record."""

    name: str
    roles: tuple[str, ...]
    keyid: str
    fingerprint: str
    private_key: PrivateKeyTypes = field(repr=False, compare=False)

    def software_key(self, location: str = "") -> SoftwareKey:
        """The key as an ``hsm.software.SoftwareKey`` signer, for the engine."""
        return SoftwareKey(self.private_key, location or f"custody:{self.name}")


def fingerprint(public_key: PublicKeyTypes) -> str:
    """sha256 (hex) of the key's DER SubjectPublicKeyInfo: what custody.json
    records and ``openssl pkey -pubout -outform DER | sha256sum`` prints."""
    der = public_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return hashlib.sha256(der).hexdigest()


def key_record(key: CustodyKey) -> KeyRecord:
    """The public facts of a key, for custody.json."""
    if not KEY_NAME.match(key.name):
        raise ValueError(f"{key.name!r} is not a key name (lowercase words and dashes)")
    public_key = key.private_key.public_key()
    return KeyRecord(
        name=key.name,
        roles=tuple(key.roles),
        algorithm=algorithm_of_public_key(public_key).name,
        keyid=tuf_key_for(public_key).keyid,
        fingerprint=fingerprint(public_key),
    )


def pack(keys: Sequence[CustodyKey], records: Sequence[KeyRecord]) -> bytes:
    """The tar of the keys' PEMs and their index (secret: keep in memory)."""
    index = {
        "format": 1,
        "keys": {
            r.name: {"roles": list(r.roles), "file": f"keys/{r.name}.pem",
                     "keyid": r.keyid, "fingerprint": r.fingerprint}
            for r in records
        },
    }
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        _add(tar, INDEX_FILE, (json.dumps(index, indent=2, sort_keys=True) + "\n").encode())
        for key in keys:
            pem = key.private_key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
            _add(tar, f"keys/{key.name}.pem", pem)
            del pem
    return out.getvalue()


def _add(tar: tarfile.TarFile, name: str, content: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(content)
    info.mode = 0o600
    info.mtime = 0
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    tar.addfile(info, io.BytesIO(content))


def unpack(archive: bytes, records: Sequence[KeyRecord], where: str) -> tuple[RecoveredKey, ...]:
    """The keys in ``archive``, each checked against its record.

    Raises KeyMismatchError when a key is missing, extra, unreadable, or its
    fingerprint or keyid differs from the record: such a bundle is not the
    one the record describes, and nothing recovered from it may be used.
    """
    if len(archive) > MAX_ARCHIVE_BYTES:
        raise _mismatch(where, "the decrypted archive is larger than any custody bundle")
    expected = {f"keys/{r.name}.pem": r for r in records}
    pems: dict[str, bytes] = {}
    declared = 0
    try:
        with tarfile.open(fileobj=io.BytesIO(archive), mode="r:") as tar:
            for member in tar:
                _check_member(member, where)
                declared += member.size
                if declared > MAX_ARCHIVE_BYTES:
                    raise _mismatch(where, "the archive's members add up to more than any "
                                           "custody bundle holds")
                if member.name == INDEX_FILE:
                    continue
                if member.name not in expected:
                    raise _mismatch(
                        where,
                        f"the bundle holds {member.name!r}, which custody.json does not list",
                    )
                if member.name in pems:
                    raise _mismatch(where, f"the bundle holds {member.name!r} twice")
                content = tar.extractfile(member)
                assert content is not None  # a plain regular member always has one
                pems[member.name] = content.read(member.size)
    except tarfile.TarError:
        raise _mismatch(where, "the decrypted bundle is not a custody archive") from None
    recovered = []
    for path, record in expected.items():
        if path not in pems:
            raise _mismatch(where, f"key {record.name} named in custody.json is not in the bundle")
        recovered.append(_check_key(pems.pop(path), record, where))
    return tuple(recovered)


def _check_member(member: tarfile.TarInfo, where: str) -> None:
    """Refuse, before reading it, a member this tool never writes: anything
    but a plain regular file (a sparse one would be expanded in memory to its
    declared size), pax extensions, or a size no key file or index has."""
    name = repr(member.name[:100])
    if member.type not in _PLAIN_FILE or member.issparse():
        kind = "a sparse file" if member.issparse() or member.type == tarfile.GNUTYPE_SPARSE \
            else "not a plain file"
        raise _mismatch(where, f"the bundle holds {name}, {kind}: ceremony never writes one")
    if member.pax_headers:
        raise _mismatch(where, f"the bundle holds {name} with pax extensions: ceremony "
                               "never writes them")
    limit = MAX_INDEX_BYTES if member.name == INDEX_FILE else MAX_KEY_FILE_BYTES
    if member.size > limit:
        raise _mismatch(where, f"the bundle holds {name} of {member.size:,} bytes, more than "
                               f"the {limit:,} any custody bundle member has")


def _check_key(pem: bytes, record: KeyRecord, where: str) -> RecoveredKey:
    try:
        private_key = serialization.load_pem_private_key(pem, password=None)
    except (ValueError, TypeError):
        raise _mismatch(
            where, f"key {record.name} in the bundle is not a readable private key"
        ) from None
    finally:
        del pem
    public_key = private_key.public_key()
    found = fingerprint(public_key)
    if found != record.fingerprint:
        raise _mismatch(
            where,
            f"key {record.name} has fingerprint {found[:16]}..., custody.json records "
            f"{record.fingerprint[:16]}...",
        )
    keyid = tuf_key_for(public_key).keyid
    if keyid != record.keyid:
        raise _mismatch(
            where,
            f"key {record.name} has keyid {keyid[:16]}..., custody.json records "
            f"{record.keyid[:16]}...",
        )
    return RecoveredKey(record.name, record.roles, keyid, found, private_key)


def _mismatch(where: str, what: str) -> KeyMismatchError:
    return KeyMismatchError(
        what,
        where=where,
        todo="this bundle is not the one its custody.json describes: use no key from it, "
        "and check that the copy and its custody.json come from the same ceremony",
    )
