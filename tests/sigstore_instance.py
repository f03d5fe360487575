"""Test helpers for the Sigstore flavor: a script, its trust material, a loopback mirror.

The trust material is made by the flavor's own stand-in maker (public files
only); hostile variants are made here with its certificate builder. The
mirror is served by Python's http.server on 127.0.0.1 (sigstore-python's TUF
fetcher needs HTTP; file:// fails), in a thread, for the length of a test.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import hashlib
import http.server
import os
import shutil
import subprocess
import textwrap
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization

PASS = {
    "SIG_ROOT_A": "correct horse battery sig 1",
    "SIG_ROOT_B": "correct horse battery sig 2",
    "SIG_ONLINE": "correct horse battery sig 3",
}

TRUST = """\
trust:
  mirror: https://tuf.example.internal
  fulcio:
    - {url: https://fulcio.example.internal, chain: trust/fulcio-chain.pem}
  rekor:
    - {url: https://rekor.example.internal, key: trust/rekor.pub}
  ctlog:
    - {url: https://ctfe.example.internal, key: trust/ctfe.pub}
  tsa:
    - {url: https://tsa.example.internal/api/v1/timestamp, chain: trust/tsa-chain.pem}
  oidc:
    - {url: https://oidc.example.internal}
  legacy-targets: true
"""


def sigstore_script(folder: Path, output: str = "out", trust: str = TRUST) -> Path:
    """A bootstrap with two root keys (threshold 1) and every key made here."""
    script = folder / f"{output}.yaml"
    script.write_text(
        textwrap.dedent(
            f"""\
            format: 1
            ceremony: bootstrap
            flavor: sigstore
            title: test sigstore bootstrap
            network: allowed
            output-media: any-device
            output: {output}
            keyholders: [{{name: a}}, {{name: b}}, {{name: ops}}]
            keys:
              - {{name: root-a, holder: a, algorithm: ed25519}}
              - {{name: root-b, holder: b, algorithm: ecdsa-p256}}
              - {{name: targets, holder: ops, algorithm: ecdsa-p256}}
              - {{name: snapshot, holder: ops, algorithm: ecdsa-p256}}
              - {{name: timestamp, holder: ops, algorithm: ecdsa-p256}}
            roles:
              root: {{keys: [root-a, root-b], threshold: 1, expires: 1y}}
              targets: {{keys: [targets], threshold: 1, expires: 180d}}
              snapshot: {{keys: [snapshot], threshold: 1, expires: 180d}}
              timestamp: {{keys: [timestamp], threshold: 1, expires: 7d}}
            passphrases:
              root-a: {{env: SIG_ROOT_A}}
              root-b: {{env: SIG_ROOT_B}}
              targets: {{env: SIG_ONLINE}}
              snapshot: {{env: SIG_ONLINE}}
              timestamp: {{env: SIG_ONLINE}}
            """
        )
        + trust
    )
    return script


def bootstrap_v1(folder: Path) -> None:
    """``folder`` with stand-in trust material (made now), the bootstrap script
    ``v1.yaml`` (:func:`sigstore_script`) and its bundle ``v1``, run by ``ceremony
    run --yes`` with a witness, its passphrases from PASS. Made once for the test
    run (the ``sigstore_v1`` fixture); each module takes a copy."""
    import pytest
    from witness import witnessed

    from ceremony.cli import main
    from ceremony.flavors.sigstore.standins import write_standins

    write_standins(folder / "trust", datetime.now(UTC))
    with pytest.MonkeyPatch.context() as patch:
        for name, value in PASS.items():
            patch.setenv(name, value)
        assert main(witnessed(["run", str(sigstore_script(folder, "v1")), "--yes"])) == 0


def log_id(pem_file: Path) -> str:
    """A log's id as clients compute it: base64 sha256 of its key's DER SPKI."""
    key = serialization.load_pem_public_key(pem_file.read_bytes())
    der = key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return base64.b64encode(hashlib.sha256(der).digest()).decode()


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@contextlib.contextmanager
def served(folder: Path) -> Iterator[str]:
    """``folder`` served over HTTP on 127.0.0.1; yields its base URL."""
    handler = functools.partial(_Quiet, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def rotation_script(folder: Path, *, sittings: bool = False) -> Path:
    """A rotation to 2 of root-a, root-b and a new root-c, the mirror signed again by
    the current online keys. ``sittings``: signed in several sittings, root-c made
    by its keyholder beforehand (``folder/root-c.pem``), the request expiring in 7d."""
    text = textwrap.dedent(
        """\
        format: 1
        ceremony: rotate-root
        flavor: sigstore
        title: test sigstore rotation
        network: allowed
        output-media: any-device
        current: v1
        output: v2
        keyholders: [{name: c}]
        keys:
          - {name: root-c, holder: c, algorithm: ed25519}
        sign-with: [root-a, targets, snapshot, timestamp]
        roles:
          root: {keys: [root-a, root-b, root-c], threshold: 2, expires: 1y}
        targets-expires: 90d
        snapshot-expires: 30d
        timestamp-expires: 7d
        passphrases:
          root-a: {env: SIG_ROOT_A}
          root-c: {env: SIG_ROOT_C}
          targets: {env: SIG_ONLINE}
          snapshot: {env: SIG_ONLINE}
          timestamp: {env: SIG_ONLINE}
        """
    )
    if sittings:
        text = text.replace("algorithm: ed25519}", "import: root-c.pem}").replace(
            "  root-c: {env: SIG_ROOT_C}\n", "") + "request-expires: 7d\n"
    script = folder / "v2.yaml"
    script.write_text(text + TRUST)
    return script


def clients_follow(first: Path, second: Path, work: Path) -> tuple[Any, int, list[int]]:
    """sigstore-python and python-tuf's ngclient, having trusted bundle ``first``'s
    root at a URL, refresh when ``second``'s mirror is served there: sigstore-python's
    ClientTrustConfig, the root version ngclient trusts, and the versions
    sigstore-python keeps (set XDG_DATA_HOME and XDG_CACHE_HOME first)."""
    from sigstore.models import ClientTrustConfig
    from tuf.api.metadata import Metadata
    from tuf.ngclient import Updater

    www = work / "www"
    shutil.copytree(first / "mirror", www)
    first_root = (first / "client" / "root.json").read_bytes()
    ng = work / "ng"
    (ng / "targets").mkdir(parents=True)
    with served(www) as url:
        ClientTrustConfig.from_tuf(url, bootstrap_root=first / "client" / "root.json")
        shutil.rmtree(www)
        shutil.copytree(second / "mirror", www)
        config = ClientTrustConfig.from_tuf(url)
        updater = Updater(str(ng), url, str(ng / "targets"), f"{url}/targets/",
                          bootstrap=first_root)
        updater.refresh()

    def version(folder: Path) -> int:
        return int(Metadata.from_bytes((folder / "root.json").read_bytes()).signed.version)

    data = Path(os.environ["XDG_DATA_HOME"])
    kept = [version(path.parent) for path in data.rglob("root.json")]
    return config, version(ng), kept


def update_trust_script(folder: Path, current: str, output: str, trust: str) -> Path:
    """An update-trust signed by the current bundle's targets, snapshot and timestamp keys."""
    script = folder / f"{output}.yaml"
    script.write_text(
        textwrap.dedent(
            f"""\
            format: 1
            ceremony: update-trust
            flavor: sigstore
            title: test sigstore update-trust
            network: allowed
            output-media: any-device
            current: {current}
            output: {output}
            sign-with: [targets, snapshot, timestamp]
            targets-expires: 90d
            snapshot-expires: 30d
            timestamp-expires: 7d
            passphrases:
              targets: {{env: SIG_ONLINE}}
              snapshot: {{env: SIG_ONLINE}}
              timestamp: {{env: SIG_ONLINE}}
            """
        )
        + trust
    )
    return script


JS = Path(__file__).parent / "js"


def sigstore_js(mirror_url: str, root: Path, cache: Path) -> subprocess.CompletedProcess[str]:
    """sigstore-js's @sigstore/tuf, trusting ``root``, refreshing from ``mirror_url``."""
    assert (JS / "node_modules" / "@sigstore" / "tuf").is_dir(), (
        "tests/js is not installed: run ./scripts/install-test-tools"
    )
    return subprocess.run(
        ["node", str(JS / "trusted_root.mjs"), mirror_url, str(root), str(cache)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=JS,
    )


def public_pem(key: Any) -> bytes:
    """The PEM SubjectPublicKeyInfo of a private key's public part."""
    return bytes(key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))


def standin_folder(folder: Path, monkeypatch: Any, now: datetime) -> Path:
    """``folder`` with the stand-in trust material in trust/, the passphrases set."""
    from ceremony.flavors.sigstore.standins import write_standins

    for name, value in PASS.items():
        monkeypatch.setenv(name, value)
    write_standins(folder / "trust", now)
    return folder


def validate(script: Path, capsys: Any) -> tuple[int, str]:
    """``ceremony validate``'s exit code, and what it printed (out and err)."""
    from ceremony.cli import main

    code = main(["validate", str(script)])
    captured = capsys.readouterr()
    return code, captured.out + captured.err

