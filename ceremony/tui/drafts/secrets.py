"""The ``passphrases:`` and ``pins:`` blocks of a draft: secrets read from the environment.

A secret is asked at the ceremony unless the script says where else it comes
from: a row here names a key (its passphrase) or a token, by label or serial
(its PIN), and the environment variable the ceremony reads it from, written
``NAME: {env: VAR}``. The form never holds a secret, only a variable's name.
Written only when a row is filled in; the loader judges the rest (a name that
is no variable's). Imports no UI toolkit.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ceremony.tui.drafts.text import Put, filled, scalar


@dataclass
class FromEnv:
    """One secret read from the environment: whose (a key, a token) and the variable."""

    name: str = ""
    variable: str = ""
    tag: str = ""  # the form row it came from (field ids passphrase-<tag>-name ...)

    def is_empty(self) -> bool:
        return not (self.name.strip() or self.variable.strip())


@dataclass
class Secrets:
    passphrases: list[FromEnv] = field(default_factory=list)  # key name -> variable
    pins: list[FromEnv] = field(default_factory=list)  # token label or serial -> variable

    def render(self, put: Put, fields: dict[str, str]) -> None:
        for section, head, rows in (("passphrases", "passphrase", self.passphrases),
                                    ("pins", "pin", self.pins)):
            tag, written = filled(rows)
            fields[section] = f"{head}-{tag}-name"
            if not written:
                continue
            put(section, f"{head}-{tag}-name", f"{section}:")
            for row_tag, row in written:
                name = scalar(row.name)
                path = f"{section}.{row.name.strip()}"
                fields[f"{path}.env"] = f"{head}-{row_tag}-env"
                put(path, f"{head}-{row_tag}-name",
                    f"  {name}: {{env: {scalar(row.variable)}}}")
