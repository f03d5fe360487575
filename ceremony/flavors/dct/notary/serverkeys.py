"""The Notary server's own public keys, brought to the offline side on media.

The server always signs timestamp.json, and snapshot.json too unless the
snapshot key is offline; the root must name the keys it holds. On the online
side ``scripts/dct-fetch-keys`` saves what ``GET /v2/<gun>/_trust/tuf/
timestamp.key`` (and ``snapshot.key``) return, one file per key, at
``<media>/<gun>/timestamp.key`` and ``<media>/<gun>/snapshot.key``. This
module reads those files back, strictly: they are input from the online world.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ceremony.bundle.reading import read_plain_file
from ceremony.errors import UnsafeFileError
from ceremony.flavors.dct.notary import canonical as cjson
from ceremony.flavors.dct.notary.errors import DctError, NotaryFormatError
from ceremony.flavors.dct.notary.keyids import public_key_of
from ceremony.flavors.dct.notary.model import PublicKey
from ceremony.flavors.dct.notary.validate import check_gun
from ceremony.verify.limits import KEY_FILE_MAX_BYTES


@dataclass(frozen=True)
class ServerKeys:
    """The server-held keys for one GUN: timestamp always, snapshot when the server signs it."""

    timestamp: PublicKey
    snapshot: PublicKey | None = None


def server_key_path(media_dir: Path, gun: str, role: str) -> Path:
    return Path(media_dir) / check_gun(gun) / f"{role}.key"


def parse_server_key(data: bytes, where: str) -> PublicKey:
    """A public key as the server's ``<role>.key`` endpoint returns it."""
    key = PublicKey.from_dict(cjson.loads(data, where), where)
    if key.keytype not in ("ed25519", "ecdsa", "rsa"):
        raise NotaryFormatError(f"a {key.keytype} key cannot be a server-held key", where=where)
    public_key_of(key)  # raises when the key bytes are not a key
    return key


def load_server_keys(media_dir: Path, gun: str, *, snapshot: bool = True) -> ServerKeys:
    """The server keys for ``gun`` from media; a missing file is a clear error."""
    keys = {role: read_server_key(media_dir, gun, role)
            for role in (("timestamp", "snapshot") if snapshot else ("timestamp",))}
    return ServerKeys(timestamp=keys["timestamp"], snapshot=keys.get("snapshot"))


def read_server_key(media_dir: Path, gun: str, role: str) -> PublicKey:
    """The server's ``role`` key for ``gun`` from media, a file of one key
    (KEY_FILE_MAX_BYTES); DctError says what is wrong with it and what to do."""
    path = server_key_path(media_dir, gun, role)
    try:
        data = read_plain_file(path, KEY_FILE_MAX_BYTES)
    except UnsafeFileError as error:
        if error.reason == "missing":
            what = f"the Notary server's {role} key for {gun} is not on the media"
            todo = ("Run scripts/dct-fetch-keys for this GUN on the online side and bring the "
                    "media back; nothing was signed")
        elif error.reason == "too large":
            what = f"the {role} key file is too large to be a key ({error.too_large})"
            todo = ("Run scripts/dct-fetch-keys for this GUN again and bring the media back: a "
                    "server's key file takes some 200 bytes; nothing was signed")
        elif error.reason in ("link", "not plain"):
            what = f"the {role} key file {error.what}; only plain files are read"
            todo = ("copy the file itself onto the media (scripts/dct-fetch-keys writes plain "
                    "files); nothing was signed")
        else:
            what, todo = f"the {role} key file cannot be read ({error.system_reason})", ""
        kind = NotaryFormatError if error.reason == "too large" else DctError
        raise kind(what, where=str(path), todo=todo) from None
    return parse_server_key(data, str(path))
