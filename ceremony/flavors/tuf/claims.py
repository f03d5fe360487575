"""Whether a path is TUF's: what ``ceremony status``, ``next`` and ``inspect`` ask
first of a path (``TufFlavor.inspects``).

A bundle folder holding metadata/N.root.json (or metadata/root.json), or a
metadata file whose ``_type`` is root or targets, read as strictly as verify
reads it (size limit, strict JSON). Apart from inspect.py, which reads what the
file says, so that asking loads none of inspect's facts and text.
"""

from __future__ import annotations

import os
import re

from ceremony.bundle.path_kinds import is_dir, is_file, is_symlink
from ceremony.errors import BundleError
from ceremony.verify.errors import MalformedJSONError
from ceremony.verify.limits import METADATA_MAX_BYTES
from ceremony.verify.loader import read_file_within
from ceremony.verify.strict_json import parse_json

TYPE_CHECKING = False
if TYPE_CHECKING:  # `ceremony next` gives its paths as text (cli/quick.py's path_text)
    from pathlib import Path

_VERSIONED_ROOT = re.compile(r"([1-9][0-9]{0,8})\.root\.json")


def inspects_tuf(path: str | Path) -> bool:
    """Whether ``path`` is a TUF bundle (metadata/N.root.json) or a TUF root or
    targets file (``_type`` root or targets)."""
    if is_dir(path) and not is_symlink(path):
        return bool(root_versions(path)) or is_file(os.path.join(path, "metadata", "root.json"))
    try:
        document = parse_json(read_file_within(path, METADATA_MAX_BYTES, "a metadata file"))
    except (BundleError, MalformedJSONError):
        return False
    signed = document.get("signed") if isinstance(document, dict) else None
    return isinstance(signed, dict) and signed.get("_type") in ("root", "targets")


def root_versions(bundle: str | Path) -> list[int]:
    """The versions of the bundle's metadata/N.root.json, oldest first."""
    metadata = os.path.join(bundle, "metadata")
    versions = []
    if is_dir(metadata):
        for name in os.listdir(metadata):
            match = _VERSIONED_ROOT.fullmatch(name)
            if match:
                versions.append(int(match.group(1)))
    return sorted(versions)
