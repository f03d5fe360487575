"""Ceremony scripts in, Plans out: the one door from YAML to the engine.

``load_script`` reads a script file, ``load_script_text`` a script held in
memory (rehearsals, tests). Both read strictly (yamlload.py), refuse any
secret written into the script, read each field of the script's kind into
the Plan dataclasses, resolve relative paths against the script's folder and
run the checks in checks.py. Every problem is a ScriptError naming file, line
and dotted path. Loading has no side effects: it reads no file but the script
itself (not the current bundle, not imported public keys) and creates none.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime
from pathlib import Path

from ceremony.errors import ScriptError
from ceremony.script.checks import check_plan, refuse_secrets
from ceremony.script.custody_fields import read_custody, read_recover_from, read_replace
from ceremony.script.expiry import parse_expiry, utc_now
from ceremony.script.hardware_fields import (
    KEY_FIELDS as HARDWARE_KEY_FIELDS,
)
from ceremony.script.hardware_fields import read_key_hardware, read_pins, refuse_slot_id
from ceremony.script.plan import (
    FLAVORS,
    KINDS,
    TOP_LEVEL_ROLES,
    DelegationSpec,
    Keyholder,
    KeySpec,
    PassphraseSource,
    Plan,
    RoleSpec,
)
from ceremony.script.recover_fields import read_rehome
from ceremony.script.yamlload import NAME_PATTERN, NAME_RULE, Located, load_yaml

FORMAT = 1
COMMON_FIELDS = (
    "format",
    "ceremony",
    "flavor",
    "title",
    "rehearsal",
    "network",
    "output",
    "keyholders",
    "keys",
    "passphrases",
    "pins",
)
KIND_FIELDS = {
    "bootstrap": ("roles", "spare-keys", "custody"),
    "rotate-root": ("current", "sign-with", "roles", "spare-keys", "custody"),
    "delegate": ("current", "sign-with", "delegations", "targets-expires"),
    "recover": ("current", "recover-from", "replace", "rehome", "spare-keys", "custody"),
}
REQUIRED_FIELDS = {
    "bootstrap": ("flavor", "title", "output", "roles"),
    "rotate-root": ("flavor", "title", "output", "current", "sign-with", "roles"),
    "delegate": (
        "flavor",
        "title",
        "output",
        "current",
        "sign-with",
        "delegations",
        "targets-expires",
    ),
    # replace and/or rehome: recover_checks.py says so when neither is there
    "recover": ("flavor", "title", "output", "current", "recover-from"),
}
KEY_FIELDS = ("name", "holder", "algorithm", "backend", "import") + HARDWARE_KEY_FIELDS
ROLE_FIELDS = ("keys", "threshold", "expires")
DELEGATION_FIELDS = ("name", "keys", "threshold", "paths", "terminating")
ENV_VAR_PATTERN = re.compile(r"[A-Z_][A-Z0-9_]*")
ENV_VAR_RULE = "Variable names use capital letters, digits and _, e.g. ROOT_ALICE_PASSPHRASE"

_HINTS = {
    "format": "Add format: 1 at the top",
    "ceremony": f"Add ceremony: with one of {', '.join(KINDS)}",
    "flavor": "Add flavor: tuf (or dct for Docker Content Trust)",
    "title": "Add title: a line saying what this ceremony is, for people",
    "output": "Add output: the media directory to write the bundle to; it must not exist yet",
    "current": "Add current: the bundle holding the current root, e.g. ../media/2026-11-bootstrap",
    "sign-with": "Add sign-with: the current keys that sign today, e.g. [root-alice, root-carol]",
    "roles": "Add roles: with the roles this ceremony makes or changes",
    "delegations": "Add delegations: the delegated roles to make",
    "targets-expires": "Add targets-expires: when the new targets.json expires, e.g. 90d",
    "algorithm": "Add algorithm: to make the key here, or import: PATH to bring its public key",
    "threshold": "Add threshold: how many of the keys must sign",
    "keys": "Add keys: the names of the keys, e.g. [root-alice, root-bob]",
    "expires": "Add expires: a date, a UTC time or a length such as 1y",
    "paths": "Add paths: the target paths delegated, e.g. [\"alpine/*\"]",
    "recover-from": "Add recover-from: {copies: [...]}, the custody bundle's copies",
    "replace": "Add replace: the roles whose keys are lost, each with its new keys, e.g. "
    "targets: {keys: [targets-2], threshold: 1, expires: 180d}",
}


def load_script(path: Path, *, now: datetime | None = None) -> Plan:
    """The checked Plan of the script file at ``path``.

    Relative paths in the script are relative to the file's folder; ``now``
    (default: the current time) anchors expiries such as ``1y``.
    """
    path = Path(path)
    try:
        script_bytes = path.read_bytes()
    except OSError as error:
        raise ScriptError(
            f"the script cannot be read: {error.strerror or error}",
            where=str(path),
            todo="Check the path and that the file is readable",
        ) from None
    try:
        text = script_bytes.decode("utf-8")
    except UnicodeDecodeError:
        raise ScriptError(
            "the script is not UTF-8 text",
            where=path.name,
            todo="Save it as UTF-8 plain text",
        ) from None
    script_path = path.resolve()
    return _load(text, script_bytes, script_path, script_path.parent, now)


def load_script_text(
    text: str,
    *,
    path: Path | None = None,
    base_dir: Path | None = None,
    now: datetime | None = None,
) -> Plan:
    """The checked Plan of the script ``text``.

    ``path`` (optional) is where it came from, used in messages and as the
    default ``base_dir``; relative paths in the script are resolved against
    ``base_dir``, else the current directory.
    """
    script_path = Path(path).resolve() if path is not None else None
    if base_dir is None:
        base_dir = script_path.parent if script_path is not None else Path.cwd()
    return _load(text, text.encode("utf-8"), script_path, Path(base_dir).resolve(), now)


def _load(
    text: str,
    script_bytes: bytes,
    script_path: Path | None,
    base_dir: Path,
    now: datetime | None,
) -> Plan:
    now = utc_now(now)
    label = script_path.name if script_path is not None else "<script>"
    value = load_yaml(text, label)
    line = getattr(value, "line", 1)
    top = Located(value, "", line, label, {})
    refuse_secrets(top)
    plan = _read_plan(
        top,
        script_path=script_path,
        script_sha256=hashlib.sha256(script_bytes).hexdigest(),
        script_text=text,
        base_dir=base_dir,
        now=now,
    )
    check_plan(plan, now=now)
    return plan


def _read_plan(top: Located, *, base_dir: Path, now: datetime, **script) -> Plan:
    top.mapping("A script is a mapping of fields, starting with format: 1")
    _read_format(top.required("format", _HINTS["format"]))
    kind = top.required("ceremony", _HINTS["ceremony"]).choice(KINDS)
    flavor = top.get("flavor")
    if flavor is not None and _read_flavor(flavor) == "dct":
        from ceremony.flavors.dct.fields import read_dct_plan  # Docker Content Trust

        return read_dct_plan(top, kind, base_dir=base_dir, now=now, **script)
    _refuse_other_kinds_fields(top, kind)
    fields = top.fields(COMMON_FIELDS + KIND_FIELDS[kind], REQUIRED_FIELDS[kind], hints=_HINTS)
    passphrases = _read_passphrases(fields.get("passphrases"))
    return Plan(
        kind=kind,
        flavor=_read_flavor(fields["flavor"]),
        title=fields["title"].text(),
        output=_read_path(fields["output"], base_dir),
        rehearsal=_optional(fields, "rehearsal", Located.flag, False),
        allow_network=_read_network(fields.get("network")),
        spare_keys=_optional(fields, "spare-keys", _read_spare_keys, None),
        keyholders=_optional(fields, "keyholders", _read_keyholders, ()),
        keys=tuple(
            _read_key(item, passphrases, base_dir)
            for item in _optional(fields, "keys", _key_items, [])
        ),
        roles=_optional(fields, "roles", lambda roles: _read_roles(roles, now), ())
        or _optional(fields, "replace", lambda replace: read_replace(replace, now), ()),
        current=_optional(fields, "current", lambda current: _read_path(current, base_dir), None),
        sign_with=_optional(fields, "sign-with", Located.names, ()),
        delegations=_optional(fields, "delegations", _read_delegations, ()),
        targets_expires=_optional(
            fields, "targets-expires", lambda expires: _read_expiry(expires, now), None
        ),
        passphrases=tuple(passphrases.items()),
        pins=_optional(fields, "pins", read_pins, ()),
        rehome=_optional(fields, "rehome", read_rehome, ()),
        **_read_custody_fields(fields, base_dir),
        lines=dict(top.lines),
        **script,
    )


def _refuse_other_kinds_fields(top: Located, kind: str) -> None:
    """A field of another kind (``current`` in a bootstrap) gets its own message."""
    allowed = COMMON_FIELDS + KIND_FIELDS[kind]
    for name in top.mapping():
        kinds = [other for other in KINDS if name in KIND_FIELDS[other]]
        if kinds and name not in allowed:
            raise top.get(name).error(
                f"a {kind} ceremony has no {name} field (it belongs to {_and(kinds)})",
                f"Remove it; docs/scripts.md lists the fields of a {kind}",
            )


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _read_custody_fields(fields: dict[str, Located], base_dir: Path) -> dict:
    """custody (bootstrap, rotate-root, recover) and recover-from (recover)."""
    return {
        "custody": _optional(fields, "custody", lambda c: read_custody(c, base_dir), None),
        "recover_from": _optional(
            fields, "recover-from", lambda r: read_recover_from(r, base_dir), None
        ),
    }


def _optional(fields: dict[str, Located], name: str, read, default):
    return read(fields[name]) if name in fields else default


# -- fields common to every kind ----------------------------------------------


def _read_format(located: Located) -> None:
    version = located.whole_number(f"Write format: {FORMAT}")
    if version != FORMAT:
        raise located.error(
            f"this version of ceremony reads format {FORMAT} scripts, not format {version}",
            f"Write format: {FORMAT}, or use the version of ceremony the script was written for",
        )


def _read_flavor(located: Located) -> str:
    located.text("Write flavor: tuf, or flavor: dct for Docker Content Trust")
    return located.choice(FLAVORS, "Write flavor: tuf, or flavor: dct for Docker Content Trust")


def _read_network(located: Located | None) -> bool:
    if located is None:
        return False
    return located.choice(("forbidden", "allowed")) == "allowed"


def _read_spare_keys(located: Located) -> str:
    return located.choice(("none",), "Write spare-keys: none, or remove the field")


def _read_path(located: Located, base_dir: Path) -> Path:
    text = located.text("Write a path, e.g. ../media/2026-11-bootstrap")
    if "\0" in text:
        raise located.error("a path cannot contain a NUL character", "Remove it")
    return (base_dir / text).resolve()


def _read_expiry(located: Located, now: datetime):
    return parse_expiry(located.value, now=now, where=located.where())


# -- people and keys ----------------------------------------------------------


def _read_keyholders(located: Located) -> tuple[Keyholder, ...]:
    todo = "Write each keyholder as {name: alice}"
    holders = []
    for item in located.items("Write the keyholders as a list, e.g. [{name: alice}, {name: bob}]"):
        fields = item.fields(("name",), ("name",), todo=todo)
        holders.append(Keyholder(name=fields["name"].name(), line=item.line))
    return tuple(holders)


def _key_items(located: Located) -> list[Located]:
    return located.items("Write the keys as a list, one {name: ..., algorithm: ...} each")


def _read_key(
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
    common = dict(
        name=name,
        holder=holder,
        passphrase=passphrases.get(name, PassphraseSource()),
        line=item.line,
    )
    if "import" in fields:
        _refuse_with_import(fields)
        public_key_file = _read_path(fields["import"], base_dir)
        return KeySpec(source="import", public_key_file=public_key_file, **common)
    if "algorithm" not in fields:
        raise item.missing("algorithm", _HINTS["algorithm"])
    backend = fields["backend"].text() if "backend" in fields else "software"
    return KeySpec(
        source="generate",
        algorithm=fields["algorithm"].text(),
        backend=backend,
        **read_key_hardware(item, fields, backend, name),
        **common,
    )


def _refuse_with_import(fields: dict[str, Located]) -> None:
    for name in ("algorithm", "backend") + HARDWARE_KEY_FIELDS:
        if name in fields:
            raise fields[name].error(
                f"an imported key has no {name}: its public key comes from the import file "
                "and its private part stays where it is",
                f"Remove {name}:, or remove import: to make the key here",
            )


def _read_passphrases(located: Located | None) -> dict[str, PassphraseSource]:
    if located is None:
        return {}
    located.mapping("Write passphrases as key name: prompt or key name: {env: VAR}")
    return {name: _read_passphrase(name, entry) for name, entry in located.entries()}


def _read_passphrase(name: str, entry: Located) -> PassphraseSource:
    if not NAME_PATTERN.fullmatch(name):
        raise entry.error(f"{name!r} is not a valid key name", NAME_RULE)
    if entry.value == "prompt":
        return PassphraseSource("prompt")
    todo = "Write prompt, or {env: VAR} to read it from an environment variable"
    if not isinstance(entry.value, dict):
        raise entry.expected("prompt or {env: VAR}", todo)
    variable = entry.fields(("env",), ("env",), todo=todo)["env"]
    variable_name = variable.text(ENV_VAR_RULE)
    if not ENV_VAR_PATTERN.fullmatch(variable_name):
        raise variable.error(f"{variable_name!r} is not an environment variable name", ENV_VAR_RULE)
    return PassphraseSource("env", variable_name)


# -- roles and delegations ----------------------------------------------------


def _read_roles(located: Located, now: datetime) -> tuple[RoleSpec, ...]:
    located.mapping("Write roles as role name: {keys: [...], threshold: N, expires: ...}")
    roles = located.fields(TOP_LEVEL_ROLES, noun="role")
    return tuple(_read_role(name, roles[name], now) for name in TOP_LEVEL_ROLES if name in roles)


def _read_role(name: str, located: Located, now: datetime) -> RoleSpec:
    fields = located.fields(
        ROLE_FIELDS,
        ROLE_FIELDS,
        todo="Write the role as {keys: [...], threshold: N, expires: ...}",
        hints=_HINTS,
    )
    return RoleSpec(
        name=name,
        keys=fields["keys"].names(),
        threshold=_read_threshold(fields["threshold"]),
        expires=_read_expiry(fields["expires"], now),
        line=located.line,
    )


def _read_threshold(located: Located) -> int:
    return located.whole_number("Write the threshold as a number, e.g. 2")


def _read_delegations(located: Located) -> tuple[DelegationSpec, ...]:
    items = located.items(
        "Write the delegations as a list, one {name: ..., keys: ..., paths: ...} each"
    )
    return tuple(_read_delegation(item) for item in items)


def _read_delegation(item: Located) -> DelegationSpec:
    fields = item.fields(
        DELEGATION_FIELDS,
        ("name", "keys", "threshold", "paths"),
        todo="Write the delegation as {name: ..., keys: [...], threshold: N, paths: [...]}",
        hints=_HINTS,
    )
    return DelegationSpec(
        name=fields["name"].name(),
        keys=fields["keys"].names(),
        threshold=_read_threshold(fields["threshold"]),
        paths=fields["paths"].texts('Write the paths as a list of patterns, e.g. ["alpine/*"]'),
        terminating=fields["terminating"].flag() if "terminating" in fields else False,
        line=item.line,
    )

