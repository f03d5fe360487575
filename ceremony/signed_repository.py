"""The repositories a bundle signs by name, and the root that trusts each.

A Docker Content Trust bundle signs each repository (GUN) under its own
root; a ceremony that moves those repositories elsewhere (the Sigstore
flavor's migrate-dct) asks the bundle's flavor for them through
``Flavor.signed_repositories`` and never reads another flavor's files.
A flavor whose bundles sign no repository by name refuses with
:func:`names_no_repositories`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ceremony.errors import BundleError


@dataclass(frozen=True)
class SignedRepository:
    """One repository of a verified bundle, and the root it is signed under."""

    name: str  # as the bundle names it: a GUN, registry.example.com/team/app
    root_version: int
    root_keyids: tuple[str, ...]  # the ids of its root keys, as its flavor names them
    root_keys: tuple[str, ...]  # their names in the bundle's key index (where known)
    threshold: int  # how many of the root keys sign its root
    rehearsal: bool = False  # the bundle was made by a rehearsal


def names_no_repositories(title: str, bundle: Path) -> BundleError:
    """The refusal of a flavor whose bundles sign no repository by name."""
    return BundleError(
        f"a {title} bundle signs no repositories by name",
        where=str(bundle),
        todo="name the bundle of a Docker Content Trust ceremony, whose GUNs move",
    )
