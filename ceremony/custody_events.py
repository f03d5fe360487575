"""The events of custody: keys sealed into custody, share sheets written, handed
out and taken back, custody opened, keys recovered, shares retired; and of a
decommission: keys to destroy, files wiped, the destruction ended.

Public facts only, as every event (events.py): never a share's words, a
passphrase or a key.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from ceremony.event import Event


@dataclass(frozen=True)
class CustodySealed(Event):
    """Keys sealed into a custody bundle and its copies written to media.

    ``scheme`` in words ("any 3 of 5 shares", "one passphrase"); ``set_id``
    the SLIP-39 set id printed on every sheet (None: passphrase-only)."""

    name: ClassVar[str] = "custody-sealed"
    custody_id: str  # the ceremony id the bundle and its sheets carry
    keys: tuple[str, ...]
    keyids: tuple[str, ...]
    bundle_sha256: str
    copies: tuple[str, ...]
    scheme: str
    set_id: int | None = None
    slip39_passphrase: bool = False


@dataclass(frozen=True)
class ShareSheetsWritten(Event):
    name: ClassVar[str] = "share-sheets-written"
    folder: str
    sheets: tuple[str, ...]


@dataclass(frozen=True)
class ShareHandedOut(Event):
    """One share given to its custodian (``read_back``: checksum words confirmed;
    ``witness``: who watched a hand-out made without read-back, from the answers file)."""

    name: ClassVar[str] = "share-handed-out"
    number: int
    total: int
    custodian: str
    read_back: bool
    witness: str = ""


@dataclass(frozen=True)
class RestoreTested(Event):
    """The custody bundle opened from shares other than the first ones."""

    name: ClassVar[str] = "restore-tested"
    custody_id: str
    shares_used: tuple[int, ...]
    copies_checked: tuple[str, ...]
    keys_matched: tuple[str, ...]


@dataclass(frozen=True)
class ShareAccepted(Event):
    name: ClassVar[str] = "share-accepted"
    number: int
    source: str  # "typed", "file PATH", "image PATH"
    progress: str


@dataclass(frozen=True)
class ShareRefused(Event):
    """A share offered for recovery was refused; the others are kept."""

    name: ClassVar[str] = "share-refused"
    number: int
    source: str
    reason: str


@dataclass(frozen=True)
class CustodyOpened(Event):
    """A custody bundle decrypted; ``problems``: copies found damaged."""

    name: ClassVar[str] = "custody-opened"
    custody_id: str
    copy: str
    problems: tuple[str, ...] = ()


@dataclass(frozen=True)
class KeyRecovered(Event):
    """A key from a custody bundle, checked against its record and the root.

    ``current_roles``: the roles of the current root that list it (empty
    when the current root no longer uses it)."""

    name: ClassVar[str] = "key-recovered"
    key: str
    keyid: str
    current_roles: tuple[str, ...]


@dataclass(frozen=True)
class SharesRetired(Event):
    """An older custody bundle's shares no longer count: a new set replaces them."""

    name: ClassVar[str] = "shares-retired"
    custody_id: str
    set_id: int | None
    replaced_by: str
    reason: str


@dataclass(frozen=True)
class FileWiped(Event):
    """decommission: a file that held a destroyed key, overwritten, synced and
    unlinked (bundle/wipe.py says what that proves on flash media and what not)."""

    name: ClassVar[str] = "file-wiped"
    path: str
    what: str  # "key file of root-carol", "custody copy custody-... (bundle.age)"
    size: int
    sha256: str  # of the bytes it held
    proof: str


@dataclass(frozen=True)
class KeyToDestroy(Event):
    """decommission: a key this ceremony destroys once its bundle is sealed, and how.
    In the sealed transcript; the destruction record beside the bundle says what
    was then done (steps/destruction.py)."""

    name: ClassVar[str] = "key-to-destroy"
    key: str
    keyid: str
    how: str  # what is done to it after the seal, in words
    token: str = ""  # the label of the token it is on ("": a stored key)


@dataclass(frozen=True)
class DestructionEnded(Event):
    """decommission: the last line of the destruction record (after the seal):
    what was destroyed or wiped, what was not and why, and what to do about it."""

    name: ClassVar[str] = "destruction-ended"
    destroyed: tuple[str, ...]  # "root-b (1a2b3c4d)", "wiped PATH"
    not_destroyed: tuple[str, ...]  # each with why
    record_path: str  # the destruction record's path
    todo: str = ""
