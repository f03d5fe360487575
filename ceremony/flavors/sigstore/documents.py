"""The Sigstore documents a bundle carries: trusted_root.json, the signing config, and
the ClientTrustConfig that holds both.

Built from checked trust material (material.py), in sigstore/protobuf-specs'
JSON form (camelCase, bytes in base64, times in RFC 3339 UTC), with the media
types sigstore-python 4.x and sigstore-go accept: trusted root
``…trustedroot+json;version=0.1`` (0.2 is refused), signing config
``…signingconfig.v0.2+json``. A log's ``logId.keyId`` is base64 of the sha256
of its key's DER SubjectPublicKeyInfo ("tlog missing log ID" otherwise).
"""

from __future__ import annotations

import base64
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import NameOID

from ceremony.bundle.json_layout import indented_json
from ceremony.flavors.sigstore.material import ServiceMaterial, TrustMaterial

TRUSTED_ROOT_MEDIA_TYPE = "application/vnd.dev.sigstore.trustedroot+json;version=0.1"
SIGNING_CONFIG_MEDIA_TYPE = "application/vnd.dev.sigstore.signingconfig.v0.2+json"
CLIENT_TRUST_CONFIG_MEDIA_TYPE = "application/vnd.dev.sigstore.clienttrustconfig.v0.1+json"
TRUSTED_ROOT = "trusted_root.json"
SIGNING_CONFIG = "signing_config.v0.2.json"


def document_bytes(document: dict[str, Any]) -> bytes:
    """``json.dumps(document, indent=2)`` and a newline (laid out by json_layout.py)."""
    return indented_json(document, 2).encode() + b"\n"


def _window(material: ServiceMaterial) -> dict[str, str]:
    return dict(material.valid_for)  # a dict of its own for each document


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _log(material: ServiceMaterial) -> dict[str, Any]:
    return {
        "baseUrl": material.spec.url,
        "hashAlgorithm": "SHA2_256",
        "publicKey": {
            "rawBytes": _b64(material.key_der),
            "keyDetails": material.key_details,
            "validFor": _window(material),
        },
        "logId": {"keyId": material.log_id},
    }


def _subject(cert: x509.Certificate) -> dict[str, str]:
    subject = cert.subject  # cached by cryptography per certificate object

    def first(oid: x509.ObjectIdentifier) -> str:
        found = subject.get_attributes_for_oid(oid)
        return str(found[0].value) if found else ""

    return {
        "organization": first(NameOID.ORGANIZATION_NAME),
        "commonName": first(NameOID.COMMON_NAME),
    }


def _authority(material: ServiceMaterial) -> dict[str, Any]:
    return {
        "subject": _subject(material.chain[-1]),
        "uri": material.spec.url,
        "certChain": {
            "certificates": [
                {"rawBytes": _b64(cert.public_bytes(serialization.Encoding.DER))}
                for cert in material.chain
            ]
        },
        "validFor": _window(material),
    }


def trusted_root(material: TrustMaterial) -> dict[str, Any]:
    return {
        "mediaType": TRUSTED_ROOT_MEDIA_TYPE,
        "tlogs": [_log(m) for m in material.of("rekor")],
        "certificateAuthorities": [_authority(m) for m in material.of("fulcio")],
        "ctlogs": [_log(m) for m in material.of("ctlog")],
        "timestampAuthorities": [_authority(m) for m in material.of("tsa")],
    }


def _service(material: ServiceMaterial) -> dict[str, Any]:
    return {
        "url": material.spec.url,
        "majorApiVersion": 1,
        "validFor": _window(material),
        "operator": material.spec.operator,
    }


def signing_config(material: TrustMaterial) -> dict[str, Any]:
    config: dict[str, Any] = {
        "mediaType": SIGNING_CONFIG_MEDIA_TYPE,
        "caUrls": [_service(m) for m in material.of("fulcio")],
        "oidcUrls": [_service(m) for m in material.of("oidc")],
        "rekorTlogUrls": [_service(m) for m in material.of("rekor")],
        "rekorTlogConfig": {"selector": "ANY"},
        "tsaUrls": [_service(m) for m in material.of("tsa")],
        "tsaConfig": {"selector": "ANY"},
    }
    return config


def client_trust_config(root: dict[str, Any], config: dict[str, Any]) -> dict[str, Any]:
    return {
        "mediaType": CLIENT_TRUST_CONFIG_MEDIA_TYPE,
        "trustedRoot": root,
        "signingConfig": config,
    }
