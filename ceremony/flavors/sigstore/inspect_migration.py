"""``ceremony inspect`` of a migrate-dct bundle: its cosign keys, and the GUNs they took over.

A migrate-dct bundle holds no trust root: :func:`inspect_migration` lists
its cosign keys (in a key file, or on a token by its ``.uri``, with the
sha256 of each public key) and, from the transcript's ``key-succeeds``
lines, each GUN with the key that signs it now and the DCT root it replaced.
Every file is read within the verifier's limits, the transcript as strict
JSON, and every text from the media escaped; ``ceremony verify`` judges
them. Nothing here prints.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ceremony.errors import BundleError
from ceremony.flavors.sigstore.plan import MIGRATION_PAGE
from ceremony.inspect import columns
from ceremony.verify.errors import MalformedJSONError
from ceremony.verify.limits import OTHER_MAX_BYTES, TRANSCRIPT, TRANSCRIPT_MAX_BYTES
from ceremony.verify.loader import read_file_within
from ceremony.verify.problem import safe_path
from ceremony.verify.strict_json import parse_json


def is_migration(path: Path) -> bool:
    """A bundle folder with MIGRATION.md at its top (and so no trust root)."""
    return path.is_dir() and not path.is_symlink() and (path / MIGRATION_PAGE).is_file()


def inspect_migration(path: Path) -> dict[str, Any]:
    keys = []
    folder = path / "cosign"
    for pub in sorted(folder.glob("*.pub")) if folder.is_dir() else []:
        data = read_file_within(pub, OTHER_MAX_BYTES, "a cosign public key")
        on_token = (folder / f"{pub.stem}.uri").exists()
        keys.append(
            {
                "name": pub.stem,
                "where": safe_path(f"cosign/{pub.stem}.uri (on a token)" if on_token
                                   else f"cosign/{pub.stem}.key"),
                "public_sha256": hashlib.sha256(data).hexdigest(),
            }
        )
    guns = []
    text = read_file_within(path / TRANSCRIPT, TRANSCRIPT_MAX_BYTES, "a transcript")
    for number, line in enumerate(text.splitlines(), start=1):
        try:
            event = parse_json(line)
        except MalformedJSONError:
            raise BundleError(f"line {number} is not JSON", where=TRANSCRIPT) from None
        if isinstance(event, dict) and event.get("event") == "key-succeeds":
            guns.append(
                {name: str(event.get(name, "")) for name in ("repository", "key", "replaces")}
            )
    return {"path": str(path), "kind": "migrate-dct", "cosign_keys": keys, "guns": guns}


def migration_lines(facts: Mapping[str, Any]) -> list[str]:
    lines = [f"{safe_path(facts['path'])}: Sigstore migrate-dct bundle (the way off DCT)", ""]
    lines.append("cosign keys")
    rows = [
        [safe_path(key["name"]), key["where"], f"pub sha256 {key['public_sha256'][:16]}"]
        for key in facts["cosign_keys"]
    ]
    lines += columns(rows) if rows else ["  none"]
    lines += ["", "GUNs taken over"]
    for gun in facts["guns"]:
        lines.append(f"  {safe_path(gun['repository'])} -> {safe_path(gun['key'])}")
        lines.append(f"    replaces {safe_path(gun['replaces'])}")
    if not facts["guns"]:
        lines.append("  none")
    return lines
