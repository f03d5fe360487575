"""How many QR codes a signing sitting writes: a bound witnesses can carry by hand.

`ceremony sign --qr` writes a signature file as QR codes of PART_BYTES each,
and a sitting writes at most MOST_CODES (ceremony/sittings/qr_route.py). A
request whose signature file may need more is refused before any key is
opened: its size is taken at the most it can be (signature_size.py), and the
message says how many codes, the most, and what to do. Held on real DCT
rotation requests: one of many GUNs is refused with no passphrase asked and
no key file read; one of as many GUNs as the message says fit is signed, its
codes written and read back by the seal, which seals it; the estimate is
never below the codes a real signature file takes. A file that would still
need more once signed has nothing written.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from test_dct_fleet_size import gun, rotation_request

from ceremony.cli import main
from ceremony.cli.exit_codes import ExitCode
from ceremony.engine import utc_now
from ceremony.errors import CeremonyError
from ceremony.rehearsal.operator import RehearsalOperator
from ceremony.sittings.qr_route import (
    MOST_CODES,
    MOST_PARTS,
    PART_BYTES,
    codes_for,
    files_from_images,
    qr_pngs,
)
from ceremony.sittings.request_file import SigningRequest, write_request
from ceremony.sittings.seal import seal_request
from ceremony.sittings.sign import KeyChoice, sign_request, write_signature_file
from ceremony.sittings.signature_file import SignatureEntry, SignatureFile, parse_signature_file
from ceremony.sittings.signature_size import payloads_fitting, signatures_bytes
from ceremony.verify import verify_bundle

MANY = 300  # GUNs: more than MOST_CODES codes carry with one ECDSA root key


def test_sign_help_says_the_bound(capsys):
    with pytest.raises(SystemExit):
        main(["sign", "--help"])
    assert f"at most {MOST_CODES} (some 250 GUNs" in " ".join(capsys.readouterr().out.split())


def test_the_seal_reads_every_set_of_codes_a_sitting_writes():
    assert MOST_PARTS >= MOST_CODES
    for size in (0, 1, PART_BYTES, PART_BYTES + 1, 3 * PART_BYTES):
        data = bytes(range(256)) * (size // 256) + bytes(size % 256)
        assert len(qr_pngs(data)) == codes_for(size) == max(1, -(-size // PART_BYTES))


def signed_world(folder: Path, guns: int, operator: RehearsalOperator) -> SigningRequest:
    """A rehearsal bundle of ``guns`` GUNs (one ECDSA root key) at ``folder``/room/out,
    and the request of its rotation written at ``folder``/request."""
    request = rotation_request(folder / "room", [gun(n) for n in range(guns)], operator)
    write_request(request, folder / "request")
    return request


@pytest.fixture(scope="module")
def many(tmp_path_factory) -> tuple[Path, SigningRequest]:
    folder = tmp_path_factory.mktemp("many")
    return folder, signed_world(folder, MANY, RehearsalOperator())


def fit_of(request: SigningRequest) -> int:
    """How many payloads the refusal says fit in MOST_CODES codes."""
    return payloads_fitting(request.payloads, request.keys, MOST_CODES * PART_BYTES)


def sign(folder: Path, *options: str) -> int:
    return main(["sign", str(folder / "request"), "--current", str(folder / "room" / "out"),
                 *options])


@pytest.mark.slow  # a real rehearsal bootstrap of MANY GUNs
def test_a_request_past_the_bound_is_refused_before_any_key_is_opened(many, capsys):
    folder, request = many
    size = signatures_bytes(request.payloads, request.keys)
    fit = fit_of(request)
    assert codes_for(size) > MOST_CODES and 0 < fit < MANY
    message = (
        f"ceremony: {folder / 'request'}: the signatures of root-a for {MANY} payloads would "
        f"take up to {size:,} bytes, {codes_for(size)} QR codes, and a sitting writes at most "
        f"{MOST_CODES} (what witnesses print and scan by hand). Sign without QR codes (leave "
        'out --qr; in the UI, leave "QR codes too" off) and carry the signature file on '
        "removable media, or have the coordinator split the fleet into requests of at most "
        f"{fit} payloads for these keys (a DCT rotation signs one payload a GUN); nothing was "
        "signed\n"
    )
    output = folder / "root-a.sig.json"
    # root-a as the bundle keeps it, whose passphrase is nowhere (asked, this fails on
    # it); then from a key file that does not exist (read, this fails on it)
    for key in ("root-a", f"root-a={folder / 'gone.age'}"):
        assert sign(folder, "--key", key, "-o", str(output), "--qr") == ExitCode.FAILED
        out, err = capsys.readouterr()
        assert err == message
        assert "Traceback" not in out + err
        assert not list(folder.glob("root-a.sig.json*"))
    # without --qr the same sittings go on to the key, and stop there
    for key, stop in (("root-a", "no passphrase for key root-a"),
                      (f"root-a={folder / 'gone.age'}", "gone.age: does not exist")):
        assert sign(folder, "--key", key, "-o", str(output)) == ExitCode.FAILED
        assert stop in capsys.readouterr().err
    assert not output.exists()


@pytest.mark.slow  # a real rehearsal bootstrap of MANY GUNs
@pytest.mark.parametrize("number", [1, MOST_CODES])
def test_a_code_whose_name_is_taken_is_refused_before_any_key_is_opened(many, capsys, number):
    folder, _ = many
    output = folder / f"taken-{number}.sig.json"
    code = folder / f"taken-{number}.sig.json.qr-{number}.png"
    code.write_bytes(b"an old code")
    assert sign(folder, "--key", f"root-a={folder / 'gone.age'}", "-o", str(output),
                "--qr") == ExitCode.FAILED
    assert capsys.readouterr().err == (
        f"ceremony: {code} exists already. give a new file name; nothing was written\n")
    assert code.read_bytes() == b"an old code" and not output.exists()


@pytest.mark.slow  # real rehearsal ceremonies, MOST_CODES real QR codes read with zbar
def test_a_request_at_the_bound_is_written_and_sealed_from_its_codes(many, tmp_path):
    _, past = many
    fit = fit_of(past)
    assert 240 <= fit <= 260  # what sign --help, the docs and the screen say: some 250 GUNs
    # the payloads of one GUN each take the same bytes: fit of them is the bound
    assert codes_for(signatures_bytes(past.payloads[:fit], past.keys)) <= MOST_CODES
    assert codes_for(signatures_bytes(past.payloads[:fit + 1], past.keys)) > MOST_CODES
    operator = RehearsalOperator()  # root-a's passphrase, from its bootstrap to its sitting
    request = signed_world(tmp_path, fit, operator)
    estimate = codes_for(signatures_bytes(request.payloads, request.keys))
    assert estimate == MOST_CODES  # as near the bound as one more GUN allows
    signed = sign_request(request, tmp_path / "request", current=tmp_path / "room" / "out",
                          keys=[KeyChoice("root-a")], operator=operator, clock=utc_now,
                          sitting="alice", qr=True)
    output = tmp_path / "alice.sig.json"
    written = write_signature_file(signed, output, qr=True)
    codes = written[1:]
    assert written[0] == output and codes_for(output.stat().st_size) == len(codes)
    assert MOST_CODES - 20 < len(codes) <= estimate  # an upper bound, and not far above
    output.unlink()  # the codes alone go to the seal
    ((_, data),) = files_from_images(codes)
    assert parse_signature_file(data, "codes") == signed
    for _ in seal_request(request, tmp_path / "request", codes, output=tmp_path / "sealed",
                          current=tmp_path / "room" / "out", clock=utc_now):
        pass
    assert verify_bundle(tmp_path / "sealed").ok


@pytest.mark.slow  # real rehearsal ceremonies
@pytest.mark.parametrize("guns", [1, 12, 60])
def test_the_estimate_is_never_below_the_codes_of_a_real_signature_file(tmp_path, guns):
    operator = RehearsalOperator()
    request = signed_world(tmp_path, guns, operator)
    signed = sign_request(request, tmp_path / "request", current=tmp_path / "room" / "out",
                          keys=[KeyChoice("root-a")], operator=operator, clock=utc_now,
                          sitting="a sitting with a longer name than most " * 4, qr=True)
    data = signed.to_bytes()
    assert len(data) <= signatures_bytes(request.payloads, request.keys)
    assert len(qr_pngs(data)) == codes_for(len(data))
    assert codes_for(len(data)) <= codes_for(signatures_bytes(request.payloads, request.keys))


def test_a_signed_file_past_the_bound_has_nothing_written(tmp_path):
    entry = SignatureEntry("x.root.json", "0" * 64, "root-a", "1" * 64, "2" * 146)
    past = SignatureFile("3" * 64, "a", (entry,) * (MOST_CODES * PART_BYTES // 300), ())
    data = past.to_bytes()  # some 330 bytes an entry
    codes = codes_for(len(data))
    assert codes > MOST_CODES
    output = tmp_path / "a.sig.json"
    with pytest.raises(CeremonyError) as caught:
        write_signature_file(past, output, qr=True)
    assert str(caught.value) == (
        f"{output}: the signature file is {len(data):,} bytes, {codes} QR codes, "
        f"and a sitting writes at most {MOST_CODES} (what witnesses print and scan by hand). "
        'Sign without QR codes (leave out --qr; in the UI, leave "QR codes too" off) and '
        "carry the signature file on removable media, signing again; nothing was written"
    )
    assert list(tmp_path.iterdir()) == []
    assert write_signature_file(past, output, qr=False) == [output]  # on a medium, it goes
