"""The Sigstore bundle a later ceremony builds on: its TUF files, from verified contents.

The TUF flavor's preflight verifies the current bundle once and hands over
its contents in memory (``CurrentState.contents``); this reads, from those
bytes only, what an update-trust needs: the newest root, the targets,
snapshot and timestamp versions and expiries of the mirror, and the root
history.
Nothing is read from the media again. Whether a server may have re-signed its
snapshot and timestamp since (:attr:`CurrentMirror.served_online`) is read from
what the bundle recorded: its ``mirror-signer/`` (the script said online), or
expiries that, as of its ceremony's start (the transcript's first line),
implied an online signer (mirror_signer.online_signer, the one rule).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from tuf.api.metadata import Metadata, Root, Snapshot, Targets, Timestamp
from tuf.api.serialization import DeserializationError

from ceremony.engine.current import CurrentState
from ceremony.errors import BundleError
from ceremony.flavors.sigstore.mirror_signer import FOLDER as SIGNER_FOLDER
from ceremony.flavors.sigstore.mirror_signer import online_signer
from ceremony.verify.contents import BundleContents
from ceremony.verify.limits import TRANSCRIPT

_ROOT_NAME = re.compile(r"metadata/([1-9][0-9]{0,8})\.root\.json")


@dataclass(frozen=True)
class CurrentMirror:
    root_history: tuple[bytes, ...]  # metadata/N.root.json, oldest first
    root: Metadata[Root]
    targets: Metadata[Targets]
    snapshot_version: int
    timestamp_version: int
    expires: dict[str, datetime]  # "snapshot", "timestamp": each one's expiry
    # a server may have re-signed its snapshot and timestamp since, at versions of its
    # own: its keys were exported for one (mirror-signer/keys.json), or its script left
    # mirror-signer: unsaid and its expiries implied one (:func:`served_online`)
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
    timestamp, snapshot = _mirror(contents)
    expires = {"snapshot": snapshot.signed.expires, "timestamp": timestamp.signed.expires}
    return CurrentMirror(
        root_history=history,
        root=Metadata[Root].from_bytes(history[-1]),
        targets=Metadata[Targets].from_bytes(contents.content("metadata/targets.json") or b""),
        snapshot_version=snapshot.signed.version,
        timestamp_version=timestamp.signed.version,
        expires=expires,
        served_online=served_online(contents, expires.values()),
    )


def _mirror(contents: BundleContents) -> tuple[Metadata[Timestamp], Metadata[Snapshot]]:
    """The mirror's timestamp and the snapshot it names."""
    timestamp = Metadata[Timestamp].from_bytes(contents.content("mirror/timestamp.json") or b"")
    snapshot = Metadata[Snapshot].from_bytes(
        contents.content(f"mirror/{timestamp.signed.snapshot_meta.version}.snapshot.json") or b""
    )
    return timestamp, snapshot


def mirror_served_online(contents: BundleContents) -> bool:
    """:func:`served_online` of a bundle about to be taken as current (verified but
    for expiries): False when it has no mirror to read."""
    try:
        timestamp, snapshot = _mirror(contents)
    except DeserializationError:
        return False
    return served_online(contents, (snapshot.signed.expires, timestamp.signed.expires))


def served_online(contents: BundleContents, expires: Iterable[datetime]) -> bool:
    """Whether the bundle's ceremony chose an online signer: said (``mirror-signer/``),
    or unsaid and implied by its snapshot or timestamp expiring within 90 days of its
    start. That start is the transcript's first line's time, in whole seconds, read one
    second late so that a bundle on the 90-day line counts as online (signing above a
    version the server never reached is taken; below one it reached, refused). A
    bundle whose script said offline had 90 days or more (preflight refused less)."""
    if contents.content(f"{SIGNER_FOLDER}/keys.json") is not None:
        return True
    started = _started(contents.content(TRANSCRIPT) or b"")
    return started is None or online_signer(None, expires, started + timedelta(seconds=1))


def _started(transcript: bytes) -> datetime | None:
    """The time of the transcript's first line (ceremony-started); None when unreadable."""
    try:
        end = transcript.find(b"\n")  # the first line only, not a copy of the rest
        time = json.loads(transcript[: end if end >= 0 else None]).get("time")
        started = datetime.fromisoformat(str(time).replace("Z", "+00:00"))
    except (ValueError, AttributeError):
        return None
    return started if started.tzinfo is not None else None
