"""Destroying keys (decommission): confirmed and recorded before the seal, done after it.

Nothing is destroyed before the bundle without the keys is sealed (written
whole, read back and verified): a key file to wipe is one of the current
bundle's files, and a key on a token may be one that signed the next root
(the current root's threshold). A medium that fills, a drive pulled or a
kill before the seal leaves the current bundle whole and every key where it
was. So this step, in place of the old destroying step (after the next root
is signed, before the write), only:
- asks the typed ``write`` (the medium named, declining leaves everything as
  it was) and then ``destroy``, whose words say that order;
- records in the bundle's transcript each key to destroy and how
  (``key-to-destroy``), and retires every custody bundle of the current one
  that holds one of them (``shares-retired``: the new bundle no longer carries
  its record, and the new root has not its keys);
- hands the destruction to the engine (``Context.after_seal``), which runs it
  once the bundle is sealed (steps/destruction.py) and writes what was done
  beside the bundle (engine/after_seal.py).
A stored key is left out of the new bundle (its key file, its line in
keys/index.json); its keyholder destroys the passphrase (the runbook says so).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

from ceremony.bundle.destruction_record import destruction_record_path
from ceremony.custody.record import CustodyRecord, ShareSetRecord
from ceremony.engine.context import Context
from ceremony.engine.destroy_preflight import backup_copies, retired_custody
from ceremony.engine.keyring import KeyRecord
from ceremony.engine.step import Step
from ceremony.events import Event, KeyToDestroy, SharesRetired
from ceremony.events import Warning as WarningEvent
from ceremony.operator import Confirmation
from ceremony.steps.common import confirm, confirm_write
from ceremony.steps.custody_state import state
from ceremony.steps.destruction import Destruction, ToWipe, file_sha256

#: what the typed ``destroy`` agrees to, and in which order
ORDER = (
    "First the new bundle, without them (a stored key's file left out of it), is written, "
    "read back, verified and sealed; nothing is destroyed before, and a stop until then "
    "leaves every key and the current bundle as they are. Then each key on a token is "
    "destroyed there (its PIN may be asked again) and the token's keys listed again"
)


def destroy_keys(ctx: Context) -> Iterator[Event]:
    records = [ctx.keys[name] for name in ctx.plan.destroy]  # preflight found every one
    # the output medium is checked and `write` typed first: declining after `destroy`
    # would ask nothing more of the one at the laptop than declining here
    yield from confirm_write(ctx)
    record = destruction_record_path(ctx.plan.output)
    yield from confirm(ctx, Confirmation(
        id="confirm/destroy",
        question=f"Destroy {', '.join(f'{r.name} ({r.short_id})' for r in records)}?",
        detail=ORDER + (", and the key files and custody copies the script names are wiped"
                        if ctx.plan.wipe else "")
        + f"; what was done is recorded in {record}. Once the bundle is sealed, this cannot "
        "be undone." + "".join(f" NOT destroyed: {copy}." for r in records
                               for copy in backup_copies(r)),
        typed_word="destroy",
    ))
    key_files = _key_files(ctx, records)
    for key in records:
        yield _to_destroy(key, [wipe.path for wipe in key_files if wipe.owner == key.name])
    copies: list[ToWipe] = []
    yield from _retire_custody(ctx, {r.keyid: r.name for r in records}, copies)
    matched = {wipe.path for wipe in (*key_files, *copies)}
    changed = [f"{path}: NOT wiped: it no longer holds what preflight found; find out why, "
               "and destroy its medium by hand"
               for path in (*ctx.plan.wipe.key_files, *ctx.plan.wipe.custody_copies)
               if path not in matched]
    for words in changed:
        yield WarningEvent(words)
    ctx.after_seal.append(Destruction(records, key_files, copies, record, changed))


def _to_destroy(record: KeyRecord, copies: list[Path]) -> KeyToDestroy:
    if record.location.startswith("pkcs11:"):
        from hsm.pkcs11 import Pkcs11Uri

        label = Pkcs11Uri.parse(record.location).token or ""
        return KeyToDestroy(
            key=record.name, keyid=record.keyid, token=label,
            how=f"destroyed on token {label!r} once the bundle is sealed (C_DestroyObject), "
            "then the token's keys listed again to prove it gone",
        )
    then = (f"; once the bundle is sealed, its copies at {', '.join(map(str, copies))} are "
            "wiped" if copies else "; the current and earlier bundles keep it encrypted")
    return KeyToDestroy(
        key=record.name, keyid=record.keyid,
        how=f"its encrypted key file {record.stored_path} and its entry in keys/index.json "
        f"are left out of this bundle{then}; its keyholder destroys the passphrase",
    )


def _key_files(ctx: Context, records: list[KeyRecord]) -> list[ToWipe]:
    """Each path of ``wipe: key-files`` with the stored key whose key file it holds
    (preflight matched every one; one that changed since is named after the seal)."""
    assert ctx.current is not None  # a decommission builds on a current bundle
    digests = {hashlib.sha256(ctx.current.key_file(r.stored_path)).hexdigest(): r.name
               for r in records if not r.location.startswith("pkcs11:")}
    found = []
    for path in ctx.plan.wipe.key_files:
        digest = file_sha256(path)
        if digest in digests:
            found.append(ToWipe(path, digests[digest], digest,
                                f"key file of {digests[digest]}"))
    return found


def _retire_custody(ctx: Context, destroyed: dict[str, str], copies: list[ToWipe]
                    ) -> Iterator[Event]:
    current = ctx.current
    records = retired_custody(current, set(destroyed)) if current is not None else {}
    for custody_id, (data, record) in sorted(records.items()):
        held = [destroyed[key.keyid] for key in record.keys if key.keyid in destroyed]
        others = [key.name for key in record.keys if key.keyid not in destroyed]
        state(ctx).retired.append(custody_id)
        shares = (f"its SLIP-39 share set {record.shares.identifier} "
                  f"({record.shares.share_count} shares) is"
                  if isinstance(record.shares, ShareSetRecord) else "its passphrase is")
        digest = hashlib.sha256(data).hexdigest()
        mine = [path for path in ctx.plan.wipe.custody_copies
                if file_sha256(path / CustodyRecord.RECORD_FILE) == digest]
        copies += [ToWipe(path, custody_id, digest, f"custody copy of {custody_id}")
                   for path in mine]
        yield SharesRetired(
            custody_id=custody_id,
            set_id=record.shares.identifier if isinstance(record.shares, ShareSetRecord)
            else None,
            replaced_by="",
            reason=f"it holds {', '.join(held)}, destroyed by this ceremony: {shares} retired "
            "and counts for no recovery; "
            + (f"its copies at {', '.join(map(str, mine))} are wiped once the bundle is "
               "sealed" if mine else "its copies are to be wiped or destroyed")
            + "; its sheets are to be shredded"
            + (f"; {', '.join(others)}, also in it, have no custody backup from now on: seal "
               "a new custody bundle at the next rotation" if others else ""),
        )


DESTROY_STEP = Step(
    "destroy-keys",
    "Agree to destroy the keys, once the bundle is sealed",
    destroy_keys,
    say_aloud="Read the output folder aloud before typing `write`; then each key's name "
    "and short id, and the token it is on, before typing `destroy`.",
    check_by_eye="The media named on screen is the one in the drive. Once the bundle is "
    "sealed, each key is reported destroyed, with what proves it gone, and each file named "
    "in wipe: is reported wiped.",
)
