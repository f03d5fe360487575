"""The Notary server's current metadata, brought to the offline side on media.

``scripts/dct-fetch-keys --state`` writes, per GUN, what the server serves
now: ``<gun>/root.json``, every ``<gun>/<N>.root.json`` and
``<gun>/targets.json``. (A previous bundle's ``publish/`` folder has the
same layout and can stand in for it when nothing was published since.)
A rotation or delegation builds on it: CI adds targets and delegations
online, so the targets.json to re-sign is the server's, not the bundle's.

:func:`reconcile` checks the server's state against what the ceremony
trusts: the server's root must be the one trusted, or follow from it
through verified rotations; its targets.json must be signed by the targets
key that root names. Nothing here trusts the media without checking.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ceremony.errors import BundleError
from ceremony.flavors.dct.notary.errors import DctError
from ceremony.flavors.dct.notary.model import Metadata, Root, Targets, read_metadata
from ceremony.flavors.dct.state import ROOT, GunState, chain_roots, check_targets, read_bounded

_VERSIONED = re.compile(r"([1-9][0-9]{0,8})\.root\.json")


@dataclass
class Published:
    """What the server served for one GUN, as bytes."""

    gun: str
    root: bytes | None = None
    versions: dict[int, bytes] = field(default_factory=dict)
    targets: bytes | None = None


def read_published(folder: Path, gun: str) -> Published:
    """The server's files for ``gun`` under ``folder`` (missing ones stay None)."""
    where = folder / gun
    if not where.is_dir():
        raise BundleError(
            f"has nothing for {gun}",
            where=str(folder),
            todo=f"run `scripts/dct-fetch-keys --state ... {gun}` on the online side and bring "
            "the media back",
        )
    published = Published(gun)
    for path in sorted(where.iterdir()):
        match = _VERSIONED.fullmatch(path.name)
        if match:
            published.versions[int(match.group(1))] = read_bounded(path, folder, ROOT)
        elif path.name == "root.json":
            published.root = read_bounded(path, folder, ROOT)
        elif path.name == "targets.json":
            published.targets = read_bounded(path, folder)
    return published


def reconcile(gun: GunState, published: Published, *, need_targets: bool) -> list[str]:
    """Bring ``gun`` up to the server's state; return warnings. Raises DctError
    when the server's root does not follow from the trusted one."""
    warnings: list[str] = []
    newest = published.root
    if newest is None and published.versions:
        newest = published.versions[max(published.versions)]
    if newest is None:
        warnings.append(
            f"{gun.gun}: the server's state has no root.json; root version {gun.root_version} "
            "of the bundle is taken as the server's"
        )
    else:
        server = read_metadata(newest, Root, f"{gun.gun} root.json")
        _follow_root(gun, published, server, warnings)
    if published.targets is not None:
        metadata = read_metadata(published.targets, Targets, f"{gun.gun} targets.json")
        check_targets(gun, metadata)
        gun.targets_bytes = published.targets
        gun.targets_from_server = True
        gun.__dict__.pop("targets", None)
    elif need_targets:
        raise DctError(
            "the server's state has no targets.json for this GUN",
            where=gun.gun,
            todo="fetch it with `scripts/dct-fetch-keys --state`; a new targets.json must "
            "build on the server's current one",
        )
    return warnings


def _follow_root(
    gun: GunState, published: Published, server: Metadata[Root], warnings: list[str]
) -> None:
    trusted = gun.root
    have, theirs = trusted.signed.version, server.signed.version
    if theirs < have:
        raise DctError(
            f"the server's root is version {theirs}, older than version {have} in the bundle",
            where=gun.gun,
            todo="publish the last ceremony's publish set first (scripts/dct-publish), then "
            "fetch the server's state again",
        )
    if theirs == have:
        if server.signed_bytes() != trusted.signed_bytes():
            raise DctError(
                f"the server's root version {theirs} is not the one this ceremony trusts",
                where=gun.gun,
                todo="someone published a different root: stop and find out who before signing",
            )
        _take_earlier_history(gun, published)
        return
    wanted = [published.versions.get(v) for v in range(have + 1, theirs)] + [server.original]
    newer = [data for data in wanted if data is not None]
    if len(newer) != len(wanted):
        raise DctError(
            f"the server's root is version {theirs} and the media lacks the versions between "
            f"{have} and {theirs}",
            where=gun.gun,
            todo="fetch the state with `scripts/dct-fetch-keys --state`, which brings every "
            "N.root.json",
        )
    chain_roots(trusted, newer, gun.gun)
    gun.history = gun.history + newer
    gun.__dict__.pop("root", None)
    warnings.append(
        f"{gun.gun}: the server's root went from version {have} to {theirs} outside this "
        "tool's ceremonies; the new versions follow from the trusted root and are kept"
    )


def _take_earlier_history(gun: GunState, published: Published) -> None:
    """An imported GUN knows only its cached root; the server's N.root.json give the
    versions before it, which must lead to exactly that root."""
    if gun.history_from == 1 or gun.source != "docker-trust":
        return
    first = gun.history_from
    wanted = [published.versions.get(v) for v in range(1, first)]
    older = [data for data in wanted if data is not None]
    if len(older) != len(wanted):
        return  # the history then starts at the cached root (verify says so)
    try:
        start = read_metadata(older[0], Root, f"{gun.gun} 1.root.json")
        chained = chain_roots(start, older[1:] + [gun.history[0]], gun.gun)
    except DctError:
        return
    if chained and chained[-1].signed_bytes() == gun.root.signed_bytes():
        gun.history = older + gun.history
        gun.history_from = 1
