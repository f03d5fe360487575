"""A signature file: what one signing sitting brings back to the sealer.

It names the request it was made for (its digest), holds each signature
with the payload and its sha256, the key's name and id, and the sitting's
transcript segment, which continues the request's transcript. It holds a few
hundred bytes per signature (some 400 with an ECDSA P-256 key, 1,300 with an
RSA-4096 one) and nothing secret, so it may be carried as QR codes too.
Reading it is as strict as reading a request, and within the same ceiling as a
request's files (LIMIT): one key's signatures for every GUN a DCT bundle holds
fit with room to spare (some 8 MB at most, RSA-4096).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from ceremony.bundle.reading import read_plain_file
from ceremony.errors import CeremonyError, UnsafeFileError
from ceremony.verify.errors import MalformedJSONError
from ceremony.verify.strict_json import parse_json

FORMAT = 1
LIMIT = 16 * 1024 * 1024  # as a request's files (request_file.LIMIT)


@dataclass(frozen=True)
class SignatureEntry:
    payload: str  # the payload's name in the request
    payload_sha256: str
    key: str
    keyid: str
    signature: str


@dataclass(frozen=True)
class SignatureFile:
    request: str  # the request's digest
    sitting: str  # who sat, in words: "bob (root-bob)"
    signatures: tuple[SignatureEntry, ...]
    transcript: tuple[bytes, ...]  # the sitting's segment

    def to_bytes(self) -> bytes:
        document = {
            "format": FORMAT,
            "request": self.request,
            "sitting": self.sitting,
            "signatures": [
                {"payload": s.payload, "payload_sha256": s.payload_sha256, "key": s.key,
                 "keyid": s.keyid, "signature": s.signature}
                for s in self.signatures
            ],
            "transcript": [line.decode() for line in self.transcript],
        }
        return (json.dumps(document, sort_keys=True, separators=(",", ":")) + "\n").encode()


def parse_signature_file(data: bytes, where: str) -> SignatureFile:
    def wrong(what: str) -> CeremonyError:
        return CeremonyError(f"{what}", where=where,
                             todo="this is no signature file of this tool, or it is damaged")

    try:
        document = parse_json(data)
    except MalformedJSONError as error:
        raise wrong(str(error)) from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise wrong(f"not a format-{FORMAT} signature file")
    request, sitting = document.get("request"), document.get("sitting")
    items, lines = document.get("signatures"), document.get("transcript")
    if not (isinstance(request, str) and isinstance(sitting, str) and isinstance(items, list)
            and isinstance(lines, list) and all(isinstance(x, str) for x in lines)):
        raise wrong("request, sitting, signatures or transcript is missing or of the wrong type")
    entries = []
    for i, item in enumerate(items):
        fields = ("payload", "payload_sha256", "key", "keyid", "signature")
        if not isinstance(item, dict) or not all(isinstance(item.get(f), str) for f in fields):
            raise wrong(f"signatures[{i}] is missing a field or has one of the wrong type")
        entries.append(SignatureEntry(*(str(item[f]) for f in fields)))
    return SignatureFile(request, sitting, tuple(entries),
                         tuple(line.encode() for line in lines))


def read_signature_file(path: Path) -> SignatureFile:
    try:
        data = read_plain_file(path, LIMIT)
    except UnsafeFileError as error:
        raise CeremonyError(str(error), todo="give the signature file a sitting wrote") from None
    return parse_signature_file(data, str(path))
