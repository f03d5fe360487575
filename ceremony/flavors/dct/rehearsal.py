"""The Docker Content Trust rehearsal: ``ceremony rehearse --flavor dct``.

Four dct ceremonies on embedded defaults, offline, into a fresh folder:
bootstrap two GUNs (two root keys, threshold 1, a repository key per GUN
for CI), delegate to a CI signer the way ``docker trust signer add`` does,
then rotate the root (replace a root key) and the targets keys, and last
decommission a root key (out of every GUN's root, then destroyed). There is no
Notary server in a rehearsal: its timestamp and snapshot keys are made up
here, in a folder whose name and README say so, and the previous bundle's
publish set stands in for "what the server serves now". Every bundle is
verified at the end. The scripts are written next to the bundles, to read
and to start a real ceremony from.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import ed25519

from ceremony.bundle.files import write_new
from ceremony.engine import utc_now
from ceremony.events import Event
from ceremony.flavors.dct.notary.keyids import key_for_public_key
from ceremony.rehearsal.operator import RehearsalOperator
from ceremony.rehearsal.run import new_folder, run_scripts

GUNS = ("registry.example.com/rehearsal/app", "registry.example.com/rehearsal/db")
SERVER_KEYS = "server-keys-MADE-UP-FOR-REHEARSAL"
SERVER_KEYS_NOTE = """\
MADE UP FOR THE REHEARSAL - NOT A NOTARY SERVER'S KEYS

These timestamp and snapshot public keys were made by `ceremony rehearse
--flavor dct`, and their private halves were thrown away. A real ceremony
reads the keys scripts/dct-fetch-keys fetched from your Notary server.
"""
README = """\
REHEARSAL - NOT FOR PRODUCTION (Docker Content Trust)

Made by `ceremony rehearse --flavor dct`. The keys here were made with random
passphrases that existed only in memory during the rehearsal: they can never
be opened again and must never be trusted. The Notary server's keys in
{server_keys}/ were made up. Read the scripts (*.yaml) to see how a real DCT
ceremony is written, and run `ceremony verify` on any bundle folder.
"""

_GUN_LIST = "[" + ", ".join(GUNS) + "]"

BOOTSTRAP = f"""\
# Rehearsal 1 of 4: offline roots for two Docker repositories.
format: 1
ceremony: bootstrap
flavor: dct
title: Rehearsal - DCT bootstrap of two GUNs (2 root keys, threshold 1)
rehearsal: true
output: 1-bootstrap
guns: {_GUN_LIST}
server-keys: {SERVER_KEYS}    # a real ceremony: what scripts/dct-fetch-keys wrote
keyholders:
  - name: alice
  - name: bob
  - name: ci-team
keys:
  - {{name: root-alice, holder: alice, algorithm: ecdsa-p256}}
  - {{name: root-bob, holder: bob, algorithm: ecdsa-p256}}
  - {{name: repo, holder: ci-team, algorithm: ecdsa-p256}}   # one per GUN, for CI
roles:
  root: {{keys: [root-alice, root-bob], threshold: 1}}     # expires: notary's 10 years
  targets: {{keys: [repo]}}                                # expires: notary's 3 years
"""

DELEGATE = """\
# Rehearsal 2 of 4: a CI signer, as `docker trust signer add ci` would add it.
format: 1
ceremony: delegate
flavor: dct
title: Rehearsal - delegate to a CI signer
rehearsal: true
current: 1-bootstrap
published: 1-bootstrap/publish   # a real ceremony: what `dct-fetch-keys --state` wrote
output: 2-delegate
keyholders:
  - name: ci-team
keys:
  - {name: ci-signer, holder: ci-team, algorithm: ecdsa-p256}
signers:
  - {name: ci, keys: [ci-signer]}
"""

ROTATE = """\
# Rehearsal 3 of 4: replace alice's root key with carol's, and the repository keys.
format: 1
ceremony: rotate-root
flavor: dct
title: Rehearsal - rotate the DCT roots and the repository keys
rehearsal: true
current: 2-delegate
published: 2-delegate/publish
output: 3-rotate-root
sign-with: [root-alice]
keyholders:
  - name: carol
  - name: ci-team
keys:
  - {name: root-carol, holder: carol, algorithm: ecdsa-p256}
  - {name: repo-2, holder: ci-team, algorithm: ecdsa-p256}
roles:
  root: {keys: [root-bob, root-carol], threshold: 1}
  targets: {keys: [repo-2]}
"""

DECOMMISSION = """\
# Rehearsal 4 of 4: bob's root key leaves every GUN's root and is destroyed. A real
# decommission also names the copies of its key file in earlier bundles under wipe:
# (a rehearsal keeps them, so that every bundle still verifies).
format: 1
ceremony: decommission
flavor: dct
title: Rehearsal - decommission bob's DCT root key
rehearsal: true
current: 3-rotate-root
output: 4-decommission
sign-with: [root-carol]               # the roots keep carol's key: threshold 1 still met
destroy: [root-bob]
"""

SCRIPTS = (
    ("1-bootstrap.yaml", BOOTSTRAP),
    ("2-delegate.yaml", DELEGATE),
    ("3-rotate-root.yaml", ROTATE),
    ("4-decommission.yaml", DECOMMISSION),
)


def rehearse_dct(
    folder: Path | None = None,
    *,
    clock: Callable[[], datetime] = utc_now,
    operator: RehearsalOperator | None = None,
) -> Iterator[Event]:
    folder = new_folder(
        folder or Path.cwd() / f"rehearsal-dct-{clock().strftime('%Y%m%d-%H%M%S')}",
        README.format(server_keys=SERVER_KEYS),
    )
    made_up_server_keys(folder / SERVER_KEYS)
    yield from run_scripts(folder, SCRIPTS, operator or RehearsalOperator(), clock)


def made_up_server_keys(folder: Path) -> None:
    """Timestamp and snapshot public keys as dct-fetch-keys writes them; the
    private halves are dropped at once."""
    folder.mkdir()
    write_new(folder / "README-MADE-UP.txt", SERVER_KEYS_NOTE.encode())
    for gun in GUNS:
        (folder / gun).mkdir(parents=True)
        for role in ("timestamp", "snapshot"):
            key = key_for_public_key(ed25519.Ed25519PrivateKey.generate().public_key())
            write_new(folder / gun / f"{role}.key", json.dumps(key.to_dict()).encode())
