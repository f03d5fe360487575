"""What a Docker Content Trust ceremony builds on: GUNs, root histories, keys.

Preflight reads it (engine/dct_preflight.py) from the places a dct script
names: the bundle of the last ceremony (dct_current.py), a Docker trust dir
being imported (dct_trust.py), the server's current metadata brought on
media (dct_published.py) and the server's own keys. The kinds then work on
this state only. Nothing here holds a private key or a passphrase: key
records say where a private key lives, never what it is.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ceremony.bundle.reading import read_plain_file
from ceremony.engine.current import CurrentState
from ceremony.errors import BundleError, UnsafeFileError
from ceremony.flavors.dct.notary.errors import DctError
from ceremony.flavors.dct.notary.keyids import canonical_keyid
from ceremony.flavors.dct.notary.model import Metadata, PublicKey, Root, Targets, read_metadata
from ceremony.flavors.dct.notary.root import check_rotation
from ceremony.flavors.dct.notary.serverkeys import ServerKeys
from ceremony.flavors.dct.notary.signing import verify_role
from ceremony.flavors.dct.shared_reading import read_shared
from ceremony.threshold import ThresholdResult, threshold_result
from ceremony.verify.limits import KEY_FILE_MAX_BYTES, METADATA_MAX_BYTES, ROOT_MAX_BYTES

#: what read_bounded reads at most: verify's limits, so that a file the server serves
#: or a client holds is read whole when a bundle could hold it, and refused as it is
#: read when none could
METADATA = (METADATA_MAX_BYTES, "metadata file")
ROOT = (ROOT_MAX_BYTES, "root file")
KEY_FILE = (KEY_FILE_MAX_BYTES, "key file")


@dataclass
class GunState:
    """One GUN as the ceremony finds it."""

    gun: str
    history: list[bytes]  # root.json versions, oldest first, from ``history_from``
    history_from: int = 1
    snapshot: str = "server"  # "offline": the server does not hold the snapshot key
    targets_bytes: bytes | None = None  # the newest targets.json known
    targets_from_server: bool = False
    source: str = "bundle"  # "bootstrap", "bundle" or "docker-trust"

    @functools.cached_property
    def root(self) -> Metadata[Root]:
        """The newest root, for readers only: shared, inside a ceremony or a seal,
        with every other reader of its bytes (the verification of the bundle it
        came from parsed them already)."""
        return read_shared(self.history[-1], Root, f"{self.gun} root.json")

    @property
    def root_version(self) -> int:
        return self.root.signed.version

    @functools.cached_property
    def targets(self) -> Metadata[Targets] | None:
        if self.targets_bytes is None:
            return None
        return read_metadata(self.targets_bytes, Targets, f"{self.gun} targets.json")

    def role_keyids(self, role: str) -> list[str]:
        return list(self.root.signed.roles[role].keyids)

    def canonical_ids(self, role: str) -> dict[str, str]:
        """The canonical id of each key of ``role`` -> the id this root knows it by."""
        root = self.root.signed
        return {canonical_keyid(root.keys[keyid]): keyid for keyid in root.roles[role].keyids}


@dataclass
class ServerKeyChange:
    """The server's keys for one GUN as found on media (None: not on the media)."""

    timestamp: PublicKey | None = None
    snapshot: PublicKey | None = None


class DctState(CurrentState, frozen=False):
    """Everything preflight found for a dct ceremony (``ctx.current``)."""

    source: str = "none"  # "none" (bootstrap), "bundle" or "docker-trust"
    guns: dict[str, GunState] = {}  # new for each (PlainRecord), as every default below
    scope: list[str] = []  # the GUNs worked on, in script order
    # a bootstrap's: gun -> the server's keys its roots name
    server_keys: dict[str, ServerKeys] = {}
    # a rotation's: gun -> the server's keys found on media, which its roots name from now
    server_key_changes: dict[str, ServerKeyChange] = {}
    warnings: list[str] = []
    expired: list[str] = []  # what had expired (renew only)

    def root_thresholds(self, keyids: Iterable[str]) -> list[tuple[str, ThresholdResult]]:
        """What ``keyids`` (canonical ids) give the root of every GUN in scope."""
        present = set(keyids)
        results = []
        for gun in self.scope:
            state = self.guns[gun]
            role = state.root.signed.roles["root"]
            label = f"the root of {gun} (version {state.root_version})"
            result = threshold_result(state.canonical_ids("root"), role.threshold, present)
            results.append((label, result))
        return results

    def roles_of(self, keyid: str) -> tuple[str, ...]:
        """("root",) when ``keyid`` is a root key of a GUN in scope."""
        if any(keyid in self.guns[gun].canonical_ids("root") for gun in self.scope):
            return ("root",)
        return ()

    def role_keys(self) -> list[tuple[str, str, set[str], int]]:
        """The root role of every GUN in scope (repository keys are CI's, replaced by a
        rotation), by canonical ids."""
        return [(f"the root of {gun}", "root", set(self.guns[gun].canonical_ids("root")),
                 self.guns[gun].root.signed.roles["root"].threshold) for gun in self.scope]


def read_bounded(path: Path, base: Path | None = None,
                 kind: tuple[int, str] = METADATA) -> bytes:
    """A plain file of at most ``kind``'s bytes (:data:`METADATA`, :data:`ROOT`,
    :data:`KEY_FILE`), read from hostile media: never through a symbolic link, never
    from a pipe or device."""
    limit, what = kind
    where = str(path.relative_to(base)) if base and path.is_relative_to(base) else str(path)
    try:
        return read_plain_file(path, limit)
    except UnsafeFileError as error:
        reason = {
            "link": "is a symbolic link; only plain files are read",
            "not plain": "is not a plain file (a pipe, device or socket); only plain files "
            "are read",
            "missing": "is missing",
            "too large": f"is {error.too_large} (verify's limit for a {what}): no client "
            "or bundle holds one this large; find out what wrote it",
        }.get(error.reason, f"cannot be read: {error.system_reason}")
        raise BundleError(reason, where=where) from None


def chain_roots(trusted: Metadata[Root], newer: list[bytes], gun: str) -> list[Metadata[Root]]:
    """Each root in ``newer`` (versions trusted+1, +2, ...) checked as a client
    follows a rotation: exactly version + 1, both thresholds met."""
    chained, previous = [], trusted
    for data in newer:
        try:
            metadata = read_metadata(data, Root, f"{gun} root.json")
            check_rotation(previous.signed, metadata)
        except DctError as error:
            raise DctError(
                f"root version {previous.signed.version + 1} does not follow version "
                f"{previous.signed.version}: {error.what}",
                where=gun,
                todo="Fetch the server's state again; if it persists, the server's root was "
                "changed by someone who does not hold the root keys",
            ) from None
        chained.append(metadata)
        previous = metadata
    return chained


def check_targets(gun: GunState, metadata: Metadata[Targets]) -> ThresholdResult:
    """``metadata`` (a targets.json) is signed by the threshold of ``gun``'s targets
    role: what its keys give it, or a DctError."""
    root = gun.root.signed
    role = root.roles["targets"]
    keys = {keyid: root.keys[keyid] for keyid in role.keyids if keyid in root.keys}
    result = verify_role(metadata, keys, role.threshold, "targets")
    if not result.met:
        raise DctError(
            f"the targets key of root version {root.version} gives targets.json "
            f"{result.words('valid signature')}",
            where=gun.gun,
            todo="Fetch the server's state again; a targets.json the root does not trust "
            "cannot be built on",
        )
    return result
