"""A built TUF metadata file: its bytes as written, and the event that says it was built."""

from __future__ import annotations

from typing import Any

# python-tuf documents these as tuf.api.metadata's API but lists no __all__:
# mypy's strict re-export rule cannot see them as exported
from tuf.api.metadata import Metadata
from tuf.api.serialization.json import JSONSerializer

from ceremony.engine.context import sha256_hex
from ceremony.events import MetadataBuilt


def metadata_bytes(md: Metadata[Any]) -> bytes:
    """The bytes a bundle (and a mirror) carries for ``md``: python-tuf's JSON, indented."""
    return md.to_bytes(JSONSerializer(compact=False))


def built(md: Metadata[Any]) -> MetadataBuilt:
    return MetadataBuilt(
        role=md.signed.type,
        version=md.signed.version,
        expires=md.signed.expires.strftime("%Y-%m-%dT%H:%M:%SZ"),
        sha256=sha256_hex(md.signed_bytes),
    )
