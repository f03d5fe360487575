"""The offline side of the Docker Content Trust tests, and the two online scripts.

:class:`OfflineSide` plays both halves of the air gap the way an organization
would: ``scripts/dct-fetch-keys`` brings the server's keys onto "media", the
library builds metadata offline, a publish set is written, and
``scripts/dct-publish`` posts it. The scripts are run as programs, exactly as
an operator runs them.
"""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
from pathlib import Path

from ceremony.flavors.dct.notary.model import Metadata
from ceremony.flavors.dct.notary.publishset import write_publish_set
from ceremony.flavors.dct.notary.repository import GunUpdate
from ceremony.flavors.dct.notary.serverkeys import ServerKeys, load_server_keys
from hsm.algorithms import ALGORITHMS
from hsm.software import SoftwareKey

SCRIPTS = Path(__file__).resolve().parents[1] / "scripts"


def run_script(name: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(SCRIPTS / name), *args],
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )


def new_key(algorithm: str = "ecdsa-p256") -> SoftwareKey:
    return SoftwareKey.generate(ALGORITHMS[algorithm])


class OfflineSide:
    """Media, publish sets and the online scripts for one notary server."""

    def __init__(self, server, folder: Path) -> None:
        self.server = server
        self.folder = Path(folder)
        self.media = self.folder / "media"
        self._sets = itertools.count(1)

    def fetch_server_keys(self, *guns: str, snapshot: bool = True) -> subprocess.CompletedProcess:
        args = [
            "--server", self.server.url, "--ca", str(self.server.ca_file), "--out", str(self.media)
        ]
        if not snapshot:
            args.append("--no-snapshot")
        done = run_script("dct-fetch-keys", *args, *guns)
        assert done.returncode == 0, done.stdout + done.stderr
        return done

    def server_keys(self, gun: str, snapshot: bool = True) -> ServerKeys:
        return load_server_keys(self.media, gun, snapshot=snapshot)

    def rotate_server_key(self, gun: str, role: str) -> ServerKeys:
        """Have the server make a new ``role`` key; bring it back on fresh media."""
        media = self.folder / f"rotated-{role}-{next(self._sets)}"
        args = ["--server", self.server.url, "--ca", str(self.server.ca_file), "--out", str(media)]
        done = run_script("dct-fetch-keys", *args, "--rotate", role, gun)
        assert done.returncode == 0, done.stdout + done.stderr
        assert done.stdout.strip() == f"{gun}: {role} rotated"
        return load_server_keys(media, gun, snapshot=False) if role == "timestamp" else None

    def publish(self, *updates: GunUpdate) -> list[dict]:
        """Write a fresh publish set and post it; the per-GUN results as dct-publish said."""
        folder = self.folder / f"publish-{next(self._sets)}"
        write_publish_set(folder, list(updates))
        done = run_script(
            "dct-publish", "--server", self.server.url, "--ca", str(self.server.ca_file),
            "--json", str(folder),
        )
        assert done.returncode in (0, 1), done.stdout + done.stderr
        return json.loads(done.stdout)

    def current(self, gun: str, role: str) -> Metadata:
        """What the server serves now for ``role`` of ``gun``, parsed (bytes kept)."""
        return Metadata.from_bytes(self.server.metadata(gun, role), f"{gun} {role}.json")
