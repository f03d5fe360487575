"""What a TUF ceremony builds while it runs (``ctx.work``), and a key's TUF form."""

from __future__ import annotations

from dataclasses import dataclass

from securesystemslib.signer import SSlibKey
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


def work(ctx: Context) -> TufWork:
    tuf_work: TufWork = ctx.work
    return tuf_work


def tuf_key(record: KeyRecord) -> SSlibKey:
    """The key as TUF metadata names it (made once per record)."""
    if "tuf_key" not in record.views:
        public_key = record.public_key
        scheme = algorithm_of_public_key(public_key).scheme
        record.views["tuf_key"] = SSlibKey.from_crypto(public_key, scheme=scheme)
    key: SSlibKey = record.views["tuf_key"]
    return key


def tuf_key_id(public_key: object) -> str:
    """The TUF keyid of a public key: the sha256 of its canonical key object."""
    scheme = algorithm_of_public_key(public_key).scheme
    return str(SSlibKey.from_crypto(public_key, scheme=scheme).keyid)
