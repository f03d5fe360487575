"""Destroying keys (decommission), once the bundle without them is sealed.

steps/destroy.py agreed it and recorded it as to be done; the engine runs
this right after the seal (engine/after_seal.py), and what it yields goes
into the destruction record beside the bundle (``NAME.destruction.jsonl``):
- a key on a PKCS#11 token: its key pair destroyed (``C_DestroyObject``) and
  the token's keys listed again to prove it absent (Token.destroy_key);
- a stored key: each copy of its key file that ``wipe: key-files`` names is
  wiped (bundle/wipe.py: overwritten, synced, unlinked; what that proves on
  flash media and what not is said on each ``file-wiped`` event);
- each custody copy that ``wipe: custody-copies`` names is wiped.
A key's copies on backup tokens (KeyRecord.backups) are not destroyed here:
each is named as not destroyed, with what to do (preflight and the typed
``destroy`` said so). Each key's ``key-destroyed`` event names what proves it
gone. One thing that cannot be done (a token pulled out, a file changed or busy) does not stop the
others: each is named, with why, in the record's last line
(``destruction-ended``), which also says what to do about it; the bundle is
sealed either way, and nothing else changes.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ceremony.bundle.reading import read_plain_file
from ceremony.bundle.wipe import LIMITS, wipe_file, wipe_folder
from ceremony.custody.record import CustodyRecord
from ceremony.engine.context import Context
from ceremony.engine.destroy_preflight import MAX_KEY_FILE, backup_copies
from ceremony.engine.keyring import KeyRecord
from ceremony.engine.tokens import sessions, token_of_location, unlock
from ceremony.errors import CeremonyError, MediaError
from ceremony.events import DestructionEnded, Event, FileWiped, KeyDestroyed
from hsm.errors import KeyBackendError

#: what to do about anything the destruction could not do
BY_HAND = (
    "the new bundle is sealed and verifies, and none of these is needed by it: destroy each "
    "one listed as not destroyed by hand, in front of the witness, as "
    "docs/runbooks/key-destruction.md says (a key on a token: `ceremony tokens --login` "
    "names it, remove it with the token's tool; a file: wipe it or destroy its medium), "
    "and write it in the paper log"
)


@dataclass(frozen=True)
class ToWipe:
    """A file (a key file) or folder (a custody copy) to wipe, and whose it is."""

    path: Path
    owner: str  # the key's name, or the custody bundle's id
    sha256: str  # of the key file, or of the custody copy's record
    what: str  # "key file of root-bob", "custody copy of custody-..."


class Destruction:
    """The keys and files a decommission destroys after its seal, and what became of
    each: done, failed (with why) or not reached."""

    what = "destruction"  # in the engine's words: "the destruction stopped"

    def __init__(self, keys: list[KeyRecord], key_files: list[ToWipe], copies: list[ToWipe],
                 record: Path, changed: list[str]) -> None:
        self.keys = keys
        self.key_files = key_files
        self.copies = copies
        self.record = record
        self.done: list[str] = []
        self.failed = list(changed)  # paths in wipe: that changed since preflight
        self.failed += [copy for key in keys for copy in backup_copies(key)]
        self.last: DestructionEnded | None = None
        self.pending = [_key_words(k) for k in keys if k.location.startswith("pkcs11:")]
        self.pending += [f"{w.what} at {w.path}" for w in (*key_files, *copies)]

    def run(self, ctx: Context) -> Iterator[Event]:
        for key in self.keys:
            if key.location.startswith("pkcs11:"):
                yield from self._attempt(_key_words(key), _on_token, ctx, key)
            else:
                yield from self._stored(key)
        for copy in self.copies:
            yield from self._attempt(f"{copy.what} at {copy.path}", _wipe_copy, copy)
        yield self.ended()

    def ended(self, stopped: str = "") -> DestructionEnded:
        """What was done and what not; ``stopped``: why the rest was not reached."""
        left = self.failed + [f"{item}: not reached ({stopped})" for item in self.pending]
        self.last = DestructionEnded(destroyed=tuple(self.done), not_destroyed=tuple(left),
                                     record_path=str(self.record), todo=BY_HAND if left else "")
        return self.last

    def unfinished(self) -> str:
        if self.last is None or not self.last.not_destroyed:
            return ""
        return f"NOT destroyed: {'; '.join(self.last.not_destroyed)}. {self.last.todo}"

    def _attempt(self, item: str, action: Callable[..., Iterator[Event]], *args: Any
                 ) -> Iterator[Event]:
        self.pending.remove(item)
        try:
            yield from action(*args)
        except (CeremonyError, KeyBackendError, OSError) as error:
            self.failed.append(f"{item}: {error}")
            return
        except BaseException:  # a stop signal, or the front end gone: the rest is not reached
            self.failed.append(f"{item}: stopped while it was being done; check it by hand")
            raise
        self.done.append(item)

    def _stored(self, key: KeyRecord) -> Iterator[Event]:
        wiped: list[str] = []
        for copy in self.key_files:
            if copy.owner == key.name:
                item = f"{copy.what} at {copy.path}"
                yield from self._attempt(item, _wipe_file, copy)
                if item in self.done:
                    wiped.append(str(copy.path))
        missed = [str(c.path) for c in self.key_files
                  if c.owner == key.name and str(c.path) not in wiped]
        copies = (f"; its copies at {', '.join(wiped)} were wiped (overwritten, synced, "
                  "removed)" if wiped else "")
        if missed:
            copies += f"; its copies at {', '.join(missed)} were NOT wiped"
        elif not wiped:
            copies = "; the current and earlier bundles keep it encrypted"
        yield KeyDestroyed(
            key=key.name, keyid=key.keyid,
            proof=f"its encrypted key file {key.stored_path} and its entry in keys/index.json "
            f"are left out of this bundle{copies}; its keyholder destroys the passphrase",
        )


def file_sha256(path: Path) -> str:
    """The sha256 of the plain file at ``path`` (a key file, a custody record), or ""."""
    try:
        return hashlib.sha256(read_plain_file(path, MAX_KEY_FILE)).hexdigest()
    except MediaError:
        return ""


def _key_words(key: KeyRecord) -> str:
    return f"key {key.name} ({key.short_id}) on its token"


def _wipe_file(copy: ToWipe) -> Iterator[Event]:
    if not os.path.lexists(copy.path):
        raise CeremonyError(f"{copy.path} is no longer there; find out where it went")
    done = wipe_file(copy.path, sha256=copy.sha256)  # refused if it changed since preflight
    yield FileWiped(path=done.path, what=copy.what, size=done.size, sha256=done.sha256,
                    proof=LIMITS)


def _wipe_copy(copy: ToWipe) -> Iterator[Event]:
    if not os.path.lexists(copy.path):
        raise CeremonyError(f"{copy.path} is no longer there; find out where it went")
    if file_sha256(copy.path / CustodyRecord.RECORD_FILE) != copy.sha256:
        raise CeremonyError(f"{copy.path} changed since preflight read it; nothing in it "
                            "was wiped: find out why")
    for done in wipe_folder(copy.path):
        yield FileWiped(path=done.path, what=copy.what, size=done.size, sha256=done.sha256,
                        proof=LIMITS)


def _on_token(ctx: Context, record: KeyRecord) -> Iterator[Event]:
    from hsm.pkcs11 import Pkcs11Uri

    uri = Pkcs11Uri.parse(record.location)
    assert uri.id is not None  # a recorded token key always has its CKA_ID
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
