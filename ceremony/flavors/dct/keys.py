"""Keys in a Docker Content Trust ceremony: made, exported for CI, opened, imported.

- Root keys are made in software and stored like TUF root keys: an age file
  encrypted to their keyholder's passphrase, read back and opened again
  before the ceremony goes on (``keys/offline/NAME.age``); or, with
  ``backend: pkcs11``, made on a token and named by their ``pkcs11:`` URI
  (dct_tokens.py).
- Repository (targets), offline snapshot and delegation keys are made here
  and handed to CI in notary's own key-file format
  (``ci/trust/private/<canonical id>.key``), encrypted to a passphrase the
  operator gives once per script key; each file is opened again before the
  ceremony goes on. With ``repository-keys: per-gun`` one targets key is made
  for each GUN, named ``<key>-<first 8 of its id>``.
- Keys of the current state are opened from their age file, their notary key
  file, or the Docker trust dir being imported; one passphrase given for a
  name (e.g. all the per-GUN keys of ``repo``) is tried for every key asked
  under that name before the operator is asked again.

Key ids shown and recorded are notary's canonical ids (what ``notary key
list`` shows). Passphrases stay in memory, as :class:`Secret`, and are
forgotten when the ceremony ends.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Iterator

from cryptography.hazmat.primitives import serialization

from ceremony.flavors.dct import layout
from ceremony.flavors.dct.state import DctState, KeyEntry
from ceremony.engine.keys import PROMPT_TRIES, read_public_key
from ceremony.errors import CeremonyError
from ceremony.events import Event, KeyGenerated, KeyImported, KeyLoaded, KeyStored
from ceremony.flavors.dct.notary.keyfiles import KeyFilePassphraseError, key_file_bytes, read_key_file
from ceremony.flavors.dct.notary.keyids import canonical_keyid, key_for_public_key
from ceremony.flavors.dct.notary.model import PublicKey
from ceremony.flavors.dct.notary.signing import NotarySigner
from ceremony.operator import Secret, SecretRequest
from ceremony.script.plan import KeySpec
from hsm.algorithms import algorithm, algorithm_of_public_key
from hsm.errors import WrongPassphraseError
from hsm.signer import public_pem
from hsm.software import SoftwareKey


@dataclass
class DctKey:
    """A key of a DCT ceremony, by its name; ``signer`` only while it is open."""

    name: str
    keyid: str  # notary's canonical id
    algorithm: str
    backend: str  # software, pkcs11, online (public key only), docker-trust
    location: str  # age-file:PATH, notary-file:PATH, docker-trust:PATH, pkcs11:URI, online:
    public_pem: str
    holder: str | None = None
    roles: set[str] = field(default_factory=set)
    guns: dict[str, str] = field(default_factory=dict)  # gun -> the id its metadata uses
    passphrase: str = ""  # the name its passphrase is asked under
    stored: bytes | None = None  # its age or key file, to write into the bundle
    signer: object | None = None  # a SoftwareKey, or a token key's Pkcs11Signer
    _notary: NotarySigner | None = field(default=None, repr=False)

    @property
    def short_id(self) -> str:
        return self.keyid[:8]

    @functools.cached_property
    def crypto_public_key(self):
        return serialization.load_pem_public_key(self.public_pem.encode())

    @functools.cached_property
    def notary_key(self) -> PublicKey:
        """The key as notary names it outside root certificates (canonical)."""
        return key_for_public_key(self.crypto_public_key)

    def notary_signer(self) -> NotarySigner:
        if self.signer is None:
            raise CeremonyError(f"key {self.name} is not open", todo="this is a fault in the tool")
        if self._notary is None or self._notary.signer is not self.signer:
            self._notary = NotarySigner(self.signer)
        return self._notary

    @property
    def stored_path(self) -> str:
        kind, _, path = self.location.partition(":")
        return path if kind in ("age-file", "notary-file") else ""

    @classmethod
    def from_entry(cls, entry: KeyEntry) -> "DctKey":
        return cls(
            name=entry.name,
            keyid=entry.keyid,
            algorithm=entry.algorithm,
            backend=entry.backend,
            location=entry.location,
            public_pem=entry.public_pem,
            holder=entry.holder,
            roles=set(entry.roles),
            guns=dict(entry.guns),
            passphrase=entry.passphrase or entry.name,
        )


@dataclass
class DctRun:
    """What one DCT ceremony holds while it runs (``ctx.dct``)."""

    state: DctState
    passphrases: dict[str, Secret] = field(default_factory=dict, repr=False)
    updates: dict = field(default_factory=dict)  # gun -> GunUpdate (what to publish)
    per_gun: dict[str, dict[str, str]] = field(default_factory=dict)  # key spec -> gun -> key
    recovered: list[str] = field(default_factory=list)  # recover: root keys from custody

    def forget(self) -> None:
        for secret in self.passphrases.values():
            secret.forget()
        self.passphrases.clear()


def add(ctx, record: DctKey) -> None:
    for other in ctx.keys.values():
        if other.keyid == record.keyid and other.name != record.name:
            raise CeremonyError(
                f"key {record.name} is the same key as {other.name} ({record.short_id})",
                todo="one key must not be named twice",
            )
    ctx.keys[record.name] = record


def _env(ctx, name: str) -> str:
    source = ctx.plan.passphrase_for(name)
    return source.name if source.kind == "env" else ""


def _new_passphrase(ctx, name: str, prompt: str) -> Secret:
    secret = ctx.operator.secret(
        SecretRequest(
            id=f"passphrase/{name}", key=name, prompt=prompt, new=True, env=_env(ctx, name)
        )
    )
    ctx.remember_secret(secret)
    return secret


# -- made here ------------------------------------------------------------------


def add_root_key(ctx, spec: KeySpec, signer, backend: str, location: str, facts=None):
    """Know a root key made here (in software or on a token); say so. Returns
    its record (a generator: ``record = yield from add_root_key(...)``)."""
    record = DctKey(
        name=spec.name,
        keyid=canonical_keyid(signer.crypto_public_key),
        algorithm=spec.algorithm,
        backend=backend,
        location=location,
        public_pem=public_pem(signer.crypto_public_key),
        holder=spec.holder,
        roles={"root"},
        passphrase=spec.name,
        signer=signer,
    )
    add(ctx, record)
    yield KeyGenerated(
        key=spec.name,
        keyid=record.keyid,
        algorithm=spec.algorithm,
        backend=backend,
        location=location,
        holder=spec.holder,
        facts=dict(facts or {}),
    )
    return record


def generate_root_key(ctx, spec: KeySpec) -> Iterator[Event]:
    """A root key in software, stored as an age file for its keyholder and checked."""
    signer = SoftwareKey.generate(algorithm(spec.algorithm))
    relpath = layout.offline_key_path(spec.name)
    signer.stored_at(relpath)
    record = yield from add_root_key(ctx, spec, signer, signer.backend, f"age-file:{relpath}")
    passphrase = _new_passphrase(
        ctx,
        spec.name,
        f"New passphrase for root key {spec.name}"
        + (f" (keyholder {spec.holder})" if spec.holder else ""),
    )
    encrypted = signer.encrypt(passphrase.reveal())
    # open the copy as it will be on media: a key whose copy cannot be opened is about to be lost
    reopened = SoftwareKey.decrypt(encrypted, passphrase.reveal(), relpath)
    same = canonical_keyid(reopened.crypto_public_key) == record.keyid
    reopened.close()
    if not same:
        raise CeremonyError(
            f"the stored copy of key {spec.name} opens to a different key",
            todo="stop: this is a fault in the tool; nothing was sealed",
        )
    record.stored = encrypted
    yield KeyStored(key=spec.name, keyid=record.keyid, path=relpath, encryption="age-scrypt")


def generate_exported_keys(
    ctx, spec: KeySpec, *, role: str, guns: list[str] | None, header_role: str | None = None
) -> Iterator[Event]:
    """Keys made here for CI: one per GUN in ``guns`` (None: one key for all),
    each written as a notary key file under the one passphrase asked for ``spec``."""
    passphrase = _new_passphrase(
        ctx,
        spec.name,
        f"New passphrase for the {role} key file(s) of {spec.name}, which CI will use",
    )
    run = ctx.dct
    for gun in guns if guns is not None else [None]:
        signer = SoftwareKey.generate(algorithm(spec.algorithm))
        keyid = canonical_keyid(signer.crypto_public_key)
        name = spec.name if gun is None else f"{spec.name}-{keyid[:8]}"
        if name in ctx.keys:  # two ids alike in their first 8 digits: say more of it
            name = f"{spec.name}-{keyid[:16]}"
        relpath = layout.key_file_path(keyid)
        private_key = signer.private_key_for_custody()  # encrypted at once, for CI
        data = key_file_bytes(
            private_key,
            passphrase.reveal(),
            role=header_role or role,
            gun=gun if role in ("targets", "snapshot") else None,
        )
        del private_key
        record = DctKey(
            name=name,
            keyid=keyid,
            algorithm=spec.algorithm,
            backend=signer.backend,
            location=f"notary-file:{relpath}",
            public_pem=public_pem(signer.crypto_public_key),
            holder=spec.holder,
            roles={role},
            passphrase=spec.name,
            signer=signer,
            stored=data,
        )
        add(ctx, record)
        if gun is not None:
            run.per_gun.setdefault(spec.name, {})[gun] = name
        yield KeyGenerated(
            key=name,
            keyid=keyid,
            algorithm=spec.algorithm,
            backend=signer.backend,
            location=record.location,
            holder=spec.holder,
        )
        opened = read_key_file(data, passphrase.reveal(), relpath)
        if canonical_keyid(opened.private_key.public_key()) != keyid:
            raise CeremonyError(
                f"the key file of {name} opens to a different key",
                todo="stop: this is a fault in the tool; nothing was sealed",
            )
        yield KeyStored(key=name, keyid=keyid, path=relpath, encryption="notary-pbes2-aes256")


def import_public(ctx, spec: KeySpec, roles: set[str]) -> Iterator[Event]:
    """A public key from media (a key CI made): its private part stays with CI."""
    public_key = read_public_key(spec.public_key_file, spec.name)
    record = DctKey(
        name=spec.name,
        keyid=canonical_keyid(public_key),
        algorithm=algorithm_of_public_key(public_key).name,
        backend="online",
        location="online:",
        public_pem=public_pem(public_key),
        holder=spec.holder,
        roles=set(roles),
    )
    key_for_public_key(public_key)  # refuses a key notary cannot use
    add(ctx, record)
    yield KeyImported(
        key=spec.name,
        keyid=record.keyid,
        algorithm=record.algorithm,
        source=str(spec.public_key_file),
    )


# -- opened from the current state --------------------------------------------------


def open_key(ctx, record: DctKey) -> Iterator[Event]:
    """Open a current key (age file, notary key file or trust dir key) to sign today."""
    if record.signer is not None:
        return
    kind, _, relpath = record.location.partition(":")
    if kind == "pkcs11":  # a root key on a token: opened by its URI (dct_tokens.py)
        from ceremony.flavors.dct.tokens import open_root_on_token

        yield from open_root_on_token(ctx, record)
        return
    if kind not in ("age-file", "notary-file", "docker-trust"):
        raise CeremonyError(
            f"key {record.name} lives at {record.location}; this ceremony cannot open it",
            todo="leave it out, or bring it from where it lives",
        )
    state = ctx.dct.state
    data = state.key_file(relpath)
    group = record.passphrase or record.name
    where = str(state.path)
    for attempt in range(1, PROMPT_TRIES + 1):
        cached = ctx.dct.passphrases.get(group) if attempt == 1 else None
        passphrase = cached or ctx.operator.secret(
            SecretRequest(
                id=f"passphrase/{group}",
                key=group,
                prompt=f"Passphrase for key {record.name}"
                + (f" (keyholder {record.holder})" if record.holder else "")
                + (" from the Docker trust dir" if kind == "docker-trust" else ""),
                env=_env(ctx, group),
                attempt=attempt,
            )
        )
        ctx.remember_secret(passphrase)
        try:
            signer = _open(kind, data, passphrase.reveal(), relpath)
            break
        except (WrongPassphraseError, KeyFilePassphraseError) as error:
            if cached is not None:
                continue  # the name's passphrase did not open this one: ask
            env = _env(ctx, group)
            if env or attempt == PROMPT_TRIES or not getattr(ctx.operator, "can_retry", True):
                raise CeremonyError(
                    f"the passphrase for key {record.name} does not open {relpath}",
                    where=where,
                    todo=f"check the environment variable {env}" if env else error.todo,
                ) from None
    if canonical_keyid(signer.crypto_public_key) != record.keyid:
        signer.close()
        raise CeremonyError(
            f"{relpath} holds a different key than the one named {record.name}",
            where=where,
            todo="the media was changed after it was made: do not use it",
        )
    ctx.dct.passphrases[group] = passphrase
    record.signer = signer
    if kind != "docker-trust":
        record.stored = data
    yield KeyLoaded(key=record.name, keyid=record.keyid, location=record.location)


def _open(kind: str, data: bytes, passphrase: str, relpath: str) -> SoftwareKey:
    if kind == "age-file":
        return SoftwareKey.decrypt(data, passphrase, relpath)
    return SoftwareKey(read_key_file(data, passphrase, relpath).private_key, relpath)


def store_for_custody(ctx, record: DctKey) -> Iterator[Event]:
    """A root key brought from a Docker trust dir that stays a root key: stored as an
    age file like any root key made here, under a new passphrase."""
    relpath = layout.offline_key_path(record.name)
    passphrase = _new_passphrase(
        ctx, record.name, f"New passphrase for root key {record.name}, now kept offline"
    )
    record.stored = record.signer.encrypt(passphrase.reveal())
    record.location = f"age-file:{relpath}"
    record.backend = "software"
    record.passphrase = record.name
    yield KeyStored(key=record.name, keyid=record.keyid, path=relpath, encryption="age-scrypt")
