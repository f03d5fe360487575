"""When metadata expires, from the way a script writes it.

A script gives an expiry as a date (``2027-11-30``, midnight UTC), a UTC
time (``2027-11-30T12:00:00Z``) or a length from now (``90d``, ``12w``,
``1y`` where a year is 365 days). This module turns that into a
timezone-aware UTC datetime with no microseconds. "Now" is always passed in,
so a script means the same thing in a test, a rehearsal and a ceremony. It
does not judge whether the expiry is sensible; checks.py does.
"""

from __future__ import annotations

import re

from ceremony.c_datetime import UTC, date, datetime, timedelta
from ceremony.errors import ScriptError
from ceremony.script.yamlload import describe

_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_UTC_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z")
_LENGTH = re.compile(r"([0-9]+)([dwy])")
_DAYS_PER = {"d": 1, "w": 7, "y": 365}
_FORMS = (
    "a date (2027-11-30), a UTC time (2027-11-30T12:00:00Z) "
    "or a length from now (90d, 12w, 1y)"
)


def utc_now(now: datetime | None = None) -> datetime:
    """``now`` (the current time when None) in UTC without microseconds.

    A naive ``now`` is taken to be UTC already.
    """
    if now is None:
        now = datetime.now(UTC)
    elif now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    return now.astimezone(UTC).replace(microsecond=0)


def parse_expiry(value: object, *, now: datetime, where: str = "") -> datetime:
    """The UTC expiry ``value`` stands for; ``where`` places errors in the script."""
    if isinstance(value, str):
        try:
            expiry = _parse_text(value, utc_now(now))
        except ValueError:
            raise ScriptError(
                f"{value!r} is not a real date and time",
                where=where,
                todo="Check the month, day and hour",
            ) from None
        except OverflowError:
            raise ScriptError(
                f"{value!r} is too far in the future",
                where=where,
                todo="Give an expiry before the year 10000",
            ) from None
        if expiry is not None:
            return expiry
    raise ScriptError(
        f"expected {_FORMS}, got {describe(value)}",
        where=where,
        todo="Write the expiry in one of those forms",
    )


def _parse_text(text: str, now: datetime) -> datetime | None:
    """The expiry ``text`` names, None when it is in no known form."""
    if _DATE.fullmatch(text):
        day = date.fromisoformat(text)
        return datetime(day.year, day.month, day.day, tzinfo=UTC)
    if _UTC_TIME.fullmatch(text):
        return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    length = length_of(text)
    return None if length is None else now + length


def length_of(text: str) -> timedelta | None:
    """The length ``90d``, ``12w`` or ``1y`` (365 days) stands for; None if none."""
    length = _LENGTH.fullmatch(text)
    if length is None:
        return None
    return timedelta(days=int(length.group(1)) * _DAYS_PER[length.group(2)])


def format_expiry(moment: datetime) -> str:
    """``moment`` as a script would write it: ``2027-11-30T12:00:00Z``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
