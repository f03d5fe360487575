"""Reading single values of a script: paths, expiries, thresholds, and where a
secret comes from (``prompt`` or ``{env: VAR}``, never the secret).

Every reader takes a :class:`Located` value and returns what it means, or
raises a ScriptError naming the file, line and dotted path. Nothing here
touches the filesystem: a path is made absolute against the script's folder,
with any link in it left for preflight to refuse, and never opened.
"""

from __future__ import annotations

import os
import re
from datetime import datetime
from pathlib import Path

from ceremony.script.expiry import parse_expiry
from ceremony.script.plan import PassphraseSource
from ceremony.script.yamlload import NAME_PATTERN, NAME_RULE, Located

ENV_VAR_PATTERN = re.compile(r"[A-Z_][A-Z0-9_]*")
ENV_VAR_RULE = "Variable names use capital letters, digits and _, e.g. ROOT_ALICE_PASSPHRASE"


def read_path(located: Located, base_dir: Path) -> Path:
    text = located.text("Write a path, e.g. ../media/2026-11-bootstrap")
    if "\0" in text:
        raise located.error("a path cannot contain a NUL character", "Remove it")
    # made absolute, not resolved: a link in it stays visible, for preflight to refuse
    return Path(os.path.normpath(base_dir / text))


def read_expiry(located: Located, now: datetime) -> datetime:
    return parse_expiry(located.value, now=now, where=located.where())


def read_renew_expired(located: Located) -> bool:
    """``current-root-expired: renew``: the one way to build on an expired root."""
    located.choice(
        ("renew",),
        "Write current-root-expired: renew to renew a root that has already expired "
        "(clients holding it can still update to the renewed root), or remove the field",
    )
    return True


def read_threshold(located: Located) -> int:
    return located.whole_number("Write the threshold as a number, e.g. 2")


def read_source(entry: Located, todo: str) -> PassphraseSource:
    """Where a secret comes from: ``prompt`` or ``{env: VAR}`` (``todo`` says how
    to write it, for the error)."""
    if entry.value == "prompt":
        return PassphraseSource("prompt")
    if not isinstance(entry.value, dict):
        raise entry.expected("prompt or {env: VAR}", todo)
    variable = entry.fields(("env",), ("env",), todo=todo)["env"]
    variable_name = variable.text(ENV_VAR_RULE)
    if not ENV_VAR_PATTERN.fullmatch(variable_name):
        raise variable.error(f"{variable_name!r} is not an environment variable name", ENV_VAR_RULE)
    return PassphraseSource("env", variable_name)


def read_passphrase(name: str, entry: Located) -> PassphraseSource:
    """Where key ``name``'s passphrase comes from."""
    if not NAME_PATTERN.fullmatch(name):
        raise entry.error(f"{name!r} is not a valid key name", NAME_RULE)
    return read_source(entry, "Write prompt, or {env: VAR} to read it from an environment variable")
