"""What a flavor answers for signing in several sittings: its part, behind one interface.

The request, sign and seal sittings (ceremony/sittings/) are the same for
every flavor; a flavor's ``sittings()`` gives the adapter that says which
payloads a ceremony signs and which keys count for each, how one key signs
a payload and how a signature is checked, what a request builds on, what a
new key's keyholder makes beside its public key, and what the sealed bundle
holds.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from ceremony.engine.context import Context
    from ceremony.engine.current import CurrentState
    from ceremony.events import Event
    from hsm.signer import KeySigner


@dataclass(frozen=True)
class Group:
    """Keys of which ``threshold`` must sign a payload: "the current root (version 3)"."""

    label: str  # "old", "new": short, as meters and signature checks name it
    title: str  # for people
    threshold: int
    keyids: tuple[str, ...]


@dataclass(frozen=True)
class Payload:
    """One unsigned document, in the exact bytes its signatures cover."""

    name: str  # its file name in the request: "4.root.json"
    data: bytes
    groups: tuple[Group, ...]

    @functools.cached_property
    def digest(self) -> bytes:
        """The sha256 of :attr:`data` (hashed once: each signature over it is checked)."""
        return hashlib.sha256(self.data).digest()

    @property
    def sha256(self) -> str:
        return self.digest.hex()

    def counts(self, keyid: str) -> bool:
        return any(keyid in group.keyids for group in self.groups)


@dataclass(frozen=True)
class RequestKey:
    """A key the request counts: its name, id, keyholder and public key."""

    name: str
    keyid: str
    holder: str
    public_pem: str


class SittingsAdapter(Protocol):
    """A flavor's part of signing in several sittings."""

    def payloads(self, ctx: Context) -> tuple[Payload, ...]:
        """The unsigned payloads of ``ctx``'s plan, built on ``ctx.current``."""
        ...

    def summary(self, ctx: Context, payloads: tuple[Payload, ...]) -> list[str]:
        """What changes, in lines for people (a diff against the current state)."""
        ...

    def base(self, current: CurrentState) -> dict[str, Any]:
        """What a request extends, as plain data (compared by :meth:`extends`)."""
        ...

    def read_current(self, path: Path, at: datetime) -> CurrentState:
        """The verified current state at ``path`` (a keyholder's or the sealer's copy)."""
        ...

    def sign(self, payload: Payload, signer: KeySigner) -> str:
        """``signer``'s signature over ``payload``, as the flavor writes signatures."""
        ...

    def verifies(self, payload: Payload, key: RequestKey, signature: str) -> bool:
        """Whether ``signature`` by ``key`` is good over ``payload``'s bytes."""
        ...

    def certify(
        self, current: CurrentState, signer: KeySigner, name: str, now: datetime,
        expires: datetime | None,
    ) -> bytes:
        """What a new key's keyholder makes with it at their own sitting, beside its
        public key, for a request to import (DCT: a certificate for each GUN);
        ``expires`` None: the flavor's default. A CeremonyError where the flavor
        needs nothing but the public key."""
        ...

    def write_bundle(
        self, ctx: Context, payloads: tuple[Payload, ...],
        signatures: Mapping[str, Mapping[str, str]],
    ) -> Iterator[Event]:
        """Put the payloads with their signatures (payload -> keyid -> signature)
        into the bundle being sealed, as a one-sitting ceremony would."""
        ...
