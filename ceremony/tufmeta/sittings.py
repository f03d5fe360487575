"""A TUF root signed in several sittings, put back together (TUF and Sigstore flavors).

The request's payload is the root's canonical JSON (the bytes its signatures
cover); the signatures counted at the sealing sitting are put onto it here,
once it is checked to be in the canonical form it was signed in.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping

# python-tuf and securesystemslib document these as their API but list no __all__:
# mypy's strict re-export rule cannot see them as exported
from securesystemslib.signer import Signature
from tuf.api.metadata import Metadata, Root

from ceremony.engine.context import Context
from ceremony.errors import CeremonyError
from ceremony.events import Event
from ceremony.sittings.adapter import Payload
from ceremony.tufmeta.metadata import built, metadata_bytes
from ceremony.tufmeta.work import work


def signed_root(name: str, data: bytes, signatures: Mapping[str, str]) -> Metadata[Root]:
    """Root ``name`` from its payload ``data`` with ``signatures`` (keyid -> signature)."""
    md = Metadata(Root.from_dict(json.loads(data, strict=False)))
    if md.signed_bytes != data:
        raise CeremonyError(
            f"{name} is not in canonical form: its signatures would not verify",
            todo="the request was not written by this tool: do not seal it",
        )
    for keyid, signature in sorted(signatures.items()):
        md.signatures[keyid] = Signature(keyid, signature)
    return md


def put_root(
    ctx: Context, payloads: tuple[Payload, ...], signatures: Mapping[str, Mapping[str, str]]
) -> Iterator[Event]:
    """The request's one payload, root N+1, signed: it becomes the root the ceremony signs."""
    (payload,) = payloads
    md = signed_root(payload.name, payload.data, signatures[payload.name])
    yield built(md)
    work(ctx).root = md
    work(ctx).root_bytes = metadata_bytes(md)
