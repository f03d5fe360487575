"""Test helper: python-tuf's ngclient reading a bundle straight from its directory.

A FetcherInterface that answers metadata URLs from the bundle's metadata/
folder (N.root.json, N.targets.json) and, for what a bundle does not carry,
from timestamp and snapshot made for the test. A file it has not got is an
HTTP 404, which ngclient takes as "no newer root". No network is used.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from tuf.api.exceptions import DownloadHTTPError
from tuf.api.metadata import Metadata
from tuf.ngclient import Updater
from tuf.ngclient.fetcher import FetcherInterface

BASE_URL = "https://bundle.invalid/metadata/"


class BundleFetcher(FetcherInterface):
    """Serves ``BASE_URL`` + name from a bundle directory and extra files."""

    def __init__(self, bundle: Path, extra: dict[str, bytes]) -> None:
        self.bundle = bundle
        self.extra = extra
        self.asked: list[str] = []

    def _fetch(self, url: str) -> Iterator[bytes]:
        if not url.startswith(BASE_URL):
            raise DownloadHTTPError(f"not served here: {url}", 404)
        name = url[len(BASE_URL) :]
        self.asked.append(name)
        on_media = self.bundle / "metadata" / name
        if "/" not in name and on_media.is_file():
            return iter([on_media.read_bytes()])
        if name in self.extra:
            return iter([self.extra[name]])
        raise DownloadHTTPError(f"{name} not found", 404)


def refresh_from_bundle(
    bundle: Path, client_dir: Path, online: dict[str, bytes], *, trusted_version: int = 1
) -> int:
    """Run ngclient's refresh() trusting ``trusted_version``.root.json of the
    bundle; the root version the client trusts afterwards. Raises what
    ngclient raises when it refuses the metadata."""
    client_dir.mkdir(parents=True, exist_ok=True)
    bootstrap = (bundle / "metadata" / f"{trusted_version}.root.json").read_bytes()
    updater = Updater(
        str(client_dir),
        BASE_URL,
        fetcher=BundleFetcher(bundle, online),
        bootstrap=bootstrap,
    )
    try:
        updater.refresh()
    finally:
        trusted = Metadata.from_bytes((client_dir / "root.json").read_bytes())
    return trusted.signed.version
