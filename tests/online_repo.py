"""The online side of a TUF repository, played by the tests.

A bundle carries root history and targets; the online system adds snapshot
and timestamp, signed with the keys the ceremony exported encrypted for it.
``publish`` lays out a repository folder the way a web server would serve it,
and ``DirectoryFetcher`` lets python-tuf's ngclient read it with no network.
"""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tuf.api.exceptions import DownloadHTTPError
from tuf.api.metadata import Metadata, MetaFile, Snapshot, Timestamp
from tuf.api.serialization.json import JSONSerializer
from tuf.ngclient import FetcherInterface, Updater

from hsm.software import SoftwareKey

BASE = "http://repository.invalid/metadata/"


class DirectoryFetcher(FetcherInterface):
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.fetched: list[str] = []

    def _fetch(self, url: str):
        name = url.removeprefix(BASE)
        self.fetched.append(name)
        path = self.folder / name
        if "/" in name or not path.is_file():
            raise DownloadHTTPError(f"{name} not found", 404)
        return iter([path.read_bytes()])


def open_online_key(bundle: Path, name: str, passphrase: str) -> SoftwareKey:
    path = bundle / "keys" / "online" / f"{name}.age"
    return SoftwareKey.decrypt(path.read_bytes(), passphrase, str(path))


def publish(bundle: Path, repo: Path, snapshot_key, timestamp_key, *, roots=None) -> Path:
    """Copy a bundle's metadata into ``repo`` and add snapshot + timestamp."""
    repo.mkdir(parents=True, exist_ok=True)
    metadata = bundle / "metadata"
    for path in sorted(metadata.glob("*.root.json")):
        if roots is None or path.name in roots:
            shutil.copy(path, repo / path.name)
    targets = Metadata.from_bytes((metadata / "targets.json").read_bytes())
    version = targets.signed.version
    shutil.copy(metadata / "targets.json", repo / f"{version}.targets.json")
    expires = datetime.now(UTC).replace(microsecond=0) + timedelta(days=1)
    snapshot = Metadata(Snapshot(expires=expires, meta={"targets.json": MetaFile(version)}))
    snapshot.sign(snapshot_key)
    (repo / "1.snapshot.json").write_bytes(snapshot.to_bytes(JSONSerializer()))
    timestamp = Metadata(Timestamp(expires=expires, snapshot_meta=MetaFile(1)))
    timestamp.sign(timestamp_key)
    (repo / "timestamp.json").write_bytes(timestamp.to_bytes(JSONSerializer()))
    return repo


def client(repo: Path, trusted_root: bytes, workdir: Path) -> Updater:
    """A fresh ngclient that trusts ``trusted_root`` and reads ``repo``."""
    workdir.mkdir(parents=True, exist_ok=True)
    return Updater(
        metadata_dir=str(workdir),
        metadata_base_url=BASE,
        target_base_url="http://repository.invalid/targets/",
        target_dir=str(workdir),
        fetcher=DirectoryFetcher(repo),
        bootstrap=trusted_root,
    )
