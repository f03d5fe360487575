"""The errors the Notary v1 (Docker Content Trust) format layer raises.

They are :class:`ceremony.errors.CeremonyError` subclasses, so the front ends
print them as they print any other: what happened, where, what to do next.
They never carry a passphrase or key material, only names, ids and counts.
:class:`DerError` is the one exception that is not for an operator: the DER
reader raises it, and the modules that read DER turn it into one of these.
"""

from __future__ import annotations

from ceremony.errors import CeremonyError


class DctError(CeremonyError):
    """Docker Content Trust input or output that notary would refuse."""


class NotaryFormatError(DctError):
    """Bytes read from media or a server that are not valid notary data."""


class KeyFileError(DctError):
    """A notary private-key file that cannot be written or opened."""


class KeyFilePassphraseError(KeyFileError):
    """The passphrase given does not open the key file."""


class DerError(ValueError):
    """Bytes that are not the DER :mod:`der` expects (its callers say what they were)."""
