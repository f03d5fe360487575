"""Ceremony scripts shared by the loader tests.

Line numbers matter: the expected messages in the tests name them.
"""

from datetime import UTC, datetime

NOW = datetime(2026, 11, 26, 17, 30, tzinfo=UTC)

BOOTSTRAP = """\
format: 1
ceremony: bootstrap
flavor: tuf
title: Bootstrap of the example repository
output: out/2026-11-bootstrap
keyholders:
  - name: alice
  - name: bob
  - name: carol
keys:
  - {name: root-alice, holder: alice, algorithm: ed25519}
  - {name: root-bob, holder: bob, algorithm: ed25519}
  - {name: root-carol, holder: carol, algorithm: ecdsa-p256}
  - {name: targets, algorithm: ed25519}
  - {name: snapshot, algorithm: ed25519}
  - {name: timestamp, import: online/timestamp.pub.pem}
roles:
  root: {keys: [root-alice, root-bob, root-carol], threshold: 2, expires: 1y}
  targets: {keys: [targets], threshold: 1, expires: 180d}
  snapshot: {keys: [snapshot], threshold: 1, expires: 30d}
  timestamp: {keys: [timestamp], threshold: 1, expires: 7d}
"""
