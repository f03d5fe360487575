"""The ``keys:`` block of a draft: keys made here (in software or on hardware) or imported.

A key row holds what its form row shows: name, holder, algorithm (or
``import`` and a public key file) and where the key is made: ``software``
(optionally copied into backup tokens through a PKCS#11 module), ``pkcs11``
(module, token label and/or serial, object label) or ``yubikey`` (serial, PIV slot, PIN
policy). Only the fields of the chosen backend are written; the loader
judges the rest (a SoftHSM outside a rehearsal, a slot that is no slot).
"""

from __future__ import annotations

from dataclasses import dataclass

from ceremony.tui.drafts.text import Put, names, scalar

IMPORT = "import"  # the algorithm choice that means "bring a public key"
BACKENDS = ("software", "pkcs11", "yubikey")
PIN_POLICIES = ("default", "never", "once", "always")


@dataclass
class KeyRow:
    """A key made or imported here: one row of the keys table."""

    name: str = ""
    holder: str = ""
    algorithm: str = "ed25519"  # or IMPORT
    public_key_file: str = ""
    tag: str = ""  # the form row it came from (its field ids: key-<tag>-name ...)
    backend: str = "software"
    module: str = ""  # pkcs11, and the backup tokens of a software key
    token: str = ""  # pkcs11: the token's label
    object_label: str = ""  # pkcs11: the key's label on the token (default: its name)
    serial: str = ""  # yubikey; pkcs11: the token's serial (with or without its label)
    slot: str = ""  # yubikey PIV slot (default 9c)
    pin_policy: str = "default"  # yubikey
    backups: str = ""  # software: labels of the backup tokens it is copied into

    def is_empty(self) -> bool:
        return not any((self.name.strip(), self.holder.strip(), self.public_key_file.strip()))

    def parts(self, i: str | int, n: int, fields: dict[str, str]) -> list[str]:
        """The fields of its flow mapping, each path named to its form field."""
        out = [f"name: {scalar(self.name)}"]

        def part(key: str, value: str, field_id: str) -> None:
            fields[f"keys[{n}].{key}"] = f"key-{i}-{field_id}"
            out.append(f"{key}: {value}")

        fields[f"keys[{n}]"] = fields[f"keys[{n}].name"] = f"key-{i}-name"
        if self.holder.strip():
            part("holder", scalar(self.holder), "holder")
        if self.algorithm == IMPORT:
            part("import", scalar(self.public_key_file), "import")
            return out
        part("algorithm", scalar(self.algorithm), "algorithm")
        if self.backend == "pkcs11":
            part("backend", "pkcs11", "backend")
            part("module", scalar(self.module), "module")
            if self.token.strip() or not self.serial.strip():
                part("token-label", scalar(self.token), "token")
            if self.serial.strip():  # a token named by serial: two tokens may share a label
                part("token-serial", scalar(self.serial), "serial")
            if self.object_label.strip():
                part("object-label", scalar(self.object_label), "object")
        elif self.backend == "yubikey":
            part("backend", "yubikey", "backend")
            part("serial", scalar(self.serial), "serial")
            if self.slot.strip():
                part("slot", scalar(self.slot), "slot")
            part("pin-policy", scalar(self.pin_policy), "pin-policy")
        elif names(self.backups):
            tokens = ", ".join(
                f"{{module: {scalar(self.module)}, token-label: {scalar(label)}}}"
                for label in names(self.backups)
            )
            part("backup-tokens", f"[{tokens}]", "backups")
        return out


def render_keys(keys: list[KeyRow], put: Put, fields: dict[str, str]) -> None:
    rows = [(row.tag or i, row) for i, row in enumerate(keys) if not row.is_empty()]
    first = (keys[0].tag or 0) if keys else 0
    fields["keys"] = f"key-{first}-name"
    if not rows:
        return
    put("keys", f"key-{first}-name", "keys:")
    for n, (i, row) in enumerate(rows):
        put(f"keys[{n}]", f"key-{i}-name", "  - {" + ", ".join(row.parts(i, n, fields)) + "}")
