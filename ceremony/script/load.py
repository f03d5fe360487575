"""Ceremony scripts in, Plans out: the one door from YAML to the engine.

``load_script`` reads a script file, ``load_script_text`` a script held in
memory (rehearsals, tests). Both read strictly (yamlload.py), refuse any
secret written into the script (secrets.py), read the fields every flavor
shares (fields.py), hand the rest to the script's flavor
(``Flavor.read_script``), resolve relative paths against the script's folder
and run the checks (checks.py). Every problem is a ScriptError naming file,
line and dotted path. Loading has no side effects: it reads no file but the
script itself (not the current bundle, not imported public keys) and creates
none.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from pathlib import Path

from ceremony.bundle.reading import read_plain_file
from ceremony.errors import ScriptError, UnsafeFileError
from ceremony.flavor import Flavor, flavor_named, flavor_names
from ceremony.script.bags import read_bags
from ceremony.script.checks import check_plan
from ceremony.script.custody_fields import read_custody, read_recover_from
from ceremony.script.expiry import utc_now
from ceremony.script.fields import (
    HINTS,
    key_items,
    optional,
    read_accept_risk,
    read_format,
    read_key,
    read_keyholders,
    read_network,
    read_output_media,
    read_passphrases,
    read_spare_keys,
    read_title,
)
from ceremony.script.flavor_fields import ScriptReading
from ceremony.script.hardware_fields import read_pins
from ceremony.script.hidden_text import refuse_hidden_text
from ceremony.script.kind_fields import COMMON_FIELDS
from ceremony.script.plan import Bags, Plan, WipeSpec
from ceremony.script.policy import read_policy
from ceremony.script.recover_fields import read_rehome
from ceremony.script.secrets import refuse_secrets
from ceremony.script.values import read_expiry, read_path
from ceremony.script.wipe_fields import read_wipe
from ceremony.script.yamlload import Located, load_yaml

ALWAYS_REQUIRED = ("flavor", "title", "output")
#: the largest script read: hundreds of repositories fit in a tenth of it
MAX_SCRIPT_BYTES = 1024 * 1024


def load_script(path: Path, *, now: datetime | None = None) -> Plan:
    """The checked Plan of the script file at ``path``.

    Relative paths in the script are relative to the file's folder; ``now``
    (default: the current time) anchors expiries such as ``1y``.
    """
    path = Path(path)
    try:
        script_bytes = read_plain_file(path, MAX_SCRIPT_BYTES)
    except UnsafeFileError as error:
        raise _unreadable(path, error) from None
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
    if len(text) > MAX_SCRIPT_BYTES:
        raise _too_large(str(path or "the script"))
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
    refuse_hidden_text(text, top)
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


def _read_plan(
    top: Located,
    *,
    base_dir: Path,
    now: datetime,
    script_path: Path | None,
    script_sha256: str,
    script_text: str,
) -> Plan:
    top.mapping("A script is a mapping of fields, starting with format: 1")
    read_format(top.required("format", HINTS["format"]))
    kinds = _every_kind()
    kind = top.required("ceremony", f"Add ceremony: with one of {', '.join(kinds)}").choice(kinds)
    flavor_field = top.get("flavor")
    flavor = _read_flavor(flavor_field) if flavor_field is not None else _first_flavor()
    if kind not in flavor.kinds:
        raise top.required("ceremony").error(
            f"a {kind} ceremony is not available for the {flavor.name} flavor yet",
            f"Use {_or(list(flavor.kinds))}",
        )
    rules = flavor.script_rules(kind)
    _refuse_misplaced_fields(top, flavor, kind)
    fields = top.fields(
        COMMON_FIELDS + rules.fields,
        ALWAYS_REQUIRED + rules.required,
        hints={**HINTS, "flavor": _flavor_hint(), **rules.hints},
    )
    passphrases = read_passphrases(fields.get("passphrases"))
    part = flavor.read_script(ScriptReading(kind, fields, base_dir, now, passphrases))
    path = lambda located: read_path(located, base_dir)  # noqa: E731
    return Plan(
        kind=kind,
        flavor=flavor.name,
        title=read_title(fields["title"]),
        output=read_path(fields["output"], base_dir),
        rehearsal=optional(fields, "rehearsal", Located.flag, False),
        allow_network=read_network(fields.get("network")),
        output_media=optional(fields, "output-media", read_output_media, "removable"),
        spare_keys=optional(fields, "spare-keys", read_spare_keys, None),
        accept_risk=optional(fields, "accept-risk", read_accept_risk, None),
        keyholders=optional(fields, "keyholders", read_keyholders, ()),
        keys=tuple(
            read_key(item, passphrases, base_dir)
            for item in (key_items(fields["keys"]) if "keys" in fields else [])
        ),
        flavor_keys=part.keys,
        roles=part.roles,
        current=optional(fields, "current", path, None),
        sign_with=optional(fields, "sign-with", Located.names, ()),
        destroy=optional(fields, "destroy", Located.names, ()),
        wipe=optional(fields, "wipe", lambda w: read_wipe(w, base_dir), WipeSpec()),
        targets_expires=part.targets_expires,
        passphrases=tuple(passphrases.items()),
        pins=optional(fields, "pins", read_pins, ()),
        custody=optional(fields, "custody", lambda c: read_custody(c, base_dir), None),
        policy=optional(fields, "policy", read_policy, None),
        request_expires=optional(
            fields, "request-expires", lambda e: read_expiry(e, now), None
        ),
        recover_from=optional(
            fields, "recover-from", lambda r: read_recover_from(r, base_dir), None
        ),
        rehome=optional(fields, "rehome", read_rehome, ()),
        bags=optional(fields, "bags", lambda b: read_bags(b, has_current="current" in fields),
                      Bags()),
        details=part.details,
        lines=dict(top.lines),
        script_path=script_path,
        script_sha256=script_sha256,
        script_text=script_text,
    )


def _every_kind() -> tuple[str, ...]:
    """Every kind some flavor runs, in the flavors' order."""
    kinds: list[str] = []
    for name in flavor_names():
        kinds += [kind for kind in flavor_named(name).kinds if kind not in kinds]
    return tuple(kinds)


def _first_flavor() -> Flavor:
    return flavor_named(flavor_names()[0])


def _flavor_hint() -> str:
    first, *others = (flavor_named(name) for name in flavor_names())
    return f"Add flavor: {first.name}" + "".join(
        f" (or {flavor.name} for {flavor.title})" for flavor in others
    )


def _read_flavor(located: Located) -> Flavor:
    first, *others = (flavor_named(name) for name in flavor_names())
    todo = f"Write flavor: {first.name}" + "".join(
        f", or flavor: {flavor.name} for {flavor.title}" for flavor in others
    )
    located.text(todo)
    return flavor_named(located.choice(flavor_names(), todo))


def _refuse_misplaced_fields(top: Located, flavor: Flavor, kind: str) -> None:
    """A field the kind refuses, or one of another kind (``current`` in a
    bootstrap), gets its own message."""
    rules = flavor.script_rules(kind)
    label = f"{flavor.kind_prefix}{kind}"
    for name in top.mapping():
        if name in rules.refused:
            raise top.required(name).error(*rules.refused[name])
        if name in COMMON_FIELDS or name in rules.fields:
            continue
        kinds = [other for other in flavor.kinds if name in flavor.script_rules(other).fields]
        if kinds:
            raise top.required(name).error(
                f"a {label} ceremony has no {name} field (it belongs to {_and(kinds)})",
                f"Remove it; docs/reference/scripts.md lists the fields of a {label}",
            )


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _or(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"


def _unreadable(path: Path, error: UnsafeFileError) -> ScriptError:
    """Why the script file at ``path`` was not read, in the operator's words."""
    if error.reason == "too large":
        return _too_large(str(path))
    if error.reason in ("link", "not plain"):
        return ScriptError(
            f"the script {error.what}",
            where=str(path),
            todo="Give the reviewed script file itself, a plain file",
        )
    return ScriptError(
        f"the script cannot be read: {error.system_reason}",
        where=str(path),
        todo="Check the path and that the file is readable",
    )


def _too_large(where: str) -> ScriptError:
    return ScriptError(
        f"the script is larger than the {MAX_SCRIPT_BYTES:,} bytes a script may be",
        where=where,
        todo="A ceremony script is a page or two of YAML: give the reviewed script",
    )
