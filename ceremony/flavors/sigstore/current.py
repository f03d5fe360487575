"""The Sigstore bundle a later ceremony builds on: its TUF files, from verified contents.

The TUF flavor's preflight verifies the current bundle once and hands over
its contents in memory (``CurrentState.contents``); this reads, from those
bytes only, what an update-trust needs: the newest root, the targets,
snapshot and timestamp versions and expiries of the mirror, and the root
history.
Nothing is read from the media again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from tuf.api.metadata import Metadata, Root, Snapshot, Targets, Timestamp

from ceremony.engine.current import CurrentState
from ceremony.errors import BundleError
from ceremony.flavors.sigstore.mirror_signer import FOLDER as SIGNER_FOLDER

_ROOT_NAME = re.compile(r"metadata/([1-9][0-9]{0,8})\.root\.json")


@dataclass(frozen=True)
class CurrentMirror:
    root_history: tuple[bytes, ...]  # metadata/N.root.json, oldest first
    root: Metadata[Root]
    targets: Metadata[Targets]
    snapshot_version: int
    timestamp_version: int
    expires: dict[str, datetime]  # "snapshot", "timestamp": each one's expiry
    # its snapshot and timestamp keys were exported for a server (mirror-signer/keys.json),
    # which has re-signed them since, at versions of its own
    served_online: bool = False


def current_mirror(current: CurrentState) -> CurrentMirror:
    """What the verified current bundle's mirror holds; BundleError when it has none."""
    contents = current.contents
    if contents is None or contents.content("mirror/timestamp.json") is None:
        raise BundleError(
            "is not a Sigstore bundle: it has no mirror/timestamp.json",
            where=str(current.path),
            todo="name the bundle of the instance's last Sigstore ceremony in current:",
        )
    versions = sorted(int(m.group(1)) for p in contents.files if (m := _ROOT_NAME.fullmatch(p)))
    history = tuple(contents.content(f"metadata/{v}.root.json") or b"" for v in versions)
    timestamp = Metadata[Timestamp].from_bytes(contents.content("mirror/timestamp.json") or b"")
    snapshot = Metadata[Snapshot].from_bytes(
        contents.content(f"mirror/{timestamp.signed.snapshot_meta.version}.snapshot.json") or b""
    )
    return CurrentMirror(
        root_history=history,
        root=Metadata[Root].from_bytes(history[-1]),
        targets=Metadata[Targets].from_bytes(contents.content("metadata/targets.json") or b""),
        snapshot_version=snapshot.signed.version,
        timestamp_version=timestamp.signed.version,
        expires={"snapshot": snapshot.signed.expires, "timestamp": timestamp.signed.expires},
        served_online=contents.content(f"{SIGNER_FOLDER}/keys.json") is not None,
    )
