"""A signing sitting: one request in, one signature file out.

The keyholder's own copy of the current bundle is verified and must be the
one the request extends; each key named is opened (from that bundle's key
file, a key file of its own, or its token by a ``pkcs11:`` URI, with the
engine's own openers and prompts), signs every payload that counts it, and
is closed. The sitting's record continues the request's transcript. Several
keys may sign at one sitting; none is counted twice. ``ceremony sign`` calls
:func:`sign_request` and :func:`write_signature_file`; the UI runs
:func:`sign_sitting`, the same steps telling each key opened as an event.
Asked for QR codes too, a sitting whose signature file may need more than
witnesses carry by hand (qr_route.MOST_CODES) is refused before any key is
opened.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TypedDict, Unpack

from ceremony.bundle.files import write_new_whole
from ceremony.bundle.reading import read_plain_file
from ceremony.bundle.writer import link_problem
from ceremony.engine.context import Context
from ceremony.engine.keyring import KEPT_BY_HOLDER, KeyRecord
from ceremony.engine.keys import know_current_keys, open_key
from ceremony.engine.secrets import ask_secret
from ceremony.engine.tokens import open_token_key
from ceremony.errors import CeremonyError, MediaError, UnsafeFileError
from ceremony.events import Event, FileWritten, KeyLoaded, SittingFinished
from ceremony.flavor import flavor_named
from ceremony.operator import Operator, SecretRequest
from ceremony.safe_text import HIDDEN_TODO, hidden_named
from ceremony.sittings.adapter import RequestKey
from ceremony.sittings.checks import read_extended, refuse_expired, request_plan
from ceremony.sittings.qr_route import (
    MOST_CODES,
    qr_pngs,
    refuse_past_codes,
    refuse_written_codes,
)
from ceremony.sittings.request_file import SigningRequest
from ceremony.sittings.signature_file import SignatureEntry, SignatureFile
from ceremony.sittings.signature_size import refuse_keys_together
from ceremony.verify.limits import KEY_FILE_MAX_BYTES
from hsm.errors import WrongPassphraseError
from hsm.software import SoftwareKey


@dataclass(frozen=True)
class KeyChoice:
    """A key to sign with: its name in the request, and where it lives today
    ("": as the current bundle records it; ``pkcs11:…``; or a key file's path)."""

    name: str
    where: str = ""

    @classmethod
    def parse(cls, text: str) -> KeyChoice:
        """``NAME`` or ``NAME=WHERE``, as ``--key`` and the UI take it."""
        name, _, where = text.strip().partition("=")
        if not name.strip():
            raise CeremonyError(f"{text!r} names no key",
                                todo="give a key as NAME, or NAME=WHERE (pkcs11:URI or a key file)")
        return cls(name.strip(), where.strip())


class SittingArgs(TypedDict):
    """Who signs what, where: the arguments of a signing sitting."""

    current: Path  # the keyholder's own copy of the current bundle
    keys: Sequence[KeyChoice]
    operator: Operator  # asks the passphrases and PINs
    clock: Callable[[], datetime]
    sitting: str  # who sat, in words


def sign_request(
    request: SigningRequest, folder: Path, *, qr: bool = False, **args: Unpack[SittingArgs]
) -> SignatureFile:
    """Sign ``request`` (read from ``folder``) with ``keys``; the signature file. With
    ``qr``, one whose QR codes may be too many to carry is refused before any key opens."""
    stream = signing(request, folder, qr=qr, **args)
    while True:
        try:
            next(stream)
        except StopIteration as done:
            signed: SignatureFile = done.value
            return signed


def sign_sitting(
    request: SigningRequest, folder: Path, *, output: Path, qr: bool = False,
    **args: Unpack[SittingArgs],
) -> Generator[Event, None, SignatureFile]:
    """A whole signing sitting, as the UI runs it: sign, write the signature file
    at ``output`` (and its QR codes, with ``qr``), say where."""
    refuse_outputs_taken(output, qr=qr)
    signatures = yield from signing(request, folder, qr=qr, **args)
    for path, data in write_signature_outputs(signatures, output, qr=qr):
        yield FileWritten(str(path), hashlib.sha256(data).hexdigest(), len(data))  # as written
    yield SittingFinished(args["sitting"], str(output))
    return signatures


def qr_paths(output: Path, count: int) -> list[Path]:
    """Where a signature file's QR codes go: FILE.qr-1.png, ..."""
    return [output.with_name(f"{output.name}.qr-{n}.png") for n in range(1, count + 1)]


def refuse_outputs_taken(output: Path, *, qr: bool) -> None:
    """Refuse, before any key is opened, a signature file at ``output`` (and, with
    ``qr``, any of the MOST_CODES its codes may take) whose name is taken or whose
    folder is missing or reached through a symbolic link."""
    for path in (output, *qr_paths(output, MOST_CODES if qr else 0)):
        refuse_taken(path)


def refuse_taken(path: Path, what: str = "a signature file") -> None:
    """Refuse an output that exists, whose folder does not, or that a symbolic link
    in its path would send elsewhere (``what`` names it then): before any key is
    opened, and again just before writing."""
    if path.exists() or path.is_symlink():
        raise MediaError(f"{path} exists already", todo="give a new file name; "
                         "nothing was written")
    linked = link_problem(path, what, "you say")
    if linked is not None:
        raise MediaError(linked, todo="nothing was written")
    if not path.parent.is_dir():
        raise MediaError(f"{path.parent} is not a folder", todo="create it first, or name a "
                         "file in a folder that exists; nothing was written")


def write_signature_file(signatures: SignatureFile, output: Path, *, qr: bool) -> list[Path]:
    """Write ``signatures`` at ``output`` and, with ``qr``, as QR codes beside it;
    the paths written (the file first). Nothing is written over a file or through
    a link, and all appear whole or none does (the file itself last: its codes are
    in place first)."""
    return [path for path, _data in write_signature_outputs(signatures, output, qr=qr)]


def write_signature_outputs(signatures: SignatureFile, output: Path, *, qr: bool
                            ) -> list[tuple[Path, bytes]]:
    """:func:`write_signature_file`, with the bytes of each file written (for the
    events that say what was written, hashed from these: never read back from a
    medium that may have been swapped meanwhile)."""
    data = signatures.to_bytes()
    if qr:
        refuse_written_codes(data, output)
    images = qr_pngs(data) if qr else []
    pngs = qr_paths(output, len(images))
    for path in [output, *pngs]:
        refuse_taken(path)
    write_whole([*zip(pngs, images, strict=True), (output, data)], output, "signature file")
    return [(output, data), *zip(pngs, images, strict=True)]


def write_whole(outputs: Sequence[tuple[Path, bytes]], output: Path, what: str) -> None:
    """Write ``outputs`` whole or not at all; a medium that is full, read-only or
    failing is named (``output``, the ``what``: "signature file") and nothing is left."""
    try:
        write_new_whole(outputs)
    except OSError as error:
        raise MediaError(
            f"the {what} could not be written to {output}: {error.strerror or error}",
            todo="nothing was written; check the medium has room and is writable, then "
            "run again",
        ) from None


def signing(
    request: SigningRequest,
    folder: Path,
    *,
    current: Path,
    keys: Sequence[KeyChoice],
    operator: Operator,
    clock: Callable[[], datetime],
    sitting: str,
    qr: bool = False,
) -> Generator[Event, None, SignatureFile]:
    """:func:`sign_request`, telling each key opened as it goes (for a run screen)."""
    hidden = hidden_named(sitting)
    if hidden:  # the words go into the transcript and the records
        raise CeremonyError(f"the sitting's words hold {hidden}", todo=HIDDEN_TODO)
    refuse_expired(request, clock(), folder)
    plan = request_plan(request)
    flavor = flavor_named(plan.flavor)
    ctx = Context(plan, flavor, operator, clock)
    adapter = flavor.sittings()
    ctx.current = read_extended(adapter, request, current, clock())
    know_current_keys(ctx)
    ctx.transcript.continue_from(request.transcript, request.transcript_head)
    ctx.transcript.append({"event": "sitting-started", "request": request.digest,
                           "sitting": sitting, "current": str(current)})
    choices = _distinct(keys)
    requested = requested_keys(request, choices)
    refuse_keys_together(request.payloads, requested)
    if qr:
        refuse_past_codes(request.payloads, requested, str(folder))
    entries: list[SignatureEntry] = []
    try:
        for choice in choices:
            key = request.key(choice.name)
            if key is None:
                raise CeremonyError(
                    f"the request counts no key named {choice.name}",
                    where=str(folder),
                    todo="sign with a key the request lists (`ceremony inspect REQUEST`)",
                )
            record = chosen_record(ctx, key, choice)
            for event in open_chosen(ctx, record, choice):
                ctx.transcript.append(event.record())
                yield event
            assert record.signer is not None  # just opened
            signed = [p for p in request.payloads if p.counts(key.keyid)]
            for payload in signed:
                entries.append(SignatureEntry(payload.name, payload.sha256, key.name, key.keyid,
                                              adapter.sign(payload, record.signer)))
            # one line per key, however many payloads (a DCT request has one per GUN)
            ctx.transcript.append({
                "event": "signatures-added", "key": key.name, "keyid": key.keyid,
                "payloads": [p.name for p in signed] if len(signed) <= 4 else len(signed),
            })
            record.signer.close()
            record.signer = None
    finally:
        ctx.close_keys()
        ctx.forget_secrets()
    ctx.transcript.append({"event": "sitting-finished", "signatures": len(entries)})
    segment = tuple(ctx.transcript.lines[len(request.transcript):])
    return SignatureFile(request.digest, sitting, tuple(entries), segment)


def requested_keys(request: SigningRequest, choices: Sequence[KeyChoice]) -> list[RequestKey]:
    """The request's keys ``choices`` name (a name it lacks is refused when signing)."""
    return [key for choice in choices if (key := request.key(choice.name)) is not None]


def _distinct(keys: Sequence[KeyChoice]) -> list[KeyChoice]:
    seen: set[str] = set()
    for choice in keys:
        if choice.name in seen:
            raise CeremonyError(f"key {choice.name} is named twice",
                                todo="name each key once: one key signs once")
        seen.add(choice.name)
    return list(keys)


def chosen_record(ctx: Context, key: RequestKey, choice: KeyChoice) -> KeyRecord:
    """The key's record: the current bundle's, or one made from the request."""
    record = ctx.keys.get(key.name) or KeyRecord(
        name=key.name, keyid=key.keyid, algorithm="", backend="online", location=KEPT_BY_HOLDER,
        public_pem=key.public_pem, holder=key.holder or None,
    )
    if record.keyid != key.keyid:
        raise CeremonyError(
            f"key {key.name} of your current bundle is not the key the request names "
            f"{key.name}", todo="check with the coordinator; nothing was signed",
        )
    if choice.where.startswith("pkcs11:"):
        record.location, record.backend = choice.where, "pkcs11"
    ctx.keys[key.name] = record
    return record


def open_chosen(ctx: Context, record: KeyRecord, choice: KeyChoice) -> Iterator[Event]:
    if record.location.startswith("pkcs11:"):
        yield from open_token_key(ctx, record)
    elif choice.where:
        yield from _open_key_file(ctx, record, Path(choice.where))
    elif record.stored_path:
        yield from open_key(ctx, record, ctx.flavor.key_files)
    else:
        raise CeremonyError(
            f"key {record.name} is not kept in your current bundle",
            todo=f"say where it lives: --key {record.name}=pkcs11:URI or "
            f"--key {record.name}=PATH of its key file",
        )


def _open_key_file(ctx: Context, record: KeyRecord, path: Path) -> Iterator[Event]:
    try:
        data = read_plain_file(path, KEY_FILE_MAX_BYTES)
    except UnsafeFileError as error:
        raise CeremonyError(str(error), todo="give the key file of that key") from None
    source = ctx.plan.passphrase_for(record.name)
    passphrase = ask_secret(ctx, SecretRequest(
        id=f"passphrase/{record.name}", key=record.name,
        prompt=f"Passphrase for key {record.name} ({path})",
        env=source.name if source.kind == "env" else "",
    ))
    try:
        signer = SoftwareKey.decrypt(data, passphrase.reveal(), str(path))
    except WrongPassphraseError as error:
        raise CeremonyError(f"the passphrase for key {record.name} does not open {path}",
                            todo=error.todo) from None
    if ctx.flavor.key_id(signer.crypto_public_key) != record.keyid:
        signer.close()
        raise CeremonyError(f"{path} holds a different key than the one named {record.name}",
                            todo="give that key's own file; nothing was signed")
    record.signer = signer
    yield KeyLoaded(key=record.name, keyid=record.keyid, location=f"file:{path}")
