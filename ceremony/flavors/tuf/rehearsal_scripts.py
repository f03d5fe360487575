"""The embedded rehearsal: four ceremony scripts, written out for review.

bootstrap (3 root keys, threshold 2, software keys for every role; the root
and targets keys sealed into a custody bundle on two media folders, 3-of-5
shares with their sheets on a third, and the test restore), then delegate
two repository keys (one made here, one imported from a stand-in CI key;
the bags the bootstrap sealed are checked against its record and resealed),
then rotate the root (replace one root key and the timestamp key), then a
recovery: three custodians bring back their shares, the root keys come out
of the custody bundle and replace the lost targets key in root version 3.
The scripts are written into the rehearsal folder as they are run, so an
operator can read them and use them as a start for a real ceremony.
"""

from __future__ import annotations

BOOTSTRAP = """\
# Rehearsal 1 of 4: a new TUF root, version 1, its keys in custody.
format: 1
ceremony: bootstrap
flavor: tuf
title: Rehearsal - bootstrap a TUF root (3 root keys, threshold 2)
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
  - {name: targets, holder: online-team, algorithm: ed25519}
  - {name: snapshot, holder: online-team, algorithm: ed25519}
  - {name: timestamp, holder: online-team, algorithm: ed25519}
roles:
  root: {keys: [root-alice, root-bob, root-carol], threshold: 2, expires: 1y}
  targets: {keys: [targets], threshold: 1, expires: 180d}
  snapshot: {keys: [snapshot], threshold: 1, expires: 30d}
  timestamp: {keys: [timestamp], threshold: 1, expires: 7d}
custody:
  media: [custody-a, custody-b]       # each copy on its own removable medium
  sheets: custody-sheets              # never on a medium holding a copy
  shares: {threshold: 3, of: 5}
  custodians: [erin, frank, grace, heidi, ivan]
bags:                                 # each serial typed as the bag is sealed
  seal:
    - {name: custody-a-bag, holds: "custody copy medium custody-a"}
    - {name: share-1-bag, holds: "share sheet 1 (erin)"}
"""

DELEGATE = """\
# Rehearsal 2 of 4: the targets key delegates to two repository keys.
format: 1
ceremony: delegate
flavor: tuf
title: Rehearsal - delegate two repository keys
rehearsal: true
current: 1-bootstrap
output: 2-delegate
sign-with: [targets]
keys:
  - {name: repo-alpha, holder: online-team, algorithm: ed25519}
  - {name: repo-beta, import: ci/repo-beta.pub.pem}
keyholders:
  - name: online-team
delegations:
  - name: alpha
    keys: [repo-alpha]
    threshold: 1
    paths: ["alpha/*"]
    terminating: true
  - name: beta
    keys: [repo-beta]
    threshold: 1
    paths: ["beta/*"]
targets-expires: 90d
bags:                                 # checked against the bootstrap's record, resealed
  open: [custody-a-bag, share-1-bag]
  seal:
    - {name: custody-a-bag, holds: "custody copy medium custody-a"}
    - {name: share-1-bag, holds: "share sheet 1 (erin)"}
"""

ROTATE = """\
# Rehearsal 3 of 4: root version 2 replaces carol's root key and the timestamp key.
format: 1
ceremony: rotate-root
flavor: tuf
title: Rehearsal - rotate the root (replace a root key and the timestamp key)
rehearsal: true
current: 2-delegate
output: 3-rotate-root
sign-with: [root-alice, root-carol]
keyholders:
  - name: dave
  - name: online-team
keys:
  - {name: root-dave, holder: dave, algorithm: ed25519}
  - {name: timestamp-2, holder: online-team, algorithm: ed25519}
roles:
  root: {keys: [root-alice, root-bob, root-dave], threshold: 2, expires: 1y}
  timestamp: {keys: [timestamp-2], threshold: 1, expires: 7d}
"""

RECOVER = """\
# Rehearsal 4 of 4: the targets key is lost. Three custodians bring their shares,
# the root keys come back from the custody bundle and sign root version 3 with a
# new targets key.
format: 1
ceremony: recover
flavor: tuf
title: Rehearsal - recover the root keys from three shares, replace the lost targets key
rehearsal: true
current: 3-rotate-root
output: 4-recover
recover-from:
  copies: [custody-a, custody-b]      # the media folders holding the copies
keyholders:
  - name: online-team
keys:
  - {name: targets-2, holder: online-team, algorithm: ed25519}
replace:
  targets: {keys: [targets-2], threshold: 1, expires: 180d}
"""

SCRIPTS = (
    ("1-bootstrap.yaml", BOOTSTRAP),
    ("2-delegate.yaml", DELEGATE),
    ("3-rotate-root.yaml", ROTATE),
    ("4-recover.yaml", RECOVER),
)
# Folders standing in for removable media: the custody copies and the sheets.
MEDIA = ("custody-a", "custody-b", "custody-sheets")
