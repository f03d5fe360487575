"""What a TUF-signing ceremony builds while it runs (``ctx.work``), and a key's TUF form.

A flavor that signs more than root and targets (Sigstore's snapshot and
timestamp) extends :class:`TufWork`; the shared steps read it through
:func:`work`.
"""

from __future__ import annotations

from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes

# securesystemslib documents SSlibKey as securesystemslib.signer's API but lists
# no __all__: mypy's strict re-export rule cannot see it as exported
from securesystemslib.signer import SSlibKey

# python-tuf documents these as tuf.api.metadata's API but lists no __all__:
# mypy's strict re-export rule cannot see them as exported
from tuf.api.metadata import Metadata, Root, Targets

from ceremony.engine.context import Context
from ceremony.engine.keyring import KeyRecord
from hsm.algorithms import algorithm_of_public_key


@dataclass
class TufWork:
    """The root and targets metadata this ceremony signs, and their bytes."""

    root: Metadata[Root] | None = None
    root_bytes: bytes | None = None
    targets: Metadata[Targets] | None = None
    targets_bytes: bytes | None = None

    @property
    def root_signed(self) -> Root:
        """The root this ceremony signs (or builds on), once a step has set it."""
        assert self.root is not None, "no step has made or taken the root yet"
        return self.root.signed


def work(ctx: Context) -> TufWork:
    tuf_work: TufWork = ctx.work
    return tuf_work


def tuf_key(record: KeyRecord) -> SSlibKey:
    """The key as TUF metadata names it (made once per record)."""
    if "tuf_key" not in record.views:
        record.views["tuf_key"] = public_tuf_key(record.public_key)
    key: SSlibKey = record.views["tuf_key"]
    return key


def public_tuf_key(public_key: PublicKeyTypes) -> SSlibKey:
    """A public key as TUF metadata names it, in its algorithm's scheme."""
    scheme = algorithm_of_public_key(public_key).scheme
    return SSlibKey.from_crypto(public_key, scheme=scheme)


def tuf_key_id(public_key: PublicKeyTypes) -> str:
    """The TUF keyid of a public key: the sha256 of its canonical key object."""
    return str(public_tuf_key(public_key).keyid)
