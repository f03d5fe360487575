"""A signature file's entries, sized before any is signed (ceremony/sittings/signature_size.py).

Each entry's bytes are what the written file takes for it, whatever its payload's
name holds (quotes, a backslash, control characters, letters past ASCII: JSON
escapes them), and a sitting's size is the file's fixed part and its entries.
"""

from __future__ import annotations

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from ceremony.sittings.adapter import Group, Payload, RequestKey
from ceremony.sittings.signature_file import SignatureEntry, SignatureFile
from ceremony.sittings.signature_size import (
    FIXED_BYTES,
    PER_KEY_BYTES,
    entry_bytes,
    most_signature_bytes,
    signatures_bytes,
)

NAMES = ("4.root.json", 'a "quoted" \\ name', "tab\there\nand a newline", "é/ü.root.json",
         "\U0001f600", "\u2028 a line separator")


def test_an_entrys_bytes_are_what_the_signature_file_takes_for_it():
    private = ec.generate_private_key(ec.SECP256R1())
    pem = private.public_key().public_bytes(serialization.Encoding.PEM,
                                            serialization.PublicFormat.SubjectPublicKeyInfo)
    key = RequestKey('root-ä "q"', "ab" * 32, "alice", pem.decode())
    longest = most_signature_bytes(key)
    group = Group("new", "the new root", 1, (key.keyid,))
    payloads = [Payload(name, name.encode(), (group,)) for name in NAMES]
    entries = tuple(SignatureEntry(p.name, p.sha256, key.name, key.keyid, "f" * (2 * longest))
                    for p in payloads)
    empty = len(SignatureFile("0" * 64, "alice", (), ()).to_bytes())
    for count in range(1, len(payloads) + 1):
        written = len(SignatureFile("0" * 64, "alice", entries[:count], ()).to_bytes()) - empty
        # each entry and the comma after it, less the last entry's
        assert written == sum(entry_bytes(p, key, longest) for p in payloads[:count]) - 1
    assert signatures_bytes(payloads, [key]) == FIXED_BYTES + PER_KEY_BYTES + written + 1
    other = Payload("signed by another key", b"", (Group("new", "", 1, ("cd" * 32,)),))
    assert signatures_bytes([*payloads, other], [key]) == signatures_bytes(payloads, [key])
