"""A signing request on media: what it holds, written whole and read as hostile input.

A request folder holds ``request.json`` (every fact of the request, and the
sha256 of each other file), ``ceremony.yaml`` (the script), one file per
payload under ``payloads/`` and ``transcript.jsonl`` (the request sitting's
record). The request's digest is the sha256 of ``request.json``: a
signature names it, so a request changed after it was signed no longer
matches its signatures. Reading checks every file against ``request.json``
and never trusts a size or a shape it has not checked: a key's public part is
one public key in the PEM form this tool writes (hsm.signer.public_pem), no
larger than a key file (KEY_FILE_MAX_BYTES), before a sign or a seal uses it.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import UnsupportedAlgorithm

from ceremony.bundle.files import (
    fsync_dir,
    partial_path,
    remove_overwriting,
    rename_no_replace,
    write_new,
)
from ceremony.bundle.reading import read_plain_file
from ceremony.bundle.writer import output_problem
from ceremony.errors import CeremonyError, MediaError, UnsafeFileError
from ceremony.sittings.adapter import Group, Payload, RequestKey
from ceremony.sittings.chain import chain_head
from ceremony.verify.errors import MalformedJSONError
from ceremony.verify.limits import KEY_FILE_MAX_BYTES
from ceremony.verify.spki import load_pem_public_key
from ceremony.verify.strict_json import parse_json
from hsm.signer import public_pem

REQUEST = "request.json"
SCRIPT = "ceremony.yaml"
TRANSCRIPT = "transcript.jsonl"
PAYLOADS = "payloads"
LIMIT = 16 * 1024 * 1024  # no file of a request is larger
FORMAT = 1


@dataclass(frozen=True)
class SigningRequest:
    flavor: str
    kind: str
    title: str
    ceremony_id: str
    rehearsal: bool
    script_text: str
    script_sha256: str
    created: datetime
    expires: datetime | None
    base: dict[str, Any]  # what it extends (the flavor's words: root version and sha256)
    payloads: tuple[Payload, ...]
    keys: tuple[RequestKey, ...]
    summary: tuple[str, ...]
    transcript: tuple[bytes, ...]  # the request sitting's lines
    replaces: str | None = None  # the digest of the request this one replaces

    @property
    def transcript_head(self) -> str:
        return chain_head(self.transcript, "request transcript")

    def document(self) -> dict[str, Any]:
        """request.json's content."""
        return {
            "format": FORMAT,
            "flavor": self.flavor,
            "ceremony": self.kind,
            "title": self.title,
            "ceremony_id": self.ceremony_id,
            "rehearsal": self.rehearsal,
            "script_sha256": self.script_sha256,
            "created": stamp(self.created),
            "expires": stamp(self.expires) if self.expires else None,
            "base": self.base,
            "payloads": [
                {
                    "name": p.name,
                    "sha256": p.sha256,
                    "groups": [
                        {"label": g.label, "title": g.title, "threshold": g.threshold,
                         "keyids": list(g.keyids)}
                        for g in p.groups
                    ],
                }
                for p in self.payloads
            ],
            "keys": [
                {"name": k.name, "keyid": k.keyid, "holder": k.holder, "public": k.public_pem}
                for k in self.keys
            ],
            "summary": list(self.summary),
            "transcript_head": self.transcript_head,
            "transcript_lines": len(self.transcript),
            "replaces": self.replaces,
        }

    def document_bytes(self) -> bytes:
        return (json.dumps(self.document(), indent=2, sort_keys=True) + "\n").encode()

    @functools.cached_property
    def digest(self) -> str:
        """The request's digest: the sha256 of request.json, read aloud and signed for
        (made once: a 1,000-GUN request's document is large, and a seal asks per file)."""
        return hashlib.sha256(self.document_bytes()).hexdigest()

    @functools.cached_property
    def _payloads_by_name(self) -> dict[str, Payload]:
        return {payload.name: payload for payload in self.payloads}

    def payload(self, name: str) -> Payload | None:
        """The payload called ``name`` (a dict made once: a 1,000-GUN request has
        1,000 payloads, and its seal looks up 3,000 signatures)."""
        return self._payloads_by_name.get(name)

    def key(self, name: str) -> RequestKey | None:
        return next((k for k in self.keys if k.name == name), None)

    def key_by_id(self, keyid: str) -> RequestKey | None:
        return next((k for k in self.keys if k.keyid == keyid), None)


def stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def write_request(request: SigningRequest, folder: Path) -> None:
    """Write ``request`` into ``folder`` (which must not exist): staged beside
    it, synced, then renamed, so the folder appears whole or not at all."""
    problem = output_problem(folder, "a request", "you say")
    if problem:
        raise MediaError(problem, todo="give a folder that does not exist yet")
    staging = partial_path(folder)  # never one found there
    made = False
    try:
        staging.mkdir()
        made = True
        (staging / PAYLOADS).mkdir()
        for payload in request.payloads:
            write_new(staging / PAYLOADS / payload.name, payload.data)
        write_new(staging / SCRIPT, request.script_text.encode())
        write_new(staging / TRANSCRIPT, b"".join(line + b"\n" for line in request.transcript))
        write_new(staging / REQUEST, request.document_bytes())
        fsync_dir(staging / PAYLOADS)
        fsync_dir(staging)
        rename_no_replace(staging, folder)
    except OSError as error:
        raise MediaError(
            f"the request could not be written to {folder}: {error.strerror or error}",
            todo="nothing was written; check the medium and run again",
        ) from None
    finally:  # failed, or stopped by a signal: nothing half-made is left
        if made and os.path.lexists(staging):
            with contextlib.suppress(OSError):
                remove_overwriting(staging)


def is_request(path: Path) -> bool:
    """A folder holding something called request.json: a request, or one to refuse
    by name (a link to a folder, or a link, a pipe or a folder in request.json's
    place, is never taken for no request)."""
    return path.is_dir() and os.path.lexists(path / REQUEST)


def read_request(folder: Path) -> SigningRequest:
    """The request in ``folder``, every file checked against request.json."""
    where = str(folder)
    if folder.is_symlink():
        raise CeremonyError(
            f"{folder} is a symbolic link, not the request folder itself",
            todo="give the folder `ceremony request` wrote, not a link to it",
        )
    if not is_request(folder):
        raise CeremonyError(
            f"{folder} is not a signing request (it has no {REQUEST})",
            todo="give the folder `ceremony request` wrote",
        )
    document = _json(folder / REQUEST, f"{where}/{REQUEST}")
    read = _Reader(document, f"{where}/{REQUEST}")
    if read.field("format", int) != FORMAT:
        raise read.wrong("format", f"this tool reads format {FORMAT}")
    script = _file(folder / SCRIPT, read.field("script_sha256", str), where, SCRIPT)
    payloads = []
    for i, item in enumerate(read.field("payloads", list)):
        entry = _Reader(item, f"{where}/{REQUEST}: payloads[{i}]")
        name = entry.field("name", str)
        if "/" in name or name.startswith("."):
            raise entry.wrong("name", "a payload is a plain file name")
        relpath = f"{PAYLOADS}/{name}"
        data = _file(folder / relpath, entry.field("sha256", str), where, relpath)
        groups = []
        for j, raw in enumerate(entry.field("groups", list)):
            group = _Reader(raw, f"{entry.where}.groups[{j}]")
            keyids = group.field("keyids", list)
            if not all(isinstance(k, str) for k in keyids):
                raise group.wrong("keyids", "key ids are strings")
            groups.append(Group(group.field("label", str), group.field("title", str),
                                group.field("threshold", int), tuple(keyids)))
        payloads.append(Payload(name, data, tuple(groups)))
    keys = []
    for i, item in enumerate(read.field("keys", list)):
        entry = _Reader(item, f"{where}/{REQUEST}: keys[{i}]")
        keys.append(RequestKey(entry.field("name", str), entry.field("keyid", str),
                               entry.field("holder", str), _public(entry)))
    transcript_bytes = _bytes(folder / TRANSCRIPT)
    lines = tuple(transcript_bytes.split(b"\n")[:-1]) if transcript_bytes.endswith(b"\n") else ()
    expires = read.field("expires", (str, type(None)))
    summary = read.field("summary", list)
    request = SigningRequest(
        flavor=read.field("flavor", str),
        kind=read.field("ceremony", str),
        title=read.field("title", str),
        ceremony_id=read.field("ceremony_id", str),
        rehearsal=read.field("rehearsal", bool),
        script_text=script.decode("utf-8", "replace"),
        script_sha256=read.field("script_sha256", str),
        created=_time(read.field("created", str), read, "created"),
        expires=_time(expires, read, "expires") if expires else None,
        base=read.field("base", dict),
        payloads=tuple(payloads),
        keys=tuple(keys),
        summary=tuple(str(line) for line in summary),
        transcript=lines,
        replaces=read.field("replaces", (str, type(None))),
    )
    if (request.transcript_head != read.field("transcript_head", str)
            or len(lines) != read.field("transcript_lines", int)):
        raise CeremonyError(
            f"{TRANSCRIPT} is not the record {REQUEST} names",
            where=where,
            todo="the request was changed after it was written: do not use it; ask the "
            "coordinator for the request again",
        )
    if request.document_bytes() != _bytes(folder / REQUEST):
        raise CeremonyError(
            f"{REQUEST} is not in the form this tool writes",
            where=where, todo="the request was changed after it was written: do not use it",
        )
    return request


def _public(entry: _Reader) -> str:
    """A key's ``public``: one public key, in the PEM form this tool writes, and no
    larger than a key file may be (the text is never shown: it may hold anything)."""
    text: str = entry.field("public", str)
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > KEY_FILE_MAX_BYTES:
        raise entry.wrong("public", f"a public key of {size:,} bytes, more than the "
                                    f"{KEY_FILE_MAX_BYTES:,} a key file may have")
    try:
        written = text.isascii() and public_pem(load_pem_public_key(text.encode())) == text
    except (ValueError, UnsupportedAlgorithm):
        written = False
    if not written:
        raise entry.wrong("public", "not one public key in the PEM form this tool writes")
    return text


def _bytes(path: Path) -> bytes:
    try:
        return read_plain_file(path, LIMIT, linked_folder=False)  # payloads/ too
    except UnsafeFileError as error:
        todo = "copy the whole request folder again" if error.reason == "missing" \
            else "do not use this request"
        raise CeremonyError(str(error), todo=todo) from None


def _json(path: Path, where: str) -> Any:
    try:
        return parse_json(_bytes(path))
    except MalformedJSONError as error:
        raise CeremonyError(str(error), where=where, todo="do not use this request") from None


def _file(path: Path, sha256: str, where: str, name: str) -> bytes:
    data = _bytes(path)  # missing, a link, a pipe or a folder: refused by name
    if hashlib.sha256(data).hexdigest() != sha256:
        raise CeremonyError(
            f"{name} is not the file {REQUEST} names (its sha256 differs)",
            where=where,
            todo="the request was changed after it was written: do not sign or seal it",
        )
    return data


def _time(text: str, read: _Reader, name: str) -> datetime:
    try:
        return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except ValueError:
        raise read.wrong(name, "times are written 2026-12-05T16:00:00Z") from None


class _Reader:
    """Fields of one JSON object, each checked for its type."""

    def __init__(self, value: Any, where: str) -> None:
        if not isinstance(value, dict):
            raise CeremonyError("not a JSON object", where=where, todo="do not use this request")
        self.value = value
        self.where = where

    def field(self, name: str, kind: Any) -> Any:
        value = self.value.get(name)
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise self.wrong(name, "it is missing or of the wrong type")
        return value

    def wrong(self, name: str, why: str) -> CeremonyError:
        return CeremonyError(f"{name}: {why}", where=self.where,
                             todo="the request is damaged or not this tool's: do not use it")
