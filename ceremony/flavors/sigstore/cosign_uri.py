"""The ``pkcs11:`` URI ``cosign sign --key`` takes for a cosign key made on a token.

cosign reads a PKCS#11 URI (RFC 7512) its own way (pkg/cosign/pkcs11key):
the token by ``token`` (or ``slot-id``), the key by ``id`` and/or
``object``, the module by the ``module-path`` query attribute, the PIN from
``pin-value`` or else ``COSIGN_PKCS11_PIN``. From the key's location (the
URI this tool keeps, with serial, model and type too) this writes the form
cosign's own ``Construct`` writes: ``token``, ``id``, ``object`` and
``module-path``, each percent-encoded beyond RFC 3986's unreserved
characters. Never a PIN. :func:`read_cosign_uri` reads one back as cosign
does, for ``ceremony verify``.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qs, quote

from hsm.pkcs11.uri import Pkcs11Uri

PIN_ENV = "COSIGN_PKCS11_PIN"


def cosign_uri(location: str) -> str:
    uri = Pkcs11Uri.parse(location)
    path = []
    if uri.token is not None:
        path.append(f"token={quote(uri.token, safe='')}")
    if uri.id is not None:
        path.append("id=" + "".join(f"%{b:02x}" for b in uri.id))
    if uri.object is not None:
        path.append(f"object={quote(uri.object, safe='')}")
    return f"pkcs11:{';'.join(path)}?module-path={quote(uri.module_path or '', safe='/')}"


@dataclass(frozen=True)
class CosignUri:
    """A cosign pkcs11: URI as cosign reads it."""

    token: str
    key_id: bytes
    key_label: str
    module_path: str


def read_cosign_uri(text: str) -> CosignUri:
    """The URI as cosign reads it (';' and '&' both separate, values unescaped);
    ValueError naming what cosign would refuse, or a PIN written in it."""
    if not text.startswith("pkcs11:"):
        raise ValueError("is not a pkcs11: URI")
    path, _, query = text.removeprefix("pkcs11:").partition("?")
    attributes = parse_qs(path.replace(";", "&"), keep_blank_values=True)
    # the id is bytes: read it byte for byte (Go unescapes to bytes; Python to text)
    raw = parse_qs(path.replace(";", "&"), keep_blank_values=True, encoding="latin-1")
    options = parse_qs(query.replace(";", "&"), keep_blank_values=True)
    if "pin-value" in options or "pin-source" in options:
        raise ValueError(f"holds a PIN: the PIN belongs in {PIN_ENV}, never in a file")
    token = attributes.get("token", [""])[0]
    if not token and not attributes.get("slot-id"):
        raise ValueError("names no token (token or slot-id): cosign refuses it")
    key_id = raw.get("id", [""])[0]
    label = attributes.get("object", [""])[0]
    if not key_id and not label:
        raise ValueError("names no key (object or id): cosign refuses it")
    module = options.get("module-path", [""])[0]
    if not module.startswith("/"):
        raise ValueError("has no absolute module-path: cosign needs the PKCS#11 module")
    return CosignUri(token, key_id.encode("latin-1"), label, module)
