"""``ceremony next`` for Sigstore: TUF's next script, and the mirror's fields.

A Sigstore trust root is a TUF repository, so the TUF flavor writes the
script (asked through the Flavor interface): the root keys and threshold,
the new root expiry, for a rotation the online keys replaced (targets,
snapshot, timestamp: the quarterly rotation, or what ``--replace`` or the
``policy:`` names). Then what a Sigstore ceremony adds, since it signs the
mirror again: ``sign-with`` also names the current targets, snapshot and
timestamp keys that are not replaced; ``targets-expires``,
``snapshot-expires`` and ``timestamp-expires`` keep the last lengths; and
``trust:`` is the last script's, every service listed again, its files
named from the new script's folder, and each service's window pinned to
the one the bundle's trusted_root.json gives it (``valid-from``,
``valid-until``), so a log key's start does not move to the day of the
ceremony and a length such as ``valid-until: 30d`` is not counted again.
Its ``withdraw:`` is not carried: the services it named are gone already.
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path, PurePath
from typing import Any

from ceremony.errors import CeremonyError
from ceremony.flavor import flavor_named
from ceremony.flavors.sigstore.inspect import inspect_sigstore
from ceremony.flavors.sigstore.script import RULES
from ceremony.lifecycle.next_parts import (
    closing,
    last_script_at,
    period,
    read_text,
    script_text,
)
from ceremony.script.kind_fields import COMMON_FIELDS

ONLINE = ("targets", "snapshot", "timestamp")
DEFAULT_PERIODS = {"targets": "180d", "snapshot": "30d", "timestamp": "7d"}
#: each list of trust:, and how trusted_root.json's services are named (inspect.py)
SERVICES = {"fulcio": "Fulcio CA", "rekor": "Rekor log", "ctlog": "CT log",
            "tsa": "timestamp authority"}


def next_script(
    bundle: Path, kind: str, folder: Path, *, replace: tuple[str, ...] | None, at: datetime,
    guns: tuple[str, ...] = (),
) -> str:
    tuf = flavor_named("tuf")
    head, fields = read_text(tuf.next_script(bundle, kind, folder, replace=replace, at=at,
                                             guns=guns))
    last = last_script_at(bundle)
    trust = last.get("trust")
    if not isinstance(trust, dict):
        raise CeremonyError(
            "the bundle's script (ceremony.yaml) has no trust: block to carry",
            where=str(bundle),
            todo="write the script by hand, listing every service in trust: as in an "
            "update-trust (docs/reference/sigstore.md)",
        )
    facts = tuf.inspect(bundle, at=at)
    names = {key["keyid"]: key["name"] for key in facts["keys"]}
    keys = {role["name"]: [names[k] for k in role["keyids"] if k in names]
            for role in facts["roles"]}
    replaced = fields.get("roles") or {}
    assert isinstance(replaced, dict)
    signers = fields["sign-with"]
    assert isinstance(signers, list)
    for role in ONLINE:  # the current keys sign the mirror again, unless replaced
        if role not in replaced:
            signers += [name for name in keys.get(role, []) if name not in signers]
    fields["flavor"] = "sigstore"
    fields["sign-with"] = signers
    for role in ONLINE:
        fields[f"{role}-expires"] = period(last, role, DEFAULT_PERIODS)
    fields["trust"] = carried_trust(trust, _script_folder(bundle, last.get("output")), folder,
                             inspect_sigstore(bundle, at=at)["services"])
    fields.pop("passphrases", None)  # TUF's, for its sign-with
    fields.pop("policy", None)
    closing(fields, last)
    allowed = COMMON_FIELDS + RULES[kind].fields
    head.insert(3, "sign-with also names the targets, snapshot and timestamp keys that sign "
                "the mirror again; trust: is the last script's, each window as trusted_root.json "
                "gives it.")
    return script_text(head, {name: value for name, value in fields.items()
                              if name in allowed})


def _script_folder(bundle: Path, output: object) -> Path:
    """Where the last script was: its ``output:`` undone from the bundle's path,
    else (an absolute output, or one going up) the bundle's parent folder."""
    where = bundle.absolute()
    if isinstance(output, str) and output:
        parts = PurePath(output).parts
        if not PurePath(output).is_absolute() and ".." not in parts \
                and where.parts[-len(parts):] == parts:
            return Path(*where.parts[:-len(parts)])
    return where.parent


def carried_trust(
    trust: dict[str, Any], old: Path, folder: Path, services: list[dict[str, Any]]
) -> dict[str, Any]:
    """The trust: block with its files named from ``folder`` and its windows pinned; not
    its withdraw:, whose services the bundle's trusted root no longer has."""
    carried = {name: value for name, value in trust.items() if name != "withdraw"}
    for section, words in SERVICES.items():
        entries = trust.get(section)
        if not isinstance(entries, list):
            continue
        windows = [s for s in services if s["service"] == words]
        carried[section] = [_entry(entry, old, folder, windows) for entry in entries]
    return carried


def _entry(
    entry: object, old: Path, folder: Path, windows: list[dict[str, Any]]
) -> object:
    if not isinstance(entry, dict):
        return entry
    moved = dict(entry)
    for name in ("chain", "key"):
        file = entry.get(name)
        if isinstance(file, str) and not PurePath(file).is_absolute():
            moved[name] = os.path.relpath(old / file, folder)
    same = [window for window in windows if window["url"] == entry.get("url")]
    if same:  # the first of that URL, which is then taken: two keys may share a URL
        window = same[0]
        windows.remove(window)
        for name, value in (("valid-from", window["start"]), ("valid-until", window["end"])):
            if value is not None:
                moved[name] = value
            else:
                moved.pop(name, None)
    return moved
