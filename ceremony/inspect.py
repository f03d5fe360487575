"""``ceremony inspect``: what metadata says, for people and machines, for every flavor.

:func:`inspect_file` asks each flavor whether it reads the path (a bundle
directory, or one metadata file), the flavor a bundle's MANIFEST.json names
first (a Sigstore bundle also holds TUF metadata, which the TUF flavor would
claim), and returns that flavor's facts as plain
data, the ``--json`` output, in one shape: ``flavor``, ``path``,
``bundle``, ``checked_at``, and for every root or targets file its version,
expiry, days left, roles (name, threshold, keyids), keys (keyid, short id,
algorithm, name, holder, location, roles) and ``signatures`` (the keyids
that signed, not checked: that is ``ceremony verify``'s job); a delegated
role also has its ``paths`` (or ``path_hash_prefixes``) and ``terminating``,
shown as text too, since witnesses check them by eye.
:func:`render_lines` turns facts into lines of text with the helpers below,
which every flavor uses, so that text from the media is escaped the same way
everywhere (a hostile name cannot put control characters on the screen).
Reading is as strict and bounded as verify's. Nothing here prints.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ceremony.bundle.path_kinds import is_dir, is_file, is_symlink
from ceremony.errors import BundleError, UnknownFlavorError
from ceremony.flavor import Flavor, flavor_named, flavor_names
from ceremony.verify.errors import MalformedJSONError
from ceremony.verify.limits import MANIFEST, MANIFEST_MAX_BYTES, TRANSCRIPT, TRANSCRIPT_MAX_BYTES
from ceremony.verify.loader import read_file_within
from ceremony.verify.problem import safe_path
from ceremony.verify.strict_json import parse_json

TYPE_CHECKING = False
if TYPE_CHECKING:  # types only: datetime.py runs its pure-Python twin first, and
    # `ceremony next` asks flavor_at of a path as text (cli/quick.py's path_text)
    from datetime import datetime
    from pathlib import Path

UNKNOWN = "unknown"
Facts = dict[str, Any]


def inspect_file(path: Path, *, at: datetime | None = None) -> Facts:
    """What the metadata at ``path`` says, as plain data; ``path`` may be a bundle
    directory or one metadata file. ``at`` is when days left count from (default now)."""
    from pathlib import Path

    path = Path(path)
    flavor = flavor_at(path)
    facts = flavor.inspect(path, at=at)
    facts["flavor"] = flavor.name
    destroyed = _destroyed(path)
    if destroyed:
        facts["destroyed"] = destroyed
    return facts


def _destroyed(path: Path) -> list[dict[str, str]]:
    """A bundle's keys its ceremony destroys (a decommission): from its transcript, what
    was to be destroyed after the seal, and from the destruction record beside it
    (bundle/destruction_record.py), what was; ``state`` says which."""
    if not path.is_dir() or path.is_symlink() or not (path / TRANSCRIPT).is_file():
        return []
    try:
        data = read_file_within(path / TRANSCRIPT, TRANSCRIPT_MAX_BYTES, TRANSCRIPT)
    except BundleError:
        return []  # verify says what is wrong with it
    # here, not atop: it loads the key checks (cryptography), which status has no use for
    from ceremony.verify.destroyed import destroyed_events

    found = [{**event, "state": "destroyed"} for event in destroyed_events(data)]
    planned = destroyed_events(data, to_destroy=True)
    if planned:
        import hashlib

        from ceremony.bundle.destruction_record import read_destruction_record

        told = data.splitlines()
        record = read_destruction_record(path, hashlib.sha256(told[-1]).hexdigest())
        done = destroyed_events(record.data)
        found += [{**event, "state": "destroyed"} for event in done]
        named = {event["keyid"] for event in found}
        left = record.problem or "; ".join((record.ended or {}).get("not_destroyed", []))
        found += [{**event, "state": "to destroy", "proof": f"{event['proof']} ({left})"
                   if left else event["proof"]}
                  for event in planned if event["keyid"] not in named]
    return [{**event, "short_id": event["keyid"][:8]} for event in found]


def flavor_at(path: str | Path) -> Flavor:
    """The flavor whose metadata is at ``path``: the one a bundle's MANIFEST.json
    names when it claims the path, else the first that claims it (else the first)."""
    named = _manifest_flavor(path)
    names = ((named,) if named else ()) + flavor_names()
    return flavor_named(next((n for n in names if flavor_named(n).inspects(path)), names[0]))


def _manifest_flavor(path: str | Path) -> str | None:
    """The known flavor a bundle folder's MANIFEST.json names, if it names one."""
    manifest_path = os.path.join(path, MANIFEST)
    if not is_dir(path) or is_symlink(path) or not is_file(manifest_path):
        return None
    try:
        manifest = parse_json(read_file_within(manifest_path, MANIFEST_MAX_BYTES, MANIFEST))
        name = manifest.get("flavor") if isinstance(manifest, dict) else None
        if isinstance(name, str):
            flavor_named(name)
            return name
    except (BundleError, MalformedJSONError, UnknownFlavorError):
        pass  # the flavors that claim the folder say what they can; verify says what is wrong
    return None


def render_lines(facts: Mapping[str, Any]) -> list[str]:
    """Lines of text for people, from what :func:`inspect_file` returned."""
    lines = flavor_named(facts["flavor"]).inspect_lines(facts)
    destroyed = facts.get("destroyed", [])
    if destroyed:
        lines += ["", "Keys this ceremony destroys (no longer in any role):"]
        lines += columns([[e.get("state", "destroyed"), safe_path(e["key"]), e["short_id"],
                           safe_path(e["proof"])] for e in destroyed])
    return lines


# -- lines every flavor shows the same way ---------------------------------------------


def days_words(days_left: int | None, expired: bool | None) -> str:
    """`` (12 days left)``, `` (EXPIRED 3 days ago)``, or nothing when unknown."""
    if days_left is None:
        return ""
    if expired:
        ago = -days_left
        return " (EXPIRED today)" if ago <= 0 else f" (EXPIRED {ago} day{'s' * (ago != 1)} ago)"
    return f" ({days_left} day{'s' * (days_left != 1)} left)"


def columns(rows: Sequence[Sequence[str]], indent: str = "  ") -> list[str]:
    """Rows of cells as aligned text lines (cells already escaped)."""
    if not rows:
        return []
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [
        indent
        + "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False)).rstrip()
        for row in rows
    ]


def role_rows(roles: Iterable[Mapping[str, Any]]) -> list[list[str]]:
    """One row per role: name, ``2 of 3 keys``, the short ids."""
    rows = []
    for role in roles:
        count = len(role["keyids"])
        rows.append(
            [
                safe_path(str(role["name"])),
                f"{role['threshold']} of {count} key{'s' * (count != 1)}",
                " ".join(safe_path(str(keyid)[:8]) for keyid in role["keyids"]),
            ]
        )
    return rows


def key_rows(keys: Iterable[Mapping[str, Any]], *extra: str) -> list[list[str]]:
    """One row per key: short id, algorithm, roles, name (holder), location, and
    the ``extra`` fields a flavor adds (each already words)."""
    rows = []
    for key in keys:
        who = safe_path(key["name"] or "")
        if key["holder"]:
            who += f" ({safe_path(key['holder'])})"
        row = [
            safe_path(key["short_id"]),
            safe_path(key["algorithm"]),
            ",".join(safe_path(role) for role in key["roles"]) or "-",
            who or "-",
            safe_path(key["location"]),
        ]
        rows.append(row + [str(key.get(name) or "") for name in extra])
    return rows


def delegation_rows(roles: Iterable[Mapping[str, Any]]) -> list[list[str]]:
    """One row per delegated role: name, the paths it is trusted for (or its path
    hash prefixes), and whether it is terminating. Roles with neither (a root's
    roles) have no row."""
    rows = []
    for role in roles:
        if "paths" in role:
            paths = ", ".join(safe_path(str(path)) for path in role["paths"] or []) or "(none)"
        elif "path_hash_prefixes" in role:
            prefixes = " ".join(safe_path(str(p)) for p in role["path_hash_prefixes"] or [])
            paths = f"path hash prefixes {prefixes or '(none)'}"
        else:
            continue
        terminating = role.get("terminating")
        mark = "terminating" if terminating else "not terminating"
        rows.append([safe_path(str(role["name"])), paths, mark if terminating is not None else ""])
    return rows


def signatures_line(signatures: Sequence[str]) -> str:
    count = len(signatures)
    return f"{count} signature{'s' * (count != 1)} (not checked here: run ceremony verify)"
