"""Where the trusted_root.json of a Sigstore path is.

A bundle keeps it at its top (so does sigstore-python's targets cache,
``~/.cache/sigstore-python/tuf/<mirror>/``), and a path may be the file
itself. A published mirror (a bundle's ``mirror/``, as the web server serves
it) keeps it as ``targets/<sha256>.trusted_root.json`` (consistent
snapshots): the one its newest targets metadata names. A client cache that
keeps its metadata and targets together (sigstore-js's @sigstore/tuf, a
python-tuf Updater whose target folder is ``targets/``) keeps it by name as
``targets/trusted_root.json``. Reading is bounded and strict; a folder
holding none gives None.
"""

from __future__ import annotations

import re
from pathlib import Path

from ceremony.errors import BundleError
from ceremony.flavors.sigstore.documents import TRUSTED_ROOT
from ceremony.verify.errors import MalformedJSONError
from ceremony.verify.limits import METADATA_MAX_BYTES
from ceremony.verify.loader import read_file_within
from ceremony.verify.strict_json import parse_json

_TARGETS = re.compile(r"([1-9][0-9]{0,8})\.targets\.json")
_SHA256 = re.compile(r"[0-9a-f]{64}")


def trusted_root_file(path: Path) -> Path | None:
    """The trusted_root.json of ``path`` (see the module text), else None; a
    path that is not a folder is taken as the file itself."""
    if not path.is_dir() or path.is_symlink():
        return path
    if (path / TRUSTED_ROOT).is_file():
        return path / TRUSTED_ROOT
    by_name = path / "targets" / TRUSTED_ROOT
    return _in_mirror(path) or (by_name if by_name.is_file() else None)


def _in_mirror(folder: Path) -> Path | None:
    versions = sorted(int(m.group(1)) for entry in folder.iterdir()
                      if (m := _TARGETS.fullmatch(entry.name)))
    newest = folder / (f"{versions[-1]}.targets.json" if versions else "targets.json")
    if not newest.is_file():
        return None
    try:
        document = parse_json(read_file_within(newest, METADATA_MAX_BYTES, "a metadata file"))
        sha256 = document["signed"]["targets"][TRUSTED_ROOT]["hashes"]["sha256"]
    except (BundleError, MalformedJSONError, KeyError, TypeError):
        return None
    if not isinstance(sha256, str) or not _SHA256.fullmatch(sha256):
        return None
    file = folder / "targets" / f"{sha256}.{TRUSTED_ROOT}"
    return file if file.is_file() else None
