"""The Docker Content Trust flavor: Notary v1 metadata for many GUNs at once."""

from ceremony.flavors.dct.flavor import DctFlavor

FLAVOR = DctFlavor()
