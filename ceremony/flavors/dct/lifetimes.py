"""``ceremony status`` for Docker Content Trust: each GUN's roles, versions and expiries.

A path is a DCT bundle (one root history per GUN), a notary root.json, a
``scripts/dct-fetch-keys --state`` folder or a notary or Docker client's
trust dir (flavors/dct/folders.py). Each is read as ``ceremony inspect``
reads it (flavors/dct/inspect.py, strict and bounded, signatures not
checked): each GUN's newest root becomes a
:class:`~ceremony.lifecycle.lifetime.Lifetime` scoped by its GUN, and so do
the targets, snapshot and timestamp files beside it (a bundle and a state
folder hold targets.json; a trust dir all four, as its client trusts them).
"""

from __future__ import annotations

from pathlib import Path

from ceremony.errors import BundleError
from ceremony.flavors.dct.inspect import inspect_dct, notary_file
from ceremony.flavors.dct.notary.errors import DctError
from ceremony.lifecycle.lifetime import Lifetime
from ceremony.verify.problem import safe_path

BESIDE_ROOT = ("targets", "snapshot", "timestamp")


def dct_lifetimes(path: Path) -> list[Lifetime]:
    """Each GUN's newest root at ``path``, and the role files beside it."""
    lifetimes = []
    for gun in inspect_dct(path)["guns"]:
        root = Path(str(gun["path"]))
        scope = str(gun["gun"] or "")
        lifetimes.append(_lifetime(root, "root", scope))
        if path.is_dir():  # a lone root.json speaks for itself only
            lifetimes += [_lifetime(root.parent / f"{role}.json", role, scope)
                          for role in BESIDE_ROOT if (root.parent / f"{role}.json").is_file()]
    return lifetimes


def _lifetime(file: Path, role: str, scope: str) -> Lifetime:
    signed = notary_file(file).signed
    if signed.TYPE.lower() != role:
        raise BundleError(f"is {signed.TYPE} metadata, not {role}", where=safe_path(str(file)),
                          todo="run ceremony verify on it")
    try:
        expires = signed.expires_at
    except DctError:
        raise BundleError(
            f"has an expiry that is no time: {safe_path(str(signed.expires))}",
            where=safe_path(str(file)), todo="run ceremony verify on it",
        ) from None
    return Lifetime(role=role, version=signed.version, expires=expires, file=str(file),
                    scope=scope)
