"""What every ``signed`` part of a notary file has: ``_type``, ``version``, ``expires``.

:class:`SignedPart` is the base of root, targets, snapshot and timestamp.
Its constructor checks the version and the expiry; ``from_dict`` of each
part checks ``_type`` first, so a file of one type is never read as another.
Nothing here does I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar, Self

from ceremony.flavors.dct.notary.errors import NotaryFormatError
from ceremony.flavors.dct.notary.model.wire import (
    JsonObject,
    integer,
    parse_expires,
    require,
    string,
)

#: role name -> the ``_type`` of its file
TYPES = {"root": "Root", "targets": "Targets", "snapshot": "Snapshot", "timestamp": "Timestamp"}
BASE_ROLES = ("root", "targets", "snapshot", "timestamp")


@dataclass
class SignedPart:
    """Fields every ``signed`` part has: ``_type``, ``version``, ``expires``."""

    TYPE: ClassVar[str] = ""
    KNOWN: ClassVar[tuple[str, ...]] = ("_type", "version", "expires")

    version: int
    expires: str

    def __post_init__(self) -> None:
        integer(self.version, "version", 1)
        parse_expires(self.expires)

    @property
    def expires_at(self) -> datetime:
        return parse_expires(self.expires)

    def _common(self) -> JsonObject:
        return {"_type": self.TYPE, "expires": self.expires, "version": self.version}

    @classmethod
    def _common_from(cls, data: JsonObject, where: str) -> tuple[int, str]:
        """``version`` and ``expires`` of ``data``, once ``_type`` is this part's."""
        require(data, cls.KNOWN, where)
        if data["_type"] != cls.TYPE:
            raise NotaryFormatError(
                f"_type is {data['_type']!r}, expected {cls.TYPE!r}", where=f"{where}._type"
            )
        return (
            integer(data["version"], f"{where}.version", 1),
            string(data["expires"], f"{where}.expires"),
        )

    def to_dict(self) -> JsonObject:
        raise NotImplementedError

    @classmethod
    def from_dict(cls, data: Any, where: str = "signed") -> Self:
        raise NotImplementedError
