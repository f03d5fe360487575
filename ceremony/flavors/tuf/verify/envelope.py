"""A TUF metadata file's envelope: its ``signed`` object, its signatures list,
and the canonical bytes of ``signed`` that every signature covers.

Read strictly (no field twice in any object, see verify/strict_json.py), or,
for a file already written as canonical JSON (python-tuf's default layout),
read once without the per-object duplicate check: such bytes are the one
canonical encoding of what they parse to, and an encoding has no field twice,
so bytes found equal to it prove the strict read would give the same value
and no problem. Any other file (python-tuf's indented layout, ceremony's own)
is read strictly, untried. Both ways give the same envelope, or none with
the same problem (tests/test_verify_speedups.py holds them to it).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ceremony.verify.canonical import canonical_bytes
from ceremony.verify.errors import MalformedJSONError
from ceremony.verify.strict_json import parse_json, parse_json_unchecked_keys

#: signed, the signatures list, and the canonical bytes of signed
Envelope = tuple[dict[str, Any], list[Any], bytes]


def read_canonical(data: bytes) -> Envelope | None:
    """The envelope of a file whose bytes are the canonical JSON of what they
    hold; None for any other file (read it with :func:`read_strictly`)."""
    if not (data.startswith(b'{"signatures":[') and data.endswith(b"}}")):
        return None  # not canonical: nothing tried
    document = parse_json_unchecked_keys(data)
    if not isinstance(document, dict) or len(document) != 2:
        return None
    signed, signature_list = document.get("signed"), document.get("signatures")
    if not isinstance(signed, dict) or not isinstance(signature_list, list):
        return None
    try:
        payload = canonical_bytes(signed)
        signatures = canonical_bytes(signature_list)
    except ValueError:
        return None
    # the canonical encoding of {"signatures": ..., "signed": ...}
    if data != b'{"signatures":%s,"signed":%s}' % (signatures, payload):
        return None
    return signed, signature_list, payload


def read_strictly(data: bytes, problem: Callable[[str], None]) -> Envelope | None:
    """The envelope in ``data``; None, after a ``problem`` line saying why,
    when there is none."""
    try:
        document = parse_json(data)
    except MalformedJSONError as error:
        problem(str(error))
        return None
    if not isinstance(document, dict):
        problem("not a JSON object with signed and signatures")
        return None
    signed, signature_list = document.get("signed"), document.get("signatures")
    if not isinstance(signed, dict) or not isinstance(signature_list, list):
        problem("not TUF metadata: it needs a signed object and a signatures list")
        return None
    try:
        payload = canonical_bytes(signed)
    except ValueError as error:
        problem(f"signed has no canonical JSON form: {error}")
        return None
    return signed, signature_list, payload
