"""The actions of a ``recover`` draft beyond replacing lost online keys.

A recovery replaces lost targets, snapshot or timestamp keys (the roles
table, ``replace:``), and may also rotate the root keys away from the
custodians (``replace: root:``: new root keys made here, which needs a new
custody bundle) and re-home recovered root keys onto PKCS#11 tokens
(``rehome:``, one row per key and token). Each action is written only when
its switch is on; the loader judges what they mean together. Imports no UI
toolkit.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ceremony.tui.drafts.text import Put, scalar


@dataclass
class RehomeRow:
    """A recovered root key imported into a token: one row of the rehome table."""

    key: str = ""
    module: str = ""
    token: str = ""  # the token's label
    object_label: str = ""  # default: the key's name
    tag: str = ""  # the form row it came from (field ids rehome-<tag>-key ...)

    def is_empty(self) -> bool:
        return not any((self.key.strip(), self.module.strip(), self.token.strip()))


@dataclass
class Recovery:
    """What a recovery does besides replacing lost online keys."""

    rotate_root: bool = False  # replace: root: (away from the custodians)
    root_keys: str = ""
    root_threshold: str = "2"
    root_expires: str = "1y"
    rehome_on: bool = False
    rehome: list[RehomeRow] = field(default_factory=list)

    def root_role(self) -> tuple[str, str, str] | None:
        """``replace: root:`` as (keys, threshold, expires), when the switch is on."""
        return (self.root_keys, self.root_threshold, self.root_expires) \
            if self.rotate_root else None

    def render(self, put: Put, fields: dict[str, str]) -> None:
        """``rehome:`` (``replace: root:`` is written with the other roles)."""
        rows = [(row.tag or i, row) for i, row in enumerate(self.rehome) if not row.is_empty()]
        first = (self.rehome[0].tag or 0) if self.rehome else 0
        fields["rehome"] = f"rehome-{first}-key"
        if not self.rehome_on:
            return
        if not rows:  # the switch on and nothing typed: the loader says what is missing
            put("rehome", f"rehome-{first}-key", "rehome: []")
            return
        put("rehome", f"rehome-{first}-key", "rehome:")
        for n, (i, row) in enumerate(rows):
            path = f"rehome[{n}]"
            parts = [f"key: {scalar(row.key)}"]
            fields[path] = fields[f"{path}.key"] = f"rehome-{i}-key"
            for key, value, field_id in (
                ("module", row.module, "module"),
                ("token-label", row.token, "token"),
                ("object-label", row.object_label, "object"),
            ):
                fields[f"{path}.{key}"] = f"rehome-{i}-{field_id}"
                if value.strip() or key != "object-label":
                    parts.append(f"{key}: {scalar(value)}")
            put(path, f"rehome-{i}-key", "  - {" + ", ".join(parts) + "}")
