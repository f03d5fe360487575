"""The Sigstore rehearsal: ``ceremony rehearse --flavor sigstore`` on embedded defaults.

Stand-in trust material (standins.py) is written into a new folder, then a
bootstrap of the instance's trust root runs with software keys, custody
included, then a recovery from two custodians' shares replaces the lost
timestamp key, and every bundle is verified; the bundle's ``mirror/`` folder is
the tree a web server would serve. The script is written beside it for
review and as a start for a real ceremony.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

from ceremony.engine import utc_now
from ceremony.events import Event
from ceremony.flavors.sigstore.standins import write_standins
from ceremony.rehearsal.operator import RehearsalOperator
from ceremony.rehearsal.run import default_folder, new_folder, run_scripts

README = """\
REHEARSAL - NOT FOR PRODUCTION

Made by `ceremony rehearse --flavor sigstore`. The trust material in trust/
belongs to no instance (its private keys were dropped when it was made),
and the keys were made with random passphrases that existed only in
memory; the root and targets keys are sealed in the custody bundle
(custody-a/, custody-b/, shares in custody-sheets/). 1-bootstrap/mirror/
is what a web server would serve as the instance's TUF repository;
1-bootstrap/CLIENTS.md gives the client commands. Run
`ceremony verify 1-bootstrap` to check it again.
"""

TRUST = """\
trust:
  mirror: https://tuf.rehearsal.invalid
  fulcio:
    - {url: https://fulcio.rehearsal.invalid, chain: trust/fulcio-chain.pem}
  rekor:
    - {url: https://rekor.rehearsal.invalid, key: trust/rekor.pub}
  ctlog:
    - {url: https://ctfe.rehearsal.invalid, key: trust/ctfe.pub}
  tsa:
    - {url: https://tsa.rehearsal.invalid/api/v1/timestamp, chain: trust/tsa-chain.pem}
  oidc:
    - {url: https://oidc.rehearsal.invalid}
"""

BOOTSTRAP = """\
# Rehearsal 1 of 2: a private Sigstore instance's trust root, version 1, and its mirror.
format: 1
ceremony: bootstrap
flavor: sigstore
title: Rehearsal - bootstrap a Sigstore trust root (3 root keys, threshold 2)
rehearsal: true
output: 1-bootstrap
keyholders:
  - name: alice
  - name: bob
  - name: carol
  - name: online-team
keys:
  - {name: root-alice, holder: alice, algorithm: ed25519}
  - {name: root-bob, holder: bob, algorithm: ecdsa-p256}
  - {name: root-carol, holder: carol, algorithm: ed25519}
  - {name: targets, holder: online-team, algorithm: ecdsa-p256}
  - {name: snapshot, holder: online-team, algorithm: ecdsa-p256}
  - {name: timestamp, holder: online-team, algorithm: ecdsa-p256}
roles:
  root: {keys: [root-alice, root-bob, root-carol], threshold: 2, expires: 1y}
  targets: {keys: [targets], threshold: 1, expires: 180d}
  snapshot: {keys: [snapshot], threshold: 1, expires: 180d}
  timestamp: {keys: [timestamp], threshold: 1, expires: 180d}
TRUST_HERE
cosign-keys:                          # a CI signing key, as cosign.key (no OIDC, no Rekor)
  - {name: ci-release, holder: online-team,
     repositories: [registry.rehearsal.invalid/release/**]}   # its cluster policies
custody:
  media: [custody-a, custody-b]       # each copy on its own removable medium
  sheets: custody-sheets              # never on a medium holding a copy
  shares: {threshold: 2, of: 3}
  custodians: [erin, frank, grace]
"""

# Folders standing in for removable media: the custody copies and the sheets.
MEDIA = ("custody-a", "custody-b", "custody-sheets")

RECOVER = """\
# Rehearsal 2 of 2: the timestamp key is lost. Two custodians bring their shares,
# the root keys come back from the custody bundle and sign root version 2 with a
# new timestamp key; the recovered targets key and the snapshot key sign the mirror.
format: 1
ceremony: recover
flavor: sigstore
title: Rehearsal - recover the root keys from two shares, replace the lost timestamp key
rehearsal: true
current: 1-bootstrap
output: 2-recover
recover-from:
  copies: [custody-a, custody-b]      # the media folders holding the copies
keyholders:
  - name: online-team
keys:
  - {name: timestamp-2, holder: online-team, algorithm: ecdsa-p256}
replace:
  timestamp: {keys: [timestamp-2], threshold: 1, expires: 180d}
sign-with: [snapshot]                 # the online snapshot key, from the bundle
targets-expires: 180d
snapshot-expires: 180d
timestamp-expires: 30d
TRUST_HERE
"""

SCRIPTS = (
    ("1-bootstrap.yaml", BOOTSTRAP.replace("TRUST_HERE\n", TRUST)),
    ("2-recover.yaml", RECOVER.replace("TRUST_HERE\n", TRUST)),
)


def rehearse_sigstore(
    folder: Path | None = None,
    *,
    clock: Callable[[], datetime] = utc_now,
    operator: RehearsalOperator | None = None,
) -> Iterator[Event]:
    folder = new_folder(folder or default_folder(clock()), README)
    write_standins(folder / "trust", clock())
    for medium in MEDIA:
        (folder / medium).mkdir()
    yield from run_scripts(folder, SCRIPTS, operator or RehearsalOperator(), clock)
