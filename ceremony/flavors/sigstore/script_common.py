"""What the two Sigstore scripts read alike: a cosign key entry, a list.

A trust script's ``cosign-keys:`` (script.py) and a migrate-dct script's
``groups:`` (migrate_script.py) both name cosign keys to make, with the same
fields (:data:`COSIGN_KEY_FIELDS`, read by :func:`cosign_key_spec`), and both
read lists of texts checked against a pattern (:func:`read_listed`). Living
here, neither reader imports the other for them.
"""

from __future__ import annotations

import re

from ceremony.script.hardware_fields import PKCS11_FIELDS, read_key_hardware
from ceremony.script.plan import KeySpec
from ceremony.script.yamlload import Located

#: what a cosign key entry may say of where it is made (beside its own fields)
COSIGN_KEY_FIELDS = ("name", "holder", "backend", *PKCS11_FIELDS)


def cosign_key_spec(fields: dict[str, Located], item: Located) -> KeySpec:
    """A cosign key an entry names: ``name``, ``holder``; ECDSA P-256 made here, as
    ``cosign generate-key-pair`` makes, in software (a cosign.key file) or, with
    ``backend: pkcs11`` and the token's fields, on a PKCS#11 token."""
    name = fields["name"].name()
    backend = fields["backend"].choice(("software", "pkcs11")) if "backend" in fields else (
        "software"
    )
    return KeySpec(
        name=name,
        source="generate",
        algorithm="ecdsa-p256",
        backend=backend,
        holder=fields["holder"].name() if "holder" in fields else None,
        line=item.line,
        **read_key_hardware(item, fields, backend, name),
    )


def read_listed(
    located: Located, pattern: re.Pattern[str], todo: str, refusal: str, empty: str
) -> tuple[str, ...]:
    """A non-empty list of texts, each matching ``pattern`` whole; ``refusal`` follows
    a text that does not, ``empty`` is said of an empty list."""
    found = []
    for item in located.items(todo):
        text = item.text(todo)
        if not pattern.fullmatch(text):
            raise item.error(f"{text!r} {refusal}", todo)
        found.append(text)
    if not found:
        raise located.error(empty, todo)
    return tuple(found)
