"""No secret of a whole rehearsal with custody reaches disk, argv or events.

After the session's rehearsal (tests/conftest.py: bootstrap with custody,
delegation, rotation, recovery from three shares), every secret it used is
gathered from memory: the passphrases and shares its Operator gave, the
private keys opened from every key file with those passphrases, and the
custody identity the shares combine to. Each is looked for in every form it
could leak in: raw, hex (either case) and base64 (standard and URL-safe, at
each of the three byte alignments it could have inside a longer encoding).
They are looked for in every file the rehearsal wrote, in the text of every
PDF (pdftotext), in every transcript line decoded from JSON, in the events
it yielded, and in the command lines of the process and its children
sampled while it ran. Share words are allowed only on the share sheets.

The software rehearsal uses no token, so no PIN is among the secrets here;
tests/test_custody_hygiene.py and the hardware tests look after PINs.
"""

from __future__ import annotations

import base64
import json
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import shamir_mnemonic
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from custody_helpers import runs_of_words

from ceremony.events import CustodySealed
from hsm.age import identity_line
from hsm.software import SoftwareKey


def forms(secret: bytes) -> set[bytes]:
    """``secret`` as it could appear written out: raw, hex, base64."""
    found = {secret, secret.hex().encode(), secret.hex().upper().encode()}
    for pad in range(3):  # the alignment it has inside a longer base64 text
        for encode in (base64.b64encode, base64.urlsafe_b64encode):
            text = encode(b"\0" * pad + secret)
            start = (pad * 4 + 2) // 3  # characters that hold the padding's bits
            end = len(text) - text.count(b"=") - (1 if (pad + len(secret)) % 3 else 0)
            found.add(text[start + (1 if pad else 0):end])
    return {form for form in found if len(form) >= 8}


@dataclass
class Secrets:
    """Every secret of the rehearsal, each with the forms it could leak in."""

    everywhere: dict[str, set[bytes]] = field(default_factory=dict)  # never written
    share_words: dict[str, set[bytes]] = field(default_factory=dict)  # only on sheets

    def add(self, table: dict[str, set[bytes]], label: str, secret: bytes) -> None:
        table[label] = forms(secret)

    def found_in(self, data: bytes, *, sheets: bool = False) -> list[str]:
        tables = [self.everywhere] + ([] if sheets else [self.share_words])
        return sorted({label for table in tables for label, needles in table.items()
                       if any(needle in data for needle in needles)})


def private_forms(key: SoftwareKey) -> dict[str, bytes]:
    private = key.private_key_for_custody()
    found = {"PKCS#8 DER": private.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption())}
    if isinstance(private, ed25519.Ed25519PrivateKey):
        found["raw"] = private.private_bytes_raw()
    elif isinstance(private, ec.EllipticCurvePrivateKey):
        value = private.private_numbers().private_value
        found["scalar"] = value.to_bytes((private.curve.key_size + 7) // 8, "big")
    return found


@pytest.fixture(scope="module")
def secrets(rehearsal) -> Secrets:
    folder, operator, events = rehearsal
    found = Secrets()
    passphrases = operator._passphrases
    assert len(passphrases) >= 9
    for name, passphrase in passphrases.items():
        found.add(found.everywhere, f"passphrase of {name}", passphrase.encode())
    opened = set()
    for path in sorted(folder.glob("*/keys/*/*.age")):
        name = path.stem
        if name in opened:
            continue
        key = SoftwareKey.decrypt(path.read_bytes(), passphrases[name], str(path))
        for kind, secret in private_forms(key).items():
            found.add(found.everywhere, f"private key {name} ({kind})", secret)
        opened.add(name)
    assert {"root-alice", "root-bob", "targets", "targets-2", "timestamp-2"} <= opened
    (custody_id,) = {e.custody_id for e in events if isinstance(e, CustodySealed)}
    shares = operator._shares[custody_id]
    assert len(shares) == 5
    identity = shamir_mnemonic.combine_mnemonics([shares[n] for n in (1, 3, 5)])
    found.add(found.everywhere, "custody identity", identity)
    found.everywhere["custody identity line"] = {identity_line(identity).encode(),
                                                 identity_line(identity).lower().encode()}
    for number, mnemonic in shares.items():
        found.add(found.share_words, f"share {number}", mnemonic.encode())
        found.add(found.share_words, f"share {number} value",
                  shamir_mnemonic.Share.from_mnemonic(mnemonic).value)
        found.share_words[f"share {number} words"] = {
            run.encode() for run in runs_of_words(mnemonic.split())}
    return found


def written_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def on_a_sheet(folder: Path, path: Path) -> bool:
    return (folder / "custody-sheets") in path.parents


def test_the_scan_finds_each_form_it_looks_for(secrets):
    passphrase = next(iter(secrets.everywhere))
    raw = next(iter(secrets.everywhere[passphrase]))
    assert secrets.found_in(b"x" + raw + b"y") == [passphrase]
    secret = b"a passphrase of some length"
    for encoded in (secret.hex(), secret.hex().upper(), base64.b64encode(b"!" + secret).decode(),
                    base64.urlsafe_b64encode(b"!!" + secret + b"?").decode()):
        assert any(form in encoded.encode() for form in forms(secret)), encoded
    share = next(iter(secrets.share_words))
    needle = next(iter(secrets.share_words[share]))
    assert secrets.found_in(needle, sheets=False)
    assert not set(secrets.found_in(needle, sheets=True)) & set(secrets.share_words)


def test_no_secret_in_any_file_the_rehearsal_wrote(rehearsal, secrets):
    folder, _, _ = rehearsal
    files = written_files(folder)
    assert len(files) > 50
    leaks = {str(p.relative_to(folder)): secrets.found_in(p.read_bytes(),
                                                          sheets=on_a_sheet(folder, p))
             for p in files}
    assert {path: found for path, found in leaks.items() if found} == {}


def test_no_secret_in_the_text_of_any_pdf(rehearsal, secrets):
    folder, _, _ = rehearsal
    pdfs = sorted(folder.rglob("*.pdf"))
    sheets = [pdf for pdf in pdfs if pdf.name.startswith("share-")]
    assert len(sheets) == 5
    assert len(pdfs) == 5 + 2 * 4  # a run sheet and a record per rehearsed ceremony
    for pdf in pdfs:
        text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                              check=True).stdout
        assert pdf not in sheets or b"Share" in text, pdf
        assert secrets.found_in(text, sheets=True) == [], pdf
        joined = b" ".join(text.split())  # words the layout broke across lines
        assert secrets.found_in(joined, sheets=True) == [], pdf


def test_no_secret_in_any_transcript_line(rehearsal, secrets):
    folder, _, _ = rehearsal
    transcripts = sorted(folder.rglob("*.jsonl"))
    assert len(transcripts) >= 4
    for transcript in transcripts:
        for number, line in enumerate(transcript.read_bytes().splitlines(), 1):
            values = json.dumps(json.loads(line), ensure_ascii=False).encode()
            assert secrets.found_in(values) == [], f"{transcript} line {number}"


def test_no_secret_in_any_event(rehearsal, secrets):
    _, _, events = rehearsal
    assert len(events) > 100
    for event in events:
        assert secrets.found_in(repr(event).encode()) == [], type(event).__name__


def test_no_secret_on_any_command_line(rehearsal_argv, secrets):
    assert rehearsal_argv.samples >= 10  # it sampled all along the rehearsal
    assert rehearsal_argv.seen
    for argv in rehearsal_argv.seen:
        assert secrets.found_in(argv) == [], argv.replace(b"\0", b" ")[:200]
