"""The per-file targets older cosign reads, beside trusted_root.json.

Before trusted_root.json, cosign found its trust material as separate TUF
targets tagged with ``custom.sigstore``: ``usage`` (Fulcio, Rekor, CTFE),
``status`` (Active, or Expired for one retired but still trusted for old
signatures) and, for logs, ``uri``. This makes them from checked material:
``fulcio_v1.crt.pem`` (the chain, PEM), ``rekor.pub`` and ``ctfe.pub`` (PEM
public keys), numbered ``_2``, ``_3``... when a service has several
entries. Timestamp authorities are left to trusted_root.json.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives import serialization

from ceremony.flavors.sigstore.material import ServiceMaterial, TrustMaterial

_FILES = {
    "fulcio": ("fulcio_v1", ".crt.pem", "Fulcio"),
    "rekor": ("rekor", ".pub", "Rekor"),
    "ctlog": ("ctfe", ".pub", "CTFE"),
}


def _file_bytes(material: ServiceMaterial) -> bytes:
    if material.chain:
        return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in material.chain)
    assert material.key is not None  # a log's
    return material.key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def legacy_targets(
    material: TrustMaterial, at: datetime
) -> tuple[dict[str, bytes], dict[str, dict[str, Any]]]:
    """Each file's bytes and its ``custom`` field, by target name."""
    files: dict[str, bytes] = {}
    custom: dict[str, dict[str, Any]] = {}
    for service, (stem, suffix, usage) in _FILES.items():
        for index, entry in enumerate(material.of(service), start=1):
            name = f"{stem}{'' if index == 1 else f'_{index}'}{suffix}"
            files[name] = _file_bytes(entry)
            tags: dict[str, str] = {
                "usage": usage,
                "status": "Active" if entry.end is None or entry.end > at else "Expired",
            }
            if service != "fulcio":
                tags["uri"] = entry.spec.url
            custom[name] = {"sigstore": tags}
    return files, custom
