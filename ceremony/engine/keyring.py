"""The keys a ceremony knows, by their names in the scripts: one record for every flavor.

A :class:`KeyRecord` holds public facts only (its id, algorithm, where its
private part lives, who holds it, the roles it has), plus, while the
ceremony needs it, an open signer and the bytes of its stored private key
file (encrypted) to carry into the next bundle. The keys of the bundle a
ceremony builds on are records too, read by its flavor (CurrentState.keys).
A key's id is its flavor's (a TUF keyid; notary's canonical id for DCT).
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from ceremony.plain_record import PlainRecord
from ceremony.verify.spki import load_pem_public_key

if TYPE_CHECKING:  # types only: hsm.signer's module loads every signer securesystemslib has
    from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes

    from hsm.signer import KeySigner

#: how a key's private part is stored, by the scheme of its location
STORED_SCHEMES = ("age-file", "notary-file", "docker-trust")
KEPT_BY_HOLDER = "online:"  # the location of an imported key: its public part only


class KeyRecord(PlainRecord, frozen=False):
    """A key known to this ceremony, by its name in the scripts."""

    not_shown = ("stored", "signer", "views")
    not_compared = ("views",)

    name: str
    keyid: str  # the flavor's id for the key
    algorithm: str
    backend: str  # software, pkcs11, yubikey, online (public key only), docker-trust
    location: str  # age-file:PATH, notary-file:PATH, docker-trust:PATH, pkcs11:URI, online:
    public_pem: str
    holder: str | None = None
    roles: set[str] = set()  # a new set for each record (PlainRecord), as below
    # repository -> the id its metadata knows the key by, where a flavor keeps
    # many repositories (DCT: one root certificate per GUN)
    repositories: dict[str, str] = {}
    passphrase: str = ""  # the name its passphrase is asked under; "": its own name
    backups: list[str] = []  # pkcs11: URIs of backup-token copies
    # "imported": a token key that was made in software and imported (a
    # recovery's rehome:), not generated on the token; "" otherwise
    origin: str = ""
    stored: bytes | None = None  # its encrypted key file
    signer: KeySigner | None = None  # open only while needed
    # objects a flavor derives from this key once (its TUF key, its notary key)
    views: dict[str, Any] = {}

    @property
    def short_id(self) -> str:
        return self.keyid[:8]

    @property
    def passphrase_name(self) -> str:
        """The name its passphrase is asked and cached under."""
        return self.passphrase or self.name

    @property
    def stored_path(self) -> str:
        """The path of its stored key file (in the bundle or a trust dir), or ""."""
        scheme, _, path = self.location.partition(":")
        return path if scheme in STORED_SCHEMES else ""

    @functools.cached_property
    def public_key(self) -> PublicKeyTypes:
        return load_pem_public_key(self.public_pem.encode())

    def unopened_copy(self) -> KeyRecord:
        """A record of the same key with no signer, no stored bytes, no views."""
        return KeyRecord(
            name=self.name,
            keyid=self.keyid,
            algorithm=self.algorithm,
            backend=self.backend,
            location=self.location,
            public_pem=self.public_pem,
            holder=self.holder,
            roles=set(self.roles),
            repositories=dict(self.repositories),
            passphrase=self.passphrase,
            backups=list(self.backups),
            origin=self.origin,
        )


def kept_by_holder(record: KeyRecord) -> bool:
    """Whether only ``record``'s public key is here, its private part kept by its keyholder."""
    return record.location == KEPT_BY_HOLDER
