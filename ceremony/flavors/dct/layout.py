"""Where things are in a Docker Content Trust bundle (docs/reference/bundle.md, "DCT bundles").

One place for the paths the writer (engine/dct_output.py), the reader of a
current bundle (engine/dct_current.py) and the verifier (verify/dct_*.py)
agree on. Paths only; nothing here reads or writes.
"""

from __future__ import annotations

import re

DCT_INDEX = "metadata/dct.json"  # the GUNs, their histories and the publish set
PUBLISH = "publish"  # the folder scripts/dct-publish takes
PUBLISH_MANIFEST = "publish/dct-publish.json"
CI_TRUST = "ci/trust"  # copy to CI as its notary / docker trust dir
CI_README = "ci/README.txt"
KEY_INDEX = "keys/index.json"
FORMAT = 1

_ROOT_FILE = re.compile(r"metadata/(.+)/([1-9][0-9]{0,8})\.root\.json")


def root_path(gun: str, version: int) -> str:
    return f"metadata/{gun}/{version}.root.json"


def newest_root_path(gun: str) -> str:
    return f"metadata/{gun}/root.json"


def targets_path(gun: str) -> str:
    return f"metadata/{gun}/targets.json"


def key_file_path(canonical_id: str) -> str:
    """A key exported for CI, as notary names it in a trust dir."""
    return f"{CI_TRUST}/private/{canonical_id}.key"


def offline_key_path(name: str) -> str:
    return f"keys/offline/{name}.age"


def public_key_path(name: str) -> str:
    return f"keys/public/{name}.pem"


def versioned_root(path: str) -> tuple[str, int] | None:
    """(gun, version) for ``metadata/<gun>/<N>.root.json``, else None."""
    match = _ROOT_FILE.fullmatch(path)
    return (match.group(1), int(match.group(2))) if match else None
