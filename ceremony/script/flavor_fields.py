"""What a flavor tells the loader about its scripts, and what it reads of them.

load.py reads the fields every flavor shares (title, output, keyholders,
keys, passphrases, pins, and where a kind takes them: current, sign-with,
spare-keys, custody, recover-from, rehome). The flavor says which fields
each of its kinds takes (kind_fields.ScriptRules) and reads the rest itself
(``Flavor.read_script``): its roles, expiries and anything of its own,
returned as a :class:`FlavorScript` that becomes part of the Plan.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from ceremony.script.plan import KeySpec, PassphraseSource, RoleSpec
from ceremony.script.yamlload import Located


@dataclass(frozen=True)
class ScriptReading:
    """What a flavor needs to read its part of one script."""

    kind: str
    fields: dict[str, Located]  # the script's top-level fields, by name
    base_dir: Path  # relative paths are resolved against it
    now: datetime  # anchors expiries such as ``1y``
    passphrases: Mapping[str, PassphraseSource]


@dataclass(frozen=True)
class FlavorScript:
    """What a flavor read of a script: its roles, the new targets expiry (a
    delegation's), and its own frozen ``details`` (Plan.details)."""

    roles: tuple[RoleSpec, ...] = ()
    targets_expires: datetime | None = None
    keys: tuple[KeySpec, ...] = ()  # keys it makes beyond keys: (Plan.flavor_keys)
    details: Any = None
