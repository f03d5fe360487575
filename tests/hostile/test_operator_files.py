"""Files an operator hands to a ceremony, made hostile: imports, --secrets, --answers.

The public keys a ceremony imports come on media from online systems; the
secrets and answers files are written by people in a hurry. Each can be
a folder, a key of a kind nobody may use, a private key, JSON nested beyond
any parser's stack, YAML that runs code or explodes, or readable by anyone.
Each case must stop the ceremony before anything is written, with the
exact message naming the file, and no traceback. (A folder, a pipe, /dev/zero
or a link as any of these files: tests/test_operator_files.py, with the readers.)
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa

from hostile.helpers import cli, refused

PKCS8 = serialization.PrivateFormat.PKCS8
SPKI = serialization.PublicFormat.SubjectPublicKeyInfo
PEM = serialization.Encoding.PEM


def public_pem(private) -> bytes:
    return private.public_key().public_bytes(PEM, SPKI)


def private_pem() -> bytes:
    return ed25519.Ed25519PrivateKey.generate().private_bytes(
        PEM, PKCS8, serialization.NoEncryption())


NO_KEY = ("holds no public key (expected PEM SubjectPublicKeyInfo or a TUF key JSON). export "
          "the public key again from the online system")

# (id, what replaces online/targets.pem, the FAIL line's words after its path)
IMPORTS: list[tuple[str, Callable[[Path], None], str]] = [
    ("a file over 64 KiB", lambda p: p.write_bytes(public_pem(
        ed25519.Ed25519PrivateKey.generate()) + b"\n" * 70_000),
     "is too large to be a public key (70,113 bytes, more than the 64,000 allowed). export "
     "the public key again from the online system and name that file"),
    # under 64 KiB but over what a bundle's keys/public/*.pem may be (one rule)
    ("a file of 65,000 bytes", lambda p: p.write_bytes(public_pem(
        ed25519.Ed25519PrivateKey.generate()).ljust(65_000, b"\n")),
     "is too large to be a public key (65,000 bytes, more than the 64,000 allowed)"),
    ("random bytes", lambda p: p.write_bytes(bytes(range(256)) * 2), NO_KEY),
    ("an empty file", lambda p: p.write_bytes(b""), NO_KEY),
    ("a private key instead of the public one", lambda p: p.write_bytes(private_pem()),
     "holds a PRIVATE key: only the public key may come to the ceremony. take this file off "
     "the media"),
    ("a public key followed by its private key", lambda p: p.write_bytes(
        public_pem(ec.generate_private_key(ec.SECP256R1())) + private_pem()),
     "holds a PRIVATE key: only the public key may come to the ceremony"),
    ("two public keys in one file", lambda p: p.write_bytes(
        public_pem(ec.generate_private_key(ec.SECP256R1()))
        + public_pem(ec.generate_private_key(ec.SECP256R1()))),
     "holds 2 PEM blocks; a public key file holds exactly one. export the one public key"),
    ("an RSA key of 1024 bits", lambda p: p.write_bytes(public_pem(
        rsa.generate_private_key(65537, 1024))),
     "an RSA key of 1024 bits is not allowed. use a 3072- or 4096-bit RSA key"),
    ("an ECDSA key on secp256k1", lambda p: p.write_bytes(public_pem(
        ec.generate_private_key(ec.SECP256K1()))),
     "the ECDSA curve secp256k1 is not allowed. use a P-256 or P-384 key"),
    ("an Ed448 key", lambda p: p.write_bytes(public_pem(ed448.Ed448PrivateKey.generate())),
     "an Ed448 key is not allowed. use an Ed25519 key, an ECDSA key on P-256 or P-384, or a "
     "3072- or 4096-bit RSA key"),
    ("a certificate with a broken body", lambda p: p.write_bytes(
        b"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"), NO_KEY),
    ("TUF JSON nested 30,000 deep", lambda p: p.write_bytes(
        b'{"keyval": ' + b"[" * 30_000 + b"]" * 30_000 + b"}"), NO_KEY),
    ("TUF JSON with a key that is not hex", lambda p: p.write_bytes(
        b'{"keytype": "ed25519", "scheme": "ed25519", "keyval": {"public": "zz"}}'), NO_KEY),
    ("TUF JSON with a key too short", lambda p: p.write_bytes(
        b'{"keytype": "ed25519", "scheme": "ed25519", "keyval": {"public": "00"}}'), NO_KEY),
    ("TUF JSON with a number for the key", lambda p: p.write_bytes(
        b'{"keytype": "ed25519", "scheme": "ed25519", "keyval": {"public": '
        + b"9" * 5000 + b"}}"), NO_KEY),
    ("TUF JSON with a list for keyval", lambda p: p.write_bytes(
        b'{"keytype": "ecdsa", "scheme": "ecdsa-sha2-nistp256", "keyval": ["a"]}'), NO_KEY),
]


@pytest.mark.parametrize("command", ["validate", "run"])
@pytest.mark.parametrize("plant, words", [i[1:] for i in IMPORTS], ids=[i[0] for i in IMPORTS])
def test_a_hostile_import_stops_preflight(script, command, plant, words):
    imported = script.parent / "online" / "targets.pem"
    imported.unlink()
    plant(imported)
    extra = ("--yes",) if command == "run" else ()
    ran = refused(script.parent, lambda: cli(command, script, *extra),
                  f"key targets: {imported}: {words}")
    assert "nothing was done" in ran.err


# --secrets and --answers ------------------------------------------------------------


def private_file(path: Path, data: bytes, mode: int = 0o600) -> None:
    path.write_bytes(data)
    path.chmod(mode)


BOMB = (b'a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x"]\n'
        b"b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n")

# (id, how the file is made, the message after "ceremony: PATH: "; {what} is the file's kind)
MAPPINGS: list[tuple[str, Callable[[Path], None], str]] = [
    ("a file that is not there", lambda p: None,
     "cannot read the {what}: No such file or directory"),
    ("YAML that does not parse", lambda p: private_file(p, b"root-a: [unclosed\n"),
     "the {what} is not valid YAML. write it as `name: value` lines"),
    ("a YAML tag that runs code", lambda p: private_file(
        p, b"root-a: !!python/object/apply:os.system [touch pwned]\n"),
     "the {what} is not valid YAML. write it as `name: value` lines"),
    ("a NUL byte", lambda p: private_file(p, b"root-a: correct\x00horse battery 1\n"),
     "the {what} is not valid YAML. write it as `name: value` lines"),
    ("a list", lambda p: private_file(p, b"- root-a\n- root-b\n"),
     "the {what} must be a mapping of names to text. write it as `name: value` lines"),
    ("a mapping nested in a value", lambda p: private_file(p, b"root-a: {x: 1}\n"),
     "the {what} must be a mapping of names to text"),
    ("a number for a value", lambda p: private_file(p, b"root-a: 123456789012345\n"),
     "the {what} must be a mapping of names to text"),
    ("an alias bomb", lambda p: private_file(p, BOMB),
     "the {what} must be a mapping of names to text"),
]


@pytest.mark.parametrize("flag, what", [("--secrets", "secrets file"),
                                        ("--answers", "answers file")])
@pytest.mark.parametrize("make, message", [m[1:] for m in MAPPINGS],
                         ids=[m[0] for m in MAPPINGS])
def test_a_hostile_secrets_or_answers_file_stops_before_anything(script, flag, what, make,
                                                                 message):
    given = script.parent / "given.yaml"
    make(given)
    refused(script.parent, lambda: cli("run", script, flag, given, "--yes"),
            f"ceremony: {given}: " + message.format(what=what))
    assert not (script.parent / "pwned").exists()


def test_a_secrets_file_others_can_read(script):
    given = script.parent / "secrets.yaml"
    private_file(given, b"root-a: correct horse battery 1\n", 0o644)
    refused(script.parent, lambda: cli("run", script, "--secrets", given, "--yes"),
            f"ceremony: {given}: the secrets file can be read by others. run `chmod 600 "
            f"{given}`, and keep it on the offline machine only")


def test_a_secrets_file_in_a_group_readable_folder_mode(script):
    given = script.parent / "secrets.yaml"
    private_file(given, b"root-a: correct horse battery 1\n", 0o640)
    refused(script.parent, lambda: cli("run", script, "--secrets", given, "--yes"),
            "the secrets file can be read by others")
