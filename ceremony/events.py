"""The events a ceremony emits, in the order things happen.

The engine yields these; the headless CLI prints them, the terminal UI draws
them, and the transcript records them. So a ceremony run from either front
end leaves the same record. An event holds public facts only: key ids,
algorithms, hashes, names. Never a secret, never a private key.

``record()`` gives the transcript form: the event's name and its fields.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from ceremony.custody_events import (  # custody's events, named here too
    CustodyOpened as CustodyOpened,
)
from ceremony.custody_events import (
    CustodySealed as CustodySealed,
)
from ceremony.custody_events import (
    DestructionEnded as DestructionEnded,
)
from ceremony.custody_events import (
    FileWiped as FileWiped,
)
from ceremony.custody_events import (
    KeyRecovered as KeyRecovered,
)
from ceremony.custody_events import (
    KeyToDestroy as KeyToDestroy,
)
from ceremony.custody_events import (
    RestoreTested as RestoreTested,
)
from ceremony.custody_events import (
    ShareAccepted as ShareAccepted,
)
from ceremony.custody_events import (
    ShareHandedOut as ShareHandedOut,
)
from ceremony.custody_events import (
    ShareRefused as ShareRefused,
)
from ceremony.custody_events import (
    ShareSheetsWritten as ShareSheetsWritten,
)
from ceremony.custody_events import (
    SharesRetired as SharesRetired,
)
from ceremony.event import NOT_RECORDED
from ceremony.event import Event as Event


@dataclass(frozen=True)
class CeremonyStarted(Event):
    name: ClassVar[str] = "ceremony-started"
    ceremony_id: str
    kind: str
    flavor: str
    title: str
    script_sha256: str
    rehearsal: bool
    tool_version: str
    steps: tuple[str, ...] = ()
    step_titles: tuple[str, ...] = ()
    #: the digest of the tool's installed files and lock (ceremony.installed),
    #: to compare with the one the offline kit's install.sh printed
    software_digest: str = ""


@dataclass(frozen=True)
class PreflightChecked(Event):
    name: ClassVar[str] = "preflight-checked"
    check: str
    ok: bool
    detail: str = ""
    #: why it failed, for front ends that react to it ("token-absent": insert it)
    reason: str = ""
    #: for one of many alike checks, the item it is about (a GUN), named at the end
    #: of ``check``, and what kind of item it is ("GUN"): front ends show alike
    #: checks as one line (ceremony/check_groups.py); not recorded, ``check`` says it
    subject: str = field(default="", metadata=NOT_RECORDED)
    subject_kind: str = field(default="", metadata=NOT_RECORDED)


@dataclass(frozen=True)
class StepStarted(Event):
    name: ClassVar[str] = "step-started"
    step: str
    title: str
    say_aloud: str = ""
    check_by_eye: str = ""


@dataclass(frozen=True)
class StepFinished(Event):
    name: ClassVar[str] = "step-finished"
    step: str


@dataclass(frozen=True)
class StepFailed(Event):
    name: ClassVar[str] = "step-failed"
    step: str
    error: str


@dataclass(frozen=True)
class Progress(Event):
    """Long work under way: ``done`` of ``total`` (for bars; not recorded)."""

    name: ClassVar[str] = "progress"
    quiet: ClassVar[bool] = True
    step: str
    done: int
    total: int
    what: str = ""


@dataclass(frozen=True)
class KeyGenerated(Event):
    name: ClassVar[str] = "key-generated"
    key: str
    keyid: str
    algorithm: str
    backend: str
    location: str
    holder: str | None = None
    facts: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class KeyImported(Event):
    """A public key brought in from media: its private part is elsewhere."""

    name: ClassVar[str] = "key-imported"
    key: str
    keyid: str
    algorithm: str
    source: str


@dataclass(frozen=True)
class KeyLoaded(Event):
    """A stored key opened to sign in this ceremony."""

    name: ClassVar[str] = "key-loaded"
    key: str
    keyid: str
    location: str


@dataclass(frozen=True)
class KeyStored(Event):
    """A private key written to media, encrypted, read back and checked."""

    name: ClassVar[str] = "key-stored"
    key: str
    keyid: str
    path: str
    encryption: str


@dataclass(frozen=True)
class KeyDestroyed(Event):
    """A private key gone: closed in memory, or (``token``) destroyed on a token
    and the token read again to prove it."""

    name: ClassVar[str] = "key-destroyed"
    key: str
    keyid: str
    token: str = ""
    #: decommission: what proves it gone (the token listed again, the key file left out)
    proof: str = ""


@dataclass(frozen=True)
class TokenLoggedIn(Event):
    """A token unlocked with its PIN, once for the whole ceremony (no PIN here).

    ``pin_entries``: how many PINs were typed for it in this ceremony (1 unless
    one was wrong)."""

    name: ClassVar[str] = "token-logged-in"
    token: str  # its label
    serial: str
    model: str
    manufacturer: str
    firmware: str
    module: str
    pin_entries: int = 1


@dataclass(frozen=True)
class KeyBackedUp(Event):
    """A software key imported into a backup token and test-signed there.

    Imported, never generated on that token: ``facts`` says so (``origin``)."""

    name: ClassVar[str] = "key-backed-up"
    key: str
    keyid: str
    token: str
    serial: str
    location: str  # the pkcs11: URI of the copy on the token
    facts: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class KeyRehomed(Event):
    """A recovered software root key imported into a token and test-signed
    there (recover's ``rehome:``): the token copy is now the key's home
    (``home``) or a further copy of it. Imported, never generated there."""

    name: ClassVar[str] = "key-rehomed"
    key: str
    keyid: str
    token: str
    serial: str
    location: str  # the pkcs11: URI of the copy on the token
    previous: str  # where the bundle kept the key before (age-file:...)
    home: bool = True
    facts: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class KeySucceeds(Event):
    """A key made here takes over a repository from a root kept elsewhere (a cosign
    key from a Docker Content Trust GUN's root): which root, in the transcript."""

    name: ClassVar[str] = "key-succeeds"
    key: str
    keyid: str
    repository: str
    replaces: str  # the root it takes over from, in words
    root_version: int
    root_keyids: tuple[str, ...]


@dataclass(frozen=True)
class TouchRequested(Event):
    """The next signature needs a touch of the YubiKey: say it before it blocks."""

    name: ClassVar[str] = "touch-requested"
    key: str
    token: str
    serial: str
    message: str


@dataclass(frozen=True)
class TokenClosed(Event):
    """A token logged out and closed; its ``keys`` stay on it."""

    name: ClassVar[str] = "token-closed"
    token: str
    serial: str
    keys: tuple[str, ...] = ()


@dataclass(frozen=True)
class MetadataBuilt(Event):
    name: ClassVar[str] = "metadata-built"
    role: str
    version: int
    expires: str
    sha256: str


@dataclass(frozen=True)
class SignatureAdded(Event):
    name: ClassVar[str] = "signature-added"
    role: str
    version: int
    key: str
    keyid: str


@dataclass(frozen=True)
class ThresholdMet(Event):
    """Signatures counted against one threshold (``group``: old or new root)."""

    name: ClassVar[str] = "threshold-progress"
    role: str
    version: int
    group: str
    have: int
    need: int


@dataclass(frozen=True)
class FileWritten(Event):
    name: ClassVar[str] = "file-written"
    path: str
    sha256: str
    size: int


@dataclass(frozen=True)
class LeftoverRemoved(Event):
    """What an earlier, stopped attempt left, removed at the operator's typed word."""

    name: ClassVar[str] = "leftover-removed"
    path: str
    what: str


@dataclass(frozen=True)
class OperatorConfirmed(Event):
    """A question answered. ``scripted``: by ``--yes`` or an answers file, not a
    person; ``witness``: the person named in the answers file who made the check a
    scripted answer stood in for ("" when a person answered)."""

    name: ClassVar[str] = "operator-confirmed"
    question: str
    answer: str
    witness: str = ""
    scripted: bool = False


@dataclass(frozen=True)
class Warning(Event):  # noqa: A001 - the operator's word for it
    name: ClassVar[str] = "warning"
    message: str


@dataclass(frozen=True)
class WitnessException(Event):
    """A deviation from the run sheet, recorded by the witness as it happens:
    what happened, why, and who records it (the transcript line has the time).
    The printed record lists every one."""

    name: ClassVar[str] = "witness-exception"
    what: str
    why: str
    witness: str = ""
    at: str = ""  # when it was typed (YYYY-MM-DDTHH:MM:SSZ); the line's time is when recorded


@dataclass(frozen=True)
class BagSealed(Event):
    """A tamper-evident bag sealed: its name in the script, what it holds, and
    the serial printed on it, as the operator typed it."""

    name: ClassVar[str] = "bag-sealed"
    bag: str
    holds: str
    serial: str


@dataclass(frozen=True)
class BagChecked(Event):
    """A bag brought in sealed: the serial on it, and the one the ceremony that
    sealed it recorded (``sealed_by``: that ceremony's id). When they differ
    the ceremony goes on only under a witness exception naming the bag (a
    warning after this event says which)."""

    name: ClassVar[str] = "bag-checked"
    bag: str
    holds: str
    serial: str
    recorded: str
    sealed_by: str
    matches: bool
    exception: str = ""


@dataclass(frozen=True)
class CeremonyFinished(Event):
    name: ClassVar[str] = "ceremony-finished"
    output: str
    summary: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class BundleSealed(Event):
    """After the transcript is closed: where the bundle is, its hashes.

    Not part of the transcript (it names the transcript's own head)."""

    name: ClassVar[str] = "bundle-sealed"
    output: str
    transcript_head: str
    manifest_sha256: str


@dataclass(frozen=True)
class CeremonyAbandoned(Event):
    name: ClassVar[str] = "ceremony-abandoned"
    reason: str
    transcript: str = ""


@dataclass(frozen=True)
class SittingFinished(Event):
    """One sitting of a ceremony signed in several (ceremony/sittings/) wrote its output."""

    name: ClassVar[str] = "sitting-finished"
    sitting: str  # "request", "alice and bob"
    wrote: str  # the request folder or the signature file


@dataclass(frozen=True)
class BundleVerified(Event):
    """A bundle checked as a strict client would (``ceremony verify``)."""

    name: ClassVar[str] = "bundle-verified"
    path: str
    problems: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems
