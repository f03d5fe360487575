"""The Sigstore rehearsal: ``ceremony rehearse --flavor sigstore`` on embedded defaults.

Stand-in trust material (standins.py) is written into a new folder, then
every kind runs with software keys: a bootstrap of the instance's trust
root, custody included; a recovery from two custodians' shares replacing
the lost timestamp key; an update-trust adding a second Rekor log; a root
rotation; and a migrate-dct taking the GUNs of the DCT rehearsal's bundles
(made first, by the DCT flavor's own rehearsal, into ``dct/``) to cosign
keys. Every bundle is verified; each bundle's ``mirror/`` folder is the tree
a web server would serve. The scripts are written beside them for review
and as a start for real ceremonies.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

from ceremony.engine import utc_now
from ceremony.events import Event
from ceremony.flavor import flavor_named
from ceremony.flavors.sigstore.standins import write_log_key, write_standins
from ceremony.rehearsal.operator import RehearsalOperator
from ceremony.rehearsal.run import default_folder, new_folder, run_scripts

README = """\
REHEARSAL - NOT FOR PRODUCTION

Made by `ceremony rehearse --flavor sigstore`. The trust material in trust/
belongs to no instance (its private keys were dropped when it was made),
and the keys were made with random passphrases that existed only in
memory; the root and targets keys are sealed in the custody bundle
(custody-a/, custody-b/, shares in custody-sheets/). Five ceremonies:
1-bootstrap, 2-recover, 3-update-trust, 4-rotate-root (each bundle's mirror/
is what a web server would serve as the instance's TUF repository, its
CLIENTS.md the client commands, its mirror-signer/ what the online signer
takes), and 5-migrate-dct, the way off Docker Content Trust for the GUNs of
the DCT rehearsal in dct/ (its MIGRATION.md). Run `ceremony verify
4-rotate-root` to check one again.
"""

TRUST = """\
trust:
  mirror: https://tuf.rehearsal.invalid
  mirror-signer: online                # the server re-signs snapshot and timestamp
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
# Rehearsal 1 of 5: a private Sigstore instance's trust root, version 1, and its mirror.
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
# Rehearsal 2 of 5: the timestamp key is lost. Two custodians bring their shares,
# the root keys come back from the custody bundle and sign root version 2 with a
# new timestamp key; the recovered targets key and the snapshot key sign the mirror.
# The CI cosign key's passphrase was lost too: it comes back from custody and is
# written again under a new one.
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
reissue-cosign: [ci-release]          # its passphrase was lost too: same key, new file
targets-expires: 180d
snapshot-expires: 180d
timestamp-expires: 30d
TRUST_HERE
"""

UPDATE_TRUST = """\
# Rehearsal 3 of 5: a second Rekor log starts; the first stays trusted for 30 days,
# so signatures it logged still verify. The current targets, snapshot and timestamp
# keys sign the new trusted_root.json; the root stays.
format: 1
ceremony: update-trust
flavor: sigstore
title: Rehearsal - update-trust, a second Rekor log
rehearsal: true
current: 2-recover
output: 3-update-trust
sign-with: [targets, snapshot, timestamp-2]
targets-expires: 180d
snapshot-expires: 180d
timestamp-expires: 30d
TRUST_HERE
"""

ROTATE = """\
# Rehearsal 4 of 5: root version 3 replaces carol's root key with dave's; the mirror
# is signed again under it and clients that trusted version 1 follow.
format: 1
ceremony: rotate-root
flavor: sigstore
title: Rehearsal - rotate the root (replace a root key)
rehearsal: true
current: 3-update-trust
output: 4-rotate-root
sign-with: [root-alice, root-bob, targets, snapshot, timestamp-2]
keyholders:
  - name: dave
keys:
  - {name: root-dave, holder: dave, algorithm: ed25519}
roles:
  root: {keys: [root-alice, root-bob, root-dave], threshold: 2, expires: 1y}
targets-expires: 180d
snapshot-expires: 180d
timestamp-expires: 30d
TRUST_HERE
"""

MIGRATE = """\
# Rehearsal 5 of 5: the way off Docker Content Trust. The GUNs of the DCT rehearsal's
# newest bundle move, in two groups, to two cosign keys; the cluster policies scope
# each key to its GUNs, and the transcript records which DCT root each key replaces.
format: 1
ceremony: migrate-dct
flavor: sigstore
title: Rehearsal - leave DCT, cosign keys for its GUNs
rehearsal: true
output: 5-migrate-dct
dct-bundle: dct/4-decommission       # the DCT rehearsal's newest bundle, made first
keyholders:
  - name: app-team
  - name: data-team
groups:
  - {name: app-signing, holder: app-team, guns: [registry.example.com/rehearsal/app]}
  - {name: data-signing, holder: data-team, guns: [registry.example.com/rehearsal/db]}
"""

# the update-trust adds a second Rekor log; the first is trusted 30 days more
NEW_REKOR = (
    "    - {url: https://rekor.rehearsal.invalid, key: trust/rekor.pub, valid-until: 30d}\n"
    "    - {url: https://rekor2.rehearsal.invalid, key: trust/rekor-2.pub}\n"
)
OLD_REKOR = "    - {url: https://rekor.rehearsal.invalid, key: trust/rekor.pub}\n"
LATER_TRUST = TRUST.replace(OLD_REKOR, NEW_REKOR)

SCRIPTS = (
    ("1-bootstrap.yaml", BOOTSTRAP.replace("TRUST_HERE\n", TRUST)),
    ("2-recover.yaml", RECOVER.replace("TRUST_HERE\n", TRUST)),
    ("3-update-trust.yaml", UPDATE_TRUST.replace("TRUST_HERE\n", LATER_TRUST)),
    ("4-rotate-root.yaml", ROTATE.replace("TRUST_HERE\n", LATER_TRUST)),
    ("5-migrate-dct.yaml", MIGRATE),
)


def rehearse_sigstore(
    folder: Path | None = None,
    *,
    clock: Callable[[], datetime] = utc_now,
    operator: RehearsalOperator | None = None,
) -> Iterator[Event]:
    folder = new_folder(folder or default_folder(clock()), README)
    write_standins(folder / "trust", clock())
    write_log_key(folder / "trust" / "rekor-2.pub")
    for medium in MEDIA:
        (folder / medium).mkdir()
    # the DCT bundles migrate-dct reads: the DCT flavor's own rehearsal, verified
    yield from flavor_named("dct").rehearse(folder / "dct", clock=clock)
    yield from run_scripts(folder, SCRIPTS, operator or RehearsalOperator(), clock)
