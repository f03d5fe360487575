"""Reading the current TUF bundle a ceremony builds on (``current:``).

A rotation, delegation or recovery starts from the newest bundle on media.
The whole bundle is verified first (``ceremony verify``'s checks); then its
root history, targets metadata, key index, key files and custody records are
taken from the contents verify read, in memory: nothing is read from the
media a second time. Every failure is a BundleError naming the file.

A bundle whose only fault is that its newest root (or targets) has expired
is refused with a message naming the way out, a ``renew`` ceremony; a
renew whose script says ``current-root-expired: renew`` builds on it, and
the bundle's ``expired`` says what had expired.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

# python-tuf documents these as tuf.api.metadata's API but lists no __all__:
# mypy's strict re-export rule cannot see them as exported
from tuf.api.metadata import Metadata, Root, Targets

from ceremony.engine.context import Context
from ceremony.engine.current import CurrentState, refuse_no_folder, verified_or_expired
from ceremony.engine.custody_records import records_in_contents
from ceremony.engine.keyring import KeyRecord
from ceremony.errors import BundleError
from ceremony.threshold import ThresholdResult, threshold_result
from ceremony.verify import verify_bundle
from ceremony.verify.contents import BundleContents
from ceremony.verify.errors import MalformedJSONError
from ceremony.verify.key_index import read_key_index
from ceremony.verify.limits import KEY_INDEX

_ROOT_NAME = re.compile(r"^metadata/([1-9][0-9]*)\.root\.json$")


@dataclass
class CurrentBundle(CurrentState):
    """The verified TUF bundle a ceremony builds on."""

    root_history: list[bytes] = field(default_factory=list)  # 1.root.json ... N.root.json
    root: Metadata[Root] | None = None
    targets_bytes: bytes | None = None
    targets: Metadata[Targets] | None = None
    expired: list[str] = field(default_factory=list)  # what had expired (renew only)

    @property
    def root_signed(self) -> Root:
        assert self.root is not None  # a CurrentBundle always has its root
        return self.root.signed

    @property
    def root_version(self) -> int:
        return self.root_signed.version

    def root_thresholds(self, keyids: Iterable[str]) -> list[tuple[str, ThresholdResult]]:
        role = self.root_signed.roles["root"]
        label = f"the current root (version {self.root_version})"
        return [(label, threshold_result(role.keyids, role.threshold, set(keyids)))]

    def roles_of(self, keyid: str) -> tuple[str, ...]:
        """The roles of the current root that ``keyid`` is a key of."""
        return tuple(name for name, role in self.root_signed.roles.items() if keyid in role.keyids)

    def role_keys(self) -> list[tuple[str, str, set[str], int]]:
        """Each role of the current root."""
        return [("the current root", name, set(role.keyids), role.threshold)
                for name, role in self.root_signed.roles.items()]


def current_bundle(ctx: Context) -> CurrentBundle:
    """The verified TUF bundle the ceremony builds on (rotate-root, delegate, recover)."""
    current = ctx.building_on
    assert isinstance(current, CurrentBundle)  # the TUF preflight read it
    return current


def read_current(
    path: Path, *, at: datetime | None = None, renew_expired: bool = False
) -> CurrentBundle:
    """Verify the bundle at ``path``, then take what a ceremony needs of it;
    ``renew_expired``: expiry is its only fault that is let pass."""
    refuse_no_folder(path)
    report = verify_bundle(path, at=at)
    contents, expired = verified_or_expired(report, path, renew_expired=renew_expired)
    versions = sorted(int(m.group(1)) for p in contents.files if (m := _ROOT_NAME.match(p)))
    history = [_file(contents, f"metadata/{v}.root.json") for v in versions]
    targets_bytes = contents.content("metadata/targets.json")
    return CurrentBundle(
        path=path,
        keys=_keys(contents),
        rehearsal=report.rehearsal,
        contents=contents,
        custody_records=records_in_contents(contents),
        root_history=history,
        root=Metadata[Root].from_bytes(history[-1]),
        targets_bytes=targets_bytes,
        targets=Metadata[Targets].from_bytes(targets_bytes) if targets_bytes else None,
        expired=expired,
    )


def _keys(contents: BundleContents) -> dict[str, KeyRecord]:
    try:
        index = read_key_index(_file(contents, KEY_INDEX))
    except MalformedJSONError:
        raise BundleError("is not a key index", where=KEY_INDEX) from None
    return {name: _record(contents, name, entry) for name, entry in index.items()}


def _record(contents: BundleContents, name: str, entry: dict[str, Any]) -> KeyRecord:
    origin = entry.get("origin", "")
    return KeyRecord(
        name=name,
        keyid=entry["keyid"],
        algorithm=entry["algorithm"],
        backend=entry.get("backend", "software"),
        location=entry["location"],
        public_pem=_file(contents, entry["public"]).decode(),
        holder=entry.get("holder"),
        roles=set(entry.get("roles", [])),
        backups=list(entry.get("backups", [])),
        origin=origin if isinstance(origin, str) else "",
    )


def _file(contents: BundleContents, relpath: str) -> bytes:
    data = contents.content(relpath)
    if data is None:
        raise BundleError("is missing from the verified bundle", where=relpath)
    return data
