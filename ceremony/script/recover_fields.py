"""Reading a recovery's ``rehome:`` field: recovered root keys onto tokens.

Each entry names a root key of the current bundle (by its name there) that
the custody bundle holds, and the PKCS#11 token it is imported into, named
as backup tokens are (module, token-label and/or token-serial, never a slot
number; object-label defaults to the key's name). Only ``backend: pkcs11``:
a YubiKey's PIV keys are generated in their slot and attested, so a key made
elsewhere cannot become one. Like the rest of the loader this reads
strictly and touches no token; what the entries mean together is checked in
recover_checks.py, the token itself in preflight.
"""

from __future__ import annotations

from ceremony.script.hardware_fields import object_label, read_token, refuse_slot_id
from ceremony.script.plan import RehomeSpec
from ceremony.script.yamlload import Located

REHOME_FIELDS = ("key", "backend", "module", "token-label", "token-serial", "object-label")
_TODO = (
    "Write rehome as a list, e.g. [{key: root-alice, module: /usr/lib/...so, "
    "token-label: root-hsm-a}]"
)


def read_rehome(located: Located) -> tuple[RehomeSpec, ...]:
    """``rehome:``: one entry per recovered root key to import into a token."""
    entries = []
    for item in located.items(_TODO):
        refuse_slot_id(item)
        fields = item.fields(REHOME_FIELDS, ("key",), todo=_TODO)
        if "backend" in fields:
            backend = fields["backend"].text("Write backend: pkcs11")
            if backend != "pkcs11":
                raise fields["backend"].error(
                    f"a recovered key is re-homed onto a PKCS#11 token, not backend {backend!r}"
                    + (": a YubiKey's PIV keys are generated in their slot and attested, "
                       "never imported" if backend == "yubikey" else ""),
                    "Write backend: pkcs11 (or leave it out); to move root trust onto "
                    "YubiKeys, rotate to new keys made on them (replace: root:)",
                )
        name = fields["key"].name()
        entries.append(RehomeSpec(
            key=name,
            token=read_token(fields, "re-homed key", item),
            object_label=object_label(fields, name),
            line=item.line,
        ))
    if not entries:
        raise located.error("no key is listed to re-home", "List at least one, or remove rehome:")
    return tuple(entries)
