"""What a running ceremony knows: its plan, its operator, its keys, its output.

One Context lives for one ceremony. Steps read and add to it; the engine
owns its lifetime and makes sure every open key is closed and every staging
folder removed however the ceremony ends.
"""

from __future__ import annotations

import hashlib
import secrets as random
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Callable

from securesystemslib.signer import SSlibKey
from tuf.api.metadata import Metadata, Root, Targets

from ceremony import __version__
from ceremony.flavors.tuf.current import CurrentBundle
from ceremony.bundle.transcript import Transcript
from ceremony.bundle.writer import BundleWriter
from ceremony.operator import Operator, Secret
from ceremony.script.plan import Plan
from hsm.signer import KeySigner


@dataclass
class KeyRecord:
    """A key known to this ceremony, by its name in the scripts."""

    name: str
    tuf_key: SSlibKey
    algorithm: str
    backend: str
    location: str  # age-file:PATH, pkcs11:..., online:
    public_pem: str
    holder: str | None = None
    roles: set[str] = field(default_factory=set)
    encrypted: bytes | None = None  # the stored private key file, to carry forward
    signer: KeySigner | None = None  # open only while the ceremony needs it
    backups: list[str] = field(default_factory=list)  # pkcs11: URIs of backup-token copies
    # "imported": a token key that was made in software and imported (a
    # recovery's rehome:), not generated on the token; "" otherwise
    origin: str = ""

    @property
    def keyid(self) -> str:
        return self.tuf_key.keyid

    @property
    def short_id(self) -> str:
        return self.keyid[:8]


def ceremony_id(plan: Plan, now: datetime) -> str:
    stamp = now.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    return f"{stamp}-{plan.kind}-{plan.script_sha256[:8]}{random.token_hex(2)}"


class Context:
    def __init__(self, plan: Plan, operator: Operator, clock: Callable[[], datetime]) -> None:
        self.plan = plan
        self.operator = operator
        self.clock = clock
        self.started = clock()
        self.id = ceremony_id(plan, self.started)
        self.tool_version = __version__
        self.transcript = Transcript(clock)  # its guard keeps digests, never secrets
        self.keys: dict[str, KeyRecord] = {}
        self.current: CurrentBundle | None = None
        self.writer: BundleWriter | None = None
        self.root: Metadata[Root] | None = None  # the root this ceremony signs
        self.root_bytes: bytes | None = None
        self.targets: Metadata[Targets] | None = None
        self.targets_bytes: bytes | None = None
        self.summary: dict = {}
        self.step = ""  # the id of the step running now (for progress events)
        # custody (kinds/custody_steps.py): what this ceremony sealed and retired
        self.custody = None
        # undo actions for what a step wrote outside the bundle (custody copies,
        # share sheets): run, newest first, when the ceremony is abandoned
        self.cleanups: list[Callable[[], None]] = []
        # engine/tokens.py: the PKCS#11 tokens opened (each logged in once)
        self.tokens = None
        # flavor dct (engine/dct_keys.py DctRun): GUNs, updates, passphrases in memory
        self.dct = None

    def remember_secret(self, secret: Secret) -> None:
        """Let the transcript redact any field holding this secret. Only a
        digest is kept: the secret itself (a share, a passphrase) leaves
        memory when the step that asked for it drops it."""
        self.transcript.guard.remember(secret.reveal())

    def key_by_keyid(self, keyid: str) -> KeyRecord | None:
        for record in self.keys.values():
            if record.keyid == keyid:
                return record
        return None

    def close_keys(self) -> list[KeyRecord]:
        """Close every open private key; the ones that were open."""
        closed = []
        for record in self.keys.values():
            if record.signer is not None:
                record.signer.close()
                record.signer = None
                closed.append(record)
        if self.tokens is not None:  # log out of every token, forget kept PINs
            self.tokens.close()
        return closed

    def forget_secrets(self) -> None:
        self.transcript.guard.forget()


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
