"""A built TUF metadata file: its bytes as written, the bytes its signatures cover, and
the event that says it was built.

Both byte forms are python-tuf's, made without python-tuf's slow paths: the
signed part's canonical JSON by the verifier's encoder (json's C encoder,
ceremony/verify/canonical.py) rather than securesystemslib's, in Python; the
file laid out as python-tuf's JSONSerializer lays it out, by
ceremony/bundle/json_layout.py. Tests hold both to python-tuf's own bytes.
"""

from __future__ import annotations

from typing import Any

# python-tuf documents these as tuf.api.metadata's API but lists no __all__:
# mypy's strict re-export rule cannot see them as exported
from tuf.api.metadata import Metadata

from ceremony.bundle.json_layout import indented_json
from ceremony.engine.context import sha256_hex
from ceremony.events import MetadataBuilt
from ceremony.verify.canonical import canonical_bytes


def signed_bytes(md: Metadata[Any]) -> bytes:
    """``md.signed_bytes``: the canonical JSON of ``signed``, what signatures cover."""
    return canonical_bytes(md.signed.to_dict())


def metadata_bytes(md: Metadata[Any], signed: dict[str, Any] | None = None) -> bytes:
    """The bytes a bundle (and a mirror) carries for ``md``: python-tuf's JSON, indented
    (``md.to_bytes(JSONSerializer(compact=False))``). ``signed``: ``md.signed.to_dict()``
    when already made (as the signatures were made over it), laid out as ``md.to_dict()``
    holds it."""
    if signed is None:
        whole = md.to_dict()
    else:
        signatures = [signature.to_dict() for signature in md.signatures.values()]
        whole = {"signatures": signatures, "signed": signed, **md.unrecognized_fields}
    return indented_json(whole, 1, sort_keys=True).encode()


def built(
    md: Metadata[Any], payload: bytes | None = None, signed: dict[str, Any] | None = None
) -> MetadataBuilt:
    """The event for ``md``; ``payload`` is its :func:`signed_bytes` when already made,
    ``signed`` the ``md.signed.to_dict()`` they were made from (its expiry already in
    words)."""
    expires = signed.get("expires") if signed is not None else None
    if not isinstance(expires, str) or "expires" in md.signed.unrecognized_fields:
        expires = md.signed.expires.strftime("%Y-%m-%dT%H:%M:%SZ")
    return MetadataBuilt(
        role=md.signed.type,
        version=md.signed.version,
        expires=expires,
        sha256=sha256_hex(payload if payload is not None else signed_bytes(md)),
    )
