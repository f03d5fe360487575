"""Debian's real ``notary-server`` on loopback, and the real ``notary`` CLI.

The ``notary_server`` fixture (one per test module) makes a throwaway CA and a
server certificate for 127.0.0.1 with ``cryptography``, writes a config with
memory storage and the local trust service, starts ``notary-server`` on a free
loopback port and waits for ``/_notary_server/health``. It is stopped (by its
own process id) when the module's tests are done; its log is kept in the
module's temporary folder for a failing test to show.

:class:`NotaryCli` runs ``/usr/bin/notary`` against that server with a trust
dir of the test's choosing and the passphrases in the environment, never on a
terminal. Nothing here talks to anything but 127.0.0.1.
"""

from __future__ import annotations

import datetime
import ipaddress
import json
import os
import shutil
import socket
import ssl
import subprocess
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

NOTARY = shutil.which("notary") or "/usr/bin/notary"
NOTARY_SERVER = shutil.which("notary-server") or "/usr/bin/notary-server"

PASSPHRASE = "correct horse battery staple"


def _pem_write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def make_tls(folder: Path) -> tuple[Path, Path, Path]:
    """A CA and a server certificate for 127.0.0.1: (ca.crt, server.crt, server.key)."""
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "ceremony test CA")])
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False),
            critical=True,
        )
        .sign(ca_key, hashes.SHA256())
    )
    server_key = ec.generate_private_key(ec.SECP256R1())
    server_cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca_name)
        .public_key(server_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]
            ),
            critical=False,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    ca_file = _pem_write(folder / "ca.crt", ca_cert.public_bytes(pem))
    cert_file = _pem_write(folder / "server.crt", server_cert.public_bytes(pem))
    key_file = _pem_write(
        folder / "server.key",
        server_key.private_bytes(
            pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ),
    )
    return ca_file, cert_file, key_file


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class NotaryServer:
    """A running notary-server: its URL, the CA that signed its TLS cert, its log."""

    folder: Path
    port: int
    ca_file: Path
    log_file: Path
    process: subprocess.Popen | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    def ssl_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.ca_file))

    def get(self, path: str) -> tuple[int, bytes]:
        """GET a path on the server: (status, body); HTTP errors are returned, not raised."""
        try:
            with urllib.request.urlopen(
                self.url + path, context=self.ssl_context(), timeout=10
            ) as reply:
                return reply.status, reply.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def metadata(self, gun: str, role: str) -> bytes:
        status, body = self.get(f"/v2/{gun}/_trust/tuf/{role}.json")
        assert status == 200, f"GET {role}.json for {gun}: {status} {body[:200]!r}"
        return body

    def log(self) -> str:
        return self.log_file.read_text(errors="replace") if self.log_file.exists() else ""

    def start(self) -> None:
        config = {
            "server": {
                "http_addr": f"127.0.0.1:{self.port}",
                "tls_key_file": "server.key",
                "tls_cert_file": "server.crt",
            },
            "trust_service": {"type": "local"},
            "storage": {"backend": "memory"},
            "logging": {"level": "info"},
        }
        config_file = self.folder / "server.json"
        config_file.write_text(json.dumps(config))
        with open(self.log_file, "ab") as log:  # the server keeps its own copy
            self.process = subprocess.Popen(
                [NOTARY_SERVER, "-config", str(config_file), "-logf", "logfmt"],
                cwd=self.folder,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"notary-server exited early:\n{self.log()}")
            try:
                status, body = self.get("/_notary_server/health")
                if status == 200 and body.strip() == b"{}":
                    return
            except (OSError, ssl.SSLError):
                pass
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"notary-server did not become healthy:\n{self.log()}")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


def start_notary_server(folder: Path) -> NotaryServer:
    folder.mkdir(parents=True, exist_ok=True)
    ca_file, _, _ = make_tls(folder)
    last_error: Exception | None = None
    for _ in range(3):  # a free port can be taken between probe and bind
        server = NotaryServer(folder, _free_port(), ca_file, folder / "server.log")
        try:
            server.start()
            return server
        except RuntimeError as error:
            last_error = error
    raise last_error  # type: ignore[misc]


@pytest.fixture(scope="module")
def notary_server(tmp_path_factory):
    """One real notary-server (memory storage, TLS) for the tests of a module."""
    if not (os.path.exists(NOTARY) and os.path.exists(NOTARY_SERVER)):
        pytest.fail("Debian's notary package is not installed (scripts/install-test-tools)")
    server = start_notary_server(tmp_path_factory.mktemp("notary-server"))
    try:
        yield server
    finally:
        server.stop()


@dataclass
class NotaryCli:
    """The real ``notary`` CLI bound to one server and one trust dir."""

    server: NotaryServer
    trust_dir: Path
    passphrase: str = PASSPHRASE

    def environment(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("NOTARY_")}
        for role in ("ROOT", "TARGETS", "SNAPSHOT", "DELEGATION"):
            env[f"NOTARY_{role}_PASSPHRASE"] = self.passphrase
        env["HOME"] = str(self.trust_dir.parent)
        return env

    def run(
        self,
        *args: str,
        stdin_text: str | None = None,
        check: bool = True,
        timeout: float = 60,
        env: dict[str, str] | None = None,
    ) -> subprocess.CompletedProcess:
        self.trust_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        command = [
            NOTARY,
            "-d",
            str(self.trust_dir.resolve()),
            "-s",
            self.server.url,
            "--tlscacert",
            str(self.server.ca_file.resolve()),
            *args,
        ]
        done = subprocess.run(
            command,
            input=stdin_text if stdin_text is not None else "",
            capture_output=True,
            text=True,
            env={**self.environment(), **(env or {})},
            timeout=timeout,
        )
        if check and done.returncode != 0:
            raise AssertionError(
                f"notary {' '.join(args)} failed ({done.returncode}):\n"
                f"stdout: {done.stdout}\nstderr: {done.stderr}"
            )
        return done


def notary_cli(server: NotaryServer, trust_dir: Path, passphrase: str = PASSPHRASE) -> NotaryCli:
    return NotaryCli(server, Path(trust_dir), passphrase)


def cached_root_version(trust_dir: Path, gun: str) -> int:
    """The version of the root a notary client has cached (its trust anchor) for ``gun``."""
    cached = Path(trust_dir) / "tuf" / gun / "metadata" / "root.json"
    return json.loads(cached.read_bytes())["signed"]["version"]
