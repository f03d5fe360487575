"""``ceremony status`` for TUF: each top-level role's version and expiry at a path.

A path is a bundle (its ``metadata/`` folder), a published repository's
metadata folder (``root.json`` or ``N.root.json``, ``timestamp.json``,
``N.snapshot.json``...) or one metadata file. For every role the newest
file is read: ``ROLE.json`` where it is, else the highest ``N.ROLE.json``
(consistent snapshots), and for root the highest ``N.root.json`` first,
also in ``root_history/``: a python-tuf client's metadata cache (sigstore-
python's ``~/.local/share/sigstore-python/tuf/<mirror>/``) keeps its roots
there, its root.json a link to the newest, which is not followed.
Reading is as strict and bounded as verify's; signatures are not checked
here (that is ``ceremony verify``'s job).
"""

from __future__ import annotations

import re
from pathlib import Path

from ceremony.errors import BundleError
from ceremony.flavors.tuf.verify.metadata import TOP_LEVEL_ROLES, read_metadata
from ceremony.lifecycle.lifetime import Lifetime
from ceremony.verify.errors import MalformedJSONError
from ceremony.verify.limits import METADATA_MAX_BYTES
from ceremony.verify.loader import read_file_within
from ceremony.verify.problem import Problem, safe_path
from ceremony.verify.strict_json import parse_json

#: what status reads, for the error of a path it cannot
PATHS_TODO = ("give a bundle, a published metadata folder or one metadata file, a client's "
              "TUF cache folder, or a Sigstore trusted_root.json or a folder holding one")
# up to 19 digits: a Sigstore mirror's N.snapshot.json after a ceremony with an online
# signer is numbered by the ceremony's time in seconds (10 digits today)
_VERSIONED = re.compile(r"([1-9][0-9]{0,18})\.([a-z]+)\.json")


def tuf_lifetimes(path: Path) -> list[Lifetime]:
    """Every top-level role's lifetime at ``path`` (see the module text)."""
    if not path.is_dir() or path.is_symlink():
        return [_lifetime(path, _type_of(path))]
    folder = path / "metadata" if (path / "metadata").is_dir() else path
    files = [file for role in TOP_LEVEL_ROLES if (file := _newest(folder, role))]
    if not files or files[0][0] != "root":
        raise BundleError(
            "no root metadata here (root.json or N.root.json)",
            where=safe_path(str(path)),
            todo=PATHS_TODO,
        )
    return [_lifetime(file, role) for role, file in files]


def _newest(folder: Path, role: str) -> tuple[str, Path] | None:
    history = folder / "root_history"
    if role == "root" and history.is_dir() and not history.is_symlink():
        newest = _newest(history, role)
        if newest:
            return newest
    versions = sorted(
        int(match.group(1))
        for entry in folder.iterdir()
        if (match := _VERSIONED.fullmatch(entry.name)) and match.group(2) == role
    )
    plain = folder / f"{role}.json"
    if role == "root" and versions:
        return role, folder / f"{versions[-1]}.root.json"
    if plain.is_file():
        return role, plain
    if versions:
        return role, folder / f"{versions[-1]}.{role}.json"
    return None


def _type_of(path: Path) -> str:
    try:
        document = parse_json(read_file_within(path, METADATA_MAX_BYTES, "a metadata file"))
    except MalformedJSONError as error:
        raise BundleError(str(error), where=safe_path(str(path)), todo=PATHS_TODO) from None
    signed = document.get("signed") if isinstance(document, dict) else None
    kind = signed.get("_type") if isinstance(signed, dict) else None
    if kind not in TOP_LEVEL_ROLES:
        raise BundleError(
            "is not TUF root, targets, snapshot or timestamp metadata",
            where=safe_path(str(path)),
            todo=PATHS_TODO,
        )
    return str(kind)


def _lifetime(path: Path, role: str) -> Lifetime:
    data = read_file_within(path, METADATA_MAX_BYTES, "a metadata file")
    problems: list[Problem] = []
    file = read_metadata(str(path), data, role, problems)
    if file is None or file.version is None or file.expires is None:
        what = problems[0].what if problems else "has no version or expiry"
        raise BundleError(what, where=safe_path(str(path)), todo="run ceremony verify on it")
    return Lifetime(role=role, version=file.version, expires=file.expires, file=str(path))
