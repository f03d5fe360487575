"""The small encodings of notary's JSON fields, and strict readers for them.

Times are RFC 3339 as Go writes and reads them; hashes, keys and signatures
are standard base64. Each reader takes a value parsed from JSON (untrusted:
``Any``) and the dotted path it was found at, and returns it typed, or raises
:class:`NotaryFormatError` naming that path. Nothing here does I/O.
"""

from __future__ import annotations

import base64
import binascii
import functools
import re
from datetime import UTC, datetime, timedelta
from typing import Any

from ceremony.flavors.dct.notary.errors import NotaryFormatError

#: a JSON object as parsed, before the model has checked its fields
JsonObject = dict[str, Any]

#: the whole text (``\Z``: ``$`` would let one newline more through), in ASCII digits
#: (``\d`` alone takes any script's, and Python's int() reads them): as Go's
#: time.Parse reads RFC 3339, which refuses both
EXPIRES = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})\Z",
    re.ASCII,
)


@functools.lru_cache(maxsize=64)
def format_expires(moment: datetime) -> str:
    """``YYYY-MM-DDTHH:MM:SSZ`` in UTC, whole seconds (RFC 3339, read by Go)."""
    if moment.tzinfo is None:
        raise ValueError("expiry times must carry a time zone")
    m = moment.astimezone(UTC)
    return f"{m.year:04d}-{m.month:02d}-{m.day:02d}T{m.hour:02d}:{m.minute:02d}:{m.second:02d}Z"


def parse_expires(text: object, where: str = "expires") -> datetime:
    """An RFC 3339 time as Go writes it (fractions up to nanoseconds, any offset)."""
    if isinstance(text, str):
        moment = _parse_expires(text)
        if moment is not None:
            return moment
    match = EXPIRES.match(text) if isinstance(text, str) else None
    if not match:
        raise NotaryFormatError(f"{text!r} is not an RFC 3339 time", where=where)
    raise NotaryFormatError(f"{text!r} is not a real date and time", where=where)


@functools.lru_cache(maxsize=256)
def _parse_expires(text: str) -> datetime | None:
    match = EXPIRES.match(text)
    if not match:
        return None
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    try:
        moment = datetime(
            int(year), int(month), int(day), int(hour), int(minute), int(second),
            int((fraction or "0").ljust(9, "0")[:6]),
            tzinfo=UTC,
        )
    except ValueError:
        return None
    if zone != "Z":
        sign = 1 if zone[0] == "+" else -1
        moment -= sign * timedelta(hours=int(zone[1:3]), minutes=int(zone[4:6]))
    return moment


def b64decode(text: object, where: str) -> bytes:
    """Standard base64 text as bytes; anything else is refused, naming ``where``."""
    if not isinstance(text, str):
        raise NotaryFormatError("expected a base64 string", where=where)
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise NotaryFormatError("not standard base64", where=where) from None


def b64encode(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def json_object(value: object, where: str) -> JsonObject:
    if not isinstance(value, dict):
        raise NotaryFormatError("expected a JSON object", where=where)
    return value


def integer(value: object, where: str, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise NotaryFormatError(f"expected an integer >= {minimum}", where=where)
    return value


def string(value: object, where: str) -> str:
    if not isinstance(value, str):
        raise NotaryFormatError("expected a string", where=where)
    return value


def string_list(value: object, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise NotaryFormatError("expected a list of strings", where=where)
    return list(value)


def unrecognized(data: JsonObject, known: tuple[str, ...]) -> JsonObject:
    """The fields of ``data`` the model does not know, kept to be written back."""
    return {k: v for k, v in data.items() if k not in known}


def require(data: JsonObject, names: tuple[str, ...], where: str) -> None:
    missing = [n for n in names if n not in data]
    if missing:
        raise NotaryFormatError(f"missing field(s): {', '.join(missing)}", where=where)
