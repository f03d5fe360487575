"""The services a later ceremony's trust: leaves out of the current trusted root.

A ceremony that builds on a Sigstore bundle (update-trust, rotate-root,
renew, decommission, recover) writes a new ``trusted_root.json`` from its
``trust:`` list alone. A Fulcio CA, Rekor log, CT log or timestamp
authority the current trusted root has and the new list lacks is gone for
every client on its next refresh: each signature that service logged,
certified or timestamped stops verifying. A retired service keeps its entry
with a ``valid-until`` (docs/reference/sigstore.md, section 6); one whose
key is compromised is dropped on purpose, by naming its URL in ``trust:
withdraw:``. :func:`left_out` names the others, for preflight to refuse.

A log is the same when its log id (its key's sha256) is; a CA or TSA when
its chain is, certificate for certificate. Read from the verified current
bundle's bytes in memory and the checked new material; nothing here writes.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives import serialization

from ceremony.flavors.sigstore.material import SERVICE_WORDS, TrustMaterial
from ceremony.verify.errors import MalformedJSONError
from ceremony.verify.strict_json import parse_json

#: trusted_root.json's sections -> trust:'s services, and how each is told apart
_SECTIONS = (
    ("certificateAuthorities", "fulcio"),
    ("tlogs", "rekor"),
    ("ctlogs", "ctlog"),
    ("timestampAuthorities", "tsa"),
)
#: what stops verifying when each kind of service is left out
_LOST = {
    "fulcio": "every certificate it issued",
    "rekor": "every signature it logged",
    "ctlog": "every certificate it logged (its SCTs)",
    "tsa": "every timestamp it signed",
}


@dataclass(frozen=True)
class LeftOut:
    """A service of the current trusted root that the new trust: list lacks."""

    service: str  # fulcio, rekor, ctlog, tsa
    url: str
    identity: str  # a log's id; a chain's number of certificates, in words

    def words(self) -> str:
        return (
            f"the {SERVICE_WORDS[self.service]} {self.url} ({self.identity}) of the current "
            f"trusted_root.json is not in trust:, so {_LOST[self.service]} stops verifying "
            "when clients update"
        )


def _identity(section: str, entry: Any) -> tuple[str, str, str] | None:
    """(url, what tells it apart, how messages name that); None: not readable."""
    try:
        if section in ("tlogs", "ctlogs"):
            log_id = str(entry["logId"]["keyId"])
            return str(entry["baseUrl"]), log_id, f"log id {log_id}"
        chain = tuple(str(cert["rawBytes"]) for cert in entry["certChain"]["certificates"])
        return str(entry.get("uri", "")), "\n".join(chain), f"a chain of {len(chain)}"
    except (KeyError, TypeError, AttributeError):
        return None


def _new_identities(material: TrustMaterial, service: str) -> set[str]:
    if service in ("rekor", "ctlog"):
        return {m.log_id for m in material.of(service)}
    return {
        "\n".join(
            base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()
            for cert in m.chain
        )
        for m in material.of(service)
    }


def left_out(current_root: bytes | None, material: TrustMaterial) -> list[LeftOut]:
    """The current trusted root's services that ``material`` lacks (none when the
    current bundle has no readable trusted root: verify has judged it already)."""
    try:
        document = parse_json(current_root) if current_root is not None else None
    except MalformedJSONError:
        return []
    if not isinstance(document, dict):
        return []
    found = []
    for section, service in _SECTIONS:
        entries = document.get(section)
        kept = _new_identities(material, service)
        for entry in entries if isinstance(entries, list) else []:
            read = _identity(section, entry)
            if read is not None and read[1] not in kept:
                found.append(LeftOut(service, read[0], read[2]))
    return found
