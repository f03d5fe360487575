"""The GUNs of a verified Docker Content Trust bundle, each with the root that signs it.

``DctFlavor.signed_repositories``: the bundle is read as a ceremony's
``current:`` is (current.py: every check of ``ceremony verify`` first);
each GUN's newest root gives its version, threshold and root keys, named by
notary's canonical ids and, where the key index has them, by name. A
ceremony leaving DCT (the Sigstore flavor's migrate-dct) reads this and
nothing else of the bundle.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from ceremony.flavors.dct.current import read_dct_bundle
from ceremony.signed_repository import SignedRepository


def dct_repositories(bundle: Path, *, at: datetime | None = None) -> tuple[SignedRepository, ...]:
    state = read_dct_bundle(bundle, at=at)
    found = []
    for gun in sorted(state.guns.values(), key=lambda g: g.gun):
        ids = tuple(sorted(gun.canonical_ids("root")))
        names = tuple(
            sorted(record.name for record in state.keys.values() if record.keyid in ids)
        )
        found.append(
            SignedRepository(
                name=gun.gun,
                root_version=gun.root_version,
                root_keyids=ids,
                root_keys=names,
                threshold=gun.root.signed.roles["root"].threshold,
                rehearsal=state.rehearsal,
            )
        )
    return tuple(found)
