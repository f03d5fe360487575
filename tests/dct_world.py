"""A DCT world for the tests: the real notary-server, a reader that caches roots, media.

:class:`World` runs ceremonies as an operator runs them (``ceremony run SCRIPT
--yes``), fetches the server's keys and state with ``scripts/dct-fetch-keys``,
publishes bundles with ``scripts/dct-publish``, and gives CI a trust dir holding
only the key files a bundle exported for it.
"""

from __future__ import annotations

import json
import os
import shutil
import textwrap
from pathlib import Path

from dct_offline import run_script
from notary_server import notary_cli
from witness import witnessed

from ceremony.cli import main
from ceremony.verify import verify_bundle

#: the test keyholders' passphrases, set in the environment the scripts name
PASSPHRASES = {
    "DCT_TEST_ALICE": "alice passphrase for the test",
    "DCT_TEST_BOB": "bob passphrase for the test",
    "DCT_TEST_CAROL": "carol passphrase for the test",
    "DCT_TEST_REPO": "repository key passphrase",
    "DCT_TEST_SIGNER": "delegation key passphrase",
    "DCT_TEST_LAPTOP": "the laptop's root passphrase",
}


class World:
    def __init__(self, server, folder: Path) -> None:
        self.server, self.folder = server, folder
        self.reader = notary_cli(server, folder / "reader" / "trust")  # caches roots

    def online(self, *args: str) -> str:
        """Run scripts/dct-fetch-keys against the server; its stdout."""
        done = run_script(
            "dct-fetch-keys", "--server", self.server.url, "--ca", str(self.server.ca_file), *args
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    def fetch_state(self, name: str, *guns: str) -> Path:
        media = self.folder / name
        self.online("--state", "--out", str(media), *guns)
        return media

    def ceremony(self, name: str, text: str) -> Path:
        """Write and run a script; the bundle it sealed (verified)."""
        script = self.folder / f"{name}.yaml"
        script.write_text(textwrap.dedent(text))
        assert main(witnessed(["run", str(script), "--yes"])) == 0
        bundle = self.folder / name
        report = verify_bundle(bundle)
        assert report.ok, report.lines()
        return bundle

    def publish(self, bundle: Path) -> list[dict]:
        done = run_script(
            "dct-publish",
            "--server",
            self.server.url,
            "--ca",
            str(self.server.ca_file),
            "--json",
            str(bundle / "publish"),
        )
        assert done.returncode in (0, 1), done.stdout + done.stderr
        return json.loads(done.stdout)

    def ci(self, bundle: Path, name: str, keyids: list[str], passphrase: str):
        """A fresh CI trust dir holding only the named key files from the bundle."""
        cli = notary_cli(self.server, self.folder / name / "trust", passphrase=passphrase)
        private = cli.trust_dir / "private"
        private.mkdir(parents=True, mode=0o700)
        for keyid in keyids:
            shutil.copy(bundle / "ci" / "trust" / "private" / f"{keyid}.key", private)
            os.chmod(private / f"{keyid}.key", 0o600)
        return cli

    def add_target(self, cli, gun: str, target: str, *roles: str) -> None:
        artefact = self.folder / f"{target}.bin"
        artefact.write_bytes(target.encode())
        extra = [arg for role in roles for arg in ("--roles", role)]
        cli.run("add", gun, target, str(artefact), *extra)
        cli.run("publish", gun)
