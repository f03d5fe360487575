"""What a recovery does with the root keys it brought back, beyond replacing
lost repository keys: re-home them onto tokens, or retire them.

"rehome-keys" (``rehome:``) imports each recovered software root key into
its token (one PIN per token, asked through the Operator), where a test
signature is verified against the key's public key; the first token named
for a key becomes its home (its ``location`` in keys/index.json, a
``pkcs11:`` URI, ``origin: imported``), any further one a backup copy. The
software key stays in memory to sign today and to go into a new custody
bundle, and is destroyed when the ceremony closes its keys.

``replace: root:`` needs nothing here beyond rotate_root.build_root: the
recovered keys sign as the current root and the new keys as the new one.
:func:`retire_reason` says why the old shares stop counting.
"""

from __future__ import annotations

from collections.abc import Iterator

from ceremony.engine.context import Context
from ceremony.engine.tokens import sessions, unlock
from ceremony.errors import CeremonyError
from ceremony.events import Event, KeyRehomed
from hsm.software import SoftwareKey


def rehome(ctx: Context) -> Iterator[Event]:
    homed: set[str] = set()
    for entry in ctx.plan.rehome:
        record = ctx.keys.get(entry.key)
        if record is None or not isinstance(record.signer, SoftwareKey):
            raise CeremonyError(
                f"key {entry.key} was not recovered in software from the custody bundle, so "
                "there is nothing to import",
                where=f"rehome {entry.key}",
                todo="nothing was changed; check that the custody bundle holds this root key",
            )
        token = sessions(ctx).open_pkcs11(entry.token)  # rehome: names PKCS#11 tokens
        yield from unlock(ctx, token)
        copy = token.import_key(record.signer, label=entry.object_label)  # test-signs
        if ctx.flavor.key_id(copy.crypto_public_key) != record.keyid:
            copy.close()
            raise CeremonyError(
                f"the copy of key {record.name} on {token.info.name} is a different key",
                todo="stop: this is a fault in the token or the tool; nothing was sealed",
            )
        facts, location = copy.facts(), copy.location
        copy.close()
        home = record.name not in homed
        previous = record.location
        if home:
            record.location, record.backend, record.origin = location, "pkcs11", "imported"
            homed.add(record.name)
            sessions(ctx).holds(token, f"{record.name} (re-homed)")
        else:
            record.backups.append(location)
            sessions(ctx).holds(token, f"{record.name} (copy)")
        yield KeyRehomed(
            key=record.name,
            keyid=record.keyid,
            token=token.info.label,
            serial=token.info.serial,
            location=location,
            previous=previous,
            home=home,
            facts=dict(facts.extra),
        )


def retire_reason(ctx: Context, new_custody_id: str) -> str:
    """Why a recovery's new custody bundle retires the one the keys came from."""
    if ctx.plan.kind == "recover" and ctx.plan.role("root") is not None:
        return (
            f"its custodians are no longer trusted: the root keys it holds were rotated out of "
            f"root version {ctx.flavor.custody_root_version(ctx)}, and custody bundle "
            f"{new_custody_id} "
            "holds the new ones"
        )
    return f"custody bundle {new_custody_id} and its new shares replace it"
