"""The TUF flavor: root, targets, snapshot and timestamp metadata through python-tuf."""

from ceremony.flavors.tuf.flavor import TufFlavor

FLAVOR = TufFlavor()
