"""What a flavor says of one role's metadata: which, its version, when it expires.

A flavor's ``lifetimes(path)`` returns one :class:`Lifetime` per role file
it finds at a path (a bundle, a published metadata folder, a state folder),
and ceremony/lifecycle/status.py judges them the same way for every flavor.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ceremony.plain_record import PlainRecord

if TYPE_CHECKING:
    from datetime import datetime


class Lifetime(PlainRecord):
    """One role's metadata: ``role`` as the metadata names it (``root``,
    ``timestamp``), its version and expiry (UTC), the file it was read from,
    and ``scope`` when one path holds several roots (DCT: the GUN). A Sigstore
    trusted root's service is one too (role ``rekor``, scoped by its URL), with
    ``renewal`` saying which ceremony renews it, and version 0 when no metadata
    here carries it (a trusted_root.json alone)."""

    role: str
    version: int
    expires: datetime
    file: str  # where it was read, for the operator
    scope: str = ""
    renewal: str = ""  # how it is renewed, when not by `ceremony next --kind renew`

    @property
    def version_text(self) -> str:
        """The version as people read it: ``-`` when none is known (0)."""
        return str(self.version) if self.version else "-"

    @property
    def name(self) -> str:
        """How the operator reads it: ``root``, ``example.com/app root``."""
        return f"{self.scope} {self.role}" if self.scope else self.role
