"""Docker Content Trust root keys on PKCS#11 tokens: made there, opened by URI.

A dct root key with ``backend: pkcs11`` is generated on its token through
the engine's own token path (engine/tokens.py): the token is opened once per
ceremony and unlocked once with a PIN from the Operator, whatever the number
of keys on it and of GUNs they sign for. The key never leaves the token; the
bundle records its ``pkcs11:`` URI (module path, token, serial, CKA_ID) and
its public key, and a later rotate-root opens it by that URI, checked
against the recorded public key. Notary's signatures (raw ``r||s`` ECDSA
over SHA-256, RSASSA-PSS) and the per-GUN root certificates are made through
the token key's ``sign_raw`` like any other key's (formats/notary).

The PIN lives only in memory for the one login (engine/tokens.py); nothing
here sees it.
"""

from __future__ import annotations

from typing import Iterator

from ceremony.flavors.dct.keys import DctKey, add_root_key
from ceremony.engine.tokens import sessions, token_of_location, unlock
from ceremony.errors import CeremonyError
from ceremony.events import Event, KeyLoaded
from ceremony.flavors.dct.notary.keyids import canonical_keyid
from ceremony.script.plan import KeySpec


def generate_root_on_token(ctx, spec: KeySpec) -> Iterator[Event]:
    """Make root key ``spec`` on its token and record it by its ``pkcs11:`` URI."""
    hardware = spec.hardware
    token = sessions(ctx).open(hardware.token)
    yield from unlock(ctx, token)
    signer = token.generate_key(spec.algorithm, label=hardware.object_label)
    sessions(ctx).holds(token, spec.name)
    yield from add_root_key(
        ctx, spec, signer, spec.backend, signer.location, signer.facts().extra
    )


def open_root_on_token(ctx, record: DctKey) -> Iterator[Event]:
    """Open a current root key on its token, by its URI and recorded public key."""
    from hsm.pkcs11 import Pkcs11Uri

    if record.backend != "pkcs11":
        raise CeremonyError(
            f"key {record.name} is a {record.backend} key; the dct flavor opens token keys "
            "through PKCS#11 only",
            todo="leave it out of sign-with",
        )
    uri = Pkcs11Uri.parse(record.location)
    token = sessions(ctx).open(token_of_location(record.location, record.backend))
    yield from unlock(ctx, token)
    signer = token.open_key(uri, record.crypto_public_key)  # signs and verifies a test payload
    if canonical_keyid(signer.crypto_public_key) != record.keyid:
        signer.close()
        raise CeremonyError(
            f"the key at {record.location} is not key {record.name} ({record.short_id})",
            where=str(ctx.dct.state.path),
            todo="check that the right token is inserted",
        )
    record.signer = signer
    sessions(ctx).holds(token, record.name)
    yield KeyLoaded(key=record.name, keyid=record.keyid, location=record.location)
