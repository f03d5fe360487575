"""Destroying keys (decommission), after the root that no longer has them is signed.

Each key the script names in ``destroy:`` goes, after a typed ``destroy``:
- on a PKCS#11 token, its key pair is destroyed (``C_DestroyObject``) and the
  token's keys listed again to prove it absent (hsm.pkcs11.Token.destroy_key);
- stored as an encrypted key file, it is left out of the new bundle (its key
  file and its line in keys/index.json), and every copy of that file the
  script names in ``wipe: key-files`` is wiped (bundle/wipe.py: overwritten,
  synced, unlinked; what that proves on flash media and what not is said on
  each ``file-wiped`` event and on the certificate); its keyholder destroys
  the passphrase (the runbook says so).
Every custody bundle of the current bundle that holds one of them has its
shares retired (the SLIP-39 share set by its id: the new bundle no longer
carries its record), and each of its copies named in ``wipe:
custody-copies`` is wiped; its sheets are shredded by hand
(docs/runbooks/key-destruction.md). Each key's ``key-destroyed`` event names
what proves it gone; the record prints a destruction certificate from them.
The flavor's decommission kind runs this step after signing the next root.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from pathlib import Path

from ceremony.bundle.reading import read_plain_file
from ceremony.bundle.wipe import LIMITS, wipe_file, wipe_folder
from ceremony.custody.record import CustodyRecord, ShareSetRecord
from ceremony.engine.context import Context
from ceremony.engine.destroy_preflight import MAX_KEY_FILE, retired_custody
from ceremony.engine.keyring import KeyRecord
from ceremony.engine.step import Step
from ceremony.engine.tokens import sessions, token_of_location, unlock
from ceremony.errors import MediaError
from ceremony.events import Event, FileWiped, KeyDestroyed, SharesRetired
from ceremony.events import Warning as WarningEvent
from ceremony.operator import Confirmation
from ceremony.steps.common import confirm, confirm_write
from ceremony.steps.custody_state import state


def destroy_keys(ctx: Context) -> Iterator[Event]:
    names = ctx.plan.destroy
    records = [ctx.keys[name] for name in names]  # preflight found every one
    # the output medium is checked and `write` typed first: a wiped key file is the
    # current bundle's, so declining after it would leave no bundle that verifies
    yield from confirm_write(ctx)
    yield from confirm(ctx, Confirmation(
        id="confirm/destroy",
        question=f"Destroy {', '.join(f'{r.name} ({r.short_id})' for r in records)}?",
        detail="The next root, without them, is signed. Each key on a token is destroyed "
        "there and the token read again; a stored key is left out of the new bundle"
        + (", and the key files and custody copies the script names are wiped"
           if ctx.plan.wipe else "") + ". This cannot be undone.",
        typed_word="destroy",
    ))
    for record in records:
        if record.location.startswith("pkcs11:"):
            yield from _on_token(ctx, record)
        else:
            yield from _stored(ctx, record)
    yield from _retire_custody(ctx, {r.keyid: r.name for r in records})
    for path in (*ctx.plan.wipe.key_files, *ctx.plan.wipe.custody_copies):
        if os.path.lexists(path):  # preflight matched it: it changed since
            yield WarningEvent(f"{path} was NOT wiped: it no longer holds what preflight "
                               "found; find out why, and destroy its medium by hand")


def _stored(ctx: Context, record: KeyRecord) -> Iterator[Event]:
    """A key kept in an encrypted key file: left out, and the copies named wiped."""
    relpath = record.stored_path
    assert ctx.current is not None  # a decommission builds on a current bundle
    digest = hashlib.sha256(ctx.current.key_file(relpath)).hexdigest()
    wiped = []
    for path in ctx.plan.wipe.key_files:
        if _sha256(path, MAX_KEY_FILE) == digest:
            done = wipe_file(path, sha256=digest)
            wiped.append(done.path)
            yield FileWiped(path=done.path, what=f"key file of {record.name}", size=done.size,
                            sha256=done.sha256, proof=LIMITS)
    copies = (f"; its copies at {', '.join(wiped)} were wiped (overwritten, synced, removed)"
              if wiped else "; the current and earlier bundles keep it encrypted")
    yield KeyDestroyed(
        key=record.name, keyid=record.keyid,
        proof=f"its encrypted key file {relpath} and its entry in keys/index.json are left "
        f"out of this bundle{copies}; its keyholder destroys the passphrase",
    )


def _sha256(path: Path, limit: int) -> str:
    try:
        return hashlib.sha256(read_plain_file(path, limit)).hexdigest()
    except MediaError:
        return ""


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
    current = ctx.current
    records = retired_custody(current, set(destroyed)) if current is not None else {}
    for custody_id, (data, record) in sorted(records.items()):
        held = [destroyed[key.keyid] for key in record.keys if key.keyid in destroyed]
        others = [key.name for key in record.keys if key.keyid not in destroyed]
        state(ctx).retired.append(custody_id)
        shares = (f"its SLIP-39 share set {record.shares.identifier} "
                  f"({record.shares.share_count} shares) is"
                  if isinstance(record.shares, ShareSetRecord) else "its passphrase is")
        wiped = []
        for path in ctx.plan.wipe.custody_copies:
            if _sha256(path / CustodyRecord.RECORD_FILE, MAX_KEY_FILE) == \
                    hashlib.sha256(data).hexdigest():
                for done in wipe_folder(path):
                    yield FileWiped(path=done.path, what=f"custody copy of {custody_id}",
                                    size=done.size, sha256=done.sha256, proof=LIMITS)
                wiped.append(str(path))
        yield SharesRetired(
            custody_id=custody_id,
            set_id=record.shares.identifier if isinstance(record.shares, ShareSetRecord)
            else None,
            replaced_by="",
            reason=f"it holds {', '.join(held)}, destroyed today: {shares} retired and "
            "counts for no recovery; "
            + (f"its copies at {', '.join(wiped)} were wiped" if wiped
               else "its copies are to be wiped or destroyed")
            + "; its sheets are to be shredded"
            + (f"; {', '.join(others)}, also in it, have no custody backup from now on: seal "
               "a new custody bundle at the next rotation" if others else ""),
        )


DESTROY_STEP = Step(
    "destroy-keys",
    "Destroy the keys",
    destroy_keys,
    say_aloud="Read the output folder aloud before typing `write`; then each key's name "
    "and short id, and the token it is on, before typing `destroy`.",
    check_by_eye="The media named on screen is the one in the drive; each key is reported "
    "destroyed, with what proves it gone; each file named in wipe: is reported wiped.",
)
