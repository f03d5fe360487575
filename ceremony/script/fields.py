"""Reading the fields every flavor's scripts share, strictly.

Each reader takes a :class:`Located` value and returns what it means (a
path, an expiry, a KeySpec...) or raises a ScriptError naming the file, line
and dotted path. load.py reads the common fields with these; a flavor reads
its own fields with them too (``Flavor.read_script``). Nothing here touches
the filesystem: a path is resolved against the script's folder, never opened.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TypeVar

from ceremony.printable import unprintable
from ceremony.script.hardware_fields import KEY_FIELDS as HARDWARE_KEY_FIELDS
from ceremony.script.hardware_fields import read_key_hardware, refuse_slot_id
from ceremony.script.plan import (
    TOP_LEVEL_ROLES,
    Keyholder,
    KeySpec,
    PassphraseSource,
    RoleSpec,
)
from ceremony.script.values import read_expiry, read_passphrase, read_path, read_threshold
from ceremony.script.yamlload import Located

FORMAT = 1
KEY_FIELDS = ("name", "holder", "algorithm", "backend", "import") + HARDWARE_KEY_FIELDS
ROLE_FIELDS = ("keys", "threshold", "expires")

T = TypeVar("T")

HINTS = {
    "format": "Add format: 1 at the top",
    "title": "Add title: a line saying what this ceremony is, for people",
    "output": "Add output: the media directory to write the bundle to; it must not exist yet",
    "current": "Add current: the bundle holding the current root, e.g. ../media/2026-11-bootstrap",
    "sign-with": "Add sign-with: the current keys that sign today, e.g. [root-alice, root-carol]",
    "roles": "Add roles: with the roles this ceremony makes or changes",
    "targets-expires": "Add targets-expires: when the new targets.json expires, e.g. 90d",
    "algorithm": "Add algorithm: to make the key here, or import: PATH to bring its public key",
    "threshold": "Add threshold: how many of the keys must sign",
    "keys": "Add keys: the names of the keys, e.g. [root-alice, root-bob]",
    "expires": "Add expires: a date, a UTC time or a length such as 1y",
    "recover-from": "Add recover-from: {copies: [...]}, the custody bundle's copies",
    "replace": "Add replace: the roles whose keys are lost, each with its new keys, e.g. "
    "targets: {keys: [targets-2], threshold: 1, expires: 180d}",
}


def optional(fields: dict[str, Located], name: str, read: Callable[[Located], T], default: T) -> T:
    """``read(fields[name])`` when the script has the field, else ``default``."""
    return read(fields[name]) if name in fields else default


# -- fields common to every kind ----------------------------------------------


def read_format(located: Located) -> None:
    version = located.whole_number(f"Write format: {FORMAT}")
    if version != FORMAT:
        raise located.error(
            f"this version of ceremony reads format {FORMAT} scripts, not format {version}",
            f"Write format: {FORMAT}, or use the version of ceremony the script was written for",
        )


def read_network(located: Located | None) -> bool:
    if located is None:
        return False
    return located.choice(("forbidden", "allowed")) == "allowed"


def read_output_media(located: Located) -> str:
    return located.choice(
        ("removable", "any-device"),
        "Write output-media: removable (each output on a removable medium of its own, the "
        "default) or any-device (the system disk and shared devices allowed, knowingly)",
    )


def read_spare_keys(located: Located) -> str:
    return located.choice(("none",), "Write spare-keys: none, or remove the field")


MAX_TITLE = 200  # characters: a title is read aloud and printed on every record


def read_title(located: Located) -> str:
    """``title:``: one line of words, short enough to read aloud and print."""
    title = located.text()
    if len(title) > MAX_TITLE or "\n" in title.strip():
        raise located.error(
            f"the title is {len(title):,} characters"
            + (" over several lines" if "\n" in title.strip() else ""),
            f"Write one line of at most {MAX_TITLE} characters; describe the ceremony "
            "further in the reviewed script's comments",
        )
    if missing := unprintable(title, latin_only=False):
        raise located.error(
            f"the title has characters the printed records' font cannot show: "
            f"{' '.join(missing)}",
            "Write the title in letters the records print (Latin, Greek, Cyrillic), "
            "e.g. transliterated",
        )
    return title


def read_accept_risk(located: Located) -> str:
    """``accept-risk:``: in words, the risk a root that one loss can lock is run with
    (docs/reference/scripts.md, "Recoverability"). Not custody's ``accept-risks`` list."""
    todo = (
        "Write accept-risk: a sentence saying which loss would lock the root and why that "
        "is accepted, e.g. accept-risk: \"losing the token root-hsm-a locks the root; "
        "agreed by the security board on 2026-11-20\""
    )
    if isinstance(located.value, list):
        raise located.error(
            "accept-risk is one risk written in words, not a list of names (custody's "
            "accept-risks lists a passphrase-only bundle's risks by name)",
            todo,
        )
    return located.text(todo).strip()  # text() refuses an empty one


# -- people and keys ----------------------------------------------------------


def read_keyholders(located: Located) -> tuple[Keyholder, ...]:
    todo = "Write each keyholder as {name: alice}"
    holders = []
    for item in located.items("Write the keyholders as a list, e.g. [{name: alice}, {name: bob}]"):
        fields = item.fields(("name",), ("name",), todo=todo)
        holders.append(Keyholder(name=fields["name"].name(), line=item.line))
    return tuple(holders)


def key_items(located: Located) -> list[Located]:
    return located.items("Write the keys as a list, one {name: ..., algorithm: ...} each")


def read_key(
    item: Located, passphrases: dict[str, PassphraseSource], base_dir: Path
) -> KeySpec:
    refuse_slot_id(item)
    fields = item.fields(
        KEY_FIELDS,
        ("name",),
        todo="Write each key as {name: ..., holder: ..., algorithm: ...} "
        "or {name: ..., import: PATH}",
    )
    name = fields["name"].name()
    holder = fields["holder"].name() if "holder" in fields else None
    passphrase = passphrases.get(name, PassphraseSource())
    if "import" in fields:
        refuse_with_import(fields)
        public_key_file = read_path(fields["import"], base_dir)
        return KeySpec(
            source="import",
            public_key_file=public_key_file,
            name=name,
            holder=holder,
            passphrase=passphrase,
            line=item.line,
        )
    if "algorithm" not in fields:
        raise item.missing("algorithm", HINTS["algorithm"])
    backend = fields["backend"].text() if "backend" in fields else "software"
    return KeySpec(
        source="generate",
        algorithm=fields["algorithm"].text(),
        backend=backend,
        **read_key_hardware(item, fields, backend, name),
        name=name,
        holder=holder,
        passphrase=passphrase,
        line=item.line,
    )


def refuse_with_import(fields: dict[str, Located]) -> None:
    for name in ("algorithm", "backend") + HARDWARE_KEY_FIELDS:
        if name in fields:
            raise fields[name].error(
                f"an imported key has no {name}: its public key comes from the import file "
                "and its private part stays where it is",
                f"Remove {name}:, or remove import: to make the key here",
            )


def read_passphrases(located: Located | None) -> dict[str, PassphraseSource]:
    if located is None:
        return {}
    located.mapping("Write passphrases as key name: prompt or key name: {env: VAR}")
    return {name: read_passphrase(name, entry) for name, entry in located.entries()}


# -- roles ----------------------------------------------------------------------


def read_roles(located: Located, now: datetime) -> tuple[RoleSpec, ...]:
    located.mapping("Write roles as role name: {keys: [...], threshold: N, expires: ...}")
    roles = located.fields(TOP_LEVEL_ROLES, noun="role")
    return tuple(read_role(name, roles[name], now) for name in TOP_LEVEL_ROLES if name in roles)


def read_role(name: str, located: Located, now: datetime) -> RoleSpec:
    fields = located.fields(
        ROLE_FIELDS,
        ROLE_FIELDS,
        todo="Write the role as {keys: [...], threshold: N, expires: ...}",
        hints=HINTS,
    )
    return RoleSpec(
        name=name,
        keys=fields["keys"].names(),
        threshold=read_threshold(fields["threshold"]),
        expires=read_expiry(fields["expires"], now),
        line=located.line,
    )
