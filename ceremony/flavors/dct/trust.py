"""Importing existing Docker Content Trust: a copy of ``~/.docker/trust`` on media.

Docker (and notary) keep, per machine, ``private/<canonical id>.key`` files
(encrypted; a ``role:`` header says root, targets or snapshot, a ``gun:``
header which repository a targets key is for) and, per repository,
``tuf/<gun>/metadata/root.json``: the root that machine last trusted. This
module reads such a copy into a :class:`DctState`: each GUN's cached root,
and, as key records, the root keys its root names and its targets key when
their files are present. Key files are only read here, never opened: their
passphrases are asked for when the ceremony signs. The trust dir is hostile
input like any media: bounded reads, no links followed, a depth limit.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

from ceremony.engine.keyring import KeyRecord
from ceremony.errors import BundleError
from ceremony.flavors.dct.folders import MOST_GUN_PARTS
from ceremony.flavors.dct.notary.errors import DctError
from ceremony.flavors.dct.notary.keyfiles import pem_decode
from ceremony.flavors.dct.notary.keyids import public_key_of
from ceremony.flavors.dct.notary.signing import verify_role
from ceremony.flavors.dct.notary.validate import check_gun
from ceremony.flavors.dct.state import KEY_FILE, ROOT, DctState, GunState, read_bounded
from hsm.algorithms import algorithm_of_public_key
from hsm.errors import KeyBackendError
from hsm.signer import public_pem

_KEY_FILE = re.compile(r"([0-9a-f]{64})\.key")
#: canonical id -> (path relative to the trust dir, PEM headers) of a key file
KeyFiles = dict[str, tuple[str, dict[str, str]]]
MAX_DEPTH = MOST_GUN_PARTS + 1  # tuf/<GUN>/metadata: a folder below the GUN's
ROOT_PASSPHRASE = "docker-root"
TARGETS_PASSPHRASE = "docker-targets"


def read_trust_dir(trust_dir: Path, guns: tuple[str, ...] = ()) -> DctState:
    """The GUNs (``guns``, or every one cached) and keys of a Docker trust dir."""
    if not (trust_dir / "tuf").is_dir() and not (trust_dir / "private").is_dir():
        raise BundleError(
            "is not a Docker trust dir (no tuf/ and no private/ folder)",
            where=str(trust_dir),
            todo="copy ~/.docker/trust (or notary's trust dir) from the machine that holds the "
            "root keys, and name that copy in import-trust:",
        )
    state = DctState(
        source="docker-trust",
        path=trust_dir,
        read_elsewhere=lambda relpath: read_bounded(trust_dir / relpath, trust_dir, KEY_FILE),
    )
    cached = guns or tuple(_cached_guns(trust_dir))
    if not cached:
        raise BundleError(
            "holds no repository (no tuf/<gun>/metadata/root.json)",
            where=str(trust_dir),
            todo="run `docker trust inspect GUN` once on that machine, or list guns: explicitly",
        )
    for name in cached:
        state.guns[name] = _read_gun(trust_dir, name)
        state.scope.append(name)
    key_files = _key_files(trust_dir)
    for gun in state.guns.values():
        _match_keys(state, gun, key_files)
    return state


def _cached_guns(trust_dir: Path) -> Iterator[str]:
    tuf = trust_dir / "tuf"
    for folder, dirs, files in os.walk(tuf):
        depth = len(Path(folder).relative_to(tuf).parts)
        dirs[:] = sorted(
            d for d in dirs if depth < MAX_DEPTH and not os.path.islink(os.path.join(folder, d))
        )
        if Path(folder).name == "metadata" and "root.json" in files:
            gun = str(Path(folder).parent.relative_to(tuf))
            try:
                yield check_gun(gun)
            except DctError:
                continue


def _read_gun(trust_dir: Path, gun: str) -> GunState:
    check_gun(gun)
    folder = trust_dir / "tuf" / gun / "metadata"
    path = folder / "root.json"
    if not path.exists():
        raise BundleError(
            f"has no cached root for {gun}",
            where=str(path),
            todo="run `docker trust inspect` for this GUN on the machine whose trust dir this is, "
            "then copy it again; or leave the GUN out of guns:",
        )
    data = read_bounded(path, kind=ROOT)
    state = GunState(gun=gun, history=[data], source="docker-trust")
    root = state.root.signed
    state.history_from = root.version
    role = root.roles["root"]
    keys = {keyid: root.keys[keyid] for keyid in role.keyids if keyid in root.keys}
    if not verify_role(state.root, keys, role.threshold, "root").met:
        raise DctError(
            "the cached root is not signed by its own root keys",
            where=str(path),
            todo="this trust dir was altered or damaged: copy it again from the laptop",
        )
    targets = folder / "targets.json"
    if targets.exists():
        state.targets_bytes = read_bounded(targets)
    return state


def _key_files(trust_dir: Path) -> KeyFiles:
    """canonical id -> (path relative to the trust dir, PEM headers), for every key file."""
    found: KeyFiles = {}
    private = trust_dir / "private"
    for folder, dirs, files in os.walk(private):
        depth = len(Path(folder).relative_to(private).parts)
        dirs[:] = sorted(
            d for d in dirs if depth < 3 and not os.path.islink(os.path.join(folder, d))
        )
        for name in sorted(files):
            match = _KEY_FILE.fullmatch(name)
            path = Path(folder) / name
            if not match or path.is_symlink():
                continue
            relpath = str(path.relative_to(trust_dir))
            try:
                _kind, headers, _body = pem_decode(read_bounded(path, kind=KEY_FILE), relpath)
            except (DctError, BundleError):
                continue
            found[match.group(1)] = (relpath, headers)
    return found


def _match_keys(state: DctState, gun: GunState, key_files: KeyFiles) -> None:
    """Key entries for the root keys and targets key of ``gun`` whose files are here."""
    root = gun.root.signed
    snapshot_ids = gun.canonical_ids("snapshot")
    if any(
        key_id in key_files and key_files[key_id][1].get("role") == "snapshot"
        for key_id in snapshot_ids
    ):
        gun.snapshot = "offline"  # this machine signs snapshots: the server cannot
    for role, prefix, passphrase in (
        ("root", "docker-root", ROOT_PASSPHRASE),
        ("targets", "docker-targets", TARGETS_PASSPHRASE),
    ):
        for canonical, keyid in gun.canonical_ids(role).items():
            if canonical not in key_files:
                continue
            relpath, headers = key_files[canonical]
            if headers.get("role", role) != role:
                continue
            name = f"{prefix}-{canonical[:8]}"
            entry = state.keys.get(name)
            if entry is None:
                public_key = public_key_of(root.keys[keyid])
                try:
                    algorithm = algorithm_of_public_key(public_key).name
                except KeyBackendError:
                    algorithm = type(public_key).__name__
                entry = state.keys[name] = KeyRecord(
                    name=name,
                    keyid=canonical,
                    algorithm=algorithm,
                    backend="docker-trust",
                    location=f"docker-trust:{relpath}",
                    public_pem=public_pem(public_key),
                    passphrase=passphrase,
                )
            entry.roles.add(role)
            entry.repositories[gun.gun] = keyid
