"""Software keys' age passphrase files: the real age format, both ways.

Files this tool writes open with pyrage and with Debian's `age` CLI (driven
through a pseudo-terminal, since age reads passphrases only from a
terminal); files pyrage writes open here. Damaged files are refused.
"""

from __future__ import annotations

import os
import pty

import pyrage
import pytest

from hsm import age_passphrase as age
from hsm.algorithms import ALGORITHMS
from hsm.errors import KeyBackendError, WrongPassphraseError
from hsm.software import SoftwareKey

SIZES = [0, 1, 64 * 1024 - 1, 64 * 1024, 64 * 1024 + 1, 3 * 64 * 1024]


@pytest.mark.parametrize("size", SIZES)
def test_pyrage_opens_what_we_write(size):
    plaintext = os.urandom(size)
    ours = age.encrypt(plaintext, "a long passphrase", work_factor=10)
    assert pyrage.passphrase.decrypt(ours, "a long passphrase") == plaintext
    assert age.decrypt(ours, "a long passphrase") == plaintext


def test_we_open_what_pyrage_writes():
    # pyrage calibrates its scrypt to about a second: one file, across chunks.
    plaintext = os.urandom(2 * 64 * 1024 + 5)
    theirs = pyrage.passphrase.encrypt(plaintext, "another passphrase")
    assert age.decrypt(theirs, "another passphrase") == plaintext


def age_cli_decrypt(path, passphrase: str) -> bytes:
    """Run `age -d` in a pseudo-terminal and type the passphrase."""
    pid, fd = pty.fork()
    if pid == 0:  # the child becomes age, its terminal is our pty
        os.execvp("age", ["age", "-d", "-o", str(path) + ".out", str(path)])
    output = b""
    typed = False
    while True:
        try:
            chunk = os.read(fd, 1024)
        except OSError:
            break
        if not chunk:
            break
        output += chunk
        if not typed and b"passphrase" in output.lower():
            os.write(fd, passphrase.encode() + b"\n")
            typed = True
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, output
    return (path.parent / (path.name + ".out")).read_bytes()


def test_the_age_cli_opens_a_stored_key(tmp_path):
    key = SoftwareKey.generate(ALGORITHMS["ecdsa-p256"])
    stored = tmp_path / "root.age"
    stored.write_bytes(key.encrypt("correct horse battery staple"))
    pem = age_cli_decrypt(stored, "correct horse battery staple")
    assert pem.startswith(b"-----BEGIN PRIVATE KEY-----")
    reopened = SoftwareKey.decrypt(stored.read_bytes(), "correct horse battery staple")
    assert reopened.keyid == key.keyid


def test_wrong_passphrase_says_so():
    data = SoftwareKey.generate(ALGORITHMS["ed25519"]).encrypt("right one here")
    with pytest.raises(WrongPassphraseError, match="the passphrase does not open the key at x.age"):
        SoftwareKey.decrypt(data, "wrong one here", "x.age")


@pytest.mark.parametrize(
    "damage",
    [
        lambda d: d[:-1],  # cut short
        lambda d: d[:60],  # header only
        lambda d: d.replace(b"-> scrypt", b"-> X25519"),
        lambda d: d.replace(b" 18\n", b" 40\n"),  # work factor out of bounds
        lambda d: d[:-3] + bytes([d[-3] ^ 1]) + d[-2:],  # payload byte flipped
        lambda d: b"not an age file",
    ],
)
def test_damaged_files_are_refused_plainly(damage):
    data = SoftwareKey.generate(ALGORITHMS["ed25519"]).encrypt("right one here")
    with pytest.raises(KeyBackendError) as caught:
        SoftwareKey.decrypt(damage(data), "right one here", "keys/x.age")
    assert "keys/x.age" in str(caught.value)
    assert not isinstance(caught.value, WrongPassphraseError)


def test_header_mac_catches_a_changed_header():
    data = age.encrypt(b"secret", "pass phrase", work_factor=10)
    salt_start = data.index(b"scrypt ") + 7
    changed = data[:salt_start] + b"A" + data[salt_start + 1 :]
    with pytest.raises((age.AgeFormatError, age.AgePassphraseError)):
        age.decrypt(changed, "pass phrase")
