"""What a first publish of GUNs takes and gives, and each GUN's new root certificates.

A bootstrap (repository.py) is given a :class:`NewGun` for each GUN and returns a
:class:`GunUpdate` for each, as every later operation on a GUN does. Each root
key's certificates for a batch of GUNs are requested first (every GUN and key
checked, ``certs.tbs_many``), then signed as one batch (:func:`issued_root_keys`).
The generic bootstrap and its usual batch (usual_bootstrap.py) share these.
Nothing here does I/O.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import NamedTuple

from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes

from ceremony.flavors.dct.notary.certs import loaded_certificate, signed_der, tbs_many
from ceremony.flavors.dct.notary.keyids import pem_from_der
from ceremony.flavors.dct.notary.model import Metadata, PublicKey, Targets
from ceremony.flavors.dct.notary.root import IssuedRootKey, RootKey
from ceremony.flavors.dct.notary.serverkeys import ServerKeys
from ceremony.flavors.dct.notary.signing import NotarySigner, RawSigner
from ceremony.flavors.dct.notary.targets import build_targets


@dataclass
class GunUpdate:
    """What one operation produced for one GUN, ready for ``dct-publish``."""

    gun: str
    files: dict[str, bytes] = field(default_factory=dict)
    root_keys: list[RootKey] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@functools.lru_cache(maxsize=16)
def first_targets_part(expires: datetime) -> tuple[Targets, bytes]:
    """An unsigned first targets.json and its canonical bytes: every GUN
    bootstrapped in the same second has the same one, made once."""
    targets = build_targets(expires=expires)
    return targets, Metadata(targets).signed_bytes()


class NewGun(NamedTuple):
    """One GUN to bootstrap, and what signs its first publish besides the root
    keys every GUN of the batch shares. A named tuple: immutable, and made in
    a third of a frozen dataclass's time (one per GUN)."""

    gun: str
    targets_signers: Sequence[RawSigner]
    server_keys: ServerKeys
    snapshot_signer: RawSigner | None = None


GunSigners = tuple[list[NotarySigner], NotarySigner | None, PublicKey]


CertificateRequests = tuple[PublicKeyTypes, bytes, list[bytes]]  # what tbs_many returns


def new_root_keys(
    signers: list[NotarySigner], guns: list[str], now: datetime, validity: timedelta, check: bool
) -> list[list[RootKey]]:
    """Each GUN's root keys: a new certificate of each root key for it. Every
    request is made (and its GUN and key checked) before anything is signed;
    then each key signs all its certificates as one batch."""
    requests = [tbs_many(signer, guns, now, validity) for signer in signers]
    return issued_root_keys(signers, requests, guns, now, check)


def issued_root_keys(
    signers: list[NotarySigner],
    requests: list[CertificateRequests],
    guns: list[str],
    now: datetime,
    check: bool,
) -> list[list[RootKey]]:
    """:func:`new_root_keys` once its requests are made: each key signs all its
    certificates as one batch. Unchecked, a certificate is parsed only if it is read."""
    by_signer = []
    for signer, (public_key, algorithm, parts) in zip(signers, requests, strict=True):
        keys = []
        for gun, tbs, signature in zip(guns, parts, signer.sign_raw_many(parts), strict=True):
            der = signed_der(tbs, algorithm, signature)
            certificate = loaded_certificate(der, public_key, gun, now, True) if check else None
            keys.append(IssuedRootKey(der, signer, pem_from_der(der), certificate))
        by_signer.append(keys)
    if len(by_signer) == 1:
        return [[key] for key in by_signer[0]]
    return [[keys[g] for keys in by_signer] for g in range(len(guns))]
