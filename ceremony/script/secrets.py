"""No secret is ever written into a ceremony script.

:func:`refuse_secrets` looks at the raw script before anything else is read:
a passphrase or PIN written out (rather than ``prompt`` or ``{env: VAR}``),
or any value under a field named like a secret, stops the loader with an
error that never repeats the value.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ceremony.script.yamlload import Located

SECRET_WORDS = frozenset({"passphrase", "password", "passwd", "pin", "puk", "secret", "private"})
# Fields named like a secret that hold a setting, allowed with these values only.
NOT_SECRETS = {"pin-policy": ("default", "never", "once", "always")}
_SECRET_TODO_RUN_TIME = "prompt or {env: VAR} under passphrases, or `ceremony run --secrets FILE`"


def refuse_secrets(top: Located) -> None:
    """Raise if the raw script holds anything that looks like a secret.

    A secret is any text or number (other than ``prompt``) under a field whose
    name has a word in SECRET_WORDS (``pin``, ``admin-password``...), or
    written as a ``passphrases`` entry. The error never repeats the value.
    """
    for name, located, parent in every_field(top):
        if not is_literal(located.value):
            continue
        if parent == "passphrases":
            raise located.error(
                "scripts never contain secrets, and this looks like a passphrase written out",
                "Write prompt or {env: VAR} instead, or use `ceremony run --secrets FILE`, "
                "and treat that passphrase as exposed",
            )
        if parent == "pins":
            raise located.error(
                "scripts never contain secrets, and this looks like a PIN written out",
                "Write prompt or {env: VAR} instead, or use `ceremony run --secrets FILE`, "
                "and change that PIN on the token",
            )
        if located.value in NOT_SECRETS.get(name, ()):
            continue  # a setting (pin-policy: once), not a secret
        if SECRET_WORDS.intersection(re.split(r"[-_\s]+", name.lower())):
            raise located.error(
                "scripts never contain secrets, and this field looks like it holds one",
                "Delete it and treat that secret as exposed; give secrets at run time: "
                + _SECRET_TODO_RUN_TIME,
            )


def every_field(located: Located) -> Iterator[tuple[str, Located, str]]:
    """(field name, its value, the path of its mapping) for every mapping entry."""
    if isinstance(located.value, dict):
        for name, entry in located.entries():
            yield name, entry, located.path
            yield from every_field(entry)
    elif isinstance(located.value, list):
        for item in located.items():
            yield from every_field(item)


def is_literal(value: object) -> bool:
    if isinstance(value, bool):
        return False
    return isinstance(value, (int, float)) or (isinstance(value, str) and value != "prompt")


