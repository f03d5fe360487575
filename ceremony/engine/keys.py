"""Making, importing, storing and opening keys during a ceremony.

Generated software keys leave memory only encrypted: each is written as an
age file to its keyholder's passphrase, read back and opened again before
the ceremony goes on. Stored keys are opened with the passphrase the
operator gives; a wrong passphrase typed at a prompt may be tried again, up
to three times. Imported keys are public keys read from media.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Iterator

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519
from securesystemslib.signer import SSlibKey

from ceremony.engine.context import Context, KeyRecord
from ceremony.errors import CeremonyError, PreflightError
from ceremony.events import Event, KeyGenerated, KeyImported, KeyLoaded, KeyStored
from ceremony.operator import SecretRequest
from ceremony.script.plan import KeySpec, PassphraseSource
from hsm.algorithms import algorithm, algorithm_of_public_key
from hsm.errors import KeyBackendError, WrongPassphraseError
from hsm.signer import public_pem
from hsm.software import URI_SCHEME, SoftwareKey

PROMPT_TRIES = 3


def storage_path(name: str, roles: set[str]) -> str:
    folder = "offline" if "root" in roles else "online"
    return f"keys/{folder}/{name}.age"


def read_public_key(path: Path, key_name: str):
    """A ``cryptography`` public key from a PEM or a TUF key JSON file."""
    where = f"key {key_name}: {path}"
    try:
        data = path.read_bytes()
    except OSError as error:
        raise PreflightError(
            f"cannot read the public key file: {error.strerror}",
            where=where,
            todo="check the media with the public key is inserted and the path is right",
        ) from None
    if len(data) > 64 * 1024:
        raise PreflightError("is too large to be a public key", where=where)
    try:
        if data.lstrip().startswith(b"{"):
            public_key = public_key_from_tuf_json(json.loads(data))
        else:
            public_key = serialization.load_pem_public_key(data)
    except (ValueError, KeyError, TypeError, AttributeError):
        raise PreflightError(
            "holds no public key (expected PEM SubjectPublicKeyInfo or a TUF key JSON)",
            where=where,
            todo="export the public key again from the online system",
        ) from None
    try:
        algorithm_of_public_key(public_key)
    except KeyBackendError as error:
        raise PreflightError(error.what, where=where, todo=error.todo) from None
    return public_key


def public_key_from_tuf_json(key: dict):
    """The public key of a TUF key object ({keytype, scheme, keyval})."""
    public = key["keyval"]["public"]
    if key["keytype"] == "ed25519":
        return ed25519.Ed25519PublicKey.from_public_bytes(bytes.fromhex(public))
    return serialization.load_pem_public_key(public.encode())


def import_key(ctx: Context, spec: KeySpec, roles: set[str]) -> Iterator[Event]:
    public_key = read_public_key(spec.public_key_file, spec.name)
    alg = algorithm_of_public_key(public_key)
    record = KeyRecord(
        name=spec.name,
        tuf_key=SSlibKey.from_crypto(public_key, scheme=alg.scheme),
        algorithm=alg.name,
        backend="online",
        location="online:",
        public_pem=public_pem(public_key),
        holder=spec.holder,
        roles=set(roles),
    )
    add_record(ctx, record)
    yield KeyImported(
        key=spec.name, keyid=record.keyid, algorithm=alg.name, source=str(spec.public_key_file)
    )


def generate_key(ctx: Context, spec: KeySpec, roles: set[str]) -> Iterator[Event]:
    """Make a key in software, store it encrypted, check the stored copy (and
    copy it into its backup tokens); hardware keys: engine/tokens.py."""
    if spec.hardware is not None:
        from ceremony.engine.tokens import generate_on_token

        yield from generate_on_token(ctx, spec, roles)
        return
    signer = SoftwareKey.generate(algorithm(spec.algorithm))
    relpath = storage_path(spec.name, roles)
    signer.stored_at(relpath)
    record = KeyRecord(
        name=spec.name,
        tuf_key=signer.public_key,
        algorithm=spec.algorithm,
        backend=signer.backend,
        location=f"{URI_SCHEME}:{relpath}",
        public_pem=signer.facts().public_pem,
        holder=spec.holder,
        roles=set(roles),
        signer=signer,
    )
    add_record(ctx, record)
    yield KeyGenerated(
        key=spec.name,
        keyid=record.keyid,
        algorithm=spec.algorithm,
        backend=signer.backend,
        location=record.location,
        holder=spec.holder,
    )
    passphrase = ctx.operator.secret(
        SecretRequest(
            id=f"passphrase/{spec.name}",
            key=spec.name,
            prompt=f"New passphrase for key {spec.name}"
            + (f" (keyholder {spec.holder})" if spec.holder else ""),
            new=True,
            env=spec.passphrase.name if spec.passphrase.kind == "env" else "",
        )
    )
    ctx.remember_secret(passphrase)
    encrypted = signer.encrypt(passphrase.reveal())
    yield ctx.writer.write(relpath, encrypted, private=True)
    # Open the copy as it is on media, with the same passphrase: a key whose
    # stored copy cannot be opened is a key about to be lost.
    stored = ctx.writer.staging / relpath
    reopened = SoftwareKey.decrypt(stored.read_bytes(), passphrase.reveal(), relpath)
    if reopened.keyid != record.keyid:
        raise CeremonyError(
            f"the stored copy of key {spec.name} opens to a different key",
            todo="stop: this is a fault in the tool or the media; nothing was sealed",
        )
    reopened.close()
    record.encrypted = encrypted
    yield KeyStored(key=spec.name, keyid=record.keyid, path=relpath, encryption="age-scrypt")
    if spec.backup_tokens:
        from ceremony.engine.tokens import back_up

        yield from back_up(ctx, spec, record)


def open_stored_key(
    ctx: Context, record: KeyRecord, source: PassphraseSource | None
) -> Iterator[Event]:
    """Open a key from the current bundle's encrypted file (or its token), to sign today."""
    if record.location.startswith("pkcs11:"):
        from ceremony.engine.tokens import open_token_key

        yield from open_token_key(ctx, record)
        return
    if not record.location.startswith(f"{URI_SCHEME}:"):
        raise PreflightError(
            f"key {record.name} lives at {record.location}, not in an encrypted file "
            "this ceremony can open",
            todo="remove it from sign-with, or bring its token",
        )
    relpath = record.location.split(":", 1)[1]
    data = ctx.current.key_file(relpath)
    env = source.name if source and source.kind == "env" else ""
    for attempt in range(1, PROMPT_TRIES + 1):
        passphrase = ctx.operator.secret(
            SecretRequest(
                id=f"passphrase/{record.name}",
                key=record.name,
                prompt=f"Passphrase for key {record.name}"
                + (f" (keyholder {record.holder})" if record.holder else ""),
                env=env,
                attempt=attempt,
            )
        )
        try:
            signer = SoftwareKey.decrypt(data, passphrase.reveal(), relpath)
            break
        except WrongPassphraseError as error:
            if env or attempt == PROMPT_TRIES or not getattr(ctx.operator, "can_retry", True):
                raise CeremonyError(
                    f"the passphrase for key {record.name} does not open {relpath}",
                    where=str(ctx.current.path),
                    todo=error.todo if not env else f"check the environment variable {env}",
                ) from None
        finally:
            ctx.remember_secret(passphrase)
    if signer.keyid != record.keyid:
        signer.close()
        raise CeremonyError(
            f"{relpath} holds a different key than the index names for {record.name}",
            where=str(ctx.current.path),
            todo="the bundle was changed after it was made: do not use it",
        )
    record.signer = signer
    record.encrypted = data
    yield KeyLoaded(key=record.name, keyid=record.keyid, location=record.location)


def add_record(ctx: Context, record: KeyRecord) -> None:
    for other in ctx.keys.values():
        if other.keyid == record.keyid and other.name != record.name:
            raise PreflightError(
                f"key {record.name} is the same key as {other.name} ({record.short_id})",
                todo="one key must not be named twice",
            )
    ctx.keys[record.name] = record


def records_from_index(ctx: Context) -> None:
    """Know every key of the current bundle by its name."""
    for name, entry in ctx.current.index.items():
        pem = (ctx.current.path / entry["public"]).read_bytes()
        public_key = serialization.load_pem_public_key(pem)
        alg = algorithm_of_public_key(public_key)
        ctx.keys[name] = KeyRecord(
            name=name,
            tuf_key=SSlibKey.from_crypto(public_key, scheme=alg.scheme),
            algorithm=alg.name,
            backend=entry.get("backend", "software"),
            location=entry["location"],
            public_pem=pem.decode(),
            holder=entry.get("holder"),
            roles=set(entry.get("roles", [])),
            backups=list(entry.get("backups", [])),
            origin=entry.get("origin", "") if isinstance(entry.get("origin"), str) else "",
        )
