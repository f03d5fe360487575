"""``ceremony certify``, ``request``, ``sign`` and ``seal``: signing in several sittings.

The front end of ceremony/sittings/: it reads the arguments, asks the
keyholder's passphrases and PINs through the headless operator, prints the
request's summary and digest (grouped for reading aloud, and as a QR code)
and the threshold meters, and writes each output whole.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from ceremony.cli.exit_codes import ExitCode
from ceremony.cli.quick import SUMMARIES

if TYPE_CHECKING:
    from ceremony.events import Event


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    certify = sub.add_parser("certify", help=SUMMARIES["certify"])
    certify.add_argument("--key", required=True, metavar="NAME=WHERE",
                         help="your new key: its name in the script, and pkcs11:URI or "
                              "its key file")
    certify.add_argument("--public", type=Path, required=True, metavar="PEM",
                         help="its public key, as you made it")
    certify.add_argument("--current", type=Path, required=True, metavar="BUNDLE",
                         help="your own copy of the current bundle")
    certify.add_argument("--expires", metavar="WHEN",
                         help="when what is made expires: a date or a length such as 11y "
                              "(default: the flavor's; DCT: notary's 10 years)")
    certify.add_argument("--secrets", type=Path, metavar="FILE",
                         help="YAML: key name (or token label) -> passphrase (or PIN) (chmod 600)")
    certify.add_argument("-o", "--output", type=Path, required=True, metavar="FILE",
                         help="the file to write (must not exist), for the script's import:")
    request = sub.add_parser("request", help=SUMMARIES["request"])
    request.add_argument("script", type=Path, metavar="SCRIPT", help="the reviewed script")
    request.add_argument("-o", "--output", type=Path, required=True, metavar="REQUEST",
                         help="the request folder to write (must not exist)")
    request.add_argument("--replaces", type=Path, metavar="OLD_REQUEST",
                         help="an earlier request this one replaces: sealing it is refused "
                              "while this one is kept beside it")
    sign = sub.add_parser("sign", help=SUMMARIES["sign"])
    sign.add_argument("request", type=Path, metavar="REQUEST", help="the request folder")
    sign.add_argument("--current", type=Path, required=True, metavar="BUNDLE",
                      help="your own copy of the current bundle (the request must extend it)")
    sign.add_argument("--key", action="append", required=True, metavar="NAME[=WHERE]",
                      help="a key to sign with; WHERE is pkcs11:URI or a key file "
                           "(default: as the current bundle keeps it); repeat for more")
    sign.add_argument("--sitting", default="", metavar="WORDS",
                      help="who signs, in words, for the record (default: the key names)")
    sign.add_argument("--secrets", type=Path, metavar="FILE",
                      help="YAML: key name (or token label) -> passphrase (or PIN) (chmod 600)")
    sign.add_argument("-o", "--output", type=Path, required=True, metavar="FILE",
                      help="the signature file to write (must not exist)")
    sign.add_argument("--qr", action="store_true",
                      help="also write it as QR codes: FILE.qr-1.png, ..., at most 100 "
                      "(some 250 GUNs with one ECDSA key; read back by seal)")
    seal = sub.add_parser("seal", help=SUMMARIES["seal"])
    seal.add_argument("request", type=Path, metavar="REQUEST", help="the request folder")
    seal.add_argument("signatures", type=Path, nargs="+", metavar="SIGNATURES",
                      help="signature files (or folders of them, or images of their QR "
                           "codes), from any media, in any order")
    seal.add_argument("--current", type=Path, required=True, metavar="BUNDLE",
                      help="the current bundle the request extends")
    seal.add_argument("-o", "--output", type=Path, required=True, metavar="BUNDLE",
                      help="the bundle to seal (must not exist)")
    seal.add_argument("--script", type=Path, metavar="SCRIPT",
                      help="the request's script where it was written, for the files it names "
                           "(a Sigstore trust root's material)")
    seal.add_argument("--secrets", type=Path, metavar="FILE",
                      help="YAML: key name -> passphrase, for keys that sign at the seal "
                           "(Sigstore's mirror keys) (chmod 600)")


def show_request(request: object) -> None:
    from ceremony.describe import grouped_lines, qr_lines
    from ceremony.sittings.request_file import SigningRequest
    from ceremony.sittings.show import request_lines

    assert isinstance(request, SigningRequest)
    for line in request_lines(request):
        print(line)
    print("Request digest (compare it by phone, read aloud):")
    for line in grouped_lines(request.digest):
        print(f"  {line}")
    for line in qr_lines(request.digest):
        print(line)


def certify_command(args: argparse.Namespace) -> int:
    from ceremony.cli.operator import HeadlessOperator
    from ceremony.engine import utc_now
    from ceremony.script.expiry import parse_expiry
    from ceremony.sittings.certify import certify_to_file, next_step
    from ceremony.sittings.sign import KeyChoice

    choice = KeyChoice.parse(args.key)
    expires = parse_expiry(args.expires, now=utc_now(), where="--expires") if args.expires \
        else None
    certify_to_file(args.output, args.current, choice, args.public, clock=utc_now,
                    expires=expires, operator=HeadlessOperator(secrets_file=args.secrets,
                                                               scripted=False))
    print(f"wrote {args.output}: {next_step(args.output, choice.name)}")
    return ExitCode.OK


def request_command(args: argparse.Namespace) -> int:
    from ceremony.engine import utc_now
    from ceremony.script.load import load_script
    from ceremony.sittings.request import make_request
    from ceremony.sittings.request_file import read_request, write_request

    replaces = read_request(args.replaces).digest if args.replaces else None
    request = make_request(load_script(args.script), utc_now, replaces=replaces)
    write_request(request, args.output)
    show_request(request)
    print(f"wrote the request {args.output}: carry it to each keyholder for `ceremony sign`")
    return ExitCode.OK


def sign_command(args: argparse.Namespace) -> int:
    from ceremony.cli.operator import HeadlessOperator
    from ceremony.engine import utc_now
    from ceremony.sittings.request_file import read_request
    from ceremony.sittings.sign import (
        KeyChoice,
        refuse_outputs_taken,
        sign_request,
        write_signature_file,
    )

    request = read_request(args.request)
    refuse_outputs_taken(args.output, qr=args.qr)
    show_request(request)
    choices = [KeyChoice.parse(item) for item in args.key]
    operator = HeadlessOperator(secrets_file=args.secrets, production=not request.rehearsal)
    signatures = sign_request(
        request, args.request, current=args.current, keys=choices, operator=operator,
        qr=args.qr, clock=utc_now, sitting=args.sitting or ", ".join(c.name for c in choices),
    )
    for path in write_signature_file(signatures, args.output, qr=args.qr)[1:]:
        print(f"wrote {path}: a QR code of the signature file")
    for entry in signatures.signatures:
        print(f"signed {entry.payload} with {entry.key} ({entry.keyid[:8]})")
    print(f"wrote {args.output}: carry it to the sealing sitting")
    return ExitCode.OK


def seal_command(args: argparse.Namespace) -> int:
    from ceremony.cli.operator import HeadlessOperator
    from ceremony.describe import describe
    from ceremony.engine import utc_now
    from ceremony.signals import Stopped
    from ceremony.sittings.request_file import read_request
    from ceremony.sittings.seal import seal_request, stopped_once_sealed

    request = read_request(args.request)
    operator = HeadlessOperator(secrets_file=args.secrets, production=not request.rehearsal)
    event: Event | None = None
    try:
        for event in seal_request(request, args.request, args.signatures, output=args.output,
                                  current=args.current, clock=utc_now, operator=operator,
                                  script=args.script):
            line = describe(event)
            if line:
                print(line, flush=True)
    except Stopped as stop:  # landed as the sealed bundle was shown: it stays
        stopped_once_sealed(stop, event)
        raise
    return ExitCode.OK
