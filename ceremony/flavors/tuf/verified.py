"""The newest TUF bundle, verified, as a reader of it takes it.

The whole bundle is verified first (``ceremony verify``'s checks); then its
root history, targets file, key index, key files and custody records are
taken from the contents verify read, in memory: nothing is read from the
media a second time. Every failure is a BundleError naming the file. The
newest root and targets are given as the verifier read them (version,
expiry, each role's keys and threshold), so that ``ceremony next`` writes the
next script from the bundle without python-tuf, whose Metadata loads every
signer securesystemslib has; a ceremony's ``current:`` (current.py) adds
python-tuf's Metadata of both.

A bundle whose only fault is that its newest root (or targets) has expired
is refused with a message naming the way out, a ``renew`` ceremony; a
renew whose script says ``current-root-expired: renew`` builds on it, and
the bundle's ``expired`` says what had expired.
"""

from __future__ import annotations

import re
from typing import Any, Self

from ceremony.engine.current import (
    CurrentState,
    OnlineSigner,
    refuse_no_folder,
    verified_or_expired,
)
from ceremony.engine.custody_records import records_in_contents
from ceremony.engine.keyring import KeyRecord
from ceremony.errors import BundleError
from ceremony.flavors.tuf.verify.metadata import SignedFile, read_metadata
from ceremony.verify import verify_bundle
from ceremony.verify.contents import BundleContents
from ceremony.verify.errors import MalformedJSONError
from ceremony.verify.key_index import read_key_index
from ceremony.verify.limits import KEY_INDEX

TYPE_CHECKING = False
if TYPE_CHECKING:  # types only: datetime.py runs its pure-Python twin first, and
    # `ceremony next` names the bundle as text (cli/quick.py's path_text)
    from datetime import datetime
    from pathlib import Path

_ROOT_NAME = re.compile(r"^metadata/([1-9][0-9]*)\.root\.json\Z")
TARGETS = "metadata/targets.json"


class VerifiedBundle(CurrentState, frozen=False):
    """The verified TUF bundle, its newest root and targets as the verifier read them."""

    root_history: list[bytes] = []  # a new list for each (PlainRecord); 1.root.json ... N.root.json
    targets_bytes: bytes | None = None
    expired: list[str] = []  # what had expired (renew only)
    # of those, what an online signer re-signs (a Sigstore mirror's snapshot, timestamp)
    expired_online: list[str] = []

    @classmethod
    def read(
        cls, path: str | Path, *, at: datetime | None = None, renew_expired: bool = False,
        online_signer: OnlineSigner = False,
    ) -> Self:
        """Verify the bundle at ``path``, then take what is needed of it;
        ``renew_expired``: expiry is its only fault that is let pass;
        ``online_signer``: the expiry of what it re-signs is let pass."""
        refuse_no_folder(path)
        report = verify_bundle(path, at=at)
        contents, expired = verified_or_expired(
            report, path, renew_expired=renew_expired, online_signer=online_signer)
        versions = sorted(int(m.group(1)) for p in contents.files if (m := _ROOT_NAME.match(p)))
        return cls(
            path=path,
            keys=_keys(contents),
            rehearsal=report.rehearsal,
            contents=contents,
            custody_records=records_in_contents(contents),
            root_history=[_file(contents, f"metadata/{v}.root.json") for v in versions],
            targets_bytes=contents.content(TARGETS),
            expired=expired,
            expired_online=[str(p) for p in report.problems if p.expiry and p.online],
        )

    def newest_root(self) -> SignedFile:
        """The newest root: its version, expiry and roles (RoleRule: keyids, threshold)."""
        return _verified(f"metadata/{len(self.root_history)}.root.json", self.root_history[-1],
                         "root")

    def newest_targets(self) -> SignedFile | None:
        """The targets file, when the bundle has one."""
        if not self.targets_bytes:
            return None
        return _verified(TARGETS, self.targets_bytes, "targets")


def _verified(path: str, data: bytes, kind: str) -> SignedFile:
    """A file verify has passed, read again in memory by the verifier's own reader."""
    read = read_metadata(path, data, kind, [])
    assert read is not None and read.version is not None and read.expires is not None
    return read


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
