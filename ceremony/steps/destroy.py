"""Destroying keys (decommission), after the root that no longer has them is signed.

Each key the script names in ``destroy:`` goes, after a typed ``destroy``:
- on a PKCS#11 token, its key pair is destroyed (``C_DestroyObject``) and the
  token's keys listed again to prove it absent (hsm.pkcs11.Token.destroy_key);
- stored as an encrypted key file, it is left out of the new bundle (its key
  file and its line in keys/index.json); copies in earlier bundles stay
  encrypted, and its keyholder destroys the passphrase (the runbook says so).
Every custody bundle of the current bundle that holds one of them has its
shares retired: the new bundle no longer carries its record, and its copies
and sheets are destroyed (docs/runbooks/key-destruction.md). Each key's
``key-destroyed`` event names what proves it gone; the record prints a
destruction certificate from them.
"""

from __future__ import annotations

from collections.abc import Iterator

from ceremony.custody.record import ShareSetRecord
from ceremony.engine.context import Context
from ceremony.engine.keyring import KeyRecord
from ceremony.engine.tokens import sessions, token_of_location, unlock
from ceremony.events import Event, KeyDestroyed, SharesRetired
from ceremony.operator import Confirmation
from ceremony.steps.common import confirm
from ceremony.steps.custody_state import state


def destroy_keys(ctx: Context) -> Iterator[Event]:
    names = ctx.plan.destroy
    records = [ctx.keys[name] for name in names]  # preflight found every one
    yield from confirm(ctx, Confirmation(
        id="confirm/destroy",
        question=f"Destroy {', '.join(f'{r.name} ({r.short_id})' for r in records)}?",
        detail="The next root, without them, is signed. Each key on a token is destroyed "
        "there and the token read again; a stored key is left out of the new bundle. "
        "This cannot be undone.",
        typed_word="destroy",
    ))
    for record in records:
        if record.location.startswith("pkcs11:"):
            yield from _on_token(ctx, record)
        else:
            relpath = record.location.partition(":")[2]
            yield KeyDestroyed(
                key=record.name, keyid=record.keyid,
                proof=f"its encrypted key file {relpath} and its entry in keys/index.json are "
                "left out of this bundle; earlier bundles keep it encrypted under a passphrase "
                "its keyholder destroys",
            )
    yield from _retire_custody(ctx, {r.keyid: r.name for r in records})


def _on_token(ctx: Context, record: KeyRecord) -> Iterator[Event]:
    from hsm.pkcs11 import Pkcs11Uri

    uri = Pkcs11Uri.parse(record.location)
    assert uri.id is not None  # a recorded token key always has its CKA_ID
    if record.signer is not None:  # it signed the next root as a current key
        record.signer.close()
        record.signer = None
    token = sessions(ctx).open_pkcs11(token_of_location(record.location, record.backend))
    yield from unlock(ctx, token)
    token.destroy_key(uri.id, record.public_key)  # raises when the key is still listed
    sessions(ctx).forget(token, record.name)
    info = token.info
    yield KeyDestroyed(
        key=record.name, keyid=record.keyid, token=info.name,
        proof=f"C_DestroyObject on {info.name} (serial {info.serial}), then its keys listed "
        f"again: no key with CKA_ID {uri.id.hex()} remains",
    )


def _retire_custody(ctx: Context, destroyed: dict[str, str]) -> Iterator[Event]:
    records = ctx.current.custody_records if ctx.current is not None else {}
    for custody_id, (_data, record) in sorted(records.items()):
        held = [destroyed[key.keyid] for key in record.keys if key.keyid in destroyed]
        if not held:
            continue
        others = [key.name for key in record.keys if key.keyid not in destroyed]
        state(ctx).retired.append(custody_id)
        yield SharesRetired(
            custody_id=custody_id,
            set_id=record.shares.identifier if isinstance(record.shares, ShareSetRecord)
            else None,
            replaced_by="",
            reason=f"it holds {', '.join(held)}, destroyed today: its copies and sheets are "
            "destroyed" + (f"; {', '.join(others)}, also in it, have no custody backup from "
                           "now on: seal a new custody bundle at the next rotation"
                           if others else ""),
        )
