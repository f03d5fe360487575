"""Keys in a Docker Content Trust ceremony: what only DCT does with them.

Root keys are made, stored (age files) and opened like every flavor's
(engine/keys.py, engine/tokens.py). What is DCT's own:

- repository (targets), offline snapshot and delegation keys are made here
  and handed to CI in notary's own key-file format
  (``ci/trust/private/<canonical id>.key``), encrypted to one passphrase the
  operator gives per script key; with ``repository-keys: per-gun`` one
  targets key is made for each GUN, named ``<key>-<first 8 of its id>``;
- keys of a Docker trust dir being imported are opened from its key files;
- a key's notary form (its canonical key object, its notary signer) is made
  once per key (:func:`notary_key`, :func:`notary_signer`).

Key ids shown and recorded are notary's canonical ids (what ``notary key
list`` shows). Passphrases stay in memory, as Secrets, and are forgotten
when the ceremony ends.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass, field

from ceremony.engine.context import Context
from ceremony.engine.key_files import AGE_KEY_FILE, KeyFileFormat
from ceremony.engine.keyring import KeyRecord
from ceremony.engine.keys import make_software_key, new_passphrase
from ceremony.errors import CeremonyError
from ceremony.events import Event
from ceremony.flavors.dct import layout
from ceremony.flavors.dct.notary.errors import KeyFilePassphraseError
from ceremony.flavors.dct.notary.keyfiles import key_file_bytes, read_key_file
from ceremony.flavors.dct.notary.keyids import key_for_public_key
from ceremony.flavors.dct.notary.model import PublicKey
from ceremony.flavors.dct.notary.repository import GunUpdate
from ceremony.flavors.dct.notary.signing import NotarySigner
from ceremony.script.plan import KeySpec
from hsm.errors import WrongPassphraseError
from hsm.software import SoftwareKey


@dataclass
class DctRun:
    """What one DCT ceremony builds while it runs (``ctx.work``)."""

    updates: dict[str, GunUpdate] = field(default_factory=dict)  # gun -> what to publish
    per_gun: dict[str, dict[str, str]] = field(default_factory=dict)  # script key -> gun -> key


@dataclass(frozen=True)
class NotaryKeyFile:
    """A key in notary's (and Docker's) encrypted key-file format.

    Each file carries the ``path:`` header of ``notary key export`` too: with
    it the same file works in a trust dir (copied into ``private/``) and with
    ``notary key import``, which refuses a key block without one.
    """

    scheme: str = "notary-file"
    encryption: str = "notary-pbes2-aes256"
    role: str = ""
    gun: str | None = None

    def encrypt(self, key: SoftwareKey, passphrase: str) -> bytes:
        private_key = key.private_key_for_custody()  # encrypted at once, for CI
        try:
            return key_file_bytes(
                private_key, passphrase, role=self.role, gun=self.gun, export_path=True
            )
        finally:
            del private_key

    def open(self, data: bytes, passphrase: str, where: str) -> SoftwareKey:
        try:
            return SoftwareKey(read_key_file(data, passphrase, where).private_key, where)
        except KeyFilePassphraseError as error:
            raise WrongPassphraseError(error.what, error.todo) from None


#: the key files a DCT ceremony opens, by the scheme of a key's location
KEY_FILES: dict[str, KeyFileFormat] = {
    "age-file": AGE_KEY_FILE,
    "notary-file": NotaryKeyFile(),
    "docker-trust": NotaryKeyFile(scheme="docker-trust"),
}


def notary_key(record: KeyRecord) -> PublicKey:
    """The key as notary names it outside root certificates (canonical)."""
    if "notary_key" not in record.views:
        record.views["notary_key"] = key_for_public_key(record.public_key)
    key: PublicKey = record.views["notary_key"]
    return key


def notary_signer(record: KeyRecord) -> NotarySigner:
    """The open key, prepared for notary (made once per opened signer)."""
    if record.signer is None:
        raise CeremonyError(f"key {record.name} is not open", todo="this is a fault in the tool")
    made = record.views.get("notary_signer")
    if made is None or made.signer is not record.signer:
        made = record.views["notary_signer"] = NotarySigner(record.signer)
    signer: NotarySigner = made
    return signer


def _key_name(ctx: Context, name: str, keyid: str, *, gun: str | None) -> str:
    """A per-GUN key's name: the script key's, with the first 8 digits of its id
    (16 when two ids are alike in their first 8)."""
    if gun is None:
        return name
    short = f"{name}-{keyid[:8]}"
    return f"{name}-{keyid[:16]}" if short in ctx.keys else short


def generate_exported_keys(
    ctx: Context,
    spec: KeySpec,
    *,
    role: str,
    guns: list[str] | None,
    header_role: str | None = None,
) -> Iterator[Event]:
    """Keys made here for CI: one per GUN in ``guns`` (None: one key for all),
    each written as a notary key file under the one passphrase asked for ``spec``."""
    passphrase = new_passphrase(
        ctx,
        spec.name,
        f"New passphrase for the {role} key file(s) of {spec.name}, which CI will use",
    )
    run: DctRun = ctx.work
    for gun in guns if guns is not None else [None]:
        key_file = NotaryKeyFile(
            role=header_role or role, gun=gun if role in ("targets", "snapshot") else None
        )
        record = yield from make_software_key(
            ctx,
            spec,
            name=functools.partial(_key_name, ctx, spec.name, gun=gun),
            roles={role},
            path=layout.key_file_path,
            key_file=key_file,
            passphrase=lambda: passphrase,
        )
        if gun is not None:
            run.per_gun.setdefault(spec.name, {})[gun] = record.name
