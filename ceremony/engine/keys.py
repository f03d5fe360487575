"""Making, importing, storing and opening keys during a ceremony: once, for every flavor.

Generated software keys leave memory only encrypted: each is written to its
key file (an age file, or the flavor's own format such as notary's) under
its keyholder's passphrase, read back from the medium and opened again
before the ceremony goes on, so that a stored copy that cannot be opened is
found while the key still exists. Keys on tokens are made and opened in
tokens.py. Stored keys are opened with the passphrase the operator gives: a
wrong one typed at a prompt may be tried again, up to three times, and a
passphrase that opened one key is tried first for the next key asked under
the same name (the per-repository keys of one script key). Imported keys are
public keys read from media. A key's id is its flavor's.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterator

from ceremony.engine.context import Context
from ceremony.engine.key_files import AGE_KEY_FILE, KeyFileFormat
from ceremony.engine.keyring import KEPT_BY_HOLDER, KeyRecord
from ceremony.engine.public_keys import read_public_key
from ceremony.engine.secrets import ask_secret
from ceremony.engine.tokens import back_up, generate_on_token, open_token_key
from ceremony.errors import CeremonyError, PreflightError
from ceremony.events import Event, KeyGenerated, KeyImported, KeyLoaded, KeyStored
from ceremony.operator import Secret, SecretRequest
from ceremony.script.plan import KeySpec
from hsm.algorithms import algorithm, algorithm_of_public_key
from hsm.errors import WrongPassphraseError
from hsm.signer import public_pem
from hsm.software import SoftwareKey

PROMPT_TRIES = 3


# -- public keys --------------------------------------------------------------------


def import_key(ctx: Context, spec: KeySpec, roles: set[str]) -> Iterator[Event]:
    """A public key from media (a key made online): its private part stays there."""
    assert spec.public_key_file is not None  # the loader reads one for every import
    public_key = read_public_key(spec.public_key_file, spec.name)
    ctx.flavor.check_public_key(public_key, spec.name)  # one the flavor can use
    record = KeyRecord(
        name=spec.name,
        keyid=ctx.flavor.key_id(public_key),
        algorithm=algorithm_of_public_key(public_key).name,
        backend="online",
        location=KEPT_BY_HOLDER,
        public_pem=public_pem(public_key),
        holder=spec.holder,
        roles=set(roles),
    )
    ctx.add_key(record)
    yield KeyImported(
        key=spec.name,
        keyid=record.keyid,
        algorithm=record.algorithm,
        source=str(spec.public_key_file),
    )


# -- made here ------------------------------------------------------------------------


def generate_key(
    ctx: Context, spec: KeySpec, roles: set[str]
) -> Generator[Event, None, KeyRecord]:
    """Make ``spec``'s key: on its token, or in software, stored as an age file
    under a new passphrase and checked (then copied into its backup tokens).
    Returns its record (``record = yield from generate_key(...)``)."""
    if spec.hardware is not None:
        return (yield from generate_on_token(ctx, spec, spec.hardware, roles))
    passphrase_for = new_passphrase_asker(ctx, spec.name, spec.holder)
    path = ctx.flavor.key_file_path(spec.name, roles)
    record = yield from make_software_key(
        ctx,
        spec,
        name=lambda _keyid: spec.name,
        roles=roles,
        path=lambda _keyid: path,
        key_file=AGE_KEY_FILE,
        passphrase=passphrase_for,
    )
    if spec.backup_tokens:
        yield from back_up(ctx, spec, record)
    return record


def new_passphrase_asker(
    ctx: Context, name: str, holder: str | None, prompt: str = ""
) -> Callable[[], Secret]:
    """A function that asks (once) for the new passphrase of key ``name``."""
    asked: list[Secret] = []

    def ask() -> Secret:
        if not asked:
            asked.append(
                new_passphrase(
                    ctx,
                    name,
                    prompt
                    or f"New passphrase for key {name}"
                    + (f" (keyholder {holder})" if holder else ""),
                )
            )
        return asked[0]

    return ask


def new_passphrase(ctx: Context, name: str, prompt: str) -> Secret:
    """A new passphrase for the key(s) asked under ``name`` (typed twice at a prompt)."""
    source = ctx.plan.passphrase_for(name)
    return ask_secret(
        ctx,
        SecretRequest(
            id=f"passphrase/{name}",
            key=name,
            prompt=prompt,
            new=True,
            env=source.name if source.kind == "env" else "",
        ),
    )


def make_software_key(
    ctx: Context,
    spec: KeySpec,
    *,
    name: Callable[[str], str],
    roles: set[str],
    path: Callable[[str], str],
    key_file: KeyFileFormat,
    passphrase: Callable[[], Secret],
) -> Generator[Event, None, KeyRecord]:
    """Generate a software key, write its key file into the bundle under the
    passphrase, and open the copy written before going on. ``name`` and
    ``path`` give the key's name and file from its id; ``passphrase`` is
    asked after the key is shown. Returns its record."""
    signer = SoftwareKey.generate(algorithm(spec.algorithm))
    keyid = ctx.flavor.key_id(signer.crypto_public_key)
    key_name, key_path = name(keyid), path(keyid)
    signer.stored_at(key_path)
    record = KeyRecord(
        name=key_name,
        keyid=keyid,
        algorithm=spec.algorithm,
        backend=signer.backend,
        location=f"{key_file.scheme}:{key_path}",
        public_pem=public_pem(signer.crypto_public_key),
        holder=spec.holder,
        roles=set(roles),
        passphrase=spec.name if key_name != spec.name else "",
        signer=signer,
    )
    ctx.add_key(record)
    yield KeyGenerated(
        key=key_name,
        keyid=keyid,
        algorithm=spec.algorithm,
        backend=signer.backend,
        location=record.location,
        holder=spec.holder,
    )
    yield from write_key_file(ctx, record, signer, key_path, key_file, passphrase())
    return record


def write_key_file(
    ctx: Context,
    record: KeyRecord,
    signer: SoftwareKey,
    key_path: str,
    key_file: KeyFileFormat,
    secret: Secret,
) -> Iterator[Event]:
    """Write ``signer``'s key file into the bundle under ``secret``, and open the copy
    written (read back from the medium) to check it is the same key."""
    data = key_file.encrypt(signer, secret.reveal())
    yield ctx.bundle.write(key_path, data, private=True)  # read back from the medium
    # Open the copy as it is on the medium, with the same passphrase: a key
    # whose stored copy cannot be opened is a key about to be lost.
    reopened = key_file.open(data, secret.reveal(), key_path)
    same = ctx.flavor.key_id(reopened.crypto_public_key) == record.keyid
    reopened.close()
    if not same:
        raise CeremonyError(
            f"the stored copy of key {record.name} opens to a different key",
            todo="stop: this is a fault in the tool or the media; nothing was sealed",
        )
    record.stored = data
    yield KeyStored(
        key=record.name, keyid=record.keyid, path=key_path, encryption=key_file.encryption
    )


def store_again(ctx: Context, record: KeyRecord, prompt: str) -> Iterator[Event]:
    """An open key from elsewhere (a Docker trust dir) kept from now on as an
    age file in the bundle, under a new passphrase."""
    path = ctx.flavor.key_file_path(record.name, record.roles)
    secret = new_passphrase(ctx, record.name, prompt)
    assert isinstance(record.signer, SoftwareKey)  # a trust dir's key opens in software
    record.stored = AGE_KEY_FILE.encrypt(record.signer, secret.reveal())
    record.location, record.backend, record.passphrase = f"age-file:{path}", "software", ""
    yield KeyStored(key=record.name, keyid=record.keyid, path=path, encryption="age-scrypt")


# -- opened from the current state ------------------------------------------------------


def open_key(
    ctx: Context, record: KeyRecord, key_files: dict[str, KeyFileFormat]
) -> Iterator[Event]:
    """Open a key of the current state to sign today: on its token, or from its
    stored key file (``key_files``: the formats the flavor stores, by scheme)."""
    if record.signer is not None:
        return
    scheme, _, relpath = record.location.partition(":")
    if scheme == "pkcs11":
        yield from open_token_key(ctx, record)
        return
    if scheme not in key_files:
        raise PreflightError(
            f"key {record.name} lives at {record.location}, not in a key file this ceremony "
            "can open",
            todo="leave it out of sign-with, or bring it from where it lives",
        )
    key_file = key_files[scheme]
    data = ctx.building_on.key_file(relpath)
    where = str(ctx.building_on.path)
    name = record.passphrase_name
    source = ctx.plan.passphrase_for(name)
    env = source.name if source.kind == "env" else ""
    for attempt in range(1, PROMPT_TRIES + 1):
        cached = ctx.passphrases.get(name) if attempt == 1 else None
        passphrase = cached or ask_secret(
            ctx,
            SecretRequest(
                id=f"passphrase/{name}",
                key=name,
                prompt=f"Passphrase for key {record.name}"
                + (f" (keyholder {record.holder})" if record.holder else "")
                + ctx.flavor.key_file_where(scheme),
                env=env,
                attempt=attempt,
            ),
        )
        try:
            signer = key_file.open(data, passphrase.reveal(), relpath)
            break
        except WrongPassphraseError as error:
            if cached is not None:
                continue  # the name's passphrase did not open this one: ask
            if env or attempt == PROMPT_TRIES or not getattr(ctx.operator, "can_retry", True):
                raise CeremonyError(
                    f"the passphrase for key {record.name} does not open {relpath}",
                    where=where,
                    todo=f"check the environment variable {env}" if env else error.todo,
                ) from None
    if ctx.flavor.key_id(signer.crypto_public_key) != record.keyid:
        signer.close()
        raise CeremonyError(
            f"{relpath} holds a different key than the one named {record.name}",
            where=where,
            todo="the media was changed after it was made: do not use it",
        )
    ctx.passphrases[name] = passphrase
    record.signer = signer
    if scheme in ("age-file", "notary-file"):
        record.stored = data
    yield KeyLoaded(key=record.name, keyid=record.keyid, location=record.location)


# -- the ceremony's keyring ----------------------------------------------------------------


def know_current_keys(ctx: Context) -> None:
    """Know every key of the current state by its name (none open yet)."""
    for name, record in ctx.building_on.keys.items():
        ctx.keys[name] = record.unopened_copy()
