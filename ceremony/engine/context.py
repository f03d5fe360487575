"""What a running ceremony knows: its plan, its operator, its keys, its output.

One Context lives for one ceremony. Steps read and add to it; the engine
owns its lifetime and makes sure every open key is closed, every passphrase
forgotten and every staging folder removed however the ceremony ends. What
only the plan's flavor needs while it runs (the metadata it is building)
lives in ``work``, which the flavor makes and alone reads.

Whoever makes a Context hands it the plan's flavor (``flavor_named(plan.flavor)``):
the Context knows it as a :class:`FlavorAtWork`, what the engine and the steps ask
of it, which ceremony/flavor.py's ``Flavor`` extends. So the Context imports no
flavor, and nothing it names takes a Context back (docs/design/architecture.md,
"No import circle").
"""

from __future__ import annotations

import hashlib
import secrets as random
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from ceremony import __version__
from ceremony.bundle.transcript import Transcript
from ceremony.bundle.writer import BundleWriter
from ceremony.engine.current import CurrentState
from ceremony.engine.keyring import KeyRecord
from ceremony.errors import PreflightError
from ceremony.operator import Operator, Secret
from ceremony.script.plan import Plan

if TYPE_CHECKING:
    from ceremony.engine.key_files import KeyFileFormat
    from ceremony.engine.preflight_result import PreflightResult
    from ceremony.engine.token_sessions import TokenSessions
    from ceremony.events import Event


def ceremony_id(plan: Plan, now: datetime) -> str:
    stamp = now.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    return f"{stamp}-{plan.kind}-{plan.script_sha256[:8]}{random.token_hex(2)}"


class FlavorAtWork(Protocol):
    """What the engine and the steps ask of the flavor of the ceremony running
    (``ctx.flavor``): its part of ceremony/flavor.py's ``Flavor``, which says more."""

    title: str  # for people: "TUF", "Docker Content Trust"

    def key_roles(self, plan: Plan, name: str) -> set[str]:
        """The roles the script's key ``name`` will have."""
        ...

    # -- keys: their ids and the files they are kept in --------------------------------

    @property
    def key_files(self) -> dict[str, KeyFileFormat]:
        """The key-file formats it opens, by location scheme."""
        ...

    def key_id(self, public_key: Any) -> str:
        """The id its metadata names a public key by."""
        ...

    def check_public_key(self, public_key: Any, name: str) -> None:
        """Refuse (raise a CeremonyError) a public key its metadata cannot name."""
        ...

    def key_file_path(self, name: str, roles: set[str]) -> str:
        """Where in the bundle a software key of ``roles`` is kept (an age file)."""
        ...

    def key_file_where(self, scheme: str) -> str:
        """Words added to a passphrase prompt for a key kept under ``scheme``."""
        ...

    # -- preflight and running ---------------------------------------------------------

    def preflight(
        self, plan: Plan, result: PreflightResult, now: datetime | None
    ) -> CurrentState | None:
        """Its checks, added to ``result``; the verified state the plan builds on."""
        ...

    def start_work(self, ctx: Context) -> Any:
        """Its working state for one ceremony (``ctx.work``)."""
        ...

    def write_bundle(self, ctx: Context) -> Iterator[Event]:
        """Write what the ceremony made into the bundle being sealed."""
        ...

    def custody_roles(self, ctx: Context) -> Callable[[KeyRecord], tuple[str, ...]]:
        """Which roles each key is put into custody for (none: not sealed)."""
        ...

    def custody_root_version(self, ctx: Context) -> int:
        """The root version a custody record made today names."""
        ...


class AfterSeal(Protocol):
    """Work a step agreed to that waits for the seal (a decommission's destruction):
    irreversible, so done only once the bundle that no longer needs what it
    destroys is sealed. What it yields goes into a record beside the bundle
    (engine/after_seal.py)."""

    what: str  # in words, for "the destruction stopped"
    record: Path  # where its record is written, beside the bundle

    @property
    def last(self) -> Event | None:
        """Its last event (what :meth:`ended` made), once made."""
        ...

    def run(self, ctx: Context) -> Iterator[Event]:
        """Do it; the last event says what was done and what not."""
        ...

    def ended(self, stopped: str = "") -> Event:
        """The last event when it was stopped (``stopped``: why) before its end."""
        ...

    def unfinished(self) -> str:
        """What its last event said was not done, and what to do; "" when all was."""
        ...


class Context:
    def __init__(
        self, plan: Plan, flavor: FlavorAtWork, operator: Operator,
        clock: Callable[[], datetime],
    ) -> None:
        self.plan = plan
        self.flavor = flavor  # plan.flavor's
        self.operator = operator
        self.clock = clock
        self.started = clock()
        self.id = ceremony_id(plan, self.started)
        self.tool_version = __version__
        self.transcript = Transcript(clock)  # its guard keeps digests, never secrets
        self.keys: dict[str, KeyRecord] = {}
        # passphrases that opened a key, by the name they were asked under, so the
        # next key asked under that name tries it first; forgotten at the end
        self.passphrases: dict[str, Secret] = {}
        self.current: CurrentState | None = None  # what the ceremony builds on
        self.writer: BundleWriter | None = None
        self.work: Any = None  # the flavor's own state while it runs
        self.summary: dict[str, Any] = {}  # public facts, as JSON: CeremonyFinished's
        self.step = ""  # the id of the step running now (for progress events)
        # the operator typed `write` (a decommission asks it before destroying anything)
        self.write_confirmed = False
        # custody (steps/custody.py): what this ceremony sealed and retired; a
        # CustodyState of the steps layer, read typed by steps/custody_state.state
        self.custody: Any = None
        # undo actions for what a step wrote outside the bundle (custody copies,
        # share sheets): run, newest first, when the ceremony is abandoned
        self.cleanups: list[Callable[[], None]] = []
        # folders a step wrote outside the bundle with an INCOMPLETE mark (custody
        # copies, share sheets): the engine removes their marks once the bundle is sealed
        self.marked: list[Path] = []
        # engine/tokens.py: the PKCS#11 tokens opened (each logged in once)
        self.tokens: TokenSessions | None = None
        # what waits for the seal (a decommission's destruction): engine/after_seal.py
        self.after_seal: list[AfterSeal] = []

    @property
    def bundle(self) -> BundleWriter:
        """The bundle being written: every step after the one that opens it writes here."""
        assert self.writer is not None, "a step wrote before the bundle was opened"
        return self.writer

    @property
    def building_on(self) -> CurrentState:
        """What the ceremony builds on, for the kinds whose preflight reads one."""
        assert self.current is not None, "this ceremony builds on no current state"
        return self.current

    def remember_secret(self, secret: Secret) -> None:
        """Let the transcript redact any field holding this secret. Only a
        digest is kept: the secret itself (a share, a passphrase) leaves
        memory when the step that asked for it drops it."""
        self.transcript.guard.remember(secret.reveal())

    def add_key(self, record: KeyRecord) -> None:
        """Know ``record`` by its name; a key already known under another name is refused."""
        for other in self.keys.values():
            if other.keyid == record.keyid and other.name != record.name:
                raise PreflightError(
                    f"key {record.name} is the same key as {other.name} ({record.short_id})",
                    todo="one key must not be named twice",
                )
        self.keys[record.name] = record

    def key_by_keyid(self, keyid: str) -> KeyRecord | None:
        for record in self.keys.values():
            if record.keyid == keyid:
                return record
        return None

    def close_keys(self) -> list[KeyRecord]:
        """Close every open private key; the ones that were open."""
        closed: list[KeyRecord] = []
        for record in self.keys.values():
            if record.signer is not None:
                record.signer.close()
                record.signer = None
                closed.append(record)
        if self.tokens is not None:  # log out of every token, forget kept PINs
            self.tokens.close()
        return closed

    def forget_secrets(self) -> None:
        for secret in self.passphrases.values():
            secret.forget()
        self.passphrases.clear()
        self.transcript.guard.forget()


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
